"""Render true people into one source's messy field values, row by row of a table.

Each function takes the people, the person index of every row (``pidx``) and a
:class:`~dchkit.datasets.corrupt.Corruptor`, and returns Arrow string arrays in the styles
real systems hold: names in kanji, kana or romaji, phones and postcodes in every format.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from dchkit.datasets._data import en, ja
from dchkit.datasets.columns import digits, join, pick, strings
from dchkit.datasets.config import CorruptionRates
from dchkit.datasets.corrupt import Corruptor
from dchkit.datasets.people import Address, People, Phone, given_form
from dchkit.datasets.pools import EnForm, JaForm, name_pools
from dchkit.datasets.text import kanji_numeral

__all__ = [
    "address_parts",
    "email",
    "full_name",
    "kana",
    "names",
    "phone",
    "postcode",
]

_JA_SCRIPTS = (
    JaForm.KATAKANA,
    JaForm.HIRAGANA,
    JaForm.ROMAJI,
    JaForm.ROMAJI_PASSPORT,
    JaForm.ROMAJI_WAPURO,
)
_JA_SCRIPT_P = np.array([0.45, 0.2, 0.2, 0.08, 0.07])
_SCRIPT_NAMES = {JaForm.KATAKANA: "katakana", JaForm.HIRAGANA: "hiragana"}


def names(
    people: People,
    pidx: np.ndarray,
    corr: Corruptor,
    rates: CorruptionRates,
    fields: tuple[str, str],
    *,
    script_rate: float | None = None,
) -> tuple[pa.Array, pa.Array]:
    """Family and given name per row, in the scripts and spellings people type.

    ja: kanji (with old variants where the name has one), else katakana, hiragana or
    romaji (Sato / Satoh / Satou). en: nicknames, initials, surname spellings. A share of
    rows swaps the two fields. ``fields`` names the (family, given) columns for the counts.
    """
    n = len(pidx)
    pools = name_pools(people.locale)
    fam, giv = people.family[pidx], people.given[pidx]
    female = people.female[pidx]
    script_rate = rates.name_script if script_rate is None else script_rate
    if people.locale == "ja":
        other = corr.mask(n, script_rate)
        script = np.where(
            other, np.array(_JA_SCRIPTS)[corr.rng.choice(5, n, p=_JA_SCRIPT_P)], JaForm.KANJI
        )
        for form in np.unique(script[other]):
            label = _SCRIPT_NAMES.get(int(form), "romaji")
            corr.count(fields[0], f"script_{label}", (script == form).sum())
        fam_form = script.copy()
        upper = other & (script == JaForm.ROMAJI) & corr.mask(n, 0.4)
        fam_form[upper] = JaForm.ROMAJI_UPPER
        corr.count(fields[0], "romaji_upper", upper.sum())
        fam_variant = (
            (script == JaForm.KANJI)
            & pools.family.has_variant[fam]
            & corr.mask(n, rates.kanji_variant)
        )
        fam_form[fam_variant] = JaForm.VARIANT
        corr.count(fields[0], "kanji_variant", fam_variant.sum())
        giv_form = script.copy()
        has_variant = np.where(female, pools.given[0].has_variant[np.where(female, giv, 0)], False)
        has_variant |= ~female & pools.given[1].has_variant[np.where(female, 0, giv)]
        giv_variant = (script == JaForm.KANJI) & has_variant & corr.mask(n, rates.kanji_variant)
        giv_form[giv_variant] = JaForm.VARIANT
        corr.count(fields[1], "kanji_variant", giv_variant.sum())
    else:
        fam_form = np.full(n, EnForm.CANONICAL)
        spelled = pools.family.has_variant[fam] & corr.mask(n, 0.3)
        fam_form[spelled] = EnForm.VARIANT
        corr.count(fields[0], "spelling_variant", spelled.sum())
        giv_form = np.full(n, EnForm.CANONICAL)
        has_nick = np.where(female, pools.given[0].has_variant[np.where(female, giv, 0)], False)
        has_nick |= ~female & pools.given[1].has_variant[np.where(female, 0, giv)]
        nick = has_nick & corr.mask(n, rates.nickname)
        giv_form[nick] = np.where(corr.mask(n, 0.6), EnForm.NICK1, EnForm.NICK2)[nick]
        corr.count(fields[1], "nickname", nick.sum())
        initial = ~nick & corr.mask(n, 0.02)
        giv_form[initial] = EnForm.VARIANT
        corr.count(fields[1], "initial", initial.sum())
    family = pools.family.take(fam, fam_form)
    given = given_form(pools, female, giv, giv_form)
    swap = pa.array(corr.mask(n, rates.name_order_swap))
    corr.count(fields[0], "name_order_swap", pc.sum(swap).as_py() or 0)
    return pc.if_else(swap, given, family), pc.if_else(swap, family, given)


def kana(
    people: People, pidx: np.ndarray, corr: Corruptor, rates: CorruptionRates, field: str
) -> tuple[pa.Array, pa.Array]:
    """Furigana (family, given): katakana, sometimes hiragana or half-width."""
    pools = name_pools("ja")
    n = len(pidx)
    form = np.where(corr.mask(n, 0.12), JaForm.HIRAGANA, JaForm.KATAKANA)
    half = corr.mask(n, rates.width * 2)
    form[half] = JaForm.HALFWIDTH
    corr.count(field, "script_hiragana", (form == JaForm.HIRAGANA).sum())
    corr.count(field, "halfwidth_kana", half.sum())
    family = pools.family.take(people.family[pidx], form)
    given = given_form(pools, people.female[pidx], people.given[pidx], form)
    return family, given


def full_name(
    family: pa.Array,
    given: pa.Array,
    corr: Corruptor,
    rates: CorruptionRates,
    field: str,
    locale: str,
) -> pa.Array:
    """One full-name field, in the order and spacing people write it.

    ja: family-first with a full-width, half-width or no space; romaji either order.
    en: given-first. Honorifics (様, Mr.) are kept now and then.
    """
    n = len(family)
    ascii_ = pc.equal(pc.string_is_ascii(family), True).to_numpy(zero_copy_only=False)
    if locale == "ja":
        sep_code = corr.rng.choice(3, n, p=[0.45, 0.3, 0.25])
        corr.count(field, "no_space", ((sep_code == 2) & ~ascii_).sum())
        corr.count(field, "ideographic_space", ((sep_code == 1) & ~ascii_).sum())
        family_first = pick(
            sep_code,
            [join(family, given, sep=" "), join(family, given, sep="　"), join(family, given)],
        )
        romaji_order = pick(
            corr.rng.integers(0, 2, n), [join(given, family, sep=" "), join(family, given, sep=" ")]
        )
        name = pc.if_else(pa.array(ascii_), romaji_order, family_first)
        honorific = corr.mask(n, rates.honorific)
        name = corr.apply(
            name,
            honorific & ~ascii_,
            lambda v: v + ("様" if len(v) % 3 else " 様"),
            field,
            "honorific",
        )
        return corr.apply(name, honorific & ascii_, lambda v: v + " sama", field, "honorific")
    name = join(given, family, sep=" ")
    honorific = corr.mask(n, rates.honorific)
    titles = ("Mr. ", "Mrs. ", "Ms. ", "Dr. ")
    rng = corr.rng
    return corr.apply(
        name, honorific, lambda v: titles[int(rng.integers(4))] + v, field, "honorific"
    )


_JA_PHONE_P = (0.45, 0.25, 0.08, 0.07, 0.03, 0.05, 0.07)
_EN_PHONE_P = (0.35, 0.1, 0.1, 0.08, 0.2, 0.1, 0.07)


def phone(
    number: Phone,
    corr: Corruptor,
    rates: CorruptionRates,
    field: str,
    locale: str,
    p: Sequence[float] | None = None,
) -> pa.Array:
    """Format phones in every local and international style, then corrupt them."""
    a, b, c = number.a, number.b, number.c
    n = len(a)
    if locale == "ja":
        trunk = pc.utf8_slice_codeunits(a, 1, 10)
        options = [
            join(a, b, c, sep="-"),
            join(a, b, c),
            join("+81 ", join(trunk, b, c, sep="-")),
            join("(", a, ")", b, "-", c),
            join(a, "(", b, ")", c),
            join("+81", trunk, b, c),
            join(a, b, c, sep=" "),
        ]
        names_ = ("hyphen", "digits", "intl_spaced", "paren_area", "paren_middle", "e164", "spaced")
        probs = np.array(p or _JA_PHONE_P)
    else:
        options = [
            join("(", a, ") ", b, "-", c),
            join(a, b, c, sep="."),
            join("+1 ", join(a, b, c, sep=" ")),
            join("1-", join(a, b, c, sep="-")),
            join(a, b, c, sep="-"),
            join(a, b, c),
            join("+1", a, b, c),
        ]
        names_ = ("paren_area", "dots", "intl_spaced", "trunk_1", "hyphen", "digits", "e164")
        probs = np.array(p or _EN_PHONE_P)
    code = corr.rng.choice(len(options), n, p=probs / probs.sum())
    valid = number.c.is_valid().to_numpy(zero_copy_only=False)
    for i, label in enumerate(names_):
        corr.count(field, f"format_{label}", ((code == i) & valid).sum())
    value = pick(code, options)
    if locale == "ja":
        value = corr.fullwidth(value, rates.width, field)
    return corr.typos(value, rates.typo / 2, field)


def postcode(
    address: Address, corr: Corruptor, rates: CorruptionRates, field: str, locale: str
) -> pa.Array:
    """Postcodes: 〒100-0001, 1000001, full-width (ja); ZIP, ZIP+4, lost leading zero (en)."""
    n = len(address.place)
    if locale == "ja":
        head = strings(np.array([p[3] for p in ja.PLACES])[address.place])
        tail = digits((address.place * 7919 + address.street * 1543 + address.n1 * 31) % 10_000, 4)
        options = [
            join(head, tail, sep="-"),
            join(head, tail),
            join("〒", head, "-", tail),
            join("〒", head, tail),
        ]
        code = corr.rng.choice(4, n, p=[0.55, 0.25, 0.15, 0.05])
        for i, label in enumerate(("hyphen", "digits", "mark_hyphen", "mark_digits")):
            corr.count(field, f"format_{label}", (code == i).sum())
        return corr.fullwidth(pick(code, options), rates.width, field)
    head = strings(np.array([p[3] for p in en.PLACES])[address.place])
    zip5 = join(head, digits((address.place * 37 + address.street * 11) % 100, 2))
    zip4 = join(zip5, "-", digits(address.n3, 4))
    code = corr.rng.choice(3, n, p=[0.7, 0.25, 0.05])
    corr.count(field, "format_zip4", (code == 1).sum())
    lost = pc.utf8_ltrim(zip5, characters="0")
    corr.count(
        field,
        "leading_zero_lost",
        (
            (code == 2) & np.char.startswith(head.to_numpy(zero_copy_only=False).astype(str), "0")
        ).sum(),
    )
    return pick(code, [zip5, zip4, lost])


def address_parts(
    address: Address, corr: Corruptor, rates: CorruptionRates, field: str, locale: str
) -> tuple[pa.Array, pa.Array, pa.Array, pa.Array]:
    """(region, city, street line 1, street line 2) in the writing styles people use.

    ja: 1丁目2番3号 / 1-2-3 / 一丁目2番地3 / full-width digits, building and room; en:
    ``123 Main Street`` / ``123 Main St.``, ``Apt 4B`` / ``#4B`` / ``Unit 4B``.
    """
    n = len(address.place)
    rng = corr.rng
    if locale == "ja":
        region = strings(np.array([p[0] for p in ja.PLACES])[address.place])
        city = strings(np.array([p[2] for p in ja.PLACES])[address.place])
        towns = np.array([town for p in ja.PLACES for town in p[5]])
        town = strings(towns[address.place * 4 + address.street])
        n1, n2, n3 = digits(address.n1), digits(address.n2), digits(address.n3)
        kanji1 = strings(np.array([kanji_numeral(i) for i in range(10)])[address.n1])
        options = [
            join(town, n1, "丁目", n2, "番", n3, "号"),
            join(town, n1, "-", n2, "-", n3),
            join(town, kanji1, "丁目", n2, "番地", n3),
            join(town, n1, "丁目", n2, "-", n3),
        ]
        code = rng.choice(4, n, p=[0.3, 0.45, 0.1, 0.15])
        for i, label in enumerate(("chome_ban_go", "hyphens", "kanji_numeral", "chome_hyphen")):
            corr.count(field, f"style_{label}", (code == i).sum())
        street = corr.fullwidth(pick(code, options), rates.width, field)
        building = strings(np.array(ja.BUILDINGS)[address.building])
        room = digits(np.maximum(address.unit, 0))
        line2 = pick(
            rng.integers(0, 3, n),
            [
                join(building, room, sep=" "),
                join(building, room, "号室"),
                join(building, "#", room),
            ],
        )
        line2 = pc.if_else(pa.array(address.unit < 0), pa.scalar(None, pa.string()), line2)
        return region, city, corr.typos(street, rates.typo / 2, field), line2
    state_code = strings(np.array([p[1] for p in en.PLACES])[address.place])
    state_name = strings(np.array([p[0] for p in en.PLACES])[address.place])
    region = pc.if_else(pa.array(corr.mask(n, 0.1)), state_name, state_code)
    city = strings(np.array([p[2] for p in en.PLACES])[address.place])
    name = strings(np.array(en.STREET_NAMES)[address.street])
    full, abbr = (np.array([s[i] for s in en.STREET_SUFFIXES]) for i in (0, 1))
    suffix = pick(
        rng.choice(3, n, p=[0.35, 0.5, 0.15]),
        [
            pa.array(full[address.n2]),
            pa.array(abbr[address.n2]),
            join(pa.array(abbr[address.n2]), "."),
        ],
    )
    street = join(digits(address.n1), name, suffix, sep=" ")
    letter = strings(np.array(list("ABCD"))[address.n3 % 4])
    unit = join(digits(np.maximum(address.unit, 0)), letter)
    line2 = pick(
        rng.integers(0, 4, n),
        [join("Apt ", unit), join("#", unit), join("Unit ", unit), join("Apt. ", unit)],
    )
    line2 = pc.if_else(pa.array(address.unit < 0), pa.scalar(None, pa.string()), line2)
    return region, city, corr.typos(street, rates.typo / 2, field), line2


_PLUS_TAGS = ("shop", "news", "promo", "2023", "sale", "jp", "orders")


def _gmail_variant(value: str, rng: np.random.Generator) -> str:
    local, _, domain = value.partition("@")
    kind = int(rng.integers(3))
    if kind == 0:
        plain = local.replace(".", "")
        cut = sorted({int(x) for x in rng.integers(1, max(2, len(plain)), 2)})
        dotted = ".".join(
            plain[i:j] for i, j in zip([0, *cut], [*cut, len(plain)], strict=True) if plain[i:j]
        )
        return f"{dotted}@{domain}"
    if kind == 1:
        return f"{local}+{_PLUS_TAGS[int(rng.integers(len(_PLUS_TAGS)))]}@{domain}"
    return f"{local}@googlemail.com"


def email(
    people: People,
    pidx: np.ndarray,
    corr: Corruptor,
    rates: CorruptionRates,
    field: str,
    *,
    work: float = 0.0,
    family: float = 0.5,
    hub: str | None = None,
) -> pa.Array:
    """E-mail per row, as a source holds it.

    Personal, changed (another address), work or family address; gmail dots and +tags,
    case noise, typos, missing values and shared hub addresses.
    """
    n = len(pidx)
    idx = pa.array(pidx)
    value = people.email.take(idx)
    value = corr.replace(
        value, corr.mask(n, rates.email_change), people.alt_email.take(idx), field, "email_change"
    )
    if work:
        work_email = people.work_email.take(idx)
        use = corr.mask(n, work) & work_email.is_valid().to_numpy(zero_copy_only=False)
        value = corr.replace(value, use, work_email, field, "work_email")
    family_email = people.family_email.take(idx)
    use = corr.mask(n, family) & family_email.is_valid().to_numpy(zero_copy_only=False)
    value = corr.replace(value, use, family_email, field, "family_email")
    gmail = pc.ends_with(value, "@gmail.com").to_numpy(zero_copy_only=False)
    rng = corr.rng
    value = corr.apply(
        value,
        gmail & corr.mask(n, rates.gmail_variant),
        lambda v: _gmail_variant(v, rng),
        field,
        "gmail_variant",
    )
    value = corr.case(value, rates.case, field)
    value = corr.typos(value, rates.typo / 2, field)
    if hub is not None:
        value = corr.replace(
            value, corr.mask(n, rates.hub_value), strings(np.full(n, hub)), field, "hub_value"
        )
    return corr.missing(value, rates.missing, field)
