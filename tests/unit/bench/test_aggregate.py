from __future__ import annotations

from pathlib import Path

import pytest
from benchmarks.suite.aggregate import Stat, latest_lines, ratio, read_results, summarize_all

FIXTURE = Path(__file__).with_name("results_fixture.jsonl")


def test_stat_odd_count_is_middle_value_with_range():
    stat = Stat.of([5.0, 3.0, 4.0])
    assert stat == Stat(median=4.0, low=3.0, high=5.0, count=3)


def test_stat_even_count_averages_the_middle_two_and_ignores_nulls():
    stat = Stat.of([1.0, None, 4.0, 2.0, 10.0])
    assert stat is not None
    assert stat.median == 3.0
    assert (stat.low, stat.high, stat.count) == (1.0, 10.0, 4)


def test_stat_of_nothing_is_none():
    assert Stat.of([None, None]) is None
    assert Stat.of([]) is None


def test_ratio_divides_medians():
    assert ratio(Stat.of([2.0, 3.0]), Stat.of([4.0, 6.0, 5.0])) == pytest.approx(0.5)


@pytest.mark.parametrize(
    ("numerator", "denominator"),
    [(None, Stat.of([1.0])), (Stat.of([1.0]), None), (Stat.of([1.0]), Stat.of([0.0]))],
)
def test_ratio_is_none_without_both_medians_or_with_zero(numerator, denominator):
    assert ratio(numerator, denominator) is None


def test_read_results_missing_file_is_empty(tmp_path):
    assert read_results(tmp_path / "none.jsonl") == []


def test_latest_lines_keeps_only_the_newest_session_per_dataset_and_tool():
    lines = read_results(FIXTURE)
    kept = latest_lines(lines)
    assert {line["session"] for line in kept} == {"s1"}
    assert len(kept) == len(lines) - 1


def test_latest_lines_keeps_older_sessions_for_datasets_not_rerun():
    lines = [
        {"dataset": "a", "tool": "t", "session": "x", "started": "2024-01-01T00:00:00Z"},
        {"dataset": "b", "tool": "t", "session": "y", "started": "2024-02-01T00:00:00Z"},
    ]
    assert latest_lines(lines) == lines


def test_summaries_aggregate_repeats_per_tool():
    summaries = summarize_all(latest_lines(read_results(FIXTURE)))
    splink = summaries["febrl3"]["splink"]
    assert splink.status == "ok"
    assert splink.runs == 3
    assert splink.total == Stat(median=5.0, low=4.0, high=6.0, count=3)
    assert splink.phases["train"] == Stat(median=4.0, low=3.0, high=5.0, count=3)
    assert list(splink.phases) == ["load", "train", "predict", "cluster"]
    assert splink.peak_rss_mb is not None
    assert splink.peak_rss_mb.median == 410.0
    assert splink.metric("pairwise_f1") == Stat(0.99, 0.99, 0.99, 3)
    assert splink.metric("pairwise_f1", "0.5") == Stat(0.97, 0.97, 0.97, 3)
    dchkit = summaries["febrl3"]["dchkit"]
    assert dchkit.total == Stat(median=2.5, low=2.0, high=3.0, count=2)
    assert ratio(dchkit.total, splink.total) == pytest.approx(0.5)


def test_summaries_of_runs_without_success_carry_status_and_reason():
    summaries = summarize_all(latest_lines(read_results(FIXTURE)))
    assert summaries["ja-10k"]["dchkit"].status == "skipped"
    assert summaries["ja-10k"]["dchkit"].reason == "dataset unavailable: no generator"
    assert summaries["ja-10k"]["splink"].status == "failed"
    assert summaries["ja-10k"]["splink"].total is None
