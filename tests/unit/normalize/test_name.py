from __future__ import annotations

import pytest

from dchkit.errors import NormalizationError
from dchkit.normalize import (
    NameParts,
    clean_name,
    given_name_key,
    given_name_key_column,
    name_key,
    normalize_name,
    normalize_name_column,
    sorted_name_key,
    split_name,
)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("山田　太郎", "山田 太郎"),
        ("  山田   太郎 様", "山田 太郎"),
        ("山田太郎様", "山田太郎"),
        ("山田 太郎 さま", "山田 太郎"),
        ("山田さん", "山田"),
        ("株式会社サンプル 御中", "株式会社サンプル"),
        ("山田太郎（ヤマダタロウ）", "山田太郎"),
        ("ﾔﾏﾀﾞ ﾀﾛｳ", "ヤマダ タロウ"),
        ("Mr. John Smith", "John Smith"),
        ("DR JANE DOE", "JANE DOE"),
        ("Ms Mary O'Brien", "Mary O'Brien"),
        ("Robert (Bob) Smith Jr.", "Robert Smith"),
        ("Smith, John, III", "Smith, John"),
        ("Jane Doe, PhD", "Jane Doe"),
        ("Mr", "Mr"),
        ("", None),
        (None, None),
    ],
)
def test_clean_name(raw, clean):
    assert clean_name(raw) == clean


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("髙橋一郎", "高橋 一郎"),
        ("山﨑 花子", "山崎花子"),
        ("齋藤", "斎藤"),
        ("齊藤", "斉藤"),
        ("渡邊", "渡辺"),
        ("渡邉", "渡辺"),
        ("澤田", "沢田"),
        ("濱田", "浜田"),
        ("櫻井", "桜井"),
        ("廣瀬", "広瀬"),
        ("國分", "国分"),
        ("德川", "徳川"),
        ("眞鍋", "真鍋"),
        ("冨田", "富田"),
        ("中嶋", "中島"),
        ("槇原", "槙原"),
        ("やまだ", "ヤマダ"),
        ("ﾔﾏﾀﾞ", "ヤマダ"),
        ("José García", "jose garcia"),
        ("O'Brien", "OBrien"),
    ],
)
def test_name_key_meets_variants(a, b):
    assert name_key(a) == name_key(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [("Yamada Taro", "Taro Yamada"), ("Smith, John", "John Smith"), ("太郎 山田", "山田　太郎")],
)
def test_sorted_key_is_order_insensitive(a, b):
    assert sorted_name_key(a) == sorted_name_key(b)
    assert name_key(a) != name_key(b)


@pytest.mark.parametrize(
    "variant",
    [
        "山田太郎",
        "山田 太郎",
        "ヤマダ タロウ",
        "やまだ たろう",
        "ﾔﾏﾀﾞ ﾀﾛｳ",
        "Taro Yamada",
        "YAMADA Taro",
        "Yamada Tarou",
        "Tarō Yamada",
        "yamada taroh",
    ],
)
def test_romaji_key_bridges_scripts(variant):
    assert normalize_name(variant).romaji == "taro yamada"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("佐藤 健太", "Kenta Satoh"),
        ("大野 翔太", "Shota Ohno"),
        ("伊藤 純一", "Junichi Ito"),
        ("髙橋 翔", "Sho Takahashi"),
        ("鈴木一郎", "Ichiro Suzuki"),
        ("渡邊 直美", "Naomi Watanabe"),
    ],
)
def test_romaji_key_kanji_vs_latin(a, b):
    assert normalize_name(a).romaji == normalize_name(b).romaji


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("山田太郎", "ヤマダタロウ"),
        ("佐藤", "サトー"),
        ("大野", "オーノ"),
        ("髙橋", "たかはし"),
        ("ｷﾔﾉﾝ", "キャノン"),
    ],
)
def test_reading_key(a, b):
    assert normalize_name(a).reading == normalize_name(b).reading is not None


def test_latin_name_has_no_reading():
    assert normalize_name("John Smith").reading is None


@pytest.mark.parametrize(
    ("raw", "parts"),
    [
        ("山田　太郎", NameParts("山田", "太郎", None)),
        ("山田太郎", NameParts("山田", "太郎", None)),
        ("ヤマダ タロウ", NameParts("ヤマダ", "タロウ", None)),
        ("John Smith", NameParts("Smith", "John", None)),
        ("John Ronald Reuel Tolkien", NameParts("Tolkien", "John Ronald Reuel", None)),
        ("Smith, John", NameParts("Smith", "John", None)),
        ("Smith, John Jr.", NameParts("Smith", "John", "jr")),
        ("Mr. John Smith Sr.", NameParts("Smith", "John", "sr")),
        ("Martin Luther King III", NameParts("King", "Martin Luther", "iii")),
        ("YAMADA Taro", NameParts("YAMADA", "Taro", None)),
        ("Vincent van Gogh", NameParts("van Gogh", "Vincent", None)),
        ("Cher", NameParts(None, "Cher", None)),
        (None, NameParts(None, None, None)),
    ],
)
def test_split_name(raw, parts):
    assert split_name(raw) == parts


@pytest.mark.parametrize(
    ("given", "canonical"),
    [
        ("Bob", "robert"),
        ("Bobby", "robert"),
        ("Rob", "robert"),
        ("Robbie", "robert"),
        ("Robert", "robert"),
        ("Bill", "william"),
        ("Will", "william"),
        ("Billy", "william"),
        ("Liz", "elizabeth"),
        ("Beth", "elizabeth"),
        ("Betty", "elizabeth"),
        ("Eliza", "elizabeth"),
        ("Peggy", "margaret"),
        ("Maggie", "margaret"),
        ("Dick", "richard"),
        ("Jim", "james"),
        ("Chuck", "charles"),
        ("Ted", "edward"),
        ("Ted", "theodore"),
        ("Sasha", "alexander"),
        ("  PEGGY ", "margaret"),
        ("Bob J.", "robert"),
    ],
)
def test_given_name_key(given, canonical):
    assert canonical in given_name_key(given)


def test_given_name_key_unknown_and_blank():
    assert given_name_key("Hiroshi") == ("hiroshi",)
    assert given_name_key(" ") is None


def test_given_name_key_column():
    values = ["Bob", None, "Robert", "Bob"]
    assert given_name_key_column(values).to_pylist() == [["robert"], None, ["robert"], ["robert"]]


def test_name_column_equals_scalar():
    values = ["山田　太郎 様", None, "Taro Yamada", "山田　太郎 様", ""]
    cols = normalize_name_column(values)
    for field in ("name", "key", "sorted_key", "reading", "romaji"):
        assert getattr(cols, field).to_pylist() == [
            getattr(normalize_name(v), field) for v in values
        ]


@pytest.mark.parametrize(
    "function", [clean_name, name_key, sorted_name_key, normalize_name, split_name, given_name_key]
)
def test_wrong_kind_raises(function):
    with pytest.raises(NormalizationError, match=function.__name__):
        function(42)


def test_nested_asides_are_removed_whole():
    assert clean_name("0(())") == "0"
    assert clean_name("Taro (Sales (JP)) Yamada") == "Taro Yamada"
    assert clean_name(clean_name("0(())")) == clean_name("0(())")


def test_honorific_before_trailing_punctuation():
    assert clean_name("山田様:") == "山田"
    assert clean_name("0様:") == "0"
    assert name_key(name_key("0様:")) == name_key("0様:")
