"""Benchmark datasets of the suite: FEBRL 1–4 and the synthetic worlds at three sizes.

The preparation itself is :mod:`dchkit.bench.datasets` (what ``dchkit bench`` uses too, so
the figures of the two compare): every dataset becomes a :class:`BenchDataset` whose
``records`` table carries dchkit's canonical column names (``record_id``, ``source``,
``given_name``, ``family_name``, ``birth_date`` …; only the columns the dataset has), the
true entity of each record kept apart so a runner cannot see it, and whether it is a
two-source *linkage* task (FEBRL4, scored on cross-source pairs only). This module names
the datasets the suite runs and caches them as Parquet under ``benchmarks/.data/<name>/``,
so a rerun pays for preparation once; :data:`PREP_VERSION` is the package's.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from dchkit.bench import datasets as _preparation
from dchkit.errors import ConnectorDependencyError

__all__ = [
    "COMMON_COLUMNS",
    "DATASETS",
    "PREP_VERSION",
    "SYNTHETIC_SIZES",
    "BenchDataset",
    "DatasetUnavailableError",
    "load_dataset",
    "prepare_dataset",
]

#: Bumped (in the package) whenever the preparation of any dataset changes.
PREP_VERSION = _preparation.PREP_VERSION
#: The input table's columns, in order; a dataset carries the subset it has data for.
COMMON_COLUMNS: dict[str, pa.DataType] = _preparation.COLUMNS
#: Synthetic world sizes (source records) by the label used in dataset names.
SYNTHETIC_SIZES: dict[str, int] = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000}

BenchDataset = _preparation.BenchDataset


class DatasetUnavailableError(RuntimeError):
    """A dataset cannot be prepared on this machine; the message says why."""


def _loader(name: str) -> Callable[[], BenchDataset]:
    def build() -> BenchDataset:
        try:
            return _preparation.build_dataset(name)
        except ConnectorDependencyError as err:
            raise DatasetUnavailableError(f"{err.message} ({err.fix})") from err

    return build


DATASETS: dict[str, Callable[[], BenchDataset]] = {
    name: _loader(name)
    for name in (
        *(f"febrl{n}" for n in (1, 2, 3, 4)),
        *(f"{locale}-{label}" for locale in ("ja", "en") for label in SYNTHETIC_SIZES),
    )
}


def _cache_dir(data_dir: Path, name: str) -> Path:
    return data_dir / name


def load_dataset(name: str, data_dir: Path) -> BenchDataset:
    """Load a prepared dataset from the Parquet cache.

    Raises:
        FileNotFoundError: the dataset has not been prepared (or was prepared by an older
            :data:`PREP_VERSION`).
    """
    folder = _cache_dir(data_dir, name)
    meta_path = folder / "meta.json"
    if not meta_path.is_file():
        msg = f"dataset {name!r} is not prepared under {folder}"
        raise FileNotFoundError(msg)
    meta = json.loads(meta_path.read_text())
    if meta.get("prep_version") != PREP_VERSION:
        msg = f"dataset {name!r} under {folder} was prepared by an older version"
        raise FileNotFoundError(msg)
    records = pq.read_table(folder / "records.parquet")
    truth = pq.read_table(folder / "truth.parquet").column("entity").combine_chunks()
    return BenchDataset(
        name=name,
        records=records,
        truth=truth,
        link_only=bool(meta["link_only"]),
        description=str(meta.get("description", "")),
    )


def prepare_dataset(name: str, data_dir: Path, *, refresh: bool = False) -> BenchDataset:
    """Return dataset ``name``, from the cache when it is there, else built and cached.

    Raises:
        KeyError: unknown dataset name.
        DatasetUnavailableError: the dataset cannot be built on this machine.
    """
    if name not in DATASETS:
        msg = f"unknown dataset {name!r}; known: {', '.join(DATASETS)}"
        raise KeyError(msg)
    if not refresh:
        try:
            return load_dataset(name, data_dir)
        except FileNotFoundError:
            pass
    dataset = DATASETS[name]()
    folder = _cache_dir(data_dir, name)
    folder.mkdir(parents=True, exist_ok=True)
    pq.write_table(dataset.records, folder / "records.parquet")
    pq.write_table(pa.table({"entity": dataset.truth}), folder / "truth.parquet")
    meta = {
        "prep_version": PREP_VERSION,
        "name": name,
        "link_only": dataset.link_only,
        "description": dataset.description,
        "records": dataset.size,
        "true_entities": dataset.true_entities,
    }
    (folder / "meta.json").write_text(json.dumps(meta, indent=2) + "\n")
    return dataset
