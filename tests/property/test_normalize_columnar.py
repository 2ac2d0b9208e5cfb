"""Column fast paths give exactly what the scalar normalizers (and their libraries) give."""

from __future__ import annotations

import phonenumbers
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from dchkit.normalize import normalize_phone, normalize_phone_column
from dchkit.normalize import phone as phone_module

PHONE_FIELDS = ("e164", "valid", "line_type", "region", "reason")


def _column_rows(values: list[str | None], region: str) -> list[tuple[object, ...]]:
    columns = normalize_phone_column(values, region=region)
    arrays = [getattr(columns, name).to_pylist() for name in PHONE_FIELDS]
    return list(zip(*arrays, strict=True))


def _scalar_row(value: str | None, region: str) -> tuple[object, ...]:
    result = normalize_phone(value, region=region)
    return tuple(getattr(result, name) for name in PHONE_FIELDS)


def _spellings(digits: str) -> list[str]:
    """The ways people write one national number (``0`` + 9 or 10 digits)."""
    a, b, c = digits[:3], digits[3:-4], digits[-4:]
    national = digits[1:]
    return [
        digits,
        f"{a}-{b}-{c}",
        f"({a}){b}-{c}",
        f"{a}({b}){c}",
        f"{a} {b} {c}",
        f" {a}.{b}.{c}  ",
        f"{a}  -{b}- {c}",
        f"+81 {national[:2]}-{national[2:-4]}-{c}",
        f"+81{national}",
        f"+81 {national}",
        f"+81 (0){national}",
        f"+81-0{national}",
        f"0081 {national}",
        f"{a}-{b}-{c} 内線 12",
        f"TEL:{a}-{b}-{c}",
        f"０{digits[1:]}",
        _wide(f"{a}-{b}-{c}"),
        _wide(f"({a}){b}-{c}"),
        _wide(f"+81\u3000{national[:2]}-{national[2:-4]}-{c}"),
        _wide(f"{a}\u3000{b}\u3000{c}"),
        _wide(f"{a}.{b}.{c}") + "\u3000",
    ]


def _wide(text: str) -> str:
    """The full-width spelling (０９０－１２３４－５６７８)."""
    return text.translate({c: c + 0xFEE0 for c in range(0x21, 0x7F)})


def test_arrow_nfkc_agrees_with_python_on_the_fast_path_characters() -> None:
    import unicodedata

    import pyarrow as pa
    import pyarrow.compute as pc

    chars = "0123456789０１２３４５６７８９ ()（）+＋.．-－\u3000"
    arrow = pc.utf8_normalize(pa.array(list(chars)), "NFKC").to_pylist()
    assert arrow == [unicodedata.normalize("NFKC", c) for c in chars]


@pytest.mark.parametrize("length", [10, 11])
def test_fast_path_equals_scalar_and_phonenumbers_for_every_prefix(length: int) -> None:
    values: list[str | None] = [None, "", "  "]
    for start in range(100):
        for tail in ("00000000", "99999999", "31415926", "27182818"):
            values += _spellings(f"0{start:02d}{tail}"[:length])
    rows = _column_rows(values, "JP")
    for value, row in zip(values, rows, strict=True):
        assert row == _scalar_row(value, "JP"), value
        if value is None or not value.strip() or row[0] is None:
            continue
        # Independent of the scalar path's own shortcuts: phonenumbers on the cleaned text.
        cleaned = phone_module._clean(value)
        assert cleaned is not None
        number = phonenumbers.parse(cleaned, "JP")
        assert row[0] == phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        assert row[1] is phonenumbers.is_valid_number(number), value


@pytest.mark.parametrize("region", ["JP", "US", "GB"])
def test_fast_path_in_other_regions(region: str) -> None:
    values = ["090-1234-5678", "+81 90 1234 5678", "+81-3-1234-5678", "(212) 555-0123"]
    values += ["+1 212 555 0123", "020 7946 0958", "+44 20 7946 0958"]
    rows = _column_rows(values, region)
    assert rows == [_scalar_row(value, region) for value in values]


