"""Column fast paths of the match features give what their one-value definitions give."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from dchkit.normalize._address_key import address_key_column
from dchkit.normalize.address import normalize_address
from dchkit.resolution.features import _is_mobile, _mobile_flags

#: Country codes of the worlds and some with other numbering shapes (Italy keeps a
#: leading zero, NANP shares +1 among many regions).
COUNTRY_CODES = ("1", "7", "33", "39", "44", "49", "81", "82", "86", "852", "886", "971")

e164 = st.builds(
    lambda code, digits: f"+{code}{digits}",
    st.sampled_from(COUNTRY_CODES),
    st.text(alphabet="0123456789", min_size=4, max_size=12),
)
anything = st.one_of(e164, st.none(), st.text(max_size=14), st.just("+81"), st.just("+"))


@settings(max_examples=300)
@given(st.lists(anything, max_size=60))
def test_mobile_flags_equal_the_one_number_answer(numbers):
    flags = _mobile_flags(pa.array(numbers, pa.string()))
    assert flags.tolist() == [_is_mobile(n) for n in numbers]


def test_mobile_flags_on_japanese_numbers_of_every_kind():
    rng = np.random.default_rng(5)
    heads = ["3", "6", "90", "80", "70", "50", "120", "800", "45", "92", "11", "98"]
    numbers = [
        f"+81{head}{''.join(map(str, rng.integers(0, 10, 10 - len(head))))}"
        for head in heads
        for _ in range(50)
    ]
    flags = _mobile_flags(pa.array(numbers))
    assert flags.tolist() == [_is_mobile(n) for n in numbers]
    assert flags.any()
    assert not flags.all()


#: Pieces of addresses, the risky ones included: kanji numerals before and after units,
#: 丁目/番地/号/の, every dash, 号室, prefectures with and without suffix, designated
#: cities, kanji variants, ケ between kanji, combining voicing marks, full-width text,
#: US state-and-ZIP endings and country names.
ADDRESS_PIECES = (
    "東京都", "東京", "京都", "京都市", "京都府", "大阪市北区", "北海道", "札幌市中央区",
    "世田谷区", "三軒茶屋", "八幡", "一丁目", "三丁目", "2丁目", "5番地", "5番", "7号",
    "205号室", "3号館", "の", "3の5", "-", "－", "ー", "‐", "~", " ", "　", ",", "、",
    "大字", "髙島", "霞ヶ関", "霞 ケ 関", "ガ", "か\u3099", "ｶ", "Ａ", "ｱﾊﾟｰﾄ", "〒100-0001",
    "100-0001", "1", "12", "4-19-17", "北1条西2", "コーポ", "#503", "Main St.", "Apt 10B",
    "Springfield", "IL 62701", "62701-1234", ", USA", " US", "San Diego", "CA", "ß", "é",
)  # fmt: skip

addresses = st.lists(st.sampled_from(ADDRESS_PIECES), min_size=1, max_size=7).map("".join)


@settings(max_examples=400)
@given(st.lists(st.one_of(addresses, st.none()), max_size=30))
def test_address_keys_equal_the_one_value_answer(values):
    keys = address_key_column(pa.array(values, pa.string())).to_pylist()
    assert keys == [normalize_address(v).key for v in values]
