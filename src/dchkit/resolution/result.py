"""What a resolve run hands back: clusters, scored pairs, explanations and evaluation.

:class:`Resolution` keeps the arrays of the run and exposes them as Arrow tables
(``.clusters``, ``.pairs``, ``.golden``) plus a few verbs (``explain``, ``evaluate``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

import networkx as nx
import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from dchkit.errors import ConfigError, ProfileNotFoundError
from dchkit.resolution.comparisons import NULL_LEVEL, compare_pairs
from dchkit.resolution.metrics import ClusterMetrics, evaluate_clusters
from dchkit.resolution.scoring import household_adjustments, tf_adjustments_by_comparison

if TYPE_CHECKING:
    from dchkit.resolution.blocking import HubValue
    from dchkit.resolution.config import ResolverConfig
    from dchkit.resolution.golden import GoldenResult
    from dchkit.resolution.graph import Cut
    from dchkit.resolution.ids import IdChange
    from dchkit.resolution.model import EmReport, MatchModel

__all__ = ["ComparisonStep", "CustomerExplanation", "CutEdge", "PairExplanation", "Resolution"]

Verdict = Literal["same customer", "below threshold", "not a candidate", "cut by a guard"]


@dataclass(frozen=True, slots=True)
class ComparisonStep:
    """One bar of a match-weight waterfall: a comparison's level and what it weighed."""

    comparison: str
    level: int
    level_name: str
    m: float | None
    u: float | None
    weight: float
    """log2(m/u) plus any term-frequency adjustment; 0 for a null level."""


@dataclass(frozen=True, slots=True)
class PairExplanation:
    """Why two records are, or are not, the same customer."""

    left: str
    right: str
    verdict: Verdict
    reason: str
    prior_weight: float
    steps: tuple[ComparisonStep, ...]
    match_weight: float
    match_probability: float
    threshold: float
    candidate: bool

    def __repr__(self) -> str:
        return (
            f"PairExplanation({self.left!r} vs {self.right!r}: {self.verdict}, "
            f"match_weight={self.match_weight:+.2f}, p={self.match_probability:.4f})"
        )

    def _repr_html_(self) -> str:
        from dchkit.notebook.html import pair_explanation_html

        return pair_explanation_html(self)

    def __str__(self) -> str:
        lines = [f"{self.left} vs {self.right}: {self.verdict} — {self.reason}"]
        lines.append(f"  prior{'':<26}{self.prior_weight:+7.2f}")
        lines.extend(
            f"  {s.comparison:<14}{s.level_name:<19.19}{s.weight:+7.2f}" for s in self.steps
        )
        lines.append(
            f"  {'total':<33}{self.match_weight:+7.2f}  p={self.match_probability:.4f}"
            f" (threshold {self.threshold})"
        )
        return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class CutEdge:
    """A match a guard removed: one of its records belongs to the explained customer."""

    left: str
    right: str
    match_probability: float
    reason: str
    """The guard that was broken, e.g. ``'salesforce_contact_id: 2 distinct values > 1'``."""


@dataclass(frozen=True, slots=True)
class CustomerExplanation:
    """The edges that hold a customer's records together, and the matches guards cut."""

    customer_id: str
    record_ids: tuple[str, ...]
    edges: tuple[tuple[str, str, float], ...]
    """(record, record, match probability); hard links have probability 1.0."""
    cuts: tuple[Cut, ...] = field(default_factory=tuple)
    """The cuts touching the customer, with edges as record indices of the run."""
    cut_edges: tuple[CutEdge, ...] = field(default_factory=tuple)
    """The removed edges touching the customer, by record id.

    The other end of an edge may belong to another customer now."""

    def __repr__(self) -> str:
        cut = f", cut_edges={len(self.cut_edges)}" if self.cut_edges else ""
        return (
            f"CustomerExplanation({self.customer_id!r}, records={len(self.record_ids)}, "
            f"edges={len(self.edges)}{cut})"
        )

    def _repr_html_(self) -> str:
        from dchkit.notebook.html import customer_explanation_html

        return customer_explanation_html(self)

    def path(self, left: str, right: str) -> list[str]:
        """The strongest chain of records joining ``left`` to ``right``."""
        graph = nx.Graph()
        for a, b, p in self.edges:
            graph.add_edge(a, b, cost=-np.log(max(p, 1e-12)))
        try:
            path: list[str] = nx.shortest_path(graph, left, right, weight="cost")
        except (nx.NodeNotFound, nx.NetworkXNoPath) as err:
            msg = f"{left!r} and {right!r} are not both records of customer {self.customer_id}"
            raise ConfigError(msg, fix=f"pick two of {list(self.record_ids)[:10]}") from err
        return path


