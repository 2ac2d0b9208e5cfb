"""The resolver: features → blocking → comparisons → model → graph → ids, in order.

:class:`Resolver` only orchestrates; each step lives in its own module. Records are first
put in a canonical order (by record id), so the same records in any row order or batch
split give the same clusters and the same customer ids.

Examples:
    >>> import pyarrow as pa
    >>> from dchkit.resolution import Resolver
    >>> records = pa.table({
    ...     "record_id": ["crm:1", "ec:9", "ec:10"],
    ...     "source": ["crm", "ec", "ec"],
    ...     "source_record_id": ["1", "9", "10"],
    ...     "family_name": ["山田", "ヤマダ", "佐藤"],
    ...     "given_name": ["太郎", "タロウ", "花子"],
    ...     "emails": [["taro@example.jp"], ["taro@example.jp"], ["hanako@example.jp"]],
    ... })
    >>> resolution = Resolver().resolve(records)
    >>> resolution.customer_of("crm:1") == resolution.customer_of("ec:9") != resolution.customer_of("ec:10")
    True
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from dchkit.errors import ConfigError
from dchkit.resolution.blocking import block_on, candidate_pairs
from dchkit.resolution.comparisons import EncodedFeatures, compare_pairs
from dchkit.resolution.config import ResolverConfig
from dchkit.resolution.features import build_features
from dchkit.resolution.graph import IdentifierLimit, cluster
from dchkit.resolution.ids import assign_customer_ids
from dchkit.resolution.model import MatchModel, default_model, estimate_u
from dchkit.resolution.result import Resolution
from dchkit.resolution.scoring import pair_weights
from dchkit.resolution.training import refine, train_in_sessions
from dchkit.schema import RECORDS_SCHEMA, conform

__all__ = ["Resolver"]

logger = logging.getLogger("dchkit.resolution")
Progress = Callable[[str], None]
FloatArray = npt.NDArray[np.float64]

#: External ids shared by records are hard links; a value on more than 50 records (a shared
#: kiosk's anonymous id) is a hub value, reported rather than linked.
#: Below these sizes EM has too little to learn from; typical m/u values are used instead.
_MIN_RECORDS_TO_TRAIN = 200
_MIN_PAIRS_TO_TRAIN = 50
_LINK_RULE = block_on("link_keys", max_block_size=50, name="hard links")


class Resolver:
    """Resolve canonical records into customers.

    Args:
        config: Blocking, comparisons, threshold and guards; defaults work on the
            canonical schema.
        model: A trained model to score with; None trains one on the data (u from random
            pairs, m and λ by EM — no labels needed).
    """

    def __init__(
        self, config: ResolverConfig | None = None, *, model: MatchModel | None = None
    ) -> None:
        self.config = config or ResolverConfig()
        self.model = model
        if model is not None and model.comparisons != self.config.comparisons:
            msg = "the model was trained with different comparisons than the configuration's"
            raise ConfigError(msg, fix="pass the config the model was trained with, or retrain")

    def __repr__(self) -> str:
        return (
            f"dchkit.Resolver(threshold={self.config.threshold}, trained={self.model is not None})"
        )

    def resolve(
        self,
        records: pa.Table,
        *,
        previous: pa.Table | Mapping[str, str] | None = None,
        must_link: pa.Table | None = None,
        cannot_link: pa.Table | None = None,
        progress: Progress | None = None,
    ) -> Resolution:
        """Cluster ``records`` into customers.

        Args:
            records: Canonical records (columns of ``RECORDS_SCHEMA``; ``record_id``,
                ``source`` and ``source_record_id`` required).
            previous: The previous ``record_id → customer_id``, to keep ids stable.
            must_link: Pairs of record ids (columns ``left``, ``right``) that must merge.
            cannot_link: Pairs of record ids that must never share a customer.
            progress: Called with a message as each step starts.

        Returns:
            The :class:`Resolution`.
        """
        config = self.config
        timings: dict[str, float] = {}
        say = progress or (lambda message: logger.info("%s", message))

        def step(name: str) -> float:
            say(name)
            return time.perf_counter()

        started = step("preparing records")
        table = _canonical_order(conform(records, RECORDS_SCHEMA, what="records"))
        record_ids = table.column("record_id").combine_chunks()
        features = build_features(
            table, id_type_aliases=config.id_type_aliases, link_id_types=config.link_id_types
        )
        timings["features"] = time.perf_counter() - started

        started = step("blocking")
        blocked = candidate_pairs(features, config.blocking, max_pairs=config.max_pairs)
        hard = candidate_pairs(features, [_LINK_RULE], max_pairs=config.max_pairs).pairs
        timings["blocking"] = time.perf_counter() - started

        started = step(f"comparing {len(blocked.pairs):,} candidate pairs")
        encoded = EncodedFeatures(features)  # encoded once for every comparison below
        levels = compare_pairs(encoded, blocked.pairs, config.comparisons)
        timings["comparing"] = time.perf_counter() - started

        started = step("training the model" if self.model is None else "scoring")
        model = self.model
        em_report = None
        if model is None:
            if table.num_rows < _MIN_RECORDS_TO_TRAIN or len(blocked.pairs) < _MIN_PAIRS_TO_TRAIN:
                model = default_model(config.comparisons, prior=1.0 / max(table.num_rows, 2))
            else:
                u = estimate_u(
                    encoded, config.comparisons, max_pairs=config.random_pairs, seed=config.seed
                )
                m, sessions = train_in_sessions(
                    features, config.comparisons, u, config.training, encoded=encoded
                )
                model, em_report = refine(
                    levels,
                    config.comparisons,
                    m,
                    u,
                    dependent=config.dependent,
                    discount=config.dependent_discount,
                    unless=config.dependent_unless,
                    personal=config.personal_columns,
                    learnt=sorted({name for s in sessions for name in s.trained}),
                )
                model = _with_global_prior(model, len(blocked.pairs), table.num_rows)
        weights = pair_weights(features, blocked.pairs, levels, model, config)
        probabilities = 1.0 / (1.0 + np.exp2(-weights))
        timings["scoring"] = time.perf_counter() - started

        started = step("clustering")
        is_edge = probabilities >= config.threshold
        index = _RecordIndex(record_ids)
        hard_edges = np.concatenate([hard, index.pairs(must_link, "must_link")])
        result = cluster(
            table.num_rows,
            blocked.pairs[is_edge],
            probabilities[is_edge],
            hard_edges=hard_edges,
            limits=_limits(table, config),
            cannot_link=index.pairs(cannot_link, "cannot_link"),
            max_size=config.max_cluster_size,
        )
        timings["clustering"] = time.perf_counter() - started

        started = step("assigning customer ids")
        ids = assign_customer_ids(record_ids, result.labels, previous=previous)
        timings["ids"] = time.perf_counter() - started
        timings["total"] = sum(timings.values())
        return Resolution(
            config=config,
            model=model,
            em_report=em_report,
            records=table,
            features=features,
            pair_index=blocked.pairs,
            levels=levels,
            match_weights=weights,
            match_probabilities=probabilities,
            hard_edges=hard_edges,
            labels=result.labels,
            customer_ids=ids.customer_ids,
            aliases=ids.aliases,
            changes=ids.changes,
            cuts=result.cuts,
            unresolved=result.unresolved,
            hub_values=blocked.hub_values,
            pairs_per_rule=blocked.pairs_per_rule,
            timings=timings,
        )


def _canonical_order(table: pa.Table) -> pa.Table:
    ids = table.column("record_id")
    if pc.count_distinct(ids).as_py() != table.num_rows:
        counts = pc.value_counts(ids)
        repeated = [v["values"] for v in counts.to_pylist() if v["counts"] > 1][:5]
        msg = f"record_id must be unique; repeated: {repeated}"
        raise ConfigError(msg, fix="deduplicate the input or give each source record its own id")
    return table.take(pc.sort_indices(ids))


def _with_global_prior(model: MatchModel, candidates: int, records: int) -> MatchModel:
    """Turn λ among candidate pairs into λ among all record pairs, the prior scores need.

    EM learns the share of *candidate* pairs that match; a pair's probability must start
    from the chance that two *random* records match, because its comparison levels (with
    their u from random pairs) already carry the evidence that made it a candidate.
    """
    all_pairs = records * (records - 1) / 2
    matches = model.prior * candidates
    prior = min(max(matches / all_pairs, 1e-12), 0.5)
    return model.model_copy(update={"prior": prior})


def _limits(table: pa.Table, config: ResolverConfig) -> list[IdentifierLimit]:
    limits = []
    if config.duplicate_free_sources:
        sources = table.column("source")
        in_free = pc.is_in(
            sources, value_set=pa.array(config.duplicate_free_sources, type=pa.string())
        )
        ids = pc.if_else(in_free, table.column("record_id"), pa.scalar(None, pa.string()))
        limits.append(IdentifierLimit("duplicate-free source", ids, 1))
    if config.max_birth_dates is not None:
        limits.append(
            IdentifierLimit("birth_date", table.column("birth_date"), config.max_birth_dates)
        )
    return limits


class _RecordIndex:
    """Row numbers of record ids, for feedback pairs given by id."""

    def __init__(self, record_ids: pa.Array) -> None:
        self.record_ids = record_ids

    def pairs(self, table: pa.Table | None, what: str) -> npt.NDArray[np.int64]:
        if table is None or table.num_rows == 0:
            return np.zeros((0, 2), dtype=np.int64)
        for column in ("left", "right"):
            if column not in table.column_names:
                msg = f"{what} needs columns 'left' and 'right' (record ids)"
                raise ConfigError(
                    msg, fix=f"pass pa.table({{'left': [...], 'right': [...]}}) as {what}"
                )
        left = pc.index_in(table.column("left"), value_set=self.record_ids)
        right = pc.index_in(table.column("right"), value_set=self.record_ids)
        known = pc.and_(pc.is_valid(left), pc.is_valid(right))
        if not pc.all(known).as_py():
            missing = table.filter(pc.invert(known)).slice(0, 3).to_pylist()
            msg = f"{what} names record ids that are not in the input: {missing}"
            raise ConfigError(msg, fix="drop feedback about records that no longer exist")
        rows = np.column_stack(
            [left.to_numpy(zero_copy_only=False), right.to_numpy(zero_copy_only=False)]
        )
        return rows.astype(np.int64)
