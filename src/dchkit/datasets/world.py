"""``World``: the generated tables, their ground truth, and writing them as real exports."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from dchkit.datasets.config import WorldConfig
from dchkit.datasets.report import WorldReport

__all__ = ["TABLES", "World"]

#: table -> (file, format, source label, connector preset name, kind)
TABLES: dict[str, tuple[str, str, str, str, str]] = {
    "crm_contacts": ("crm_contacts.csv", "csv", "crm", "salesforce_contacts", "records"),
    "ec_customers": ("ec_customers.csv", "csv", "ec", "shopify_customers", "records"),
    "ec_orders": ("ec_orders.csv", "csv", "ec", "shopify_orders", "events"),
    "support_users": ("support_users.jsonl", "jsonl", "support", "zendesk_users", "records"),
    "support_tickets": ("support_tickets.jsonl", "jsonl", "support", "zendesk_tickets", "events"),
    "ma_leads": ("ma_leads.csv", "csv", "ma", "hubspot_contacts", "records"),
    "ma_email_activity": (
        "ma_email_activity.jsonl",
        "jsonl",
        "ma",
        "hubspot_email_events",
        "events",
    ),
    "web_events": ("web_events.jsonl", "jsonl", "web", "segment_events", "events"),
}


def _drop_nested_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_nested_nulls(v) for k, v in value.items() if v is not None}
    return value


def _json_lines(table: pa.Table) -> Iterator[str]:
    for batch in table.to_batches(max_chunksize=20_000):
        for row in batch.to_pylist():
            # Top-level nulls stay (userId: null before login); absent nested members go.
            clean = {
                k: (_drop_nested_nulls(v) if isinstance(v, dict) else v) for k, v in row.items()
            }
            yield json.dumps(clean, ensure_ascii=False, separators=(",", ":")) + "\n"


@dataclass(frozen=True)
class World:
    """A generated world: raw source tables plus everything needed to score a matcher.

    Attributes:
        config: The configuration it was generated from.
        tables: Raw export tables keyed by table name (``crm_contacts``, ``ec_orders`` …).
        truth: One row per source record: source, table, source_record_id, record_id,
            person_id.
        event_truth: One row per event: table, event_key, person_id, record_id.
        people: The clean true people.
        report: Duplicate rate, corruption mix, households, hub values.
    """

    config: WorldConfig
    tables: dict[str, pa.Table]
    truth: pa.Table
    event_truth: pa.Table
    people: pa.Table
    report: WorldReport

    def write(self, directory: str | Path, *, cp932_crm: bool = False) -> Path:
        """Write every table as its system exports it, plus truth and ``manifest.json``.

        CSV files are UTF-8 with a byte-order mark (what Excel needs to open them); with
        ``cp932_crm`` the CRM file is CP932 like a Japanese Excel export, and characters
        CP932 lacks (𠮷) become ``?`` as they would there. JSON-Lines files are UTF-8.

        Returns:
            The directory written to.
        """
        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        manifest: dict[str, Any] = {
            "generator": "dchkit.datasets",
            "config": json.loads(self.config.model_dump_json()),
            "tables": {},
        }
        for name, table in self.tables.items():
            file, fmt, source, preset, kind = TABLES[name]
            encoding = "utf-8"
            path = out / file
            if fmt == "csv":
                quoting = "all_valid" if source == "crm" else "needed"
                sink = pa.BufferOutputStream()
                pacsv.write_csv(table, sink, pacsv.WriteOptions(quoting_style=quoting))
                text = sink.getvalue().to_pybytes()
                if name == "crm_contacts" and cp932_crm:
                    encoding = "cp932"
                    path.write_bytes(text.decode("utf-8").encode("cp932", errors="replace"))
                else:
                    encoding = "utf-8-sig"
                    path.write_bytes(b"\xef\xbb\xbf" + text)
            else:
                with path.open("w", encoding="utf-8", newline="\n") as handle:
                    handle.writelines(_json_lines(table))
            manifest["tables"][name] = {
                "file": file,
                "format": fmt,
                "encoding": encoding,
                "preset": preset,
                "source": source,
                "kind": kind,
                "rows": table.num_rows,
            }
        pq.write_table(self.truth, out / "truth.parquet")
        pq.write_table(self.event_truth, out / "event_truth.parquet")
        pq.write_table(self.people, out / "people.parquet")
        manifest["truth"] = {
            "records": "truth.parquet",
            "events": "event_truth.parquet",
            "people": "people.parquet",
        }
        (out / "manifest.json").write_text(
            json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        return out

    def __repr__(self) -> str:
        sizes = ", ".join(f"{k}={v.num_rows}" for k, v in self.tables.items())
        return f"World(locale={self.config.locale!r}, seed={self.config.seed}, {sizes})"
