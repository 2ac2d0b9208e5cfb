"""Splink 5 on DuckDB, configured the way Splink's own documentation configures person data.

The configuration follows the pattern of Splink's worked examples for the FEBRL data —
"Deduplicating the febrl3 dataset" and "Linking the febrl4 datasets"
(https://moj-analytical-services.github.io/splink/demos/examples/duckdb/febrl3.html and
.../febrl4.html) — and its tutorial "Estimating model parameters"
(https://moj-analytical-services.github.io/splink/demos/tutorials/04_Estimating_model_parameters.html):

1. blocking rules from ``block_on`` over name / surname / date of birth / postcode
   combinations (plus single strong identifiers where a dataset has them);
2. comparisons from the comparison library, term-frequency adjusted on names;
3. ``probability_two_random_records_match`` estimated from strict deterministic rules;
4. u by ``estimate_u_using_random_sampling``; m by EM sessions on two complementary blocking
   rules (each session trains the comparisons its rule does not block on);
5. ``predict()`` then ``cluster_pairwise_predictions_at_threshold`` at 0.9, with 0.5 and
   0.99 reported as well.

Comparisons and rules are chosen from the columns a dataset actually has, so the same
configuration serves FEBRL and the synthetic worlds. The configuration was written for this
benchmark, not copied from Splink's repository.
"""

from __future__ import annotations

import importlib.metadata
import logging
import time
from typing import TYPE_CHECKING, Any

from benchmarks.suite.runners import RunResult

if TYPE_CHECKING:
    from benchmarks.suite.datasets import BenchDataset

__all__ = ["EXTRA_THRESHOLDS", "HEADLINE_THRESHOLD", "U_MAX_PAIRS", "SplinkRunner"]

HEADLINE_THRESHOLD = 0.9
EXTRA_THRESHOLDS = (0.5, 0.99)
#: Pairs sampled for u: the tutorial calls 1e7 "often adequate"; 1e8–1e9 is "best" but slow.
U_MAX_PAIRS = 1e7
#: Assumed recall of the deterministic rules used to estimate the prior match probability.
DETERMINISTIC_RECALL = 0.7


def _label(threshold: float) -> str:
    return f"{threshold:g}"


class SplinkRunner:
    """Splink 5, DuckDB backend, unsupervised (u by sampling, m by EM)."""

    name = "splink"

    def version(self) -> str | None:
        try:
            return importlib.metadata.version("splink")
        except importlib.metadata.PackageNotFoundError:
            return None

    def unavailable_reason(self) -> str | None:
        try:
            import splink  # noqa: F401
        except ImportError as err:
            return f"splink is not installed ({err}); pip install -e '.[bench]'"
        return None

    def run(self, dataset: BenchDataset) -> RunResult:
        from splink import DuckDBAPI, Linker, SettingsCreator

        columns = set(dataset.records.column_names)
        phases: dict[str, float] = {}
        started = time.perf_counter()

        # -- load: register the input(s) with DuckDB and build the linker
        db_api = DuckDBAPI()
        if dataset.link_only:
            inputs = [
                db_api.register(table.to_pandas(), dataset_display_name=source)
                for source, table in dataset.tables_by_source().items()
            ]
        else:
            inputs = [db_api.register(dataset.records.to_pandas(), dataset_display_name="input")]
        settings = SettingsCreator(
            link_type="link_only" if dataset.link_only else "dedupe_only",
            unique_id_column_name="record_id",
            comparisons=comparisons(columns),
            blocking_rules_to_generate_predictions=prediction_blocking_rules(columns),
            retain_intermediate_calculation_columns=False,
        )
        linker = Linker(
            inputs if dataset.link_only else inputs[0], settings, log_level=logging.WARNING
        )
        phases["load"] = time.perf_counter() - started

        # -- train: prior from deterministic rules, u by random sampling, m by EM
        mark = time.perf_counter()
        linker.training.estimate_probability_two_random_records_match(
            deterministic_rules(columns), recall=DETERMINISTIC_RECALL
        )
        linker.training.estimate_u_using_random_sampling(max_pairs=U_MAX_PAIRS)
        for rule in em_blocking_rules(columns):
            linker.training.estimate_parameters_using_expectation_maximisation(rule)
        phases["train"] = time.perf_counter() - mark

        # -- predict: score every candidate pair the blocking rules generate
        mark = time.perf_counter()
        df_predict = linker.inference.predict()
        phases["predict"] = time.perf_counter() - mark

        # -- cluster at the headline threshold
        mark = time.perf_counter()
        headline: Any = linker.clustering.cluster_pairwise_predictions_at_threshold(
            df_predict, threshold_match_probability=HEADLINE_THRESHOLD
        )
        headline_clusters = headline.as_pyarrow_table()
        phases["cluster"] = time.perf_counter() - mark
        total = time.perf_counter() - started

        record_ids = dataset.records.column("record_id").to_pylist()
        clusters = {_label(HEADLINE_THRESHOLD): _align(headline_clusters, record_ids)}
        for threshold in EXTRA_THRESHOLDS:
            clustered: Any = linker.clustering.cluster_pairwise_predictions_at_threshold(
                df_predict, threshold_match_probability=threshold
            )
            table = clustered.as_pyarrow_table()
            clusters[_label(threshold)] = _align(table, record_ids)
        counted = df_predict.as_duckdbpyrelation().aggregate("count(*)").fetchall()
        candidate_pairs = int(counted[0][0])
        return RunResult(
            clusters=clusters,
            headline=_label(HEADLINE_THRESHOLD),
            phases=phases,
            total_seconds=total,
            candidate_pairs=candidate_pairs,
            notes={"u_max_pairs": U_MAX_PAIRS, "deterministic_recall": DETERMINISTIC_RECALL},
        )


