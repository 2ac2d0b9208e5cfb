"""The resolver end to end on small hand-made data: invariance, households, explanations."""

from __future__ import annotations

from datetime import UTC, date, datetime

import numpy as np
import pyarrow as pa
import pytest

import dchkit as dch
from dchkit.errors import ConfigError, ProfileNotFoundError
from dchkit.resolution import Comparison, Level, MatchModel, Resolver, ResolverConfig
from dchkit.resolution.scoring import dependence_adjustments


def people(n: int = 300, seed: int = 0) -> pa.Table:
    """n people, each with 1-3 records with small variations; ids encode the person."""
    rng = np.random.default_rng(seed)
    families = ["佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤"]
    givens = ["太郎", "花子", "一郎", "美咲", "健", "陽菜", "翔", "結衣", "大輔", "彩"]
    rows = []
    for person in range(n):
        family = families[rng.integers(len(families))]
        given = givens[rng.integers(len(givens))]
        phone = f"090{rng.integers(10_000_000, 99_999_999)}"
        email = f"p{person}@example.jp"
        dob = date(
            1950 + int(rng.integers(50)), 1 + int(rng.integers(12)), 1 + int(rng.integers(28))
        )
        rows.extend(
            {
                "record_id": f"s{copy}:{person}",
                "source": f"s{copy}",
                "source_record_id": str(person),
                "family_name": family if copy != 2 else family.replace("高", "髙"),
                "given_name": given,
                "emails": [email] if copy != 1 else [],
                "phones": [phone] if copy != 0 else [],
                "birth_date": dob,
            }
            for copy in range(1 + int(rng.integers(3)))
        )
    return pa.Table.from_pylist(rows)


def truth_of(table: pa.Table) -> dict[str, str]:
    return {rid: rid.split(":")[1] for rid in table.column("record_id").to_pylist()}


def test_same_records_in_any_order_give_the_same_customers():
    table = people()
    first = Resolver().resolve(table)
    shuffled = table.take(np.random.default_rng(1).permutation(table.num_rows))
    second = Resolver().resolve(shuffled)
    assert first.clusters.equals(second.clusters)
    metrics = first.evaluate(truth_of(table))
    assert metrics.pairwise.f1 > 0.95
    assert metrics.mixed_clusters == 0


def test_a_household_sharing_phone_email_and_address_stays_two_customers():
    base = people(200, seed=3)
    shared = {
        "family_name": "山田",
        "phones": ["0312345678"],
        "emails": ["yamada.family@example.jp"],
        "postcode": "1000001",
        "city": "千代田区",
        "street": "千代田1-1-1",
    }
    household = [
        {
            "record_id": "crm:mother",
            "source": "crm",
            "source_record_id": "mother",
            "given_name": "花子",
            "birth_date": date(1961, 4, 2),
            **shared,
        },
        {
            "record_id": "ec:mother",
            "source": "ec",
            "source_record_id": "mother",
            "given_name": "花子",
            "birth_date": date(1961, 4, 2),
            **shared,
        },
        {
            "record_id": "crm:son",
            "source": "crm",
            "source_record_id": "son",
            "given_name": "翔太",
            "birth_date": date(1994, 11, 30),
            **shared,
        },
        {
            "record_id": "ec:son",
            "source": "ec",
            "source_record_id": "son",
            "given_name": "翔太",
            **shared,
        },
    ]
    table = pa.concat_tables(
        [
            base,
            pa.Table.from_pylist(household, schema=None).cast(
                pa.schema(
                    [
                        base.schema.field(c) if c in base.column_names else pa.field(c, pa.string())
                        for c in pa.Table.from_pylist(household).column_names
                    ]
                )
            ),
        ],
        promote_options="default",
    )
    res = Resolver().resolve(table)
    assert res.customer_of("crm:mother") == res.customer_of("ec:mother")
    assert res.customer_of("crm:son") == res.customer_of("ec:son")
    assert res.customer_of("crm:mother") != res.customer_of("crm:son")
    why = res.explain("crm:mother", "crm:son")
    assert why.verdict in {"below threshold", "cut by a guard"}
    assert any(step.comparison == "dependence" and step.weight < 0 for step in why.steps)


def test_explanations_waterfall_adds_up_and_says_why():
    table = people(150, seed=5)
    res = Resolver().resolve(table)
    pair = res.pairs.sort_by([("match_weight", "descending")]).to_pylist()[0]
    why = res.explain(pair["left_record_id"], pair["right_record_id"])
    assert why.verdict == "same customer"
    assert why.candidate
    assert why.prior_weight + sum(s.weight for s in why.steps) == pytest.approx(why.match_weight)
    assert "p=" in str(why)
    other = res.explain("s0:0", "s0:1")
    assert other.verdict in {"not a candidate", "below threshold"}
    with pytest.raises(ProfileNotFoundError):
        res.explain("s0:0", "nope")
    customer = res.explain_customer(res.customer_of(pair["left_record_id"]))
    assert pair["left_record_id"] in customer.record_ids
    path = customer.path(pair["left_record_id"], pair["right_record_id"])
    assert path[0] == pair["left_record_id"]
    assert path[-1] == pair["right_record_id"]


