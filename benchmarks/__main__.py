"""``python -m benchmarks``: run the benchmark suite and regenerate docs/benchmarks.md."""

from __future__ import annotations

from benchmarks.suite.cli import main

raise SystemExit(main())
