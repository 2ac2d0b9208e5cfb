"""Identity resolution: blocking, comparison, scoring, clustering, ids and golden records.

Examples:
    >>> import dchkit.resolution as rs
    >>> config = rs.ResolverConfig(threshold=0.9, blocking=(rs.block_on("email_keys"),))
    >>> rs.Resolver(config)
    dchkit.Resolver(threshold=0.9, trained=False)
"""

from __future__ import annotations

from dchkit.resolution.blocking import (
    BlockingResult,
    BlockingRule,
    HubValue,
    block_on,
    candidate_pairs,
)
from dchkit.resolution.comparisons import Comparison, Level, compare_pairs
from dchkit.resolution.config import DEFAULT_BLOCKING, DEFAULT_COMPARISONS, ResolverConfig
from dchkit.resolution.features import FEATURE_COLUMNS, build_features
from dchkit.resolution.golden import GoldenResult, build_golden
from dchkit.resolution.graph import ClusterResult, Cut, IdentifierLimit, cluster
from dchkit.resolution.ids import IdAssignment, IdChange, assign_customer_ids
from dchkit.resolution.incremental import (
    CandidateLookup,
    IncrementalResolver,
    IncrementalUpdate,
    Neighbourhood,
)
from dchkit.resolution.lookup import InMemoryLookup
from dchkit.resolution.metrics import ClusterMetrics, PrecisionRecall, evaluate_clusters
from dchkit.resolution.model import EmReport, MatchModel, estimate_u, train
from dchkit.resolution.resolver import Resolver
from dchkit.resolution.result import (
    ComparisonStep,
    CustomerExplanation,
    CutEdge,
    PairExplanation,
    Resolution,
)
from dchkit.resolution.termfreq import TermFrequencies

__all__ = [
    "DEFAULT_BLOCKING",
    "DEFAULT_COMPARISONS",
    "FEATURE_COLUMNS",
    "BlockingResult",
    "BlockingRule",
    "CandidateLookup",
    "ClusterMetrics",
    "ClusterResult",
    "Comparison",
    "ComparisonStep",
    "CustomerExplanation",
    "Cut",
    "CutEdge",
    "EmReport",
    "GoldenResult",
    "HubValue",
    "IdAssignment",
    "IdChange",
    "IdentifierLimit",
    "InMemoryLookup",
    "IncrementalResolver",
    "IncrementalUpdate",
    "Level",
    "MatchModel",
    "Neighbourhood",
    "PairExplanation",
    "PrecisionRecall",
    "Resolution",
    "Resolver",
    "ResolverConfig",
    "TermFrequencies",
    "assign_customer_ids",
    "block_on",
    "build_features",
    "build_golden",
    "candidate_pairs",
    "cluster",
    "compare_pairs",
    "estimate_u",
    "evaluate_clusters",
    "train",
]
