"""Kana → Hepburn romaji, and a romaji key on which spelling variants meet.

The same Japanese name is romanized as Satō, Satou, Satoh or Sato; Ōno, Ohno, Oono or Ono;
Shinichi or Siniti; Tsuji or Tuzi; Fujita or Huzita; Homma or Honma. :func:`romaji_key`
reduces all of them to one spelling: accents dropped, lower case, Hepburn consonants written
the Kunrei way (shi→si, chi→ti, tsu→tu, fu→hu, ji/di→zi, zu/du→zu, sh/ch/j + vowel →
sy/ty/zy), m before b/m/p → n, ``nn`` → n, ``oh`` before a consonant → o, and doubled or
long vowels folded (ou, oo → o; uu → u; aa → a; ii → i; ee → e), repeated until stable.
Kana in the input is romanized first, so ``サトウ`` and ``Satoh`` meet; kanji need
:mod:`~dchkit.normalize.reading` (pykakasi).

Examples:
    >>> from dchkit.normalize import kana_to_romaji, romaji_key
    >>> kana_to_romaji("ヤマダ タロウ"), kana_to_romaji("しんいち"), kana_to_romaji("マッチャ")
    ('yamada tarou', "shin'ichi", 'matcha')
    >>> {romaji_key(s) for s in ("Satō", "Satou", "Satoh", "SATO", "さとう")}
    {'sato'}
    >>> {romaji_key(s) for s in ("Ohno", "Oono", "Ono", "Ōno", "オオノ")}
    {'ono'}
    >>> romaji_key("Shin-ichi Tsuji"), romaji_key("Sinniti Tuzi")
    ('sin iti tuzi', 'siniti tuzi')
"""

from __future__ import annotations

import re
from typing import Any

import pyarrow as pa

from dchkit.normalize._args import require_text
from dchkit.normalize._vector import map_distinct
from dchkit.normalize.kana import to_katakana
from dchkit.normalize.reading import has_kanji, kanji_reading
from dchkit.normalize.text import clean_text, strip_latin_accents

__all__ = ["kana_to_romaji", "romaji_key", "romaji_key_column", "romaji_token_key"]

# Hepburn for each katakana mora (two-character entries are the yōon and foreign-sound digraphs).
_MORAE: dict[str, str] = {}
for _row, _sounds in {
    "アイウエオ": "a i u e o",
    "カキクケコ": "ka ki ku ke ko",
    "ガギグゲゴ": "ga gi gu ge go",
    "サシスセソ": "sa shi su se so",
    "ザジズゼゾ": "za ji zu ze zo",
    "タチツテト": "ta chi tsu te to",
    "ダヂヅデド": "da ji zu de do",
    "ナニヌネノ": "na ni nu ne no",
    "ハヒフヘホ": "ha hi fu he ho",
    "バビブベボ": "ba bi bu be bo",
    "パピプペポ": "pa pi pu pe po",
    "マミムメモ": "ma mi mu me mo",
    "ヤユヨ": "ya yu yo",
    "ラリルレロ": "ra ri ru re ro",
    "ワヰヱヲ": "wa i e o",
    "ァィゥェォ": "a i u e o",
    "ャュョヮヵヶ": "ya yu yo wa ka ke",
    "ヴ": "vu",
}.items():
    _MORAE.update(zip(_row, _sounds.split(), strict=True))
for _kana, _base in {
    "キ": "ky", "ギ": "gy", "シ": "sh", "ジ": "j", "チ": "ch", "ヂ": "j", "ニ": "ny",
    "ヒ": "hy", "ビ": "by", "ピ": "py", "ミ": "my", "リ": "ry",
}.items():  # fmt: skip
    for _small, _vowel in zip("ャュョ", "auo", strict=True):
        _MORAE[_kana + _small] = _base + _vowel
    if _base in ("sh", "j", "ch"):
        _MORAE[_kana + "ェ"] = _base + "e"
