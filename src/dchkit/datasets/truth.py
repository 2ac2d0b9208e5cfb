"""Ground truth: the clean people table and the record → person / event → person maps."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from dchkit.datasets._data import en, ja
from dchkit.datasets.columns import digits, join, null_where, strings
from dchkit.datasets.people import People, given_form
from dchkit.datasets.pools import EnForm, JaForm, name_pools

__all__ = [
    "EVENT_TRUTH_SCHEMA",
    "TRUTH_SCHEMA",
    "event_truth",
    "people_table",
    "record_truth",
    "records_per_person",
    "resolvable_truth",
]

TRUTH_SCHEMA = pa.schema(
    [
        ("source", pa.string()),
        ("table", pa.string()),
        ("source_record_id", pa.string()),
        ("record_id", pa.string()),
        ("person_id", pa.string()),
        ("identified", pa.bool_()),
    ]
)
EVENT_TRUTH_SCHEMA = pa.schema(
    [
        ("table", pa.string()),
        ("event_key", pa.string()),
        ("person_id", pa.string()),
        ("record_id", pa.string()),
    ]
)


def record_truth(
    source: str,
    table: str,
    ids: pa.Array,
    people: People,
    pidx: np.ndarray,
    identified: np.ndarray | None = None,
) -> pa.Table:
    """Truth rows of one source table (``ids``: its source record ids, row order).

    ``identified`` is False for a record that never says who it is (a web visitor who
    neither logged in nor sent traits): it belongs to a person, but no matcher can know
    which one, so evaluations treat it as a customer of its own (see
    :func:`dchkit.datasets.resolvable_truth`).
    """
    ids = ids.cast(pa.string())
    n = len(ids)
    known = np.ones(n, dtype=bool) if identified is None else np.asarray(identified, dtype=bool)
    return pa.table(
        [
            strings(np.full(n, source)),
            strings(np.full(n, table)),
            ids,
            join(f"{source}:", ids),
            people.person_id.take(pa.array(pidx)),
            pa.array(known),
        ],
        schema=TRUTH_SCHEMA,
    )


def event_truth(
    table: str, keys: pa.Array, people: People, pidx: np.ndarray, record_ids: pa.Array
) -> pa.Table:
    """Truth rows of one event table."""
    n = len(keys)
    return pa.table(
        [
            strings(np.full(n, table)),
            keys.cast(pa.string()),
            people.person_id.take(pa.array(pidx)),
            record_ids,
        ],
        schema=EVENT_TRUTH_SCHEMA,
    )


def people_table(people: People) -> pa.Table:
    """The clean true people, one row each, with canonical spellings and formats."""
    locale = people.locale
    pools = name_pools(locale)
    address = people.address
    if locale == "ja":
        kanji, romaji_form = JaForm.KANJI, JaForm.ROMAJI
        places = ja.PLACES
        towns = np.array([town for p in places for town in p[5]])
        street = join(
            strings(towns[address.place * 4 + address.street]),
            digits(address.n1),
            "-",
            digits(address.n2),
            "-",
            digits(address.n3),
        )
        postcode = join(
            strings(np.array([p[3] for p in places])[address.place]),
            "-",
            digits((address.place * 7919 + address.street * 1543 + address.n1 * 31) % 10_000, 4),
        )
        region = strings(np.array([p[0] for p in places])[address.place])
        city = strings(np.array([p[2] for p in places])[address.place])
    else:
        kanji, romaji_form = EnForm.CANONICAL, EnForm.CANONICAL
        eplaces = en.PLACES
        suffix = np.array([s[0] for s in en.STREET_SUFFIXES])[address.n2]
        street = join(
            digits(address.n1),
            strings(np.array(en.STREET_NAMES)[address.street]),
            pa.array(suffix),
            sep=" ",
        )
        postcode = join(
            strings(np.array([p[3] for p in eplaces])[address.place]),
            digits((address.place * 37 + address.street * 11) % 100, 2),
        )
        region = strings(np.array([p[1] for p in eplaces])[address.place])
        city = strings(np.array([p[2] for p in eplaces])[address.place])
    columns: dict[str, pa.Array] = {
        "person_id": people.person_id,
        "family_name": pools.family.take(people.family, kanji),
        "given_name": given_form(pools, people.female, people.given, kanji),
    }
    if locale == "ja":
        columns["family_name_kana"] = pools.family.take(people.family, JaForm.KATAKANA)
        columns["given_name_kana"] = given_form(pools, people.female, people.given, JaForm.KATAKANA)
        columns["name_romaji"] = join(
            given_form(pools, people.female, people.given, romaji_form),
            pools.family.take(people.family, romaji_form),
            sep=" ",
        )
    mobile, land = people.mobile, people.landline
    columns |= {
        "sex": strings(np.where(people.female, "F", "M")),
        "birth_date": pa.array(people.birth_days.astype("datetime64[D]")),
        "email": people.email,
        "alt_email": people.alt_email,
        "work_email": people.work_email,
        "family_email": people.family_email,
        "mobile_phone": join(mobile.a, mobile.b, mobile.c, sep="-"),
        "home_phone": join(land.a, land.b, land.c, sep="-"),
        "postcode": postcode,
        "region": region,
        "city": city,
        "street": street,
        "household_id": null_where(
            join("H", digits(np.maximum(people.household, 0), 7)), people.household < 0
        ),
    }
    return pa.table(columns)


def records_per_person(truth: pa.Table, n_people: int) -> np.ndarray:
    """Number of records of each person (index = person number - 1)."""
    number = pc.cast(pc.utf8_slice_codeunits(truth["person_id"], 1, 20), pa.int64()).to_numpy()
    return np.bincount(number - 1, minlength=n_people)


def resolvable_truth(records: pa.Table, truth: pa.Table) -> dict[str, str]:
    """The true customer of every mapped record, as a matcher can know it.

    A record the world marks as not ``identified`` (an anonymous visitor who never logged
    in nor sent traits) counts as a customer of its own: its person is in the truth, but
    nothing in the data says who it is, so no matcher — dchkit, Splink or a human — could
    attach it. Records a connector derived beyond the truth's rows (an anonymous id seen
    next to a ``user_id``) follow that user id's record, else stand alone.

    Args:
        records: Canonical records read from the world's exports (``record_id`` and
            ``external_ids`` columns).
        truth: :attr:`World.truth`.

    Examples:
        >>> from dchkit.datasets import generate_world, resolvable_truth
        >>> world = generate_world(n_people=50, locale="en", seed=3)
        >>> mapping = resolvable_truth(world.truth.select(["record_id"]), world.truth)
        >>> sum(v.startswith("unidentified:") for v in mapping.values()) == sum(
        ...     not known for known in world.truth["identified"].to_pylist())
        True
    """
    ids = truth["record_id"].to_pylist()
    people_ids = truth["person_id"].to_pylist()
    known = truth["identified"].to_pylist()
    mapping = {
        record_id: person if ok else f"unidentified:{record_id}"
        for record_id, person, ok in zip(ids, people_ids, known, strict=True)
    }
    externals = (
        records["external_ids"].to_pylist()
        if "external_ids" in records.column_names
        else [None] * records.num_rows
    )
    result = {}
    for record_id, external in zip(records["record_id"].to_pylist(), externals, strict=True):
        if record_id in mapping:
            result[record_id] = mapping[record_id]
        else:
            user = dict(external or []).get("user_id")
            result[record_id] = mapping.get(f"web:{user}", record_id)
    return result
