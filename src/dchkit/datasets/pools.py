"""Name pools with every written form precomputed once, as flat Arrow arrays.

A pool of ``P`` names with ``F`` forms is one array of ``P * F`` strings, so drawing form
``f`` of name ``i`` for a million records is one vectorized ``take(i * F + f)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Final

import numpy as np
import pyarrow as pa

from dchkit.datasets._data import en, ja
from dchkit.datasets.config import Locale
from dchkit.datasets.text import kanji_variants, romaji, to_halfwidth_kana, to_katakana

__all__ = ["EnForm", "JaForm", "NamePool", "name_pools", "zipf_weights"]


class JaForm:
    """Form columns of a Japanese name pool."""

    KANJI: Final = 0
    VARIANT: Final = 1  # an old kanji form (髙橋); equals KANJI where none exists
    KATAKANA: Final = 2
    HIRAGANA: Final = 3
    HALFWIDTH: Final = 4
    ROMAJI: Final = 5  # "Sato"
    ROMAJI_UPPER: Final = 6  # "SATO"
    ROMAJI_PASSPORT: Final = 7  # "Satoh"
    ROMAJI_WAPURO: Final = 8  # "Satou"
    ROMAJI_LOWER: Final = 9  # "sato", for e-mail local parts
    COUNT: Final = 10


class EnForm:
    """Form columns of an English name pool."""

    CANONICAL: Final = 0
    NICK1: Final = 1  # nickname slots; equal CANONICAL where none exists
    NICK2: Final = 2
    UPPER: Final = 3
    LOWER: Final = 4
    VARIANT: Final = 5  # O'Brien -> OBrien, McDonald -> Mcdonald; initial "R." for given names
    EMAIL: Final = 6  # lower-case letters only, for e-mail local parts
    COUNT: Final = 7


@dataclass(frozen=True)
class NamePool:
    """One pool: its forms (flat, ``size * forms``), sampling weights and variant flags."""

    forms: pa.Array
    n_forms: int
    weights: np.ndarray
    has_variant: np.ndarray

    @property
    def size(self) -> int:
        """Number of distinct names in the pool."""
        return len(self.weights)

    def take(self, index: np.ndarray, form: np.ndarray | int) -> pa.Array:
        """Return form ``form`` (per row or one for all) of names ``index``."""
        return self.forms.take(pa.array(index.astype(np.int64) * self.n_forms + form))

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """Draw ``n`` name indices with the pool's skewed frequencies."""
        drawn: np.ndarray = rng.choice(self.size, size=n, p=self.weights).astype(np.int32)
        return drawn


#: Zipf exponents of the name pools, calibrated so the commonest name has about its real
#: share of the population: 佐藤 ~1.5 % of Japanese, Smith ~0.8 % of Americans, the
#: commonest US given names ~3 % of their sex (all birth years), the commonest Japanese given
#: names ~1.5 % of theirs (well above any birth cohort's). Steeper pools made 40–60 % of
#: people share their exact full name with someone else in a 50k-person world, 20–40×
#: the real rate, which no matcher can resolve; these still err on the side of collisions.
_JA_FAMILY_SKEW = 0.4
_JA_GIVEN_SKEW = 0.35
_EN_SURNAME_SKEW = 0.3
_EN_GIVEN_SKEW = 0.35


def zipf_weights(n: int, exponent: float = 1.0) -> np.ndarray:
    """Zipf-like probabilities by rank: the first entries are by far the most common."""
    weights: np.ndarray = 1.0 / np.arange(1, n + 1) ** exponent
    weights /= weights.sum()
    return weights


def _compounds(heads: tuple[str, ...], tails: tuple[str, ...], known: tuple[str, ...]) -> list[str]:
    """Compose rarer "漢字:よみ" names from parts, skipping names already in ``known``."""
    seen = {entry.split(":")[0] for entry in known}
    out: list[str] = []
    for head in heads:
        for tail in tails:
            (hk, hr), (tk, tr) = head.split(":"), tail.split(":")
            if hk != tk and hk + tk not in seen:
                out.append(f"{hk}{tk}:{hr}{tr}")
                seen.add(hk + tk)
    return out