def test_must_link_and_cannot_link_feedback_are_honoured():
    table = people(150, seed=7)
    res = Resolver().resolve(table)
    a, b = "s0:0", "s0:1"
    linked = Resolver().resolve(table, must_link=pa.table({"left": [a], "right": [b]}))
    assert linked.customer_of(a) == linked.customer_of(b)
    pair = res.pairs.sort_by([("match_weight", "descending")]).to_pylist()[0]
    left, right = pair["left_record_id"], pair["right_record_id"]
    kept_apart = Resolver().resolve(table, cannot_link=pa.table({"left": [left], "right": [right]}))
    assert kept_apart.customer_of(left) != kept_apart.customer_of(right)
    with pytest.raises(ConfigError, match="not in the input"):
        Resolver().resolve(table, must_link=pa.table({"left": ["x"], "right": [a]}))


def test_ids_stay_stable_when_records_are_added():
    table = people(200, seed=9)
    first = Resolver().resolve(table)
    extra = pa.Table.from_pylist(
        [
            {
                "record_id": "s9:new",
                "source": "s9",
                "source_record_id": "new",
                "family_name": "新規",
                "given_name": "客",
            }
        ]
    )
    second = Resolver().resolve(
        pa.concat_tables([table, extra], promote_options="default"), previous=first.clusters
    )
    before = dict(zip(*first.clusters.to_pydict().values(), strict=True))
    after = dict(zip(*second.clusters.to_pydict().values(), strict=True))
    unchanged = sum(before[r] == after[r] for r in before)
    assert unchanged / len(before) > 0.99
    assert any(change.kind == "created" for change in second.changes)


def test_golden_records_and_lineage_cover_every_customer():
    table = people(100, seed=11).append_column(
        "updated_at",
        pa.array(
            [datetime(2024, 1, 1, tzinfo=UTC)] * 0 or [None] * people(100, seed=11).num_rows,
            pa.timestamp("us", tz="UTC"),
        ),
    )
    res = Resolver().resolve(table)
    golden = res.golden
    assert golden.num_rows == res.customer_count
    assert set(golden.column("customer_id").to_pylist()) == set(res.customer_ids)
    assert sum(golden.column("record_count").to_pylist()) == table.num_rows
    lineage_ids = set(res.lineage.column("record_id").to_pylist())
    assert lineage_ids <= set(table.column("record_id").to_pylist())


def test_model_reuse_and_validation():
    table = people(200, seed=13)
    trained = Resolver().resolve(table).model
    again = Resolver(model=trained).resolve(table)
    assert again.em_report is None
    other = Comparison(name="x", levels=(Level(column="emails"),))
    with pytest.raises(ConfigError, match="different comparisons"):
        Resolver(ResolverConfig(comparisons=(other,)), model=trained)


def test_one_shot_resolve_accepts_options_and_rejects_unknown_ones():
    rows = [
        {"record_id": "a", "email": "x@example.jp"},
        {"record_id": "b", "email": "X@example.jp"},
    ]
    assert dch.resolve(rows, threshold=0.9).config.threshold == 0.9
    with pytest.raises(ConfigError, match="unknown option"):
        dch.resolve(rows, treshold=0.9)
    with pytest.raises(ConfigError, match="same record_id"):
        dch.resolve(rows, rows)


def test_dependence_keeps_only_the_strongest_household_agreement():
    c = [Comparison(name=n, levels=(Level(column=n),)) for n in ("family_name", "phone", "email")]
    model = MatchModel(
        comparisons=tuple(c),
        m=((0.1, 0.9),) * 3,
        u=((0.99, 0.01), (0.999, 0.001), (0.9999, 0.0001)),
        prior=0.01,
    )
    levels = np.array([[1, 1, 1], [1, 0, 0], [0, 1, 1]], dtype=np.int8)
    adjust = dependence_adjustments(levels, model, (("family_name", "phone", "email"),), 0.0)
    weights = [float(t[1]) for t in model.weight_tables()]
    assert adjust[0] == pytest.approx(-(weights[0] + weights[1]))
    assert adjust[1] == 0
    assert adjust[2] == pytest.approx(-weights[1])


def test_identifier_columns_become_hard_links():
    rows = [
        {"record_id": "a", "family_name": "Smith", "member_no": "123"},
        {"record_id": "b", "family_name": "Smyth", "member_no": "123"},
        {"record_id": "c", "family_name": "Jones", "member_no": "9"},
    ]
    res = dch.resolve(rows, ids=["member_no"])
    assert res.customer_of("a") == res.customer_of("b") != res.customer_of("c")
    assert dict(res.records.column("external_ids")[0].as_py()) == {"member_no": "123"}
    plain = dch.resolve(rows)
    assert plain.customer_of("a") != plain.customer_of("b")


def test_one_shot_resolve_takes_tables_and_connectors_together():
    from dchkit.connectors import InMemoryConnector

    table = [{"record_id": "crm:1", "email": "taro@example.jp", "family_name": "山田"}]
    connector = InMemoryConnector(
        [{"Id": "9", "Mail": "TARO@example.jp"}],
        source="ec",
        mapping={"records": {"id": "Id", "emails": "Mail"}},
    )
    res = dch.resolve(table, connector, sources=["crm", "ec"])
    assert res.customer_of("crm:1") == res.customer_of("ec:9")
    assert sorted(res.records.column("source").to_pylist()) == ["crm", "ec"]


def test_one_shot_resolve_takes_canonical_records_as_they_are():
    first = dch.resolve(people(200, seed=17))
    again = dch.resolve(first.records, model=first.model)
    assert again.records.equals(first.records)
    assert again.clusters.equals(first.clusters)
