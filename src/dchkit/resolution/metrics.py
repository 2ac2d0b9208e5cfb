"""Clustering quality against ground truth, from contingency counts.

Every metric here is computed from the contingency table of (predicted cluster, true
entity) pairs — one sort of the n records — never by enumerating record pairs, so scoring
a 1M-record resolution costs about as much as sorting it.

With ``n_ij`` the number of records in predicted cluster *i* and true entity *j*,
``a_i = Σ_j n_ij`` and ``b_j = Σ_i n_ij``:

- pairwise true positives ``TP = Σ C(n_ij, 2)``, predicted pairs ``Σ C(a_i, 2)``,
  true pairs ``Σ C(b_j, 2)``;
- B-cubed precision ``(1/n) Σ n_ij² / a_i`` and recall ``(1/n) Σ n_ij² / b_j``;
- a predicted cluster is *mixed* when it holds records of two or more true entities.

For record *linkage* between sources without within-source duplicates (FEBRL4), pass
``sources`` and ``link_only=True``: only pairs whose two records come from different
sources count, again from counts (``(n² − Σ_s n_s²) / 2`` cross pairs in a group).

Examples:
    >>> from dchkit.resolution.metrics import evaluate_clusters
    >>> m = evaluate_clusters(predicted=["c1", "c1", "c2", "c3"], truth=["p1", "p1", "p1", "p2"])
    >>> (m.pairwise.precision, round(m.pairwise.recall, 3), m.mixed_clusters)
    (1.0, 0.333, 0)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeAlias

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from dchkit.errors import ConfigError

__all__ = ["ClusterMetrics", "PrecisionRecall", "evaluate_clusters"]

Labels: TypeAlias = Sequence[object] | npt.NDArray[np.generic] | pa.Array | pa.ChunkedArray


@dataclass(frozen=True, slots=True)
class PrecisionRecall:
    """Precision, recall and F1 of one kind (pairwise or B-cubed)."""

    precision: float
    recall: float

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall (0 when both are 0)."""
        total = self.precision + self.recall
        return 0.0 if total == 0 else 2 * self.precision * self.recall / total


@dataclass(frozen=True, slots=True)
class ClusterMetrics:
    """How well a predicted clustering matches the true entities."""

    records: int
    predicted_clusters: int
    true_clusters: int
    pairwise: PrecisionRecall
    bcubed: PrecisionRecall
    true_positive_pairs: int
    predicted_pairs: int
    true_pairs: int
    mixed_clusters: int
    """Predicted clusters holding records of two or more true entities."""

    @property
    def mixed_cluster_rate(self) -> float:
        """Share of predicted clusters that are mixed."""
        return self.mixed_clusters / self.predicted_clusters if self.predicted_clusters else 0.0

    def as_dict(self) -> dict[str, float | int]:
        """Flatten to plain numbers (for JSON lines and tables)."""
        return {
            "records": self.records,
            "predicted_clusters": self.predicted_clusters,
            "true_clusters": self.true_clusters,
            "pairwise_precision": self.pairwise.precision,
            "pairwise_recall": self.pairwise.recall,
            "pairwise_f1": self.pairwise.f1,
            "bcubed_precision": self.bcubed.precision,
            "bcubed_recall": self.bcubed.recall,
            "bcubed_f1": self.bcubed.f1,
            "true_positive_pairs": self.true_positive_pairs,
            "predicted_pairs": self.predicted_pairs,
            "true_pairs": self.true_pairs,
            "mixed_clusters": self.mixed_clusters,
            "mixed_cluster_rate": self.mixed_cluster_rate,
        }


def _codes(labels: Labels, name: str) -> npt.NDArray[np.int64]:
    """Factorize labels into dense int codes (nulls are an error: every record needs a label)."""
    if isinstance(labels, pa.ChunkedArray | pa.Array):
        if labels.null_count:
            msg = f"{name} has {labels.null_count} null label(s)"
            raise ConfigError(msg, fix="give every record a cluster/entity label")
        encoded = (
            labels.combine_chunks() if isinstance(labels, pa.ChunkedArray) else labels
        ).dictionary_encode()
        return np.asarray(encoded.indices.to_numpy(zero_copy_only=False), dtype=np.int64)
    values = np.asarray(labels, dtype=object)
    if any(v is None for v in values):
        msg = f"{name} has null label(s)"
        raise ConfigError(msg, fix="give every record a cluster/entity label")
    _, inverse = np.unique(values.astype(str), return_inverse=True)
    return inverse.astype(np.int64)