def _ja_pool(entries: tuple[str, ...], exponent: float) -> NamePool:
    rng = np.random.default_rng(0)
    rows: list[str] = []
    has_variant: list[bool] = []
    for entry in entries:
        kanji, reading = entry.split(":")
        variants = kanji_variants(kanji, ja.KANJI_VARIANTS)
        variant = variants[int(rng.integers(len(variants)))] if variants else kanji
        hepburn = romaji(reading)
        rows += [
            kanji,
            variant,
            to_katakana(reading),
            reading,
            to_halfwidth_kana(reading),
            hepburn.title(),
            hepburn.upper(),
            romaji(reading, style="passport").title(),
            romaji(reading, style="wapuro").title(),
            hepburn,
        ]
        has_variant.append(bool(variants))
    return NamePool(
        pa.array(rows, pa.string()),
        JaForm.COUNT,
        zipf_weights(len(entries), exponent),
        np.array(has_variant),
    )


_SURNAME_VARIANTS: Final = {
    "O'": "O",
    "Mc": "Mc",
    "Mac": "Mac",
    "De La ": "Dela",
    "Van ": "Van",
    "St. ": "Saint ",
}


def _en_surname_variant(name: str) -> str:
    if name.startswith(("Mc", "Mac")) and len(name) > 3:
        return name[0] + name[1:].lower()  # McDonald -> Mcdonald
    for prefix, replacement in _SURNAME_VARIANTS.items():
        if name.startswith(prefix):
            return replacement + name[len(prefix) :]
    return name


def _en_surnames(names: tuple[str, ...]) -> NamePool:
    rows: list[str] = []
    has_variant: list[bool] = []
    for name in names:
        variant = _en_surname_variant(name)
        letters = "".join(ch for ch in name.lower() if ch.isalpha())
        rows += [name, name, name, name.upper(), name.lower(), variant, letters]
        has_variant.append(variant != name)
    return NamePool(
        pa.array(rows, pa.string()),
        EnForm.COUNT,
        zipf_weights(len(names), _EN_SURNAME_SKEW),
        np.array(has_variant),
    )


def _en_given(entries: tuple[str, ...]) -> NamePool:
    rows: list[str] = []
    has_nick: list[bool] = []
    for entry in entries:
        name, _, nicks = entry.partition(":")
        options = [n for n in nicks.split("|") if n] or [name]
        rows += [name, options[0], options[min(1, len(options) - 1)], name.upper(), name.lower()]
        rows += [name[0] + ".", name.lower()]
        has_nick.append(bool(nicks))
    return NamePool(
        pa.array(rows, pa.string()),
        EnForm.COUNT,
        zipf_weights(len(entries), _EN_GIVEN_SKEW),
        np.array(has_nick),
    )


@dataclass(frozen=True)
class NamePools:
    """The family-name pool and the given-name pools (female, male) of one locale."""

    family: NamePool
    given: tuple[NamePool, NamePool]


@cache
def name_pools(locale: Locale) -> NamePools:
    """Build (once per process) the name pools of ``locale``."""
    if locale == "ja":
        family = ja.FAMILY_NAMES
        female, male = ja.FEMALE_GIVEN_NAMES, ja.MALE_GIVEN_NAMES
        return NamePools(
            _ja_pool(
                (*family, *_compounds(ja.FAMILY_HEADS, ja.FAMILY_TAILS, family)), _JA_FAMILY_SKEW
            ),
            (
                _ja_pool(
                    (*female, *_compounds(ja.FEMALE_HEADS, ja.FEMALE_TAILS, female)), _JA_GIVEN_SKEW
                ),
                _ja_pool((*male, *_compounds(ja.MALE_HEADS, ja.MALE_TAILS, male)), _JA_GIVEN_SKEW),
            ),
        )
    surnames = (*en.SURNAMES, *(h + t for h in en.SURNAME_HEADS for t in en.SURNAME_TAILS))
    return NamePools(
        _en_surnames(surnames),
        (
            _en_given((*en.FEMALE_GIVEN_NAMES, *(n + ":" for n in en.MORE_FEMALE_GIVEN_NAMES))),
            _en_given((*en.MALE_GIVEN_NAMES, *(n + ":" for n in en.MORE_MALE_GIVEN_NAMES))),
        ),
    )
