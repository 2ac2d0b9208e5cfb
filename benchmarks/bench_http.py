"""Load check of the HTTP API: profile lookups against a hub of ``--customers`` customers.

Builds (or reuses, under ``benchmarks/.data/http``) a SQLite hub through the public API —
one synthetic record per customer with a distinct e-mail address and phone number,
ingested and batch-resolved — creates a read key, starts ``dchkit serve`` on loopback in
another process, and drives it with ``wrk`` (Debian package ``wrk``) for ``--duration``
seconds per scenario, each request asking for a random customer:

- ``lookup``: ``GET /v1/customers?email=…`` (identifier lookup, profile with live traits),
- ``lookup_lean``: the same with ``traits=false``,
- ``get``: ``GET /v1/customers/{customer_id}``.

Prints requests per second, wrk's latency percentiles (p50/p90/p99) and the server's CPU
time per request (its processes' user + system time over the run, from ``/proc``) per
scenario and run, the median over ``--repeat`` runs, and the load average (the machine
is shared: throughput and latency move with it; CPU per request much less).

By default wrk sends as fast as the server answers (the latency is then mostly queueing
behind the other connections). ``--rate 550`` paces it instead: each connection waits a
random, exponentially distributed time between a response and its next request, so the
load is about that many requests per second and the latency is what a request meets at
that load. wrk stays a closed loop (a connection waits for its answer), so a stall
delays the requests behind it unrecorded: the paced p99 understates stalls.

    .venv/bin/python benchmarks/bench_http.py --customers 100000 --duration 15 --repeat 3
    .venv/bin/python benchmarks/bench_http.py --workers 2 --rate 550 --connections 16
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import numpy as np
import pyarrow as pa

import dchkit as dch
from dchkit.server import create_key

CACHE = Path(__file__).resolve().parent / ".data" / "http"
GIVEN = ["Taro", "Hanako", "John", "Mary", "Ken", "Yuki", "Anna", "Paul", "Emi", "Sora"]
FAMILY = ["Yamada", "Sato", "Suzuki", "Smith", "Brown", "Tanaka", "Jones", "Ito", "Kato"]


def records(customers: int, seed: int) -> pa.Table:
    """One record per customer: distinct e-mail and phone, names from small pools."""
    rng = np.random.default_rng(seed)
    index = pa.array(np.arange(customers)).cast(pa.string()).to_pylist()
    given = rng.choice(GIVEN, customers)
    family = rng.choice(FAMILY, customers)
    return pa.table(
        {
            "id": index,
            "given_name": given,
            "family_name": family,
            "email": [
                f"{g.lower()}.{f.lower()}.{i}@example.com"
                for g, f, i in zip(given, family, index, strict=True)
            ],
            "phone": [f"+8190{int(i):08d}" for i in index],
            "street": [f"{1 + int(i) % 9}-{1 + int(i) % 20}-{1 + int(i) % 30}" for i in index],
        }
    )


def build_hub(customers: int, seed: int) -> Path:
    """A resolved hub file (cached)."""
    path = CACHE / f"hub-{customers}-{seed}.db"
    if path.exists():
        return path
    CACHE.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    for stale in CACHE.glob(partial.name + "*"):
        stale.unlink()
    started = time.perf_counter()
    with dch.Hub(partial) as hub:
        hub.ingest(records(customers, seed), source="app", resolve="never")
        report = hub.resolve()
    print(
        f"built a hub of {report.customers:,} customers from {report.records:,} records "
        f"in {time.perf_counter() - started:.1f}s"
    )
    partial.rename(path)
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


LUA = """
local paths = {}
for line in io.lines("%(paths)s") do paths[#paths + 1] = line end
local n = #paths
math.randomseed(%(seed)d)
request = function()
  return wrk.format("GET", paths[math.random(n)], {["Authorization"] = "Bearer %(key)s"})
end
%(pacing)s"""

#: With ``--rate``: each connection waits an exponentially distributed time (mean
#: connections / rate) between a response and its next request.
PACING = """
local mean_ms = %(mean_ms)f
delay = function()
  return -mean_ms * math.log(1 - math.random())
end
"""


def cpu_seconds(root: int) -> float:
    """CPU seconds (user + system) used so far by a process and its descendants (Linux)."""
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        parents[int(entry.name)] = int(fields[1])
        times[int(entry.name)] = (int(fields[11]) + int(fields[12])) / tick
    tree, grown = {root}, True
    while grown:
        more = {pid for pid, parent in parents.items() if parent in tree} - tree
        tree |= more
        grown = bool(more)
    return sum(times.get(pid, 0.0) for pid in tree)


def run_wrk(
    url: str, script: Path, duration: int, connections: int, server: int
) -> dict[str, float]:
    """One wrk run: requests/s, latency percentiles in ms, server CPU ms per request."""
    before = cpu_seconds(server)
    done = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--latency", "-s", str(script), url],
        capture_output=True,
        text=True,
        timeout=duration + 60,
    )
    used = cpu_seconds(server) - before
    if done.returncode:
        raise SystemExit(f"wrk failed: {done.stderr or done.stdout}")
    out = done.stdout
    found = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])}  # type: ignore[index]
    requests = int(re.search(r"(\d+) requests in", out)[1])  # type: ignore[index]
    found["cpu_ms"] = used * 1000 / max(requests, 1)
    found["load"] = os.getloadavg()[0]
    for label, key in (("50%", "p50"), ("90%", "p90"), ("99%", "p99")):
        value, unit = re.search(rf"\s{label}\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
        found[key] = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    found["non_2xx"] = float(errors[1]) if errors else 0.0
    return found


def main(argv: list[str] | None = None) -> dict[str, dict[str, float]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--duration", type=int, default=15, help="Seconds per wrk run.")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workers", type=int, default=1, help="Server processes.")
    parser.add_argument(
        "--rate",
        type=float,
        default=None,
        help="Pace the load at about this many requests/s (default: as fast as it answers).",
    )
    parser.add_argument(
        "--scenarios", default="lookup,lookup_lean,get", help="Comma-separated scenarios."
    )
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install wrk")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    source = build_hub(args.customers, args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        hub_path = work / "hub.db"
        shutil.copy(source, hub_path)
        with dch.Hub(hub_path) as hub:
            _, key = create_key(hub, "read", name="bench")
            golden = hub.store.read("golden").select(["customer_id", "emails"])
        rng = np.random.default_rng(args.seed)
        pick = rng.choice(golden.num_rows, size=min(20_000, golden.num_rows), replace=False)
        sample = golden.take(pa.array(pick))
        emails = [e[0] for e in sample.column("emails").to_pylist()]
        lookups = [f"/v1/customers?email={urllib.request.quote(e)}" for e in emails]
        (work / "lookup.txt").write_text("\n".join(lookups) + "\n")
        (work / "lookup_lean.txt").write_text(
            "\n".join(f"{p}&traits=false" for p in lookups) + "\n"
        )
        ids = sample.column("customer_id").to_pylist()
        (work / "get.txt").write_text("\n".join(f"/v1/customers/{c}" for c in ids) + "\n")
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "dchkit",
                "serve",
                "--hub",
                str(hub_path),
                "--port",
                str(port),
                "--log-level",
                "warning",
                "--workers",
                str(args.workers),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    urllib.request.urlopen(f"{url}/v1/health", timeout=1).read()
                    break
                except OSError:
                    if time.monotonic() > deadline or server.poll() is not None:
                        raise SystemExit("the server did not come up") from None
                    time.sleep(0.2)
            results: dict[str, dict[str, float]] = {}
            for scenario in args.scenarios.split(","):
                script = work / f"{scenario}.lua"
                pacing = (
                    PACING % {"mean_ms": args.connections * 1000 / args.rate} if args.rate else ""
                )
                script.write_text(
                    LUA
                    % {
                        "paths": work / f"{scenario}.txt",
                        "seed": args.seed,
                        "key": key,
                        "pacing": pacing,
                    }
                )
                run_wrk(url, script, min(3, args.duration), args.connections, server.pid)  # warm
                runs = []
                for _ in range(args.repeat):
                    runs.append(run_wrk(url, script, args.duration, args.connections, server.pid))
                    r = runs[-1]
                    print(
                        f"  {scenario}: {r['rps']:.0f} req/s, p50 {r['p50']:.2f} ms, "
                        f"p99 {r['p99']:.2f} ms, server cpu {r['cpu_ms']:.2f} ms/request, "
                        f"load {r['load']:.2f}"
                    )
                results[scenario] = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
                found = results[scenario]
                print(
                    f"{scenario:>11}: {found['rps']:8.0f} req/s  "
                    f"p50 {found['p50']:6.2f} ms  p90 {found['p90']:6.2f} ms  "
                    f"p99 {found['p99']:6.2f} ms  server cpu {found['cpu_ms']:.2f} ms/request  "
                    f"non-2xx {found['non_2xx']:.0f}  (median of {args.repeat} x {args.duration}s, "
                    f"{args.connections} connections, {args.workers} server process(es)"
                    f"{f', paced at ~{args.rate:.0f}/s' if args.rate else ''})"
                )
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(json.dumps({"customers": args.customers, "workers": args.workers, **results}))
    return results


if __name__ == "__main__":
    main()