def _align(clusters: Any, record_ids: list[str]) -> list[object]:
    """Cluster id of each input record, in input order (Splink returns every node)."""
    lookup = dict(
        zip(
            clusters.column("record_id").to_pylist(),
            clusters.column("cluster_id").to_pylist(),
            strict=True,
        )
    )
    return [lookup[rid] for rid in record_ids]


# ------------------------------------------------------------------ configuration


def comparisons(columns: set[str]) -> list[Any]:
    """Comparisons from Splink's comparison library for the columns present."""
    import splink.comparison_library as cl

    chosen: list[Any] = [
        cl.NameComparison(name).configure(term_frequency_adjustments=True)
        for name in ("given_name", "family_name")
        if name in columns
    ]
    if "full_name" in columns:
        chosen.append(cl.JaroWinklerAtThresholds("full_name", [0.92, 0.8]))
    if "name_kana" in columns:
        chosen.append(cl.JaroWinklerAtThresholds("name_kana", [0.92, 0.8]))
    if "birth_date" in columns:
        chosen.append(cl.DateOfBirthComparison("birth_date", input_is_string=False))
    if "email" in columns:
        chosen.append(cl.EmailComparison("email"))
    if "phone" in columns:
        chosen.append(cl.ExactMatch("phone"))
    if "soc_sec_id" in columns:
        chosen.append(cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]))
    if "street" in columns:
        chosen.append(cl.JaroWinklerAtThresholds("street", [0.9, 0.7]))
    if "city" in columns:
        chosen.append(cl.ExactMatch("city").configure(term_frequency_adjustments=True))
    if "postcode" in columns:
        # PostcodeComparison parses UK postcodes; FEBRL (AU), JP and US codes are plain digits,
        # so an edit-distance comparison with term frequencies is the library's fit.
        chosen.append(
            cl.DamerauLevenshteinAtThresholds("postcode", [1]).configure(
                term_frequency_adjustments=True
            )
        )
    if "company" in columns:
        chosen.append(cl.JaroWinklerAtThresholds("company", [0.9]))
    return chosen


def _rules(columns: set[str], candidates: list[tuple[str, ...]]) -> list[Any]:
    from splink import block_on

    return [block_on(*names) for names in candidates if set(names) <= columns]


def prediction_blocking_rules(columns: set[str]) -> list[Any]:
    """Blocking rules generating the candidate pairs: name/surname/dob/postcode combinations."""
    return _rules(
        columns,
        [
            ("given_name", "family_name"),
            ("family_name", "birth_date"),
            ("given_name", "birth_date"),
            ("postcode", "family_name"),
            ("postcode", "given_name"),
            ("full_name",),
            ("soc_sec_id",),
            ("email",),
            ("phone",),
        ],
    )


def deterministic_rules(columns: set[str]) -> list[Any]:
    """Strict rules admitting almost no false positives (for the prior match probability)."""
    return _rules(
        columns,
        [
            ("given_name", "family_name", "birth_date"),
            ("given_name", "family_name", "postcode"),
            ("email",),
            ("soc_sec_id", "birth_date"),
        ],
    )


def em_blocking_rules(columns: set[str]) -> list[Any]:
    """Two complementary EM sessions: block on names (trains the rest), then on dob/postcode."""
    first = _rules(columns, [("given_name", "family_name")]) or _rules(columns, [("full_name",)])
    second = _rules(columns, [("birth_date",)]) or _rules(columns, [("postcode",)])
    return first + second