def _nanp_spellings(national: str) -> list[str]:
    """The ways Americans write one number (ten digits)."""
    a, b, c = national[:3], national[3:6], national[6:]
    return [
        national,
        f"({a}) {b}-{c}",
        f"({a}){b}-{c}",
        f"{a}-{b}-{c}",
        f"{a}.{b}.{c}",
        f" {a} {b} {c} ",
        f"1-{a}-{b}-{c}",
        f"1{national}",
        f"+1{national}",
        f"+1 {a} {b} {c}",
        f"+1-{a}-{b}-{c}",
        f"+1 ({a}) {b}-{c}",
        f"001 {a} {b} {c}",
        f"{a}-{b}-{c} ext 12",
        _wide(f"({a}) {b}-{c}"),
        f"{a}-{b}-{c[:3]}",
        f"0{national}",
    ]


@pytest.mark.slow
@pytest.mark.parametrize("region", ["US", "CA", "JP"])
def test_nanp_fast_path_equals_scalar_and_phonenumbers_for_every_area_code(region: str) -> None:
    values: list[str | None] = [None, ""]
    for area in range(200, 1000):
        for rest in ("2000000", "5550123", "9999999", "1234567", "4641234"):
            values += _nanp_spellings(f"{area}{rest}")
    rows = _column_rows(values, region)
    for value, row in zip(values, rows, strict=True):
        assert row == _scalar_row(value, region), value
        if value is None or row[0] is None:
            continue
        number = phonenumbers.parse(phone_module._clean(value), region)
        assert row[0] == phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        assert row[1] is phonenumbers.is_valid_number(number), value
        assert row[3] == phonenumbers.region_code_for_number(number), value


def test_nanp_fast_path_answers_the_everyday_spellings() -> None:
    import pyarrow as pa

    from dchkit.normalize._phone_nanp import nanp_fast_phones

    values = pa.array(["(212) 555-0123", "1-800-555-0199", "+1 416 555 0123", "555-0123", None])
    fast = nanp_fast_phones(values, "US", phone_module._LINE_TYPES)
    assert fast.rows.tolist() == [0, 1, 2]
    assert fast.e164.to_pylist() == ["+12125550123", "+18005550199", "+14165550123"]
    assert fast.region.to_pylist() == ["US", "US", "CA"]
    assert fast.line_type.to_pylist() == [
        "fixed_line_or_mobile",
        "toll_free",
        "fixed_line_or_mobile",
    ]


@settings(max_examples=300)
@given(st.lists(st.from_regex(r"[2-9][0-9]{9}", fullmatch=True), min_size=1, max_size=40))
def test_regions_and_types_equal_phonenumbers(numbers: list[str]) -> None:
    import pyarrow as pa

    from dchkit.normalize._phone_regions import regions_and_types

    answer = regions_and_types(pa.array(numbers), 1)
    assert answer is not None
    regions, kinds = answer
    for national, region, kind in zip(numbers, regions.to_pylist(), kinds.tolist(), strict=True):
        number = phonenumbers.PhoneNumber(country_code=1, national_number=int(national))
        assert region == phonenumbers.region_code_for_number(number), national
        assert kind == phonenumbers.number_type(number), national


phone_texts = st.one_of(
    st.text(alphabet="0123456789 ()+.-", max_size=18),
    st.from_regex(r" ?(\+81 ?)?\(?0?[1-9]0?\)?[0-9 \-]{6,12} ?", fullmatch=True),
    st.text(alphabet="0123456789 -()+０１\t#x内線", max_size=16),
    st.text(alphabet="０１２３８９＋（）－．\u3000 0-", max_size=16),
    st.from_regex(
        r" ?(\+?1[ \-]?)?\(?[2-9][0-9]{2}\)?[ .\-]?[0-9]{3}[ .\-]?[0-9]{3,5} ?", fullmatch=True
    ),
    st.none(),
)


@settings(max_examples=500)
@given(st.lists(phone_texts, min_size=1, max_size=12), st.sampled_from(["JP", "US", "DE"]))
@example(["0101234567", "010-1234-5678", "01-0123-4567"], "JP")
@example(["+81 (0)3-1234-5678", "+81(3)1234-5678", "+8103-1234-5678"], "JP")
@example(["03-1234-5678" + " " * 60, "0" * 70, "+8190123456789"], "JP")
@example(["1 212 555 0123", "+1 (212) 555-0123", "12125550123", "+1 212 555 01234"], "US")
def test_column_equals_scalar(values: list[str | None], region: str) -> None:
    assert _column_rows(values, region) == [_scalar_row(value, region) for value in values]


