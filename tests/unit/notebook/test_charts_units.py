"""Chart objects on small hand-made data: files, formats, fonts, fallbacks and errors."""

from __future__ import annotations

import struct
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pytest

import dchkit as dch
from dchkit import charts
from dchkit.charts import _fonts
from dchkit.errors import ConfigError, OptionalDependencyError
from dchkit.profile import ProfileStore, SegmentRegistry

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk (asserting it is a PNG)."""
    assert data[:8] == PNG_SIGNATURE
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


@pytest.fixture(scope="module")
def resolution() -> dch.Resolution:
    return dch.resolve(
        [
            {
                "record_id": "crm:1",
                "source": "crm",
                "family_name": "山田",
                "given_name": "太郎",
                "name_kana": "ヤマダ タロウ",
                "email": "taro@example.jp",
                "phone": "090-1234-5678",
            },
            {
                "record_id": "ec:7",
                "source": "ec",
                "family_name": "山田",
                "given_name": "太郎",
                "email": "TARO@example.jp",
                "phone": "+81 90 1234 5678",
            },
            {
                "record_id": "ma:3",
                "source": "ma",
                "full_name": "ヤマダ タロウ",
                "email": "t.yamada@example.jp",
                "phone": "09012345678",
            },
            {
                "record_id": "ec:8",
                "source": "ec",
                "family_name": "佐藤",
                "given_name": "花子",
                "email": "hanako@example.jp",
            },
        ]
    )


def test_chart_saves_png_svg_and_self_contained_html(
    resolution: dch.Resolution, tmp_path: Path
) -> None:
    chart = charts.waterfall(resolution.explain("crm:1", "ec:7"))
    png = chart.save(tmp_path / "w.png")
    width, height = png_size(png.read_bytes())
    assert (width, height) == chart.size
    assert 600 <= width <= 2000
    assert 300 <= height <= 2000
    assert chart.to_png(dpi=200)[:8] == PNG_SIGNATURE
    assert png_size(chart.to_png(dpi=200)) == (2 * width, 2 * height)

    svg = chart.save(tmp_path / "w.svg").read_text(encoding="utf-8")
    assert svg.lstrip().startswith("<?xml")
    assert "<svg" in svg

    page = chart.save(tmp_path / "w.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert "data:image/png;base64," in page
    assert "<script" not in page
    assert "http://" not in page
    assert "https://" not in page
    assert 'alt="Match weight: crm:1 vs ec:7"' in page

    assert chart._repr_png_()[:8] == PNG_SIGNATURE
    assert "data:image/png;base64," in chart._repr_html_()
    assert repr(chart) == f"dchkit.charts.Chart('Match weight: crm:1 vs ec:7', {width}x{height} px)"
    assert chart.figure.axes  # the matplotlib figure is there to style further


def test_save_refuses_an_unknown_format(resolution: dch.Resolution, tmp_path: Path) -> None:
    chart = charts.cluster_sizes(resolution)
    with pytest.raises(ConfigError, match="cannot save a chart as 'pdf'"):
        chart.save(tmp_path / "x.pdf")
    assert chart.save(tmp_path / "x.bin", format="png").read_bytes()[:8] == PNG_SIGNATURE


def test_charts_leave_pyplot_and_rc_settings_alone(resolution: dch.Resolution) -> None:
    import matplotlib

    before = dict(matplotlib.rcParams)
    chart = charts.customer_graph(resolution, resolution.customer_of("crm:1"))
    chart.to_png()
    assert dict(matplotlib.rcParams) == before
    assert (
        "matplotlib.pyplot" not in sys.modules
        or not __import__("matplotlib.pyplot").pyplot.get_fignums()
    )


def test_missing_matplotlib_says_which_extra_to_install(
    resolution: dch.Resolution, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib now fails
    with pytest.raises(
        OptionalDependencyError, match=r"(?i)pip install 'dchkit\[notebook\]'"
    ) as info:
        charts.waterfall(resolution.explain("crm:1", "ec:7"))
    assert isinstance(info.value, ImportError)
    assert info.value.package == "matplotlib"
    assert info.value.code == "optional-dependency-missing"


def _texts(chart: charts.Chart) -> list[str]:
    from matplotlib.text import Text

    return [t.get_text() for t in chart.figure.findobj(Text) if t.get_text()]


@pytest.mark.skipif(_fonts.cjk_font() is None, reason="no font with Japanese glyphs installed")
def test_japanese_labels_are_drawn_with_a_japanese_font(resolution: dch.Resolution) -> None:
    chart = charts.customer_graph(resolution, resolution.customer_of("crm:1"))
    chart.to_png()  # no "Glyph missing" warning (warnings are errors)
    assert any("山田 太郎" in text for text in _texts(chart))
    assert chart.notes == ()


def test_without_a_japanese_font_labels_fall_back_without_warnings(
    resolution: dch.Resolution, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_fonts, "cjk_font", lambda: None)
    chart = charts.customer_graph(resolution, resolution.customer_of("crm:1"))
    png = chart.to_png()  # would raise on a missing-glyph warning
    assert png[:8] == PNG_SIGNATURE
    texts = _texts(chart)
    assert all(_fonts.displayable(text) for text in texts)
    assert not any("山田" in text for text in texts)
    assert any("crm:1" in text for text in texts)  # the record id stays
    assert any("yamada tarou" in text for text in texts)  # the kana reading, in romaji
    assert chart.notes == (_fonts.NO_FONT_NOTE,)
    assert _fonts.NO_FONT_NOTE in texts


def test_dollar_signs_in_data_are_text_not_mathtext(resolution: dch.Resolution) -> None:
    store = ProfileStore.from_resolution(resolution)
    registry = SegmentRegistry(store)
    registry.define("$100 $club", 'family_name == "山田"')
    history = [
        registry.materialize("$100 $club", now=datetime(2024, 1, 1, tzinfo=UTC) + timedelta(d))
        for d in (0, 7, 14)
    ]
    chart = charts.segment_sizes(history)
    assert png_size(chart.to_png())[0] == 1000
    assert r"\$100 \$club" in _texts(chart)  # escaped for matplotlib: drawn as "$100 $club"


def test_customer_graph_needs_a_customer_and_a_known_source(resolution: dch.Resolution) -> None:
    with pytest.raises(ConfigError, match="needs the customer_id"):
        charts.customer_graph(resolution)
    with pytest.raises(ConfigError, match="not str"):
        charts.customer_graph("crm:1", "cus_x")  # type: ignore[arg-type]


def test_distribution_refuses_tables_of_no_known_analysis() -> None:
    with pytest.raises(ConfigError, match="not the output of a known analysis"):
        charts.distribution(pa.table({"x": [1, 2]}))


def test_segment_sizes_replays_the_change_feed() -> None:
    from dchkit.charts.profile import _from_changes
    from dchkit.hub import Change

    day = datetime(2024, 5, 1, tzinfo=UTC)
    feed = [
        Change(1, day, "segment_entered", "a", segment="vip"),
        Change(2, day, "segment_entered", "b", segment="vip"),
        Change(3, day + timedelta(1), "segment_exited", "a", segment="vip"),
        Change(4, day + timedelta(1), "segment_entered", "c", segment="vip"),
        Change(5, day + timedelta(2), "erased", "b"),
        Change(6, day + timedelta(3), "created", "d"),
    ]
    assert _from_changes(feed) == {
        "vip": [
            (day, 2, 2, 0),
            (day + timedelta(1), 2, 1, 1),
            (day + timedelta(2), 1, 0, 1),
        ]
    }
    with pytest.raises(ConfigError, match="no segment membership"):
        charts.segment_sizes(feed[-1:])
