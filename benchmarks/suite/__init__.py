"""The benchmark harness: datasets, tool runners, subprocess workers, aggregation, report.

Each (tool, dataset, repeat) runs in a fresh subprocess (:mod:`benchmarks.suite.worker`) so
that peak memory (``ru_maxrss``) belongs to that run alone; the parent process
(:mod:`benchmarks.suite.harness`) alternates the tools, appends one JSON line per run to
``benchmarks/results/results.jsonl`` and regenerates ``docs/benchmarks.md`` from those lines.
"""
