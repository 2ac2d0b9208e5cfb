"""The normalizers' fast paths give exactly what the slow, authoritative path gives."""

from __future__ import annotations

import unicodedata

import phonenumbers
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from phonenumbers import PhoneNumber

from dchkit.normalize import _phone_types as phone_types
from dchkit.normalize import address as address_module
from dchkit.normalize import email as email_module
from dchkit.normalize import phone as phone_module
from dchkit.normalize import text as text_module
from dchkit.normalize.email import EmailResult, email_match_key
from dchkit.normalize.regions import JP_PREFECTURES

# ------------------------------------------------------------------------- e-mail
LOCAL_CHARS = "abz09._+-!#~'\"é "
DOMAIN_CHARS = "abxnz09-._"
TLDS = ("jp", "com", "co.jp", "test", "local", "arpa", "onion", "localhost", "invalid", "x", "c0")
TLDS += ("xn--p1ai", "museum", "a" * 63, "a" * 64)

local_parts = st.one_of(
    st.text(alphabet=LOCAL_CHARS, min_size=0, max_size=12),
    st.from_regex(r"[a-z0-9_+\-]{1,10}(\.[a-z0-9_+\-]{1,10}){0,3}", fullmatch=True),
    st.integers(60, 70).map(lambda n: "a" * n),
)
labels = st.one_of(
    st.text(alphabet=DOMAIN_CHARS, min_size=0, max_size=8),
    st.from_regex(r"[a-z0-9]([a-z0-9\-]{0,8}[a-z0-9])?", fullmatch=True),
    st.sampled_from(["xn--bcher-kva", "ab--cd", "a-", "-a", "ex--ample", "b" * 63, "b" * 64]),
)
domains = st.builds(
    lambda parts, tld: ".".join([*parts, tld]),
    st.lists(labels, min_size=0, max_size=4),
    st.sampled_from(TLDS),
)
addresses = st.one_of(
    st.builds(lambda local, domain: f"{local}@{domain}", local_parts, domains),
    st.builds(
        lambda local, domain, pad: f"{local}@{'c' * pad}.{domain}",
        local_parts,
        domains,
        st.integers(180, 250),
    ),
    st.text(alphabet=LOCAL_CHARS + DOMAIN_CHARS + "@", max_size=30),
)


@settings(max_examples=1000)
@given(addresses)
@example("a" * 64 + "@example.jp")
@example("a" * 65 + "@example.jp")
@example("taro@" + "b" * 63 + ".jp")
@example("taro@" + "b" * 64 + ".jp")
@example("taro@sub.example.test")
def test_plain_addresses_are_what_email_validator_returns(address):
    # Whenever the fast path accepts an address, email-validator accepts it too and gives
    # the same normalized address, match key and reason.
    if email_module._is_plain(address):
        fast = EmailResult(address, email_match_key(address), True, None)
        assert email_module._validated(address) == fast


@pytest.mark.parametrize(
    ("address", "plain"),
    [
        ("taro.yamada@example.co.jp", True),
        ("taro.yamada+shop@gmail.com", True),
        ("a_b-c@my-shop.example.jp", True),
        ("1234@123.jp", True),
        ("info@example.com", True),  # RFC 2142 names: email-validator lower-cases them too
        ("taro@example.test", False),  # special-use domains are email-validator's call
        ("taro@host.local", False),
        ("taro@example.onion", False),
        ("taro@1.0.0.127.in-addr.arpa", False),
        ("taro@xn--bcher-kva.de", False),  # punycode: email-validator decodes it
        ("taro@ab--cd.jp", False),
        ("ta--ro@example.jp", False),
        ("taro@example.c0", False),
        ("taro@example.x", False),
        ("taro@localhost", False),
        (".taro@example.jp", False),
        ("taro.@example.jp", False),
        ("ta..ro@example.jp", False),
        ("taro@-example.jp", False),
        ("taro@example-.jp", False),
        ("taro@example..jp", False),
        ('"taro.yamada"@example.jp', False),
        ("taro!#@example.jp", False),
        ("tarö@example.jp", False),
        ("taro@exämple.jp", False),
        ("taro@[192.0.2.1]", False),
        ("a" * 64 + "@example.jp", True),
        ("a" * 65 + "@example.jp", False),
        ("taro@" + "b" * 63 + ".jp", True),
        ("taro@" + "b" * 64 + ".jp", False),
        ("a@" + ("b" * 63 + ".") * 3 + "b" * 57 + ".jp", True),  # 254 characters
        ("aa@" + ("b" * 63 + ".") * 3 + "b" * 57 + ".jp", False),  # 255: too long
        ("a@" + ("b" * 60 + ".") * 5 + "jp", False),
    ],
)
def test_tricky_addresses(address, plain):
    assert email_module._is_plain(address) is plain
    full = email_module._normalize.__wrapped__(address)
    assert full == email_module._validated(address)


