"""The clean true people: names, birth dates, contacts, addresses and households.

Everything is drawn column-wise with numpy; strings are built by Arrow compute from the
small pools. Households (2–5 people) share family name, address, landline and sometimes
one family e-mail, yet stay distinct people.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from dchkit.datasets._data import en, ja
from dchkit.datasets.columns import digits, join, null_where, pick, strings
from dchkit.datasets.config import WorldConfig
from dchkit.datasets.pools import EnForm, JaForm, NamePools, name_pools

__all__ = ["Address", "People", "Phone", "generate_people"]

_DAY = 86_400
_HOUSEHOLD_SIZES = np.array([2, 3, 4, 5])
_HOUSEHOLD_SIZE_P = np.array([0.45, 0.3, 0.17, 0.08])


@dataclass(frozen=True)
class Address:
    """An address as pool indices and numbers; rendered per record in many styles.

    ja: ``street`` is the town (町名), ``n1-n2-n3`` are 丁目-番-号. en: ``street`` is the
    street name, ``n1`` the house number, ``n2`` the street suffix. ``unit`` is the room
    or apartment number (-1: none), ``building`` the building name index (ja).
    """

    place: np.ndarray
    street: np.ndarray
    n1: np.ndarray
    n2: np.ndarray
    n3: np.ndarray
    unit: np.ndarray
    building: np.ndarray

    def take(self, index: np.ndarray) -> Address:
        """Rows ``index`` of every column."""
        return Address(*(getattr(self, f)[index] for f in self.__dataclass_fields__))

    def where(self, mask: np.ndarray, other: Address) -> Address:
        """Rows of ``other`` where ``mask`` holds, of ``self`` elsewhere."""
        return Address(
            *(
                np.where(mask, getattr(other, f), getattr(self, f))
                for f in self.__dataclass_fields__
            )
        )


@dataclass(frozen=True)
class Phone:
    """A phone number in three digit groups (``03``/``1234``/``5678``; ``415``/``555``/``0134``)."""

    a: pa.Array
    b: pa.Array
    c: pa.Array

    def take(self, index: np.ndarray) -> Phone:
        """Rows ``index`` of the three groups."""
        idx = pa.array(index)
        return Phone(self.a.take(idx), self.b.take(idx), self.c.take(idx))


@dataclass(frozen=True)
class People:
    """The true people, one row each (index = position)."""

    locale: str
    person_id: pa.Array
    female: np.ndarray
    family: np.ndarray
    given: np.ndarray
    birth_days: np.ndarray
    household: np.ndarray
    address: Address
    old_address: Address
    mobile: Phone
    landline: Phone
    email: pa.Array
    alt_email: pa.Array
    work_email: pa.Array
    family_email: pa.Array
    company: np.ndarray

    @property
    def n(self) -> int:
        """Number of people."""
        return len(self.female)


def _given_index(pools: NamePools, female: np.ndarray, given: np.ndarray) -> np.ndarray:
    """Map per-sex given-name indices onto one combined index (female pool first)."""
    return np.where(female, given, given + pools.given[0].size)


def given_form(
    pools: NamePools, female: np.ndarray, given: np.ndarray, form: np.ndarray | int
) -> pa.Array:
    """Form ``form`` of each person's given name, from the pool of their sex."""
    fem = pools.given[0].take(np.where(female, given, 0), form)
    male = pools.given[1].take(np.where(female, 0, given), form)
    return pc.if_else(pa.array(female), fem, male)


def _addresses(rng: np.random.Generator, n: int, locale: str) -> Address:
    if locale == "ja":
        weights = np.array([p[6] for p in ja.PLACES])
        place = rng.choice(len(weights), n, p=weights / weights.sum())
        return Address(
            place=place,
            street=rng.integers(0, 4, n),
            n1=rng.integers(1, 10, n),
            n2=rng.integers(1, 31, n),
            n3=rng.integers(1, 21, n),
            unit=np.where(
                rng.random(n) < 0.45, rng.integers(1, 13, n) * 100 + rng.integers(1, 10, n), -1
            ),
            building=rng.integers(0, len(ja.BUILDINGS), n),
        )
    weights = np.array([p[5] for p in en.PLACES])
    place = rng.choice(len(weights), n, p=weights / weights.sum())
    return Address(
        place=place,
        street=rng.integers(0, len(en.STREET_NAMES), n),
        n1=np.where(rng.random(n) < 0.7, rng.integers(1, 2000, n), rng.integers(2000, 9999, n)),
        n2=rng.integers(0, len(en.STREET_SUFFIXES), n),
        n3=rng.integers(0, 10_000, n),
        unit=np.where(rng.random(n) < 0.3, rng.integers(1, 40, n), -1),
        building=np.zeros(n, np.int64),
    )