def _pairs(counts: npt.NDArray[np.int64]) -> int:
    return int((counts * (counts - 1) // 2).sum())


def _group_pairs(
    group_keys: npt.NDArray[np.int64],
    source_codes: npt.NDArray[np.int64] | None,
) -> int:
    """Number of record pairs inside groups; cross-source pairs only when sources given."""
    _, counts = np.unique(group_keys, return_counts=True)
    if source_codes is None:
        return _pairs(counts)
    n_sources = int(source_codes.max()) + 1 if source_codes.size else 1
    _, per_source = np.unique(group_keys * n_sources + source_codes, return_counts=True)
    # cross pairs = (n² − Σ_s n_s²) / 2 summed over groups
    return int(
        ((counts.astype(np.int64) ** 2).sum() - (per_source.astype(np.int64) ** 2).sum()) // 2
    )


def evaluate_clusters(
    predicted: Labels,
    truth: Labels,
    *,
    sources: Labels | None = None,
    link_only: bool = False,
) -> ClusterMetrics:
    """Score a predicted clustering against the true entity of each record.

    Args:
        predicted: Predicted cluster (customer id) of each record.
        truth: True entity (person id) of each record, aligned with ``predicted``.
        sources: Source of each record; needed with ``link_only``.
        link_only: Count only pairs whose records come from different sources (pairwise
            metrics of a linkage task); B-cubed and mixed counts are unaffected.

    Returns:
        The metrics; F1 values are properties of ``.pairwise`` and ``.bcubed``.

    Raises:
        ConfigError: the label arrays differ in length, contain nulls, or ``link_only``
            is asked without ``sources``.
    """
    pred = _codes(predicted, "predicted")
    true = _codes(truth, "truth")
    if pred.shape != true.shape:
        msg = f"predicted has {pred.size} labels but truth has {true.size}"
        raise ConfigError(msg, fix="align both on the same records (join on record_id)")
    source_codes = None
    if link_only:
        if sources is None:
            msg = "link_only=True needs the source of each record"
            raise ConfigError(msg, fix="pass sources=... aligned with the labels")
        source_codes = _codes(sources, "sources")
        if source_codes.shape != pred.shape:
            msg = f"sources has {source_codes.size} labels but predicted has {pred.size}"
            raise ConfigError(msg, fix="align sources with the labels")
    n = int(pred.size)
    if n == 0:
        zero = PrecisionRecall(0.0, 0.0)
        return ClusterMetrics(0, 0, 0, zero, zero, 0, 0, 0, 0)

    n_true = int(true.max()) + 1
    joint = pred * n_true + true
    joint_keys, joint_counts = np.unique(joint, return_counts=True)
    cell_pred = joint_keys // n_true
    cell_true = joint_keys % n_true
    pred_sizes = np.bincount(pred)
    true_sizes = np.bincount(true, minlength=n_true)

    true_positive = _group_pairs(joint, source_codes)
    predicted_pairs = _group_pairs(pred, source_codes)
    true_pairs = _group_pairs(true, source_codes)

    squared = joint_counts.astype(np.float64) ** 2
    bcubed = PrecisionRecall(
        precision=float((squared / pred_sizes[cell_pred]).sum() / n),
        recall=float((squared / true_sizes[cell_true]).sum() / n),
    )
    pairwise = PrecisionRecall(
        precision=true_positive / predicted_pairs if predicted_pairs else 1.0,
        recall=true_positive / true_pairs if true_pairs else 1.0,
    )
    entities_per_cluster = np.bincount(cell_pred)
    return ClusterMetrics(
        records=n,
        predicted_clusters=int(np.count_nonzero(pred_sizes)),
        true_clusters=int(np.count_nonzero(true_sizes)),
        pairwise=pairwise,
        bcubed=bcubed,
        true_positive_pairs=true_positive,
        predicted_pairs=predicted_pairs,
        true_pairs=true_pairs,
        mixed_clusters=int(np.count_nonzero(entities_per_cluster > 1)),
    )
