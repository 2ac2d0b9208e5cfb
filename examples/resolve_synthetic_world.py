"""Resolve a small synthetic world and score it against its ground truth.

Run: python examples/resolve_synthetic_world.py [people] [locale]
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import dchkit as dch
from dchkit.demo import DEMO_ID_ALIASES, read_world_records


def main(people: int = 300, locale: str = "en") -> None:
    world = dch.generate_world(n_people=people, locale=locale, seed=42)
    region = "JP" if locale == "ja" else "US"
    with tempfile.TemporaryDirectory() as tmp:
        records, truth = read_world_records(world, Path(tmp), default_region=region)
    resolution = dch.Resolver(dch.ResolverConfig(id_type_aliases=DEMO_ID_ALIASES)).resolve(records)
    metrics = resolution.evaluate(truth)
    print(resolution)
    print(
        f"pairwise precision {metrics.pairwise.precision:.3f} recall {metrics.pairwise.recall:.3f}; "
        f"B-cubed F1 {metrics.bcubed.f1:.3f}; mixed customers {metrics.mixed_clusters}"
    )
    best = resolution.pairs.sort_by([("match_weight", "descending")]).slice(0, 1).to_pylist()[0]
    print(resolution.explain(best["left_record_id"], best["right_record_id"]))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 300, sys.argv[2] if len(sys.argv) > 2 else "en")