def test_fast_path_answers_the_everyday_spellings() -> None:
    # It must not switch itself off silently (this phonenumbers' metadata allows it).
    import pyarrow as pa

    from dchkit.normalize._phone_fast import jp_fast_phones

    values = pa.array(["090-1234-5678", "(03)1234-5678", "+81 3 1234 5678", "０３", None])
    fast = jp_fast_phones(values, "JP", phone_module._LINE_TYPES)
    assert fast.rows.tolist() == [0, 1, 2]
    assert fast.e164.to_pylist() == ["+819012345678", "+81312345678", "+81312345678"]


# ------------------------------------------------------------------------- address
HEADS = ("", "東京都", "東京", "北海道", "大阪府", "横浜市中区", "千代田区", "港区", "南瓦町")
HEADS += ("札幌市", "四日市市", "上尾市", "中央", "〒100-0001 ", "1000001 ", " ")
BLOCKS = ("1-2-3", "9-16-5", "一丁目2番3号", "1丁目2-3", "3番地の4", "1 - 2", "1－2", "1ー2")
BLOCKS += ("12番", "二の三", "1~2", "5号", "7号室", "4-19-17", "大通西2", "1丁目2番3号")
BLOCKS += (
    "12丁目3番45号室",
    "1丁目2-3-4",
    "1丁目2番3号 5号",
    "1丁目2番3",
    "1丁目 2-3",
    "1丁目2番地3",
)
HEADS += ("三軒茶屋", "六本木", "九段南", "二子玉川", "十条仲原", "四谷", "千駄ヶ谷", "百人町")
BLOCKS += ("三号", "五条", "二線", "1-二", "3-十二", "1-2-三", "四条西", "十号室", "2-十")
TAILS = ("", " コーポ 307", " シティハイツ1008号室", "3号館", "ビル 5F", "\u3000様方", "\n2F")


def _address_rows(values: list[str | None], country: str | None) -> tuple[list, list]:
    from dchkit.normalize import clean_text_column, normalize_address_column
    from dchkit.normalize.address import address_text_column

    cleaned = clean_text_column(values)
    fast = address_text_column(cleaned, country=country).to_pylist()
    reference = normalize_address_column(cleaned, country=country).address.to_pylist()
    return fast, reference


@pytest.mark.parametrize("country", [None, "JP"])
def test_address_text_equals_normalize_address(country: str | None) -> None:
    values: list[str | None] = [None, ""]
    values += [h + b + t for h in HEADS for b in BLOCKS for t in TAILS]
    values += [h + "錦" + b + t for h in HEADS[:3] for b in BLOCKS for t in TAILS]
    fast, reference = _address_rows(values, country)
    for value, got, want in zip(values, fast, reference, strict=True):
        assert got == want, value


def test_address_fast_path_answers_plain_streets() -> None:
    import pyarrow as pa

    from dchkit.normalize._address_fast import hyphenated_jp_addresses, unchanged_jp_addresses

    values = pa.array(["博多駅前4-19-17 コーポ 307", "錦9-5-7 ハイツ1008号室", "一丁目", "東京1-1"])
    assert unchanged_jp_addresses(values).tolist() == [True, True, False, False]
    values = pa.array(["錦3丁目5番7号", "錦3丁目5-7 ハイツ", "錦3丁目5番7号室", "錦十三丁目5番7号"])
    values = pa.concat_arrays([values, pa.array(["錦四丁目5番地7"])])
    mask, rewritten = hyphenated_jp_addresses(values)
    assert mask.tolist() == [True, True, False, False, True]
    assert rewritten.to_pylist()[:2] == ["錦3-5-7", "錦3-5-7 ハイツ"]
    assert rewritten.to_pylist()[4] == "錦4-5-7"


address_texts = st.lists(
    st.sampled_from([*HEADS, *BLOCKS, *TAILS, "市", "区 ", "号", "0", "9", " ", "-", "の", "ａ"])
    | st.sampled_from(["丁目", "番", "番地", "号", "室", "館", "3", "45", "錦", "四", "十"])
    | st.sampled_from(["条", "線", "地割", "百", "千", "〇", "零", "三", "ー", "軒"]),
    max_size=6,
).map("".join)