# ------------------------------------------------------------------------- phone
PHONE_CHARS = "0123456789+ -().０１２３－（）"
phones = st.one_of(
    st.text(alphabet=PHONE_CHARS, min_size=1, max_size=20),
    st.from_regex(r"\+?\(?0?[1-9]{1,4}\)?[ \-.]?[0-9]{1,4}[ \-.]?[0-9]{3,5}", fullmatch=True),
    st.from_regex(r"(\+81|0081|010 ?81|0)[ \-]?\(?0?\)?[ \-]?[0-9 \-]{8,14}", fullmatch=True),
    st.from_regex(r"\+1 ?\(?[2-9][0-9]{2}\)?[ \-.]?[0-9]{3}[ \-.]?[0-9]{4}", fullmatch=True),
)
REGIONS = ("JP", "US", "GB", "DE")


@settings(max_examples=1000)
@given(phones, st.sampled_from(REGIONS))
@example("03-1234-5678", "JP")
@example("(03)1234-5678", "JP")
@example("+81 (0)3-1234-5678", "JP")
@example("+1 (212) 555-0123", "US")
@example("00 81 3 1234 5678", "JP")
def test_phone_key_collapse_keeps_results(value, region):
    # Spellings of one number share one phonenumbers call: the collapsed key gives the
    # same result as the text itself.
    cleaned = phone_module._clean(value)
    if cleaned is None:
        return
    key = phone_module._key(cleaned)
    assert phone_module._parse(key, region) == phone_module._parse(cleaned, region)


@settings(max_examples=500)
@given(phones, st.sampled_from(REGIONS))
@example("0120-123-456", "JP")
@example("050-1234-5678", "JP")
@example("+1 800 555 0123", "US")
def test_line_type_without_is_valid_number(value, region):
    # The result's validity comes from one number_type call; check it against phonenumbers'
    # own is_valid_number.
    cleaned = phone_module._clean(value)
    result = phone_module._parse(cleaned, region) if cleaned else None
    try:
        number = phonenumbers.parse(cleaned or "", region)
    except phonenumbers.NumberParseException:
        return
    if result is not None and result.e164 is not None:
        assert result.valid is phonenumbers.is_valid_number(number)


# ------------------------------------------------------------------------- address
def reference_numbering(text):
    """The block-numbering rewrite as first written: every step, every round."""
    text = address_module._KANJI_BEFORE_UNIT.sub(address_module._arabic, text)
    previous = None
    while previous != text:
        previous = text
        text = address_module._DASH.sub("-", text)
        text = address_module._LINK_NO.sub("の", text)
        text = address_module._KANJI_AFTER_LINK.sub(address_module._arabic, text)
        text = address_module._LINK_UNIT.sub(r"\1-", text)
        text = address_module._LINK_NO.sub("-", text)
    return address_module._END_UNIT.sub(r"\1", text)


def reference_prefecture(text):
    """The prefecture split as first written: a scan of all 47 names in order."""
    for name in JP_PREFECTURES:
        bare = name if name == "北海道" else name[:-1]
        if text.startswith(name):
            return name, text[len(name) :]
        if text.startswith(bare) and text[len(bare) : len(bare) + 1] not in (
            "市",
            "府",
            "都",
            "県",
        ):
            return name, text[len(bare) :]
    return None, text


ADDRESS_PIECES = [
    *JP_PREFECTURES,
    *(name[:-1] for name in JP_PREFECTURES),
    "京都市", "大阪市", "千代田区", "横浜市中区", "四日市市", "郡", "町", "村", "市", "区",
    "一", "二", "三", "十", "百", "〇", "丁目", "番地", "番", "号", "号室", "条", "線", "地割",
    "の", "-", "－", "ー", "~", " ", "1", "2", "23", "4", "千代田", "梅田", "錦", "ハイツ",
]  # fmt: skip
jp_addresses = st.lists(st.sampled_from(ADDRESS_PIECES), max_size=10).map("".join)


@settings(max_examples=2000)
@given(jp_addresses)
@example("東京都千代田区千代田一丁目一番地の三")
@example("千代田1 - 1 の 1")
@example("京都府京都市中京区二条通")
@example("京都市北区")
def test_address_shortcuts_keep_results(text):
    assert address_module._jp_numbering(text) == reference_numbering(text)
    assert address_module._jp_prefecture_prefix(text) == reference_prefecture(text)


