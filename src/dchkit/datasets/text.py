"""Scalar text transforms used to build name variants and to corrupt single values.

Pools are small, so variants (katakana, half-width kana, romaji, old kanji) are computed
here once per pool entry; the per-value functions (typos, full-width) run only over the
few values a corruption mask selects.

Examples:
    >>> to_katakana("やまだ たろう")
    'ヤマダ タロウ'
    >>> to_halfwidth_kana("ヤマダ タロウ")
    'ﾔﾏﾀﾞ ﾀﾛｳ'
    >>> romaji("さとう"), romaji("さとう", style="passport"), romaji("さとう", style="wapuro")
    ('sato', 'satoh', 'satou')
    >>> to_fullwidth("03-1234-5678")
    '０３－１２３４－５６７８'
    >>> kanji_numeral(12)
    '十二'
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final, Literal

import numpy as np

__all__ = [
    "RomajiStyle",
    "kanji_numeral",
    "kanji_variants",
    "romaji",
    "to_fullwidth",
    "to_halfwidth_kana",
    "to_katakana",
    "typo",
]

RomajiStyle = Literal["hepburn", "passport", "wapuro"]

_KANA_ROMAJI: Final[dict[str, str]] = {}
for _row, _sounds in {
    "": "a i u e o",
    "k": "ka ki ku ke ko",
    "s": "sa shi su se so",
    "t": "ta chi tsu te to",
    "n": "na ni nu ne no",
    "h": "ha hi fu he ho",
    "m": "ma mi mu me mo",
    "y": "ya - yu - yo",
    "r": "ra ri ru re ro",
    "w": "wa - - - wo",
    "g": "ga gi gu ge go",
    "z": "za ji zu ze zo",
    "d": "da ji zu de do",
    "b": "ba bi bu be bo",
    "p": "pa pi pu pe po",
}.items():
    _KANA_ROMAJI[_row] = _sounds
_GOJUON: Final = (
    "あいうえおかきくけこさしすせそたちつてとなにぬねのはひふへほまみむめもや-ゆ-よらりるれろわ---を"
    "がぎぐげござじずぜぞだぢづでどばびぶべぼぱぴぷぺぽ"
)
_SYLLABLES: Final[dict[str, str]] = {}
for _kana, _sound in zip(_GOJUON, " ".join(_KANA_ROMAJI.values()).split(), strict=True):
    if _kana != "-":
        _SYLLABLES[_kana] = _sound
_SYLLABLES["ん"] = "n"
_SYLLABLES["ー"] = "-"
_SMALL_Y: Final = {"ゃ": "a", "ゅ": "u", "ょ": "o"}
_HIRA_TO_KATA: Final = {code: code + 0x60 for code in range(0x3041, 0x3097)}


def to_katakana(text: str) -> str:
    """Return ``text`` with hiragana turned into (full-width) katakana."""
    return text.translate(_HIRA_TO_KATA)


def _build_halfwidth() -> dict[str, str]:
    table: dict[str, str] = {}
    for code in range(0xFF61, 0xFFA0):
        half = chr(code)
        for suffix in ("", "\uff9e", "\uff9f"):
            full = unicodedata.normalize("NFKC", half + suffix)
            if len(full) == 1 and full not in table:
                table[full] = half + suffix
    table["　"] = " "
    return table


_HALFWIDTH: Final = _build_halfwidth()


def to_halfwidth_kana(text: str) -> str:
    """Return ``text`` with katakana in half-width form (as old POS and bank systems store it)."""
    return "".join(_HALFWIDTH.get(ch, ch) for ch in to_katakana(text))


_FULLWIDTH: Final = {code: code + 0xFEE0 for code in range(0x21, 0x7F)} | {0x20: 0x3000}


def to_fullwidth(text: str) -> str:
    """Return ``text`` with ASCII letters, digits and symbols in full-width form."""
    return text.translate(_FULLWIDTH)


def romaji(reading: str, *, style: RomajiStyle = "hepburn") -> str:
    """Romanize a hiragana reading (lower case).

    ``hepburn`` drops long vowels (Sato, Yuko), ``passport`` writes long o as "oh" (Satoh,
    Ohta), ``wapuro`` keeps the kana spelling (Satou, Yuuko): all three occur in real data.
    """
    out: list[str] = []
    double_next = False
    for ch in reading:
        if ch in _SMALL_Y and out:
            prev = out.pop()
            stem = prev[:-1]
            out.append((stem if stem.endswith(("sh", "ch", "j")) else stem + "y") + _SMALL_Y[ch])
        elif ch == "っ":
            double_next = True
            continue
        else:
            sound = _SYLLABLES.get(ch, ch)
            if double_next and sound and sound[0].isalpha():
                sound = ("t" if sound.startswith("ch") else sound[0]) + sound
            out.append(sound)
        double_next = False
    text = "".join(out)
    if style == "wapuro":
        return text
    if style == "passport":
        return re.sub(r"o[ou](?![aiueo])", "oh", text).replace("uu", "u")
    return re.sub(r"o[ou](?![aiueo])", "o", text).replace("uu", "u")


def kanji_variants(text: str, table: dict[str, tuple[str, ...]]) -> list[str]:
    """Return every spelling of ``text`` with one or more kanji replaced by an old form."""
    forms = [""]
    for ch in text:
        options = (ch, *table.get(ch, ()))
        forms = [form + option for form in forms for option in options]
    return [form for form in forms if form != text]


_DIGITS: Final = "〇一二三四五六七八九"


def kanji_numeral(number: int) -> str:
    """Write 1–99 in kanji numerals as addresses do (一丁目, 十二番)."""
    tens, ones = divmod(number, 10)
    if not tens:
        return _DIGITS[ones]
    head = "" if tens == 1 else _DIGITS[tens]
    return head + "十" + (_DIGITS[ones] if ones else "")


_KEYBOARD_ROWS: Final = ("1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm")


def _neighbours() -> dict[str, str]:
    table: dict[str, str] = {}
    for r, row in enumerate(_KEYBOARD_ROWS):
        for c, ch in enumerate(row):
            near = [row[i] for i in (c - 1, c + 1) if 0 <= i < len(row)]
            for other in (r - 1, r + 1):
                if 0 <= other < len(_KEYBOARD_ROWS):
                    near += [
                        _KEYBOARD_ROWS[other][i]
                        for i in (c - 1, c)
                        if 0 <= i < len(_KEYBOARD_ROWS[other])
                    ]
            table[ch] = "".join(near)
    return table


_NEIGHBOURS: Final = _neighbours()
#: Kana that are confused when typing (IME) or reading handwriting.
_KANA_CONFUSIONS: Final = dict(
    zip("シツソンウーヨコタダハバヒビ", "ツシンソーウコヨダタバハビヒ", strict=True)
) | dict(zip("しつそんうよこ", "つしんそーこよ", strict=True))

TypoKind = Literal["substitution", "transposition", "deletion", "insertion"]


def typo(text: str, rng: np.random.Generator) -> str:
    """Return ``text`` with one keyboard-style mistake.

    A keyboard-neighbour substitution, a transposition of two adjacent characters, a
    deletion, or a doubled character; kana are swapped with look-alikes (シ/ツ, ソ/ン).
    Texts shorter than two characters come back unchanged.
    """
    if len(text) < 2:
        return text
    kind = int(rng.integers(4))
    pos = int(rng.integers(len(text)))
    ch = text[pos]
    if kind == 0:
        lower = ch.lower()
        if lower in _NEIGHBOURS:
            options = _NEIGHBOURS[lower]
            new = options[int(rng.integers(len(options)))]
            new = new.upper() if ch.isupper() else new
        elif ch in _KANA_CONFUSIONS:
            new = _KANA_CONFUSIONS[ch]
        else:
            kind = 1
        if kind == 0:
            return text[:pos] + new + text[pos + 1 :]
    if kind == 1:
        pos = min(pos, len(text) - 2)
        if text[pos] != text[pos + 1]:
            return text[:pos] + text[pos + 1] + text[pos] + text[pos + 2 :]
        kind = 2
    if kind == 2:
        return text[:pos] + text[pos + 1 :]
    return text[:pos] + ch + text[pos:]