@settings(max_examples=500)
@given(st.lists(address_texts, min_size=1, max_size=8), st.sampled_from([None, "JP", "US"]))
@example(["南瓦町 9-16-5", "千代田区 1-1", "東京 1-1"], None)
def test_address_text_column_equals_scalar(values: list[str], country: str | None) -> None:
    fast, reference = _address_rows(values, country)
    assert fast == reference


LATIN_PARTS = ("1263", "River", "St", "Ave.", " ", ",", "Apt 5", "Nashville", "TN", "ny")
LATIN_PARTS += ("37283", "12345-6789", "USA", "u.s.", "United States", "of America", "é", "\t")
LATIN_PARTS += ("Tennessee", "District of Columbia", "Suite", "#3", "-", ".", "US", "0", "ſ")

latin_texts = st.lists(st.sampled_from(LATIN_PARTS), max_size=8).map(" ".join) | st.lists(
    st.sampled_from(LATIN_PARTS), max_size=8
).map("".join)


@settings(max_examples=400)
@given(st.lists(latin_texts, min_size=1, max_size=8), st.sampled_from([None, "US", "JP"]))
@example(["1263 River St", "36700 Jackson Ter, Nashville, TN 37283", "12 Main St, usa"], None)
@example(["5 Elm St\tUS", "5 Elm St United States of America", "9 A St, NY 12345-6789"], None)
def test_latin_address_text_column_equals_scalar(values: list[str], country: str | None) -> None:
    fast, reference = _address_rows(values, country)
    assert fast == reference


def test_latin_fast_path_answers_plain_streets() -> None:
    import pyarrow as pa

    from dchkit.normalize._address_fast import unchanged_latin_addresses

    values = pa.array(
        ["1263 River St", "36700 Jackson Ter Apt 5", "1 Main St, TN 37283", "9 A St USA"]
    )
    assert unchanged_latin_addresses(values).tolist() == [True, True, False, False]


# ------------------------------------------------------------------------- e-mail
EMAIL_FIELDS = ("email", "match_key", "valid", "reason")
LOCALS = ("taro", "Taro.Yamada", "t.a.r.o+shop", "+tag", "-x", "bob-news", "a--b", "x_y")
LOCALS += ("a" * 64, "a" * 65, "UPPER+Tag.x", "a..b", ".a", "a.", "é")
DOMAINS = ("gmail.com", "GoogleMail.com", "outlook.jp", "yahoo.com", "ymail.com")
DOMAINS += ("example.co.jp", "x--n.com", "b.local", "localhost", "a.test", "ex.invalid")
DOMAINS += ("docomo.ne.jp", "c0", "a.c0", "-a.com", "a-.com", "b" * 63 + ".jp", "b" * 64 + ".jp")
DOMAINS += ("xn--p1ai", "mail.onion", "Example.COM", "a" * 250 + ".jp")


def _email_rows(values: list[str | None]) -> tuple[list[tuple[object, ...]], list]:
    from dchkit.normalize import normalize_email, normalize_email_column

    columns = normalize_email_column(values)
    got = list(zip(*(getattr(columns, f).to_pylist() for f in EMAIL_FIELDS), strict=True))
    want = []
    for value in values:
        result = normalize_email(value)
        want.append(tuple(getattr(result, f) for f in EMAIL_FIELDS))
    return got, want


def test_email_column_equals_scalar_over_combinations() -> None:
    values: list[str | None] = [None, "", " ", "mailto:<Taro@Example.jp>", "a@@b.jp"]
    values += [f"{local}@{domain}" for local in LOCALS for domain in DOMAINS]
    got, want = _email_rows(values)
    for value, row, expected in zip(values, got, want, strict=True):
        assert row == expected, value


def test_email_fast_path_answers_plain_addresses() -> None:
    from dchkit.normalize import email as email_module

    fast = email_module.plain_emails(
        __import__("pyarrow").array(["Taro@Example.JP", "a b@x.jp", "<a@x.jp>", "a@b.local"]),
        special_suffixes=email_module._SPECIAL_SUFFIXES,
        gmail=email_module._GMAIL,
        plus_tag=email_module._PLUS_TAG,
        dash_tag=email_module._DASH_TAG,
    )
    assert fast.rows.tolist() == [0]
    assert fast.email.to_pylist() == ["taro@example.jp"]


