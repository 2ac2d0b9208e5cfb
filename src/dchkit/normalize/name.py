"""Personal names, Japanese and English: cleaning, keys for matching, and splitting.

``clean_name`` is the tidy form to store: NFKC, one ASCII space between words (full-width
U+3000 included), parenthesised asides removed (``山田太郎（ヤマダタロウ）``, ``Robert (Bob)
Smith``), Japanese honorifics (様, さま, さん, 殿, 御中, 先生, 氏 …) and English titles (Mr, Mrs,
Ms, Miss, Mx, Dr, Prof …) and generational or degree suffixes (Jr, Sr, II, III, PhD …)
stripped. The suffix is not lost: :func:`split_name` returns it, so a matcher can keep a
father and son apart.

The keys are what a matcher compares:

- ``key``: kanji variants folded (髙→高), hiragana as katakana, latin accents dropped and
  case-folded, spaces and punctuation removed — ``山田 太郎`` ≡ ``山田太郎``;
- ``sorted_key``: the same per word, words sorted — ``Yamada Taro`` ≡ ``Taro Yamada``;
- ``reading``: the katakana reading key (kana as given, or kanji read by pykakasi);
- ``romaji``: the romaji key with words sorted — 山田太郎 ≡ ヤマダ タロウ ≡ Taro Yamada ≡
  YAMADA Tarou.

A name written only in kanji has no ``reading`` or ``romaji`` without pykakasi (the ``ja``
extra). An unspaced kanji name is split into family and given name by pykakasi's words (the
first word is the family name); an unspaced kana name stays one word.

Examples:
    >>> from dchkit.normalize import clean_name, normalize_name, split_name
    >>> clean_name("山田　太郎 様"), clean_name("Mr. ROBERT  Smith Jr.")
    ('山田 太郎', 'ROBERT Smith')
    >>> r = normalize_name("髙橋　ひろみ さま")
    >>> r.name, r.key, r.reading, r.romaji
    ('髙橋 ひろみ', '高橋ヒロミ', 'タカハシヒロミ', 'hiromi takahasi')
    >>> {normalize_name(n).romaji for n in ("山田太郎", "ヤマダ タロウ", "Taro Yamada", "YAMADA Tarou")}
    {'taro yamada'}
    >>> split_name("Smith, John A. Jr.")
    NameParts(family='Smith', given='John A.', suffix='jr')
    >>> split_name("Ludwig van Beethoven")
    NameParts(family='van Beethoven', given='Ludwig', suffix=None)
    >>> split_name("山田　太郎")
    NameParts(family='山田', given='太郎', suffix=None)
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from dchkit.normalize._args import require_text
from dchkit.normalize._name_fast import clean_japanese_names, spaced_japanese_names
from dchkit.normalize._vector import (
    as_string_array,
    map_distinct,
    map_distinct_fields,
    map_rest_fields,
)
from dchkit.normalize.kana import is_kana, kana_key, to_katakana
from dchkit.normalize.reading import has_kanji, kanji_reading
from dchkit.normalize.romaji import kana_to_romaji, romaji_key
from dchkit.normalize.text import clean_text, strip_latin_accents
from dchkit.normalize.variants import fold_variants

__all__ = [
    "NameColumns",
    "NameParts",
    "NamePartsColumns",
    "NameResult",
    "clean_name",
    "clean_name_column",
    "name_key",
    "normalize_name",
    "normalize_name_column",
    "sorted_name_key",
    "split_name",
    "split_name_column",
]

_ASIDES = re.compile(r"\s*(?:\([^()]*\)|\[[^\[\]]*\]|【[^【】]*】|〔[^〔〕]*〕)\s*")
_JA_HONORIFICS = (
    "様",
    "さま",
    "サマ",
    "さん",
    "サン",
    "殿",
    "どの",
    "御中",
    "先生",
    "氏",
    "くん",
    "ちゃん",
)
_JA_HONORIFIC = re.compile(r"\s*(?:" + "|".join(_JA_HONORIFICS) + r")[^\w\s]*$")
_TITLES = frozenset(
    {"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "professor", "sir", "dame", "madam", "mme",
     "mlle", "rev", "fr", "herr", "frau"}
)  # fmt: skip
_SUFFIXES: dict[str, str] = {
    "jr": "jr", "junior": "jr", "sr": "sr", "senior": "sr", "ii": "ii", "iii": "iii",
    "iv": "iv", "2nd": "ii", "3rd": "iii", "phd": "", "md": "", "esq": "", "dds": "",
    "mba": "", "cpa": "",
}  # fmt: skip
_PARTICLES = frozenset(
    {"van", "von", "der", "den", "de", "del", "della", "da", "di", "du", "le", "la", "dos",
     "das", "ter", "ten", "st"}
)  # fmt: skip
_TOKEN_EDGE = re.compile(r"^[\s,.;]+|[\s,;]+$")
_NOT_NAME_CHAR = re.compile(r"[\W_]+")


def _bare(token: str) -> str:
    return token.strip(".,").casefold()


def _strip_titles(text: str) -> tuple[str, str | None]:
    """Remove English titles (front) and suffixes (end); return the rest and the suffix."""
    tokens = text.replace(",", ", ").split()
    while len(tokens) > 1 and _bare(tokens[0]) in _TITLES:
        tokens.pop(0)
    suffix: str | None = None
    while len(tokens) > 1 and _bare(tokens[-1]) in _SUFFIXES:
        suffix = _SUFFIXES[_bare(tokens.pop())] or suffix
    rest = " ".join(tokens).replace(" ,", ",")
    return _TOKEN_EDGE.sub("", rest), suffix


@functools.lru_cache(maxsize=1 << 16)
def _clean(value: str | None) -> tuple[str | None, str | None]:
    text = clean_text(value)
    if text is None:
        return None, None
    without_asides = text
    while (outer := _ASIDES.sub(" ", without_asides)) != without_asides:  # nested: (a (b))
        without_asides = outer
    text = without_asides.strip() or text
    while (stripped := _JA_HONORIFIC.sub("", text)) and stripped != text:
        text = stripped
    text, suffix = _strip_titles(text)
    text = re.sub(r"\s+", " ", text).strip(" ,")
    return (text or None), suffix


def clean_name(value: str | None) -> str | None:
    """Return the cleaned name (see the module docs); None if blank.

    Raises:
        NormalizationError: ``value`` is not a ``str`` or ``None``.
    """
    return _clean(require_text(value, "clean_name"))[0]


def clean_name_column(values: Any) -> pa.Array:
    """Column form of :func:`clean_name`, computed once per distinct value.

    Japanese names that are already clean (``山田 太郎``) are recognized by Arrow compute
    (``_name_fast``) and kept as they are.

    Examples:
        >>> clean_name_column(["山田 太郎", "山田　太郎 様", None]).to_pylist()
        ['山田 太郎', '山田 太郎', None]
    """
    array = as_string_array(values, what="clean_name_column")
    slow = pa.array(~clean_japanese_names(array, _JA_HONORIFICS))
    done = map_distinct(array.filter(slow), clean_name, pa.string(), what="clean_name_column")
    return pc.replace_with_mask(array, slow, done)


def _word_key(word: str) -> str:
    folded = strip_latin_accents(to_katakana(fold_variants(word))).casefold()
    return unicodedata.normalize("NFKC", _NOT_NAME_CHAR.sub("", folded))


def _words(name: str) -> list[str]:
    return [w for w in re.split(r"[\s,]+", name) if w]


def name_key(value: str | None) -> str | None:
    """Return the order-sensitive, space-insensitive match key of a name; None if blank.

    Raises:
        NormalizationError: ``value`` is not a ``str`` or ``None``.
    """
    name = _clean(require_text(value, "name_key"))[0]
    return (_word_key(name) or None) if name else None


def sorted_name_key(value: str | None) -> str | None:
    """Return the order-insensitive key: each word keyed, words sorted, one space between.

    Raises:
        NormalizationError: ``value`` is not a ``str`` or ``None``.
    """
    name = _clean(require_text(value, "sorted_name_key"))[0]
    if name is None:
        return None
    keys = sorted(k for k in map(_word_key, _words(name)) if k)
    return " ".join(keys) or None


def _reading_words(name: str) -> list[str] | None:
    """The name's words as katakana readings; None when a kanji cannot be read."""
    if not has_kanji(name):
        return _words(name)
    words = _words(name)
    if len(words) == 1:
        read = kanji_reading(name)
        if read is None:
            return None
        readings = [r for _, r in read]
        return [readings[0], "".join(readings[1:])] if len(readings) > 1 else readings
    out: list[str] = []
    for word in words:
        read = kanji_reading(word)
        if read is None:
            return None
        out.append("".join(r for _, r in read))
    return out