def assert_same_parse(digits, region):
    try:
        expected = phonenumbers.parse(digits, region)
    except phonenumbers.NumberParseException:
        with pytest.raises(phonenumbers.NumberParseException):
            phone_module._parse_number(digits, region)
        return
    assert phone_module._parse_number(digits, region) == expected


def test_jp_shortcut_applies_to_this_phonenumbers():
    assert phone_module._jp_shortcut_holds()


@pytest.mark.parametrize("length", [10, 11])
def test_jp_shortcut_equals_parse_for_every_prefix(length):
    # Every 3-digit start of a national number, with tails of zeros, nines and a mix.
    for start in range(10, 100):
        for tail in ("0" * 8, "9" * 8, "31415926"):
            assert_same_parse(f"0{start}{tail}"[:length], "JP")
            for region in REGIONS:
                assert_same_parse(f"+81{start}{tail}"[: length + 2], region)


@settings(max_examples=2000)
@given(st.from_regex(r"(0|\+8[0-9]?)[0-9]{7,12}", fullmatch=True), st.sampled_from(REGIONS))
@example("0101234567", "JP")
@example("0312345678", "JP")
@example("09012345678", "JP")
@example("0001234567", "JP")
@example("+81312345678", "US")
@example("+810312345678", "JP")
def test_jp_shortcut_equals_parse(digits, region):
    assert_same_parse(digits, region)


# ------------------------------------------------------------------------- number type
def _example_numbers():
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        for kind in range(12):
            number = phonenumbers.example_number_for_type(region, kind)
            if number is not None:
                yield number


def test_number_type_by_prefix_equals_phonenumbers_on_every_example():
    # Every region's example of every type, and variants with other last digits, so that
    # numbers share cached prefixes.
    phone_types._cache.clear()
    for number in _example_numbers():
        national = phonenumbers.national_significant_number(number)
        for tail in ("", "0", "9", "00", "99", "5"):
            digits = national[: len(national) - len(tail)] + tail
            variant = PhoneNumber(country_code=number.country_code, national_number=int(digits))
            variant.italian_leading_zero = number.italian_leading_zero
            variant.number_of_leading_zeros = number.number_of_leading_zeros
            assert phone_types.number_type(variant) == phonenumbers.number_type(variant), digits


@settings(max_examples=2000)
@given(
    st.sampled_from([81, 81, 81, 49, 86, 33, 82, 91, 55, 800, 882, 1, 44]),
    st.from_regex(r"[0-9]{4,13}", fullmatch=True),
)
def test_number_type_by_prefix_equals_phonenumbers(country_code, digits):
    number = PhoneNumber(country_code=country_code, national_number=int(digits))
    assert phone_types.number_type(number) == phonenumbers.number_type(number)


def test_pattern_heads():
    parse = phone_types.sre_parse.parse
    assert phone_types._heads(list(parse(r"[6-9]0[1-9]\d{7}"))) == [(frozenset("6789"), 3)]
    assert phone_types._heads(list(parse(r"50[1-9]\d{7}|\d{9}"))) == [
        (frozenset("5"), 3),
        (None, 0),
    ]
    assert phone_types._heads(list(parse(r"1\d*5\d"))) is None  # unbounded head
    assert not phone_types._plain(list(parse(r"(?=12)\d{4}")))  # a lookahead
    assert not phone_types._plain(list(parse(r"[^0]\d{4}")))


@settings(max_examples=1000)
@given(
    st.sampled_from([81, 1, 44, 49, 86, 33, 82, 91, 55, 800, 882, 999, 0]),
    st.from_regex(r"[0-9]{1,17}", fullmatch=True),
    st.booleans(),
)
def test_possible_by_length_equals_phonenumbers(country_code, digits, leading_zero):
    number = PhoneNumber(country_code=country_code, national_number=int(digits))
    number.italian_leading_zero = leading_zero or None
    assert phone_types.is_possible_number(number) == phonenumbers.is_possible_number(number)


# ------------------------------------------------------------------------- text
def reference_clean_text(value):
    """clean_text as first written: every step for every value."""
    text = text_module._CONTROL.sub(" ", text_module._INVISIBLE.sub("", value))
    text = unicodedata.normalize("NFKC", text)
    text = text_module._SPACES.sub(" ", text_module._INVISIBLE.sub("", text)).strip()
    return text or None


@settings(max_examples=2000)
@given(
    st.one_of(
        st.text(alphabet=st.characters(max_codepoint=127)),
        st.text(alphabet=" \t\n\x0b\x0c\r\x1c\x1d\x1e\x1f\x7f\x85\xa0abc1@-"),
        st.text(),
    )
)
def test_ascii_shortcut_of_clean_text(value):
    assert text_module.clean_text(value) == reference_clean_text(value)