email_texts = st.one_of(
    st.builds(
        lambda local, domain: f"{local}@{domain}",
        st.one_of(st.sampled_from(LOCALS), st.text(alphabet="aZ09._+-!é ", max_size=10)),
        st.one_of(st.sampled_from(DOMAINS), st.text(alphabet="aZ09.-_", max_size=12)),
    ),
    st.text(alphabet="aB@.+- <>:", max_size=12),
    st.none(),
)


@settings(max_examples=500)
@given(st.lists(email_texts, min_size=1, max_size=10))
@example(["Bob-x@Yahoo.com", "bob-x@yahoo.co.jp", "-x@yahoo.com", "+@gmail.com"])
def test_email_column_equals_scalar(values: list[str | None]) -> None:
    got, want = _email_rows(values)
    assert got == want


# ------------------------------------------------------------------------- names
NAME_WORDS = ("山田", "太郎", "ひろみ", "ヤマダ", "タロー", "髙橋", "様", "さん", "氏", "殿様")
NAME_WORDS += ("Taro", "YAMADA", "ﾔﾏﾀﾞ", "（ヤマダ）", "佐藤健", "ゞ", "〆", "ヶ", "Jr.", "ちゃん")
NAME_SPACES = (" ", "\u3000", "  ", "\u3000 ", "", ",", "\t")


def _name_rows(values: list[str | None]) -> tuple[list[tuple[object, ...]], list]:
    from dchkit.normalize import split_name, split_name_column

    columns = split_name_column(values)
    fields = ("family", "given", "suffix")
    got = list(zip(*(getattr(columns, f).to_pylist() for f in fields), strict=True))
    want = [tuple(getattr(split_name(v), f) for f in fields) for v in values]
    return got, want


def test_split_name_column_equals_scalar_over_combinations() -> None:
    values: list[str | None] = [None, "", "\u3000"]
    values += [a + s + b for a in NAME_WORDS for s in NAME_SPACES for b in NAME_WORDS]
    values += [s + a + " " + b + s for a in NAME_WORDS[:6] for b in NAME_WORDS for s in NAME_SPACES]
    got, want = _name_rows(values)
    for value, row, expected in zip(values, got, want, strict=True):
        assert row == expected, value


def test_name_fast_path_answers_spaced_japanese_names() -> None:
    import pyarrow as pa

    from dchkit.normalize import name as name_module
    from dchkit.normalize._name_fast import spaced_japanese_names

    values = pa.array(["西村　拓一", " 今野 翔太 ", "山田太郎", "山田 花子様", "Taro Yamada"])
    fast = spaced_japanese_names(values, name_module._JA_HONORIFICS)
    assert fast.rows.tolist() == [0, 1]
    assert fast.family.to_pylist() == ["西村", "今野"]
    assert fast.given.to_pylist() == ["拓一", "翔太"]


name_texts = st.lists(st.sampled_from([*NAME_WORDS, *NAME_SPACES]), max_size=5).map("".join)


@settings(max_examples=500)
@given(st.lists(st.one_of(name_texts, st.none()), min_size=1, max_size=10))
@example(["山田 太郎さん", "山田 さん", "様 様", "ー ー"])
def test_split_name_column_equals_scalar(values: list[str | None]) -> None:
    got, want = _name_rows(values)
    assert got == want


# ------------------------------------------------------------------------- text
def test_every_character_the_clean_text_fast_path_keeps_is_clean() -> None:
    from dchkit.normalize import clean_text, clean_text_column

    ranges = ((0x21, 0x7E), (0x3041, 0x3096), (0x30A1, 0x30FC), (0x4E00, 0x9FFF))
    chars = [chr(c) for low, high in ranges for c in range(low, high + 1)]
    assert all(clean_text(c) == c for c in chars)
    assert clean_text_column(chars).to_pylist() == chars
    assert clean_text_column([]).to_pylist() == []


text_values = st.text(
    alphabet="aZ09 .-ｱｶﾞ山田ヤマダひろみー・\u3000\t\n\r\x0b\x1c\u200b\u00a0é\u0301か\u3099Ⅳ㈱ＡＢ",
    max_size=10,
)