def _reading_key(name: str) -> str | None:
    if not (has_kanji(name) or is_kana(name.replace(" ", ""))):
        return None
    words = _reading_words(name)
    return kana_key(" ".join(words)) if words else None


def _romaji_key(name: str) -> str | None:
    words = _reading_words(name)
    if words is None:
        return None
    keys = [romaji_key(kana_to_romaji(w)) for w in words]
    return " ".join(sorted(t for k in keys if k for t in k.split())) or None


@dataclass(frozen=True, slots=True)
class NameResult:
    """A cleaned name and its match keys (see the module docs); every field None if blank."""

    name: str | None
    key: str | None
    sorted_key: str | None
    reading: str | None
    romaji: str | None


@dataclass(frozen=True, slots=True)
class NameColumns:
    """Column form of :class:`NameResult`: one Arrow array per field, one row per input."""

    name: pa.Array
    key: pa.Array
    sorted_key: pa.Array
    reading: pa.Array
    romaji: pa.Array


@functools.lru_cache(maxsize=1 << 16)
def _normalize(value: str | None) -> NameResult:
    name = _clean(value)[0]
    if name is None:
        return NameResult(None, None, None, None, None)
    return NameResult(
        name=name,
        key=name_key(name),
        sorted_key=sorted_name_key(name),
        reading=_reading_key(name),
        romaji=_romaji_key(name),
    )


