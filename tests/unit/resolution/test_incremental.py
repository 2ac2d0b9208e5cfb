"""Incremental resolution against an in-memory hub: same clusters as a batch, stable ids,
households, feedback, changed records, hub values and the lookup protocol."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dchkit.errors import ConfigError, ResolveError
from dchkit.resolution import (
    CandidateLookup,
    IncrementalResolver,
    IncrementalUpdate,
    InMemoryLookup,
    MatchModel,
    Neighbourhood,
    Resolution,
    Resolver,
    ResolverConfig,
    TermFrequencies,
    block_on,
)
from dchkit.resolution.incremental import KEYS_SCHEMA
from dchkit.schema import RECORDS_SCHEMA

NO_TF = ResolverConfig(tf_adjust=())


def people(n: int, seed: int = 0) -> pa.Table:
    """n people with 1-3 records each (small variations); ids are ``s{copy}:{person}``."""
    rng = np.random.default_rng(seed)
    families = ["佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤"]
    givens = ["太郎", "花子", "一郎", "美咲", "健", "陽菜", "翔", "結衣", "大輔", "彩"]
    rows = []
    for person in range(n):
        family = families[rng.integers(len(families))]
        given_name = givens[rng.integers(len(givens))]
        phone = f"+8190{rng.integers(10_000_000, 99_999_999)}"
        dob = date(
            1950 + int(rng.integers(50)), 1 + int(rng.integers(12)), 1 + int(rng.integers(28))
        )
        rows.extend(
            {
                "record_id": f"s{copy}:{person:03d}",
                "source": f"s{copy}",
                "source_record_id": str(person),
                "family_name": family if copy != 2 else family.replace("高", "髙"),
                "given_name": given_name,
                "emails": [f"p{person}@example.jp"] if copy != 1 else [],
                "phones": [phone] if copy != 0 else [],
                "birth_date": dob,
            }
            for copy in range(1 + int(rng.integers(3)))
        )
    return records(rows)


def records(rows: list[dict[str, Any]]) -> pa.Table:
    schema = pa.schema([RECORDS_SCHEMA.field(name) for name in rows[0]])
    return pa.Table.from_pylist(rows, schema=schema)


def partition(clusters: pa.Table) -> set[frozenset[str]]:
    members: dict[str, set[str]] = {}
    for record_id, customer_id in zip(
        clusters.column("record_id").to_pylist(),
        clusters.column("customer_id").to_pylist(),
        strict=True,
    ):
        members.setdefault(customer_id, set()).add(record_id)
    return {frozenset(m) for m in members.values()}


def hub(table: pa.Table, model: MatchModel, config: ResolverConfig = NO_TF) -> Any:
    """A hub resolved in batch: its resolution, engine and lookup."""
    resolution = Resolver(config, model=model).resolve(table)
    resolver = IncrementalResolver.from_resolution(resolution)
    return resolution, resolver, InMemoryLookup.from_resolution(resolution, resolver)


def stream(
    resolver: IncrementalResolver, lookup: InMemoryLookup, table: pa.Table, sizes: Iterable[int]
) -> list[IncrementalUpdate]:
    """Resolve ``table`` in micro-batches of the given sizes, writing each update."""
    updates, start = [], 0
    for size in sizes:
        if start >= table.num_rows:
            break
        update = resolver.resolve(table.slice(start, size), lookup)
        resolver.term_frequencies.apply(update.term_frequency_changes)
        lookup.apply(update)
        updates.append(update)
        start += size
    assert start >= table.num_rows
    return updates


@pytest.fixture(scope="module")
def world() -> dict[str, Any]:
    """~380 records; a hub of the first 150, 80 more to stream, and a model trained on all."""
    table = people(200, seed=5)
    table = table.take(np.random.default_rng(2).permutation(table.num_rows))
    everything = pa.concat_tables([table, _household_table()], promote_options="default")
    model = Resolver(NO_TF).resolve(everything).model
    cut, end = 150, 230
    batch = Resolver(NO_TF, model=model).resolve(table.slice(0, end))
    return {"table": table.slice(0, end), "model": model, "batch": batch, "cut": cut}


@pytest.mark.parametrize("sizes", [[1] * 80, [7] * 12, [3, 30, 1, 100]])
def test_streaming_gives_the_clusters_of_one_batch(world: dict[str, Any], sizes: list[int]):
    table, cut = world["table"], world["cut"]
    _, resolver, lookup = hub(table.slice(0, cut), world["model"])
    updates = stream(resolver, lookup, table.slice(cut), sizes)
    assert partition(lookup.clusters) == partition(world["batch"].clusters)
    assert lookup.clusters.num_rows == table.num_rows
    assert all(u.timings["total"] > 0 for u in updates)


def test_term_frequencies_follow_the_stream(world: dict[str, Any]):
    config = ResolverConfig()
    table, cut = world["table"], world["cut"]
    full = Resolver(config).resolve(table)
    _, resolver, lookup = hub(table.slice(0, cut), full.model, config)
    stream(resolver, lookup, table.slice(cut), [5] * 16)
    # after the stream the hub's frequencies are the batch's …
    assert resolver.term_frequencies == TermFrequencies.from_resolution(full)
    # … and the clusters agree but for documented frequency drift: a pair scored while its
    # family name was rarer in the half-built hub (10 names here: a strong drift)
    ours, theirs = partition(lookup.clusters), partition(full.clusters)
    drifted = {record for members in ours ^ theirs for record in members}
    assert len(drifted) <= 0.1 * table.num_rows


def test_ids_stay_stable_from_batch_to_incremental_to_batch(world: dict[str, Any]):
    table, cut, model = world["table"], world["cut"], world["model"]
    first, resolver, lookup = hub(table.slice(0, cut), model)
    updates = stream(resolver, lookup, table.slice(cut), [4] * 20)
    after = mapping(lookup.clusters, "record_id", "customer_id")
    aliases = {a: c for u in updates for a, c in mapping(u.aliases, "alias", "customer_id").items()}
    for record_id, customer_id in mapping(first.clusters, "record_id", "customer_id").items():
        # a record keeps its customer id unless that id was merged into another
        assert after[record_id] == customer_id or after[record_id] == aliases[customer_id]
    again = Resolver(NO_TF, model=model).resolve(table, previous=lookup.clusters)
    assert again.changes == ()
    assert again.clusters.to_pylist() == lookup.clusters.to_pylist()


def mapping(table: pa.Table, key: str, value: str) -> dict[str, str]:
    return dict(zip(table.column(key).to_pylist(), table.column(value).to_pylist(), strict=True))


def _household_table() -> pa.Table:
    shared = {
        "family_name": "山田",
        "phones": ["+81312345678"],
        "emails": ["yamada.family@example.jp"],
        "postcode": "1000001",
        "city": "千代田区",
        "street": "千代田1-1-1",
    }
    rows = [
        {"record_id": "crm:mother", "given_name": "花子", "birth_date": date(1961, 4, 2)},
        {"record_id": "ec:mother", "given_name": "花子", "birth_date": date(1961, 4, 2)},
        {"record_id": "crm:son", "given_name": "翔太", "birth_date": date(1994, 11, 30)},
        {"record_id": "ec:son", "given_name": "翔太", "birth_date": None},
    ]
    return records(
        [
            {
                "record_id": r["record_id"],
                "source": r["record_id"].split(":")[0],
                "source_record_id": r["record_id"].split(":")[1],
                "given_name": r["given_name"],
                "birth_date": r["birth_date"],
                **shared,
            }
            for r in rows
        ]
    )


def test_a_household_sharing_phone_and_email_stays_two_customers(world: dict[str, Any]):
    household = _household_table()
    base = pa.concat_tables(
        [world["table"].slice(0, 100), household.slice(0, 2)], promote_options="default"
    )
    _, resolver, lookup = hub(base, world["model"])
    update = resolver.resolve(household.slice(2), lookup)
    assert update.customer_of("crm:son") == update.customer_of("ec:son")
    assert update.customer_of("crm:son") != update.customer_of("crm:mother")
    assert update.customer_of("crm:mother") == update.customer_of("ec:mother")
    assert {c.kind for c in update.changes} == {"created"}
    assert update.golden.num_rows == 2  # the mother's customer was touched, and the son's


def _pair(left: str, right: str) -> pa.Table:
    return pa.table({"left": [left], "right": [right]})


def test_cannot_link_and_must_link_feedback_are_honoured(world: dict[str, Any]):
    table = world["table"]
    a = records([_row("crm:a", "佐藤", "一郎", "ichiro@example.jp")])
    b = records([_row("ec:b", "佐藤", "一郎", "ichiro@example.jp")])
    c = records([_row("pos:c", "鈴木", "次郎", "jiro@example.jp")])
    d = records([_row("web:d", "鈴木", "次郎", "jiro@example.jp")])
    base = pa.concat_tables([table, a, c], promote_options="default")
    resolution, resolver, lookup = hub(base, world["model"])
    lookup.add_feedback("cannot_link", _pair("crm:a", "ec:b"))
    lookup.add_feedback("must_link", _pair("crm:a", "pos:c"))
    update = resolver.resolve(pa.concat_tables([b, d]), lookup)
    # b matches a, but a cannot-link keeps them apart; c joins a through the must-link
    assert update.customer_of("ec:b") != update.customer_of("crm:a")
    assert update.customer_of("pos:c") == update.customer_of("crm:a")
    assert update.customer_of("web:d") == update.customer_of("pos:c")
    before = {resolution.customer_of("crm:a"), resolution.customer_of("pos:c")}
    (removed,) = update.removed_customers.to_pylist()
    assert before == {removed, update.customer_of("crm:a")}
    assert [(c.kind, c.other_id) for c in update.changes if c.kind == "merged"] == [
        ("merged", removed)
    ]


def _row(record_id: str, family: str, given_name: str, email: str) -> dict[str, Any]:
    source, key = record_id.split(":")
    return {
        "record_id": record_id,
        "source": source,
        "source_record_id": key,
        "family_name": family,
        "given_name": given_name,
        "emails": [email],
        "phones": [],
        "birth_date": date(1980, 5, 17),
    }


def test_a_changed_record_moves_and_its_old_customer_splits(world: dict[str, Any]):
    table = world["table"]
    chain = records(
        [
            {**_row("crm:x", "伊藤", "健", "ken@example.jp"), "birth_date": None},
            {**_row("ec:y", "伊藤", "健", "ken@example.jp"), "phones": ["+819011112222"]},
            {**_row("pos:z", "伊藤", "健", "-"), "emails": [], "phones": ["+819011112222"]},
            _row("pos:w", "渡辺", "美咲", "misaki@example.jp"),
        ]
    )
    base = pa.concat_tables([table, chain], promote_options="default")
    resolution, resolver, lookup = hub(base, world["model"])
    assert resolution.customer_of("crm:x") == resolution.customer_of("pos:z")
    moved = records([{**_row("ec:y", "渡辺", "美咲", "misaki@example.jp"), "phones": []}])
    update = resolver.resolve(moved, lookup)
    assert update.replaced.to_pylist() == ["ec:y"]
    assert update.customer_of("ec:y") == resolution.customer_of("pos:w")
    assert update.customer_of("crm:x") != update.customer_of("pos:z")
    kept = resolution.customer_of("crm:x")
    assert kept in {update.customer_of("crm:x"), update.customer_of("pos:z")}
    assert [c.kind for c in update.changes] == ["split"]
    lookup.apply(update)
    assert len(lookup) == base.num_rows  # replaced, not duplicated
    keys = lookup.record_ids_for_keys(pa.table({"rule": ["email_keys"], "key": ["ken@example.jp"]}))
    assert keys.to_pylist() == ["crm:x"]  # the stored version's keys are gone


def test_hub_values_are_not_used_to_find_candidates(world: dict[str, Any]):
    config = NO_TF.model_copy(update={"blocking": (block_on("phones", max_block_size=3),)})
    shared = [
        {**_row(f"s:{i}", f"名{i}", "太郎", f"x{i}@example.jp"), "phones": ["+81120000000"]}
        for i in range(3)
    ]
    _, resolver, lookup = hub(records(shared), world["model"], config)
    new = records([{**_row("s:new", "名9", "太郎", "y@example.jp"), "phones": ["+81120000000"]}])
    update = resolver.resolve(new, lookup)
    assert [(h.rule, h.value, h.records) for h in update.hub_values] == [
        ("phones", "+81120000000", 4)
    ]
    assert update.records.num_rows == 1  # no neighbourhood through the hub value
    assert update.pairs.num_rows == 0


def test_blocking_keys_are_what_a_store_indexes(world: dict[str, Any]):
    resolver = IncrementalResolver(NO_TF, world["model"])
    keys = resolver.blocking_keys(world["table"].slice(0, 3))
    assert keys.schema.equals(KEYS_SCHEMA)
    assert set(keys.column("rule").to_pylist()) <= {*resolver.labels}
    assert "hard links" in resolver.labels
    assert keys.group_by(["record_id", "rule", "key"]).aggregate([]).num_rows == keys.num_rows


def test_protocol_and_errors(world: dict[str, Any]):
    resolution, resolver, lookup = hub(world["table"].slice(0, 20), world["model"])
    assert isinstance(lookup, CandidateLookup)
    assert isinstance(resolution, Resolution)
    assert "InMemoryLookup(records=20" in repr(lookup)
    assert "IncrementalResolver" in repr(resolver)
    twice = world["table"].slice(30, 1)
    with pytest.raises(ConfigError, match="unique"):
        resolver.resolve(pa.concat_tables([twice, twice]), lookup)
    with pytest.raises(ConfigError, match="different comparisons"):
        IncrementalResolver(ResolverConfig(comparisons=NO_TF.comparisons[:2]), world["model"])
    duplicate = NO_TF.model_copy(update={"blocking": (block_on("phones", name="hard links"),)})
    with pytest.raises(ConfigError, match="unique"):
        IncrementalResolver(duplicate, world["model"])

    class Broken(InMemoryLookup):
        def key_counts(self, keys: pa.Table) -> pa.Array:
            return pa.array([1], pa.int64())

    broken = Broken(lookup.records, lookup.clusters, resolver.blocking_keys(lookup.records))
    with pytest.raises(ResolveError, match="key counts"):
        resolver.resolve(world["table"].slice(40, 1), broken)

    class NoIds(InMemoryLookup):
        def neighbourhood(self, record_ids: pa.Array) -> Neighbourhood:
            found = super().neighbourhood(record_ids)
            return Neighbourhood(found.records, found.clusters.slice(0, 0))

    no_ids = NoIds(lookup.records, lookup.clusters, resolver.blocking_keys(lookup.records))
    with pytest.raises(ResolveError, match="customer ids"):
        resolver.resolve(lookup.records.slice(0, 1), no_ids)
    with pytest.raises(ConfigError, match="not among"):
        resolver.resolve(world["table"].slice(40, 1), lookup).customer_of("nobody")
    with pytest.raises(ConfigError, match="feedback kind"):
        lookup.add_feedback("maybe_link", _pair("a", "b"))


@settings(max_examples=8, deadline=None)
@given(st.randoms(use_true_random=False), st.integers(1, 12))
def test_clusters_are_a_partition_whatever_the_arrival_order(
    world: dict[str, Any], rng: Any, size: int
):
    table, cut = world["table"], world["cut"]
    rest = table.slice(cut, 24)
    order = list(range(rest.num_rows))
    rng.shuffle(order)
    _, resolver, lookup = hub(table.slice(0, cut), world["model"])
    stream(resolver, lookup, rest.take(pa.array(order)), [size] * 24)
    clusters = lookup.clusters
    ids = clusters.column("record_id").to_pylist()
    assert len(ids) == len(set(ids)) == cut + rest.num_rows
    expected = Resolver(NO_TF, model=world["model"]).resolve(
        pa.concat_tables([table.slice(0, cut), rest])
    )
    assert partition(clusters) == partition(expected.clusters)


def test_blocking_keys_of_a_few_records_match_the_columnar_path(world: dict[str, Any]):
    resolver = IncrementalResolver(ResolverConfig(), world["model"])
    features = resolver.features(
        pa.concat_tables([world["table"], _household_table()], promote_options="default")
    )

    def entries(keys: Any) -> set[tuple[int, int, str]]:
        return set(zip(keys.rows.tolist(), keys.rule.tolist(), keys.key.to_pylist(), strict=True))

    for start in range(0, features.num_rows, 40):
        chunk = features.slice(start, 40)
        small = resolver._keys(chunk)  # at most 64 rows: the plain-Python path
        large = resolver._keys(pa.concat_tables([chunk] * 2))  # columnar path
        assert entries(small) == {e for e in entries(large) if e[0] < chunk.num_rows}
        assert len(small.rows) == len(entries(small))


def test_a_micro_batch_re_clusters_only_the_customers_it_links_to(world: dict[str, Any]):
    table, cut = world["table"], world["cut"]
    _, resolver, lookup = hub(table.slice(0, cut), world["model"])
    batch = table.slice(cut, 40)
    candidates, _ = resolver._candidates(resolver._keys(resolver.features(batch)), lookup)
    everything = lookup.neighbourhood(candidates).records.num_rows + batch.num_rows
    update = resolver.resolve(batch, lookup)
    assert everything > 64  # the two-stage path
    assert update.records.num_rows < everything
    new = set(batch.column("record_id").to_pylist())
    members: dict[str, set[str]] = {}
    for record_id, customer_id in mapping(update.clusters, "record_id", "customer_id").items():
        members.setdefault(customer_id, set()).add(record_id)
    assert all(m & new for m in members.values())


def test_a_key_that_becomes_a_hub_value_keeps_its_links_until_a_batch(world: dict[str, Any]):
    """Documented difference: new records push a key over its cap; stored links remain."""
    config = NO_TF.model_copy(update={"blocking": (block_on("phones", max_block_size=3),)})
    phone = {"phones": ["+81120000000"], "emails": []}
    base = records(
        [{**_row(f"s:{i}", "伊藤", "健", "-"), **phone, "source_record_id": str(i)} for i in (1, 2)]
    )
    resolution, resolver, lookup = hub(base, world["model"], config)
    assert resolution.customer_of("s:1") == resolution.customer_of("s:2")
    others = records(
        [{**_row(f"t:{i}", f"名{i}", "彩", "-"), **phone, "birth_date": None} for i in (3, 4)]
    )
    update = resolver.resolve(others, lookup)
    assert [h.records for h in update.hub_values] == [4]
    lookup.apply(update)
    assert (
        mapping(lookup.clusters, "record_id", "customer_id")["s:1"]
        == mapping(lookup.clusters, "record_id", "customer_id")["s:2"]
    )
    # a batch resolve no longer blocks on the hub phone: the two records part, and the
    # part without the id gets a new one (logged as a split)
    again = Resolver(config, model=world["model"]).resolve(
        pa.concat_tables([base, others]), previous=lookup.clusters
    )
    assert again.customer_of("s:1") != again.customer_of("s:2")
    assert [c.kind for c in again.changes] == ["split"]