def _phones(rng: np.random.Generator, address: Address, locale: str) -> tuple[Phone, Phone]:
    n = len(address.place)
    if locale == "ja":
        mobile_a = strings(np.array(["090", "080", "070"])[rng.choice(3, n, p=[0.6, 0.3, 0.1])])
        mobile = Phone(
            mobile_a, digits(rng.integers(0, 10_000, n), 4), digits(rng.integers(0, 10_000, n), 4)
        )
        codes = np.array([p[4] for p in ja.PLACES])[address.place]
        width = 6 - np.char.str_len(codes)
        middle = rng.integers(2 * 10 ** (width - 1), 10**width)
        land = Phone(strings(codes), digits(middle), digits(rng.integers(0, 10_000, n), 4))
        return mobile, land
    area_sets = [p[4] for p in en.PLACES]
    land_area = np.array([area_sets[p][0] for p in address.place])
    choice = rng.integers(0, 3, n)
    mobile_area = np.array(
        [s[c % len(s)] for s, c in zip((area_sets[p] for p in address.place), choice, strict=True)]
    )

    def number(area: np.ndarray) -> Phone:
        return Phone(
            strings(area), digits(rng.integers(200, 1000, n)), digits(rng.integers(0, 10_000, n), 4)
        )

    return number(mobile_area), number(land_area)


