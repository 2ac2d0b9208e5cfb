"""Benchmark ``dchkit.datasets.generate_world``: wall time and peak RSS per size and locale.

Each run happens in a fresh subprocess so peak memory (``ru_maxrss`` of the child) is that
run's alone. Reports the median of the repeats with the min–max range.

    python benchmarks/bench_datasets.py --sizes 100000 1000000 --repeat 3 --json out.jsonl
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time

_CHILD = """
import resource, sys, time
from dchkit.datasets import generate_world
start = time.perf_counter()
world = generate_world(n_records=int(sys.argv[1]), locale=sys.argv[2], seed=int(sys.argv[3]))
elapsed = time.perf_counter() - start
events = sum(world.report.events_by_table.values())
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(f"{elapsed} {world.report.records} {events} {peak}")
"""


def run_once(size: int, locale: str, seed: int) -> dict[str, float]:
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, str(size), locale, str(seed)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    wall = time.perf_counter() - start
    # The child reports its own ru_maxrss: RUSAGE_CHILDREN in the parent would only give
    # the maximum over every child so far, hiding smaller runs after a bigger one.
    children_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {
        "generate_s": float(out[0]),
        "process_s": wall,
        "records": int(out[1]),
        "events": int(out[2]),
        "peak_rss_mib": int(out[3]) / 1024,
        "children_max_rss_mib": children_kib / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000])
    parser.add_argument("--locales", nargs="+", default=["ja", "en"])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", help="append one JSON line per size and locale to this file")
    args = parser.parse_args()
    print(
        f"{'size':>9} {'locale':>6} {'events':>9} {'time s (median, min-max)':>28} {'peak RSS MiB':>14}"
    )
    for size in sorted(args.sizes):
        for locale in args.locales:
            runs = [run_once(size, locale, args.seed) for _ in range(args.repeat)]
            times = [r["generate_s"] for r in runs]
            peak = max(r["peak_rss_mib"] for r in runs)
            line = (
                f"{size:>9} {locale:>6} {runs[0]['events']:>9} "
                f"{statistics.median(times):>10.1f} ({min(times):.1f}-{max(times):.1f}) {peak:>22.0f}"
            )
            print(line, flush=True)
            if args.json:
                record = {
                    "size": size,
                    "locale": locale,
                    "repeat": args.repeat,
                    "median_s": statistics.median(times),
                    "min_s": min(times),
                    "max_s": max(times),
                    "peak_rss_mib": peak,
                    "records": runs[0]["records"],
                    "events": runs[0]["events"],
                }
                with open(args.json, "a", encoding="utf-8") as handle:
                    handle.write(json.dumps(record) + "\n")


if __name__ == "__main__":
    main()
