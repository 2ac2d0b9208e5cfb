"""The indexed pykakasi lookup answers exactly what pykakasi's own scan answers."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

pykakasi = pytest.importorskip("pykakasi")

from dchkit.datasets._data import ja  # noqa: E402 (after the optional-dependency skip)
from dchkit.normalize._kakasi import accelerate  # noqa: E402

PLAIN = pykakasi.kakasi()
FAST = accelerate(pykakasi.kakasi())
TABLE = PLAIN._kakasi._jconv._kanwa._jisyo_table


def _words_per_first_char(limit: int) -> list[str]:
    out: list[str] = []
    for words in TABLE.values():
        # the longest and the shortest words of each first character, and one between
        ordered = sorted(words, key=len)
        out += {ordered[0], ordered[len(ordered) // 2], ordered[-1]}
    return out[:limit]


def test_accelerate_installs_itself() -> None:
    assert FAST._kakasi._jconv.convert.__qualname__ == "_Lookup.convert"


def test_lookup_equals_scan_over_the_dictionary() -> None:
    plain, fast = PLAIN._kakasi._jconv.convert, FAST._kakasi._jconv.convert
    befores = ("", "い", "く", "し", "山田")
    for word in _words_per_first_char(25_000):
        for text, before in itertools.product((word, word + "子", word[:-1] + "々"), befores):
            if text:
                assert fast(text, before) == plain(text, before), (text, before)


def _ja_names() -> list[str]:
    family = [entry.split(":")[0] for entry in ja.FAMILY_NAMES]
    given = [e.split(":")[0] for e in (*ja.FEMALE_GIVEN_NAMES, *ja.MALE_GIVEN_NAMES)]
    return [f + g for f, g in itertools.product(family, given)][::3]


def test_convert_equals_pykakasi_on_names() -> None:
    names = _ja_names()
    assert [FAST.convert(n) for n in names] == [PLAIN.convert(n) for n in names]


kanji = st.sampled_from(sorted({chr(c) for c in TABLE if 0x4E00 <= c <= 0x9FFF})[:3000])
texts = st.lists(
    st.one_of(kanji, st.sampled_from("々ヶのノあいうかきくアイ様　 \ufe00\U000e0100")),
    min_size=1,
    max_size=8,
).map("".join)


@settings(max_examples=500)
@given(texts)
@example("髙橋\U000e0100ひろみ")
@example("渡邊\ufe00")
@example("東海林太郎")
def test_convert_equals_pykakasi(text: str) -> None:
    assert _outcome(FAST, text) == _outcome(PLAIN, text)


def _outcome(converter: object, text: str) -> object:
    try:
        return converter.convert(text)  # type: ignore[attr-defined]
    except IndexError as error:  # pykakasi fails on a lone variation selector; so do we
        return type(error)