@settings(max_examples=500)
@given(st.lists(st.one_of(text_values, st.none()), min_size=0, max_size=10))
@example(["山田 太郎", "山田  太郎", " 山田", "か\u3099", "ｶﾞ", "錦9\n ハイツ\u3000", "\n"])
def test_clean_text_column_equals_scalar(values: list[str | None]) -> None:
    from dchkit.normalize import clean_text, clean_text_column

    assert clean_text_column(values).to_pylist() == [clean_text(v) for v in values]


@settings(max_examples=300)
@given(st.lists(st.one_of(name_texts, st.none()), min_size=0, max_size=10))
@example(["山田 太郎", "山田 太郎様", "山田  太郎", "山田 (ヤマダ)", "氏"])
def test_clean_name_column_equals_scalar(values: list[str | None]) -> None:
    from dchkit.normalize import clean_name
    from dchkit.normalize.name import clean_name_column

    assert clean_name_column(values).to_pylist() == [clean_name(v) for v in values]


def test_clean_name_column_over_combinations() -> None:
    from dchkit.normalize import clean_name
    from dchkit.normalize.name import clean_name_column

    values = [a + s + b for a in NAME_WORDS for s in NAME_SPACES for b in NAME_WORDS]
    assert clean_name_column(values).to_pylist() == [clean_name(v) for v in values]


# ------------------------------------------------------------------------- kana
def test_katakana_fast_path_characters_are_unchanged() -> None:
    from dchkit.normalize.kana import _clean_katakana, katakana_column

    chars = [chr(c) for c in range(0x30A1, 0x30FD)]
    assert all(_clean_katakana(c) == c for c in chars)
    assert katakana_column(chars).to_pylist() == chars


@settings(max_examples=300)
@given(
    st.lists(
        st.one_of(
            st.text(alphabet="ヤマダタロウーヴヵ・ ひろみﾔﾏﾀﾞ\u3000ヽゝ\u3099a", max_size=8),
            st.none(),
        ),
        max_size=10,
    )
)
@example(["ヤマダ タロウ", "ヤマダ  タロウ", " ヤマダ", "カ\u3099"])
def test_katakana_column_equals_scalar(values: list[str | None]) -> None:
    from dchkit.normalize.kana import _clean_katakana, katakana_column

    assert katakana_column(values).to_pylist() == [_clean_katakana(v) for v in values]


# ------------------------------------------------------------------------- dates
iso_like = st.one_of(
    st.builds(
        lambda y, m, d: f"{y:04d}-{m:02d}-{d:02d}",
        st.integers(0, 9999),
        st.integers(0, 13),
        st.integers(0, 32),
    ),
    st.from_regex(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}( |T10:00)?", fullmatch=True),
    st.sampled_from(["昭和63年7月10日", "R2.4.1", "10/07/1988", "", " ", "１９８８-０７-１０"]),
    st.none(),
)


@settings(max_examples=500)
@given(st.lists(iso_like, max_size=12), st.booleans())
@example(["1988-07-10", "2023-02-29", "2024-02-29", "1799-12-31", "2201-01-01"], False)
def test_parse_date_column_equals_scalar(values: list[str | None], day_first: bool) -> None:
    from datetime import date

    from dchkit.normalize import parse_date, parse_date_column

    for earliest, latest in (
        (date(1800, 1, 1), date(2200, 12, 31)),
        (date(1, 1, 1), date(9999, 12, 31)),
    ):
        columns = parse_date_column(values, day_first=day_first, earliest=earliest, latest=latest)
        got = list(
            zip(
                columns.date.to_pylist(),
                columns.valid.to_pylist(),
                columns.reason.to_pylist(),
                strict=True,
            )
        )
        want = []
        for value in values:
            result = parse_date(value, day_first=day_first, earliest=earliest, latest=latest)
            want.append((result.date, result.valid, result.reason))
        assert got == want


@pytest.mark.parametrize("length", [9, 10])
def test_jp_line_type_by_prefix_and_length_equals_phonenumbers(length: int) -> None:
    # Every 4-digit start of a 9- or 10-digit JP national number, two tails each; the
    # cache (by deciding prefix and length) is cleared first so tails share its entries.
    from phonenumbers import PhoneNumber

    from dchkit.normalize import _phone_types as phone_types

    phone_types._cache.clear()
    for start in range(1000, 10000):
        for tail in ("000000", "987654"):
            number = PhoneNumber(country_code=81, national_number=int(f"{start}{tail}"[:length]))
            assert phone_types.number_type(number) == phonenumbers.number_type(number), number
