from __future__ import annotations

import pyarrow as pa
import pytest

from dchkit.errors import NormalizationError
from dchkit.normalize import (
    clean_text,
    clean_text_column,
    fold_variants,
    kana_key,
    kana_key_column,
    kana_to_romaji,
    kanji_to_int,
    map_distinct,
    normalize_name,
    reading,
    romaji_key,
    romaji_key_column,
    to_hiragana,
    to_katakana,
)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("ＡＢＣ１２３", "ABC123"),
        ("　山田\u3000太郎　", "山田 太郎"),
        ("a\u200bb", "ab"),
        ("辻\U000e0100", "辻"),
        ("line1\r\nline2\tend", "line1 line2 end"),
        ("\ufeffBOM", "BOM"),
        ("㈱サンプル", "(株)サンプル"),
        ("\xa0\xa0", None),
    ],
)
def test_clean_text(raw, clean):
    assert clean_text(raw) == clean


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("さとう", "サト"),
        ("サトー", "サト"),
        ("ｻﾄｳ", "サト"),
        ("オオノ", "オノ"),
        ("おおの", "オノ"),
        ("ユウコ", "ユコ"),
        ("ｷﾔﾉﾝ", "キヤノン"),
        ("キャノン", "キヤノン"),
        ("マツモト ジュン", "マツモトジユン"),
        ("ヤマダ・タロウ", "ヤマダタロ"),
        ("ちぢみ", "チジミ"),
        ("つづき", "ツズキ"),
        ("いすゞ", "イスズ"),
        ("山田", None),
    ],
)
def test_kana_key(raw, key):
    assert kana_key(raw) == key


def test_kana_conversions():
    assert to_katakana("ゔぁいおりん") == "ヴァイオリン"
    assert to_hiragana("ﾊﾞｲｵﾘﾝ") == "ばいおりん"


@pytest.mark.parametrize(
    ("kana", "romaji"),
    [
        ("シンブン", "shinbun"),
        ("チョコレート", "chokoreeto"),
        ("キッチン", "kitchin"),
        ("ハッピョウ", "happyou"),
        ("ジュンイチロウ", "jun'ichirou"),
        ("ツヅキ", "tsuzuki"),
        ("ふじた", "fujita"),
        ("ティーシャツ", "tiishatsu"),
    ],
)
def test_kana_to_romaji(kana, romaji):
    assert kana_to_romaji(kana) == romaji


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Satō", "Satoh"),
        ("Ohno", "Oono"),
        ("Shinichi", "Siniti"),
        ("Tsuji", "Tuzi"),
        ("Fujita", "Huzita"),
        ("Chiba", "Tiba"),
        ("Jun", "Zyun"),
        ("Honma", "Homma"),
        ("Kōichi", "Koichi"),
        ("Yuuki", "Yuki"),
        ("Shun'ichi", "Shunichi"),
        ("ゆうき", "Yuki"),
        ("ちば", "Chiba"),
    ],
)
def test_romaji_key_pairs(a, b):
    assert romaji_key(a) == romaji_key(b)


def test_without_pykakasi_kanji_names_get_no_reading(monkeypatch):
    monkeypatch.setattr(reading, "_converter", lambda: None)
    reading.kanji_reading.cache_clear()
    try:
        assert not reading.pykakasi_available()
        assert romaji_key("森鷗外") is None
        result = normalize_name("森 鷗外 先生")
        assert (result.name, result.key, result.reading, result.romaji) == (
            "森 鷗外",
            "森鴎外",
            None,
            None,
        )
        assert normalize_name("もり おうがい").romaji == "mori ogai"
    finally:
        reading.kanji_reading.cache_clear()


def test_romaji_key_of_digits_is_none():
    assert romaji_key("123") is None


def test_kanji_numerals_and_variants():
    assert [kanji_to_int(s) for s in ("一", "十一", "二十", "三百六十五", "〇")] == [
        1,
        11,
        20,
        365,
        0,
    ]
    assert (
        fold_variants("齊藤 邊見 濱口 櫻木 廣田 國木田 冨岡 嶋田 槇村")
        == "斎藤 辺見 浜口 桜木 広田 国木田 富岡 島田 槙村"
    )


def test_columns_equal_scalars():
    values = ["やまだ", None, "ヤマダ", "", "Satoh"]
    assert kana_key_column(values).to_pylist() == [kana_key(v) for v in values]
    assert romaji_key_column(values).to_pylist() == [romaji_key(v) for v in values]
    assert clean_text_column(values).to_pylist() == [clean_text(v) for v in values]


def test_map_distinct_calls_once_per_distinct_value():
    calls = []

    def spy(value):
        calls.append(value)
        return value

    values = pa.array(["a", "b", None, "a", "b", None, "a"] * 1000)
    assert map_distinct(values, spy, pa.string()).to_pylist() == values.to_pylist()
    assert sorted(calls, key=lambda v: (v is None, v)) == ["a", "b", None]


def test_map_distinct_accepts_arrow_variants():
    for values in (
        pa.array(["x", None], type=pa.large_string()),
        pa.array(["x", None]).dictionary_encode(),
        pa.chunked_array([["x"], [None]]),
        pa.chunked_array([], type=pa.string()),
        pa.array([None, None]),
    ):
        assert clean_text_column(values).type == pa.string()


def test_map_distinct_rejects_a_single_string():
    with pytest.raises(NormalizationError, match="single str"):
        clean_text_column("abc")
