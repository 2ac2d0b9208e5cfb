from __future__ import annotations

import pytest

from dchkit.errors import NormalizationError
from dchkit.normalize import (
    country_code,
    country_code_column,
    jp_prefecture,
    katakana_column,
    to_katakana,
    us_state,
)
from dchkit.normalize.regions import JP_PREFECTURES, US_STATES


@pytest.mark.parametrize(
    ("code", "prefecture"),
    [
        ("JP-01", "北海道"),
        ("JP-13", "東京都"),
        ("JP-23", "愛知県"),
        ("JP-26", "京都府"),
        ("JP-27", "大阪府"),
        ("JP-47", "沖縄県"),
        ("jp-13", "東京都"),
        ("JP13", None),
        ("ＪＰ－１３", "東京都"),
        (" JP-40 ", "福岡県"),
        ("JP-00", None),
        ("JP-48", None),
        ("JP-1", None),
        ("13", None),
    ],
)
def test_prefecture_from_iso_code(code, prefecture):
    assert jp_prefecture(code) == prefecture


def test_every_prefecture_has_its_iso_code():
    for number, name in enumerate(JP_PREFECTURES, 1):
        assert jp_prefecture(f"JP-{number:02d}") == name


def test_state_from_iso_code():
    for code in US_STATES:
        assert us_state(f"US-{code}") == code
    assert us_state("us-ca") == "CA"
    assert us_state("US-XX") is None


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("Japan", "JP"),
        ("JAPAN", "JP"),
        ("日本", "JP"),
        ("日本国", "JP"),
        ("JPN", "JP"),
        ("jp", "JP"),
        ("ＪＰ", "JP"),
        ("United States", "US"),
        ("United States of America", "US"),
        ("USA", "US"),
        ("U.S.A.", "US"),
        ("U.S.", "US"),
        ("us", "US"),
        ("アメリカ", "US"),
        ("アメリカ合衆国", "US"),
        ("米国", "US"),
        ("United Kingdom", "GB"),
        ("UK", "GB"),
        ("GBR", "GB"),
        ("Canada", "CA"),
        ("Deutschland", "DE"),
        ("México", "MX"),
        ("韓国", "KR"),
        ("台湾", "TW"),
        ("FR", "FR"),
        ("Atlantis", None),
        ("XX", None),
        ("", None),
        (None, None),
    ],
)
def test_country_code(value, code):
    assert country_code(value) == code


def test_country_code_rejects_non_text():
    with pytest.raises(NormalizationError):
        country_code(81)  # type: ignore[arg-type]


def test_country_code_column_equals_scalar():
    values = ["Japan", "日本", None, "usa", "Atlantis", "Japan"]
    assert country_code_column(values).to_pylist() == [country_code(v) for v in values]


def test_katakana_column():
    values = ["やまだ　たろう", "ﾔﾏﾀﾞ ﾀﾛｳ", "  ", None, "サトウ\u200b ハナコ"]
    expected = ["ヤマダ タロウ", "ヤマダ タロウ", None, None, "サトウ ハナコ"]
    assert katakana_column(values).to_pylist() == expected
    assert expected[0] == to_katakana("やまだ たろう")