@dataclass(frozen=True, eq=False)
class Resolution:
    """The outcome of resolving a set of records (built by :class:`~dchkit.resolution.Resolver`)."""

    config: ResolverConfig
    model: MatchModel
    em_report: EmReport | None
    records: pa.Table
    features: pa.Table
    pair_index: npt.NDArray[np.int64]
    levels: npt.NDArray[np.int8]
    match_weights: npt.NDArray[np.float64]
    match_probabilities: npt.NDArray[np.float64]
    hard_edges: npt.NDArray[np.int64]
    labels: npt.NDArray[np.int64]
    customer_ids: list[str]
    aliases: dict[str, str]
    changes: tuple[IdChange, ...]
    cuts: tuple[Cut, ...]
    unresolved: tuple[str, ...]
    hub_values: tuple[HubValue, ...]
    pairs_per_rule: dict[str, int]
    timings: dict[str, float]
    rejects: pa.Table | None = None
    """Input rows that could not become records (when read through connectors)."""
    reports: tuple[Any, ...] = ()
    """One read report per input source (when read through connectors)."""

    def with_inputs(self, *, rejects: pa.Table, reports: tuple[Any, ...]) -> Resolution:
        """A copy that also carries what reading the inputs rejected and reported."""
        return replace(self, rejects=rejects, reports=reports)

    def __repr__(self) -> str:
        return (
            f"dchkit.Resolution(records={self.records.num_rows:,}, "
            f"customers={self.customer_count:,}, candidate_pairs={len(self.pair_index):,}, "
            f"cuts={len(self.cuts)}, hub_values={len(self.hub_values)})"
        )

    def _repr_html_(self) -> str:
        from dchkit.notebook.html import resolution_html

        return resolution_html(self)

    # ------------------------------------------------------------------ tables
    @cached_property
    def record_ids(self) -> pa.Array:
        """Record ids in the run's canonical (sorted) order."""
        return self.records.column("record_id").combine_chunks()

    @property
    def customer_count(self) -> int:
        """Number of customers (clusters)."""
        return len(set(self.customer_ids))

    @cached_property
    def clusters(self) -> pa.Table:
        """``record_id → customer_id`` for every record, sorted by record id."""
        return pa.table(
            {"record_id": self.record_ids, "customer_id": pa.array(self.customer_ids, pa.string())}
        )

    @cached_property
    def pairs(self) -> pa.Table:
        """Every scored candidate pair: record ids, weight, probability and each level."""
        left = self.record_ids.take(pa.array(self.pair_index[:, 0]))
        right = self.record_ids.take(pa.array(self.pair_index[:, 1]))
        columns: dict[str, Any] = {
            "left_record_id": left,
            "right_record_id": right,
            "match_weight": self.match_weights,
            "match_probability": self.match_probabilities,
        }
        for j, comparison in enumerate(self.config.comparisons):
            columns[f"level_{comparison.name}"] = self.levels[:, j]
        return pa.table(columns)

    @property
    def golden(self) -> pa.Table:
        """One golden record per customer (``dchkit.schema.GOLDEN_SCHEMA``)."""
        return self._golden_result.golden

    @property
    def lineage(self) -> pa.Table:
        """Where each golden value came from (``dchkit.schema.LINEAGE_SCHEMA``)."""
        return self._golden_result.lineage

    @cached_property
    def _golden_result(self) -> GoldenResult:
        """Golden records and lineage, built together once (the merge makes both)."""
        from dchkit.resolution.golden import build_golden  # golden imports result's siblings

        return build_golden(self.records, self.clusters)

    def customer_of(self, record_id: str) -> str:
        """The customer id of one record."""
        return self.customer_ids[self._row(record_id)]

    # ---------------------------------------------------------------- evaluate
    def evaluate(
        self,
        truth: pa.Table | Mapping[str, str],
        *,
        entity_column: str = "person_id",
        link_only: bool = False,
    ) -> ClusterMetrics:
        """Compare the clusters with the true entity of each record.

        Args:
            truth: A table with ``record_id`` and ``entity_column``, or a mapping.
            entity_column: Column of ``truth`` holding the true entity.
            link_only: Count only cross-source pairs (a linkage task without
                within-source duplicates).

        Raises:
            ConfigError: a record of the run has no true entity.
        """
        if isinstance(truth, Mapping):
            truth = pa.table({"record_id": list(truth), entity_column: list(truth.values())})
        position = pc.index_in(
            self.record_ids, value_set=truth.column("record_id").combine_chunks()
        )
        if position.null_count:
            msg = f"{position.null_count} record(s) of the run are missing from the truth table"
            raise ConfigError(msg, fix="give the truth of every resolved record")
        entities = truth.column(entity_column).combine_chunks().take(position)
        return evaluate_clusters(
            pa.array(self.customer_ids, pa.string()),
            entities,
            sources=self.records.column("source"),
            link_only=link_only,
        )

    # ----------------------------------------------------------------- explain
    def _row(self, record_id: str) -> int:
        found = pc.index(self.record_ids, record_id).as_py()
        if found < 0:
            msg = f"no record with id {record_id!r} in this resolution"
            raise ProfileNotFoundError(
                msg, fix="use a record_id of the resolved input, e.g. 'crm:003…'"
            )
        return int(found)

    def _tf_steps(
        self, i: int, j: int, levels: npt.NDArray[np.int8], total: float
    ) -> npt.NDArray[np.float64]:
        """The pair's term-frequency change per comparison, summing to ``total``.

        ``total`` is what the pair's weight holds (scored with this resolution's
        frequencies, or a hub's); its split over comparisons is this resolution's.
        """
        split: npt.NDArray[np.float64] = tf_adjustments_by_comparison(
            self.features,
            np.array([[i, j]], dtype=np.int64),
            levels[None, :],
            self.model,
            self.config.tf_adjust,
        )[0]
        local = float(split.sum())
        if abs(local) > 1e-12:
            scaled: npt.NDArray[np.float64] = split * (total / local)
            return scaled
        if abs(total) > 1e-12:  # adjusted with other frequencies only: the first adjusted level
            comparisons = self.config.comparisons
            names = [c.name for c in comparisons]
            for name in self.config.tf_adjust:
                c = names.index(name)
                if any(int(levels[c]) == level for level, _ in comparisons[c].tf_levels):
                    split[c] = total
                    break
        return split

    def explain(self, left: str, right: str) -> PairExplanation:
        """Explain one pair: each comparison's level, m, u and weight, and the verdict."""
        i, j = sorted((self._row(left), self._row(right)))
        match = np.flatnonzero((self.pair_index[:, 0] == i) & (self.pair_index[:, 1] == j))
        candidate = bool(match.size)
        if candidate:
            levels = self.levels[match[0]]
            weight = float(self.match_weights[match[0]])
        else:
            levels = compare_pairs(self.features, np.array([[i, j]]), self.config.comparisons)[0]
            weight = float(self.model.match_weights(levels[None, :])[0])
        probability = float(1.0 / (1.0 + np.exp2(-weight)))
        steps = []
        tables = self.model.weight_tables()
        dependence = float(
            household_adjustments(np.asarray(levels)[None, :], self.model, self.config)[0]
        )
        raw = sum(float(tables[c][levels[c]]) for c in range(len(levels)))
        tf_by_comparison = self._tf_steps(
            i, j, np.asarray(levels), weight - self.model.prior_weight - raw - dependence
        )
        for c, comparison in enumerate(self.config.comparisons):
            level = int(levels[c])
            null = level == NULL_LEVEL
            step_weight = float(tables[c][level]) + float(tf_by_comparison[c])
            steps.append(
                ComparisonStep(
                    comparison=comparison.name,
                    level=level,
                    level_name="null" if null else comparison.level_names[level],
                    m=None if null else self.model.m[c][level],
                    u=None if null else self.model.u[c][level],
                    weight=step_weight,
                )
            )
        if dependence:
            steps.append(
                ComparisonStep(
                    comparison="dependence",
                    level=0,
                    level_name="household fields",
                    m=None,
                    u=None,
                    weight=dependence,
                )
            )
        verdict, reason = self._verdict(i, j, candidate, probability)
        return PairExplanation(
            left=left,
            right=right,
            verdict=verdict,
            reason=reason,
            prior_weight=self.model.prior_weight,
            steps=tuple(steps),
            match_weight=weight,
            match_probability=probability,
            threshold=self.config.threshold,
            candidate=candidate,
        )

    def _verdict(self, i: int, j: int, candidate: bool, probability: float) -> tuple[Verdict, str]:
        if self.labels[i] == self.labels[j]:
            direct = probability >= self.config.threshold and candidate
            how = "matched directly" if direct else "joined through other records or a hard link"
            return "same customer", how
        for cut in self.cuts:
            if (i, j) in cut.edges:
                return "cut by a guard", f"edge removed to satisfy {self._reason(cut)}"
        if not candidate:
            return "not a candidate", "no blocking rule put them in one block"
        if probability >= self.config.threshold:
            return "cut by a guard", "their clusters were separated by a guard"
        return "below threshold", f"match probability {probability:.4f} < {self.config.threshold}"

    def explain_customer(self, customer_id: str) -> CustomerExplanation:
        """The records of a customer and the edges (scored matches and hard links) joining them."""
        customer_id = self.aliases.get(customer_id, customer_id)
        rows = np.flatnonzero(np.asarray(self.customer_ids, dtype=object) == customer_id)
        if rows.size == 0:
            msg = f"no customer {customer_id!r} in this resolution"
            raise ProfileNotFoundError(msg, fix="use an id from resolution.clusters")
        members = set(rows.tolist())
        ids = self.record_ids
        edges: list[tuple[str, str, float]] = []
        strong = self.match_probabilities >= self.config.threshold
        for (a, b), p in zip(
            self.pair_index[strong].tolist(), self.match_probabilities[strong].tolist(), strict=True
        ):
            if a in members and b in members:
                edges.append((ids[a].as_py(), ids[b].as_py(), float(p)))
        edges.extend(
            (ids[a].as_py(), ids[b].as_py(), 1.0)
            for a, b in self.hard_edges.tolist()
            if a in members and b in members
        )
        cuts = tuple(c for c in self.cuts if any(a in members or b in members for a, b in c.edges))
        return CustomerExplanation(
            customer_id=customer_id,
            record_ids=tuple(ids.take(pa.array(rows)).to_pylist()),
            edges=tuple(edges),
            cuts=cuts,
            cut_edges=tuple(
                CutEdge(
                    ids[a].as_py(), ids[b].as_py(), self._pair_probability(a, b), self._reason(cut)
                )
                for cut in cuts
                for a, b in cut.edges
                if a in members or b in members
            ),
        )

    def _reason(self, cut: Cut) -> str:
        """A cut's reason with record ids in place of the run's record indices."""
        found = re.fullmatch(r"cannot-link (\d+)-(\d+)", cut.reason)
        if found is None:
            return cut.reason
        a, b = (self.record_ids[int(i)].as_py() for i in found.groups())
        return f"cannot-link {a} / {b}"

    def _pair_probability(self, i: int, j: int) -> float:
        """Match probability of a scored candidate pair (1.0 when it is not one)."""
        found = np.flatnonzero((self.pair_index[:, 0] == i) & (self.pair_index[:, 1] == j))
        return float(self.match_probabilities[found[0]]) if found.size else 1.0

    def summary(self) -> dict[str, Any]:
        """Counts and timings of the run, as plain values."""
        return {
            "records": self.records.num_rows,
            "customers": self.customer_count,
            "candidate_pairs": len(self.pair_index),
            "pairs_per_rule": dict(self.pairs_per_rule),
            "edges": int((self.match_probabilities >= self.config.threshold).sum()),
            "hard_links": len(self.hard_edges),
            "cuts": len(self.cuts),
            "unresolved_guards": list(self.unresolved),
            "hub_values": [(h.rule, h.value, h.records) for h in self.hub_values[:20]],
            "em_iterations": None if self.em_report is None else self.em_report.iterations,
            "prior": self.model.prior,
            "timings": dict(self.timings),
        }
