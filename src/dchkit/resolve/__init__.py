"""Identity resolution: blocking, comparison, scoring, clustering and golden records.

Today this package holds the evaluation metrics; the matcher lands with the resolve issue.
"""

from __future__ import annotations

from dchkit.resolve.metrics import ClusterMetrics, PrecisionRecall, evaluate_clusters

__all__ = ["ClusterMetrics", "PrecisionRecall", "evaluate_clusters"]
