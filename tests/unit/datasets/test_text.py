from __future__ import annotations

import unicodedata

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from dchkit.datasets.text import (
    kanji_numeral,
    romaji,
    to_fullwidth,
    to_halfwidth_kana,
    to_katakana,
    typo,
)


def test_romaji_styles():
    assert romaji("たかはし") == "takahashi"
    assert romaji("おおた", style="passport") == "ohta"
    assert romaji("しょうた") == "shota"
    assert romaji("はっとり") == "hattori"
    assert romaji("まっちゃ") == "matcha"


def test_kanji_numerals():
    assert [kanji_numeral(i) for i in (1, 10, 11, 20, 99)] == ["一", "十", "十一", "二十", "九十九"]


@given(
    st.text(
        alphabet="あいうえおかがきぎさしじたちってとなはばぱまやゆよらわをんゃゅょー",
        min_size=1,
        max_size=12,
    )
)
def test_halfwidth_kana_round_trips_through_nfkc(text):
    assert unicodedata.normalize("NFKC", to_halfwidth_kana(text)) == to_katakana(text)


@given(st.text(alphabet="0123456789-()+ abcXYZ", max_size=20))
def test_fullwidth_round_trips_through_nfkc(text):
    assert unicodedata.normalize("NFKC", to_fullwidth(text)) == text


@given(st.text(min_size=2, max_size=30), st.integers(0, 2**32))
def test_typo_changes_length_by_at_most_one(text, seed):
    out = typo(text, np.random.default_rng(seed))
    assert abs(len(out) - len(text)) <= 1