_MORAE.update(
    {
        "ファ": "fa", "フィ": "fi", "フェ": "fe", "フォ": "fo", "ティ": "ti", "ディ": "di",
        "トゥ": "tu", "ドゥ": "du", "ウィ": "wi", "ウェ": "we", "ウォ": "wo", "ヴァ": "va",
        "ヴィ": "vi", "ヴェ": "ve", "ヴォ": "vo", "ツァ": "tsa", "ツォ": "tso", "デュ": "dyu",
    }
)  # fmt: skip

_VOWELS = "aeiou"


def kana_to_romaji(text: str) -> str:
    """Romanize the kana in ``text`` (Hepburn, lower case); other characters pass through.

    ``ッ`` doubles the next consonant (``tch`` before ``ch``), ``ン`` is ``n`` (``n'`` before a
    vowel or y), and ``ー`` repeats the previous vowel.
    """
    kana = to_katakana(text)
    out: list[str] = []
    geminate = False
    i = 0
    while i < len(kana):
        pair, char = kana[i : i + 2], kana[i]
        if len(pair) == 2 and pair in _MORAE:
            sound, i = _MORAE[pair], i + 2
        elif char in _MORAE:
            sound, i = _MORAE[char], i + 1
        else:
            i += 1
            if char == "ッ":
                geminate = True
                continue
            if char == "ン":
                following = kana[i : i + 1]
                sound = "n'" if following and _MORAE.get(following, "x")[0] in "aeiouy" else "n"
            elif char == "ー" and out and out[-1][-1:] in _VOWELS:
                sound = out[-1][-1]
            else:
                sound = char
        if geminate:
            geminate = False
            if sound[0] not in _VOWELS and sound[0].isascii() and sound[0].isalpha():
                sound = ("t" if sound.startswith("ch") else sound[0]) + sound
        out.append(sound)
    return "".join(out)


_CONSONANT_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"sh", "sy"),
        (r"ch", "ty"),
        (r"j", "zy"),
        (r"ts", "t"),
        (r"f", "h"),
        (r"d(?=[iu])", "z"),
        (r"([stz])y(?=i)", r"\1"),
        (r"m(?=[bmp])", "n"),
        (r"nn", "n"),
        (r"oh(?![aeiouy])", "o"),
        (r"o[ou]", "o"),
        (r"uu", "u"),
        (r"aa", "a"),
        (r"ii", "i"),
        (r"ee", "e"),
    )
)
_NOT_LETTER = re.compile(r"[^a-z]+")
_JOINERS = re.compile(r"['’`‘]")


def romaji_token_key(token: str) -> str:
    """Fold one lower-case ASCII word (see the module docs), repeating until it is stable."""
    previous = None
    while token != previous:
        previous = token
        for pattern, replacement in _CONSONANT_RULES:
            token = pattern.sub(replacement, token)
    return token


def _romanize(text: str) -> str | None:
    """Romanize text that may mix latin, kana and (with pykakasi) kanji; None if it cannot."""
    if has_kanji(text):
        words = kanji_reading(text)
        if words is None:
            return None
        text = " ".join(reading for _, reading in words)
    return kana_to_romaji(text)


def romaji_key(value: str | None) -> str | None:
    """Return the romaji key of ``value``: folded words, in order, separated by one space.

    Returns:
        The key; None when blank, when nothing latin or kana remains, or when the text has
        kanji and no reading is available (pykakasi missing).

    Raises:
        NormalizationError: ``value`` is not a ``str`` or ``None``.
    """
    text = clean_text(require_text(value, "romaji_key"))
    if text is None:
        return None
    romanized = _romanize(text)
    if romanized is None:
        return None
    ascii_text = strip_latin_accents(_JOINERS.sub("", romanized)).lower()
    tokens = [romaji_token_key(t) for t in _NOT_LETTER.split(ascii_text) if t]
    return " ".join(t for t in tokens if t) or None


def romaji_key_column(values: Any) -> pa.Array:
    """Column form of :func:`romaji_key` (one call per distinct value)."""
    return map_distinct(values, romaji_key, pa.string(), what="romaji_key_column")
