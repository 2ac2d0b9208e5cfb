from __future__ import annotations

import pyarrow as pa

from dchkit.connectors.normalizing import NormalizeOptions, normalize_records
from dchkit.schema import CustomerRecord, to_arrow


def _normalized(**fields):
    raw = to_arrow([CustomerRecord(source="ec", source_record_id="1", **fields)])
    return normalize_records(raw, NormalizeOptions()).to_pylist()[0]


def test_shopify_province_codes_become_prefectures():
    assert _normalized(region="JP-23")["region"] == "愛知県"
    assert _normalized(region="JP-13")["region"] == "東京都"
    assert _normalized(region="US-CA")["region"] == "CA"
    assert _normalized(region="Somewhere")["region"] == "Somewhere"


def test_country_names_become_codes():
    for value in ("Japan", "日本", "JPN", "jp", "ＪＰ"):
        assert _normalized(country=value)["country"] == "JP"
    for value in ("United States", "USA", "U.S.A.", "アメリカ", "米国"):
        assert _normalized(country=value)["country"] == "US"
    assert _normalized(country="Atlantis")["country"] == "ATLANTIS"  # unknown: kept, upper-cased


def test_default_country_fills_blanks_only():
    raw = to_arrow(
        [
            CustomerRecord(source="ec", source_record_id="1", country=None),
            CustomerRecord(source="ec", source_record_id="2", country="USA"),
        ]
    )
    out = normalize_records(raw, NormalizeOptions(default_country="JP"))
    assert out.column("country").to_pylist() == ["JP", "US"]


def test_name_kana_is_cleaned_katakana():
    assert _normalized(name_kana="やまだ　ﾀﾛｳ ")["name_kana"] == "ヤマダ タロウ"
    assert _normalized(name_kana="  ")["name_kana"] is None


def test_empty_table_passes_through():
    raw = to_arrow([CustomerRecord(source="ec", source_record_id="1")]).slice(0, 0)
    assert normalize_records(raw).num_rows == 0
    assert isinstance(raw, pa.Table)