def normalize_name(value: str | None) -> NameResult:
    """Clean a name and compute all its match keys.

    Raises:
        NormalizationError: ``value`` is not a ``str`` or ``None``.
    """
    return _normalize(require_text(value, "normalize_name"))


def normalize_name_column(values: Any) -> NameColumns:
    """Column form of :func:`normalize_name`, computed once per distinct value."""
    fields = [(name, pa.string()) for name in ("name", "key", "sorted_key", "reading", "romaji")]
    arrays = map_distinct_fields(
        values, normalize_name, fields, what="normalize_name_column", parallel=True
    )
    return NameColumns(**arrays)


@dataclass(frozen=True, slots=True)
class NameParts:
    """A full name split into family and given name, plus a generational suffix.

    Attributes:
        family: Family (last) name, cleaned; None when it cannot be told apart.
        given: Given (first and middle) names, cleaned; None when unknown.
        suffix: ``jr``, ``sr``, ``ii``, ``iii`` or ``iv`` when the name carried one.
    """

    family: str | None
    given: str | None
    suffix: str | None


@dataclass(frozen=True, slots=True)
class NamePartsColumns:
    """Column form of :class:`NameParts`."""

    family: pa.Array
    given: pa.Array
    suffix: pa.Array


def _is_japanese(text: str) -> bool:
    return has_kanji(text) or any("\u3040" <= c <= "\u30ff" for c in text)


@functools.lru_cache(maxsize=1 << 16)
def _split(value: str | None) -> NameParts:
    name, suffix = _clean(value)
    if name is None:
        return NameParts(None, None, suffix)
    if _is_japanese(name):
        family, _, given = name.partition(" ")
        if given:
            return NameParts(family, given, suffix)
        read = kanji_reading(name) if has_kanji(name) else None
        if read and len(read) > 1:
            return NameParts(read[0][0], "".join(w for w, _ in read[1:]), suffix)
        return NameParts(name, None, suffix)
    if "," in name:
        family, _, given = (part.strip() for part in name.partition(","))
        return NameParts(family or None, given or None, suffix)
    words = name.split()
    if len(words) == 1:
        return NameParts(None, name, suffix)
    upper = [w for w in words if w.isupper() and len(w) > 1]
    if len(upper) == 1 and len(words) == 2:  # "YAMADA Taro": upper-case marks the family name
        family = upper[0]
        return NameParts(family, next(w for w in words if w is not family), suffix)
    start = len(words) - 1
    while start > 1 and words[start - 1].casefold() in _PARTICLES:
        start -= 1
    return NameParts(" ".join(words[start:]), " ".join(words[:start]), suffix)


def split_name(value: str | None) -> NameParts:
    """Split a full name into family and given name.

    Japanese: at the first space (family name first); unspaced kanji by pykakasi's words;
    otherwise the whole name as the family name. Latin: ``Last, First`` at the comma, an
    all-capitals word as the family name (``YAMADA Taro``), else ``First [Middle] Last``
    with particles (van, de, von …) kept with the family name.

    Raises:
        NormalizationError: ``value`` is not a ``str`` or ``None``.
    """
    return _split(require_text(value, "split_name"))


def split_name_column(values: Any) -> NamePartsColumns:
    """Column form of :func:`split_name`, computed once per distinct value.

    Japanese names written as two words (``山田 太郎``) are split by Arrow compute over the
    whole column (``_name_fast``); the others once per distinct value.

    Examples:
        >>> parts = split_name_column(["山田　太郎", "佐藤健", "Taro YAMADA", None])
        >>> parts.family.to_pylist(), parts.given.to_pylist()
        (['山田', '佐藤', 'YAMADA', None], ['太郎', '健', 'Taro', None])
    """
    array = as_string_array(values, what="split_name_column")
    fast = spaced_japanese_names(array, _JA_HONORIFICS)
    known = {
        "family": fast.family,
        "given": fast.given,
        "suffix": pa.nulls(len(fast.rows), pa.string()),
    }
    fields = [(name, pa.string()) for name in ("family", "given", "suffix")]
    arrays = map_rest_fields(array, fast.rows, known, split_name, fields, what="split_name_column")
    return NamePartsColumns(**arrays)
