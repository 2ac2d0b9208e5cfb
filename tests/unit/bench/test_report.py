from __future__ import annotations

import xml.dom.minidom
from pathlib import Path

from benchmarks.suite.aggregate import Stat, latest_lines, read_results, summarize_all
from benchmarks.suite.report import (
    format_ratio,
    format_stat,
    render_chart,
    render_page,
    render_terminal,
)

FIXTURE = Path(__file__).with_name("results_fixture.jsonl")


def _page() -> str:
    return render_page(read_results(FIXTURE), chart_path="assets/benchmarks.svg")


def test_format_stat_shows_median_and_range_or_only_median():
    assert format_stat(Stat(5.0, 4.0, 6.0, 3)) == "5.00 (4.00–6.00)"
    assert format_stat(Stat(5.0, 5.0, 5.0, 1)) == "5.00"
    assert format_stat(Stat(1234.4, 1000.0, 2000.0, 2), 0) == "1,234 (1,000–2,000)"
    assert format_stat(None) == "—"


def test_format_ratio():
    assert format_ratio(0.5) == "0.50×"
    assert format_ratio(None) == "—"


def test_page_summary_rows_and_ratio_row():
    page = _page()
    assert (
        "| febrl3 | dchkit 0.1.0 | 0.9800 | 0.9900 | 0.9900 | 0.9700 | 2.50 (2.00–3.00) | 105 (100–110) | 2 |"
        in page
    )
    assert (
        "| febrl3 | Splink 5.0.0 | 0.9900 | 0.9950 | 1.0000 | 0.9800 | 5.00 (4.00–6.00) | 410 (400–420) | 3 |"
        in page
    )
    # dchkit / Splink: F1 0.98/0.99, time 2.5/5, memory 105/410
    assert "| febrl3 | *dchkit / Splink* | 0.99× | 0.99× | | | 0.50× | 0.26× | |" in page


def test_page_lists_every_clustering_with_the_headline_in_bold():
    page = _page()
    assert "| Splink 5.0.0 | **0.9** | 1.0000 | 0.9800 | 0.9900 |" in page
    assert "| Splink 5.0.0 | 0.5 | — | — | 0.9700 |" in page
    assert "2,040 / 2,000 | 0 | 6,500 |" in page


def test_page_reports_skips_and_failures_with_reasons():
    page = _page()
    assert "skipped: dataset unavailable: no generator" in page
    assert "failed: worker exited with 1: boom" in page


def test_page_has_phases_machine_versions_and_chart_and_drops_old_sessions():
    page = _page()
    assert (
        "| tool | resolve, s | load, s | train, s | predict, s | cluster, s | total, s | peak RSS, MiB |"
        in page
    )
    assert "Test CPU 3000 — 2 logical cores (2 usable by the benchmark)" in page
    assert "- **Python**: CPython 3.11.9" in page
    assert "| splink | 5.0.0 |" in page
    assert "![Pairwise F1 and end-to-end time per dataset and tool](assets/benchmarks.svg)" in page
    assert "Old CPU" not in page
    assert "4.0.0" not in page
    assert page.endswith("\n")
    assert page.count("Test CPU 3000") == 1


def test_page_without_results_says_so():
    page = render_page([], chart_path=None)
    assert "No results yet" in page
    assert "![" not in page


def test_chart_is_valid_svg_with_a_bar_per_successful_run():
    summaries = summarize_all(latest_lines(read_results(FIXTURE)))
    svg = render_chart(summaries)
    document = xml.dom.minidom.parseString(svg)
    titles = [node.firstChild.data for node in document.getElementsByTagName("title")]
    assert titles == [
        "dchkit febrl3: 0.9800",
        "splink febrl3: 0.9900",
        "dchkit febrl3: 2.500",
        "splink febrl3: 5.000",
    ]
    assert svg.count(">n/a<") == 4  # ja-10k: both tools, both panels


def test_terminal_table_has_rows_and_ratios():
    text = render_terminal(latest_lines(read_results(FIXTURE)))
    assert "febrl3     splink 5.0.0      0.9900" in text
    assert "dchkit/Splink    pairwise F1 0.99×, B3 F1 0.99×, time 0.50×, peak RSS 0.26×" in text
    assert "skipped: dataset unavailable: no generator" in text