def _email_locals(
    rng: np.random.Generator, given: pa.Array, family: pa.Array, birth_days: np.ndarray
) -> tuple[pa.Array, np.ndarray]:
    n = len(given)
    year = digits((1970 + birth_days // 365) % 100, 2)
    initial = pc.utf8_slice_codeunits(given, 0, 1)
    num = digits(rng.integers(1, 1000, n))
    options = [
        join(given, family, sep="."),
        join(family, given, sep="."),
        join(initial, family),
        join(given, family, year),
        join(given, family, sep="_"),
        join(family, initial, num),
        join(given, ".", family, year),
        join(given, num),
    ]
    pattern = rng.choice(len(options), n, p=[0.22, 0.1, 0.12, 0.14, 0.08, 0.1, 0.12, 0.12])
    return pick(pattern, options), pattern


def _unique(emails: pa.Array, rng: np.random.Generator) -> pa.Array:
    """Make addresses unique (providers refuse a taken name) by adding digits to repeats.

    Nulls stay null. One address belongs to one person, so callers pass every address
    kind (primary, alternative, work, family) together.
    """
    valid = pc.is_valid(emails).to_numpy(zero_copy_only=False)
    present = emails.filter(pa.array(valid))
    codes = pc.dictionary_encode(present).indices.to_numpy()
    order = np.argsort(codes, kind="stable")
    first = np.ones(len(codes), bool)
    first[order[1:]] = codes[order[1:]] != codes[order[:-1]]
    if first.all():
        return emails
    taken = set(present.to_pylist())
    fixed = []
    for address in present.filter(pa.array(~first)).to_pylist():
        local, _, domain = address.partition("@")
        candidate = address
        while candidate in taken:
            candidate = f"{local}{int(rng.integers(10, 10_000))}@{domain}"
        taken.add(candidate)
        fixed.append(candidate)
    repeat = np.zeros(len(emails), bool)
    repeat[np.flatnonzero(valid)[~first]] = True
    return pc.replace_with_mask(emails, pa.array(repeat), pa.array(fixed, pa.string()))


def _households(rng: np.random.Generator, n: int, share: float) -> np.ndarray:
    """Household id per person (-1: lives alone), members in random positions."""
    household = np.full(n, -1, np.int64)
    target = int(n * share)
    sizes = rng.choice(_HOUSEHOLD_SIZES, size=max(1, target // 2), p=_HOUSEHOLD_SIZE_P)
    sizes = sizes[np.cumsum(sizes) <= target]
    members = rng.permutation(n)[: sizes.sum()]
    household[members] = np.repeat(np.arange(len(sizes)), sizes)
    return household


def generate_people(config: WorldConfig, n: int, rng: np.random.Generator) -> People:
    """Draw ``n`` true people for ``config.locale``."""
    locale = config.locale
    pools = name_pools(locale)
    female = rng.random(n) < 0.52
    given = np.where(female, pools.given[0].draw(rng, n), pools.given[1].draw(rng, n))
    family = pools.family.draw(rng, n)
    age_days = np.clip(rng.normal(44, 15, n), 18, 92) * 365.25
    born_before = (config.period_end - date(1970, 1, 1)).days
    birth_days = (born_before - age_days - rng.integers(0, 365, n)).astype(np.int64)
    address, old_address = _addresses(rng, n, locale), _addresses(rng, n, locale)
    mobile, landline = _phones(rng, address, locale)

    household = _households(rng, n, config.household_share)
    in_house = household >= 0
    # The first member of each household is its head; the others take its family name,
    # addresses and landline.
    heads = np.full(household.max() + 1 if in_house.any() else 0, -1, np.int64)
    members = np.flatnonzero(in_house)
    heads[household[members[::-1]]] = members[::-1]
    head_of = np.arange(n)
    head_of[members] = heads[household[members]]
    family = family[head_of]
    address, old_address = address.take(head_of), old_address.take(head_of)
    landline = landline.take(head_of)
    has_landline = in_house | (rng.random(n) < (0.45 if locale == "ja" else 0.25))
    landline = Phone(landline.a, landline.b, null_where(landline.c, ~has_landline))

    email_form = JaForm.ROMAJI_LOWER if locale == "ja" else EnForm.EMAIL
    g_text = given_form(pools, female, given, email_form)
    f_text = pools.family.take(family, email_form)
    domains, weights = zip(*(ja.EMAIL_DOMAINS if locale == "ja" else en.EMAIL_DOMAINS), strict=True)
    domain_pool = pa.array(domains)
    p = np.array(weights) / sum(weights)
    local, _ = _email_locals(rng, g_text, f_text, birth_days)
    email = join(local, domain_pool.take(pa.array(rng.choice(len(p), n, p=p))), sep="@")
    alt_local, _ = _email_locals(rng, g_text, f_text, birth_days)
    alt_domain = domain_pool.take(pa.array(rng.choice(len(p), n, p=p)))
    alt_email = join(alt_local, alt_domain, sep="@")
    alt_email = pc.if_else(pc.equal(alt_email, email), join(alt_local, "1@", alt_domain), alt_email)

    company_domains = ja.COMPANY_DOMAINS if locale == "ja" else en.COMPANY_DOMAINS
    company = np.where(rng.random(n) < 0.4, rng.integers(0, len(company_domains), n), -1)
    work = join(g_text, f_text, sep=".")
    work_email = null_where(
        join(work, pa.array(company_domains).take(pa.array(np.maximum(company, 0))), sep="@"),
        company < 0,
    )
    family_mail = pc.if_else(
        pa.array(rng.random(n) < 0.5),
        join(f_text, "-ke" if locale == "ja" else "family"),
        join(f_text, ".family") if locale == "ja" else join("the", f_text, "s"),
    )
    has_family_mail = in_house & (rng.random(n) < 0.35)
    # One household's address, on its head's row; members take it below.
    house_mail = null_where(
        join(family_mail, domain_pool.take(pa.array(rng.choice(len(p), n, p=p))), sep="@"),
        ~(has_family_mail & (head_of == np.arange(n))),
    )
    # An address belongs to one person (or one household): unique across every kind, so
    # two people who share a name do not share an inbox.
    addresses = _unique(pa.concat_arrays([email, alt_email, work_email, house_mail]), rng)
    email, alt_email, work_email, house_mail = (addresses.slice(k * n, n) for k in range(4))
    family_email = null_where(
        house_mail.take(pa.array(head_of)), ~has_family_mail[head_of] | ~in_house
    )

    person_id = join("P", digits(np.arange(1, n + 1), 7))
    return People(
        locale=locale,
        person_id=person_id,
        female=female,
        family=family,
        given=given,
        birth_days=birth_days,
        household=household,
        address=address,
        old_address=old_address,
        mobile=mobile,
        landline=landline,
        email=email,
        alt_email=alt_email,
        work_email=work_email,
        family_email=family_email,
        company=company,
    )
