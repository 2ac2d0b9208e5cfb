"""``support_users`` and ``support_tickets``: Zendesk exports (JSON Lines)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from dchkit.datasets.columns import increasing_ids, iso_utc, null_where, strings
from dchkit.datasets.config import WorldConfig
from dchkit.datasets.corrupt import Corruptor
from dchkit.datasets.ec import event_counts, event_times
from dchkit.datasets.people import People
from dchkit.datasets.presence import SourceRows
from dchkit.datasets.render import email, full_name, names, phone

__all__ = ["build_support"]

_CATEGORIES = ("shipping", "billing", "returns", "account", "product")
_SUBJECTS = {
    "ja": (
        "商品がまだ届きません",
        "請求金額について",
        "返品したい",
        "ログインできません",
        "商品の使い方について",
    ),
    "en": (
        "Where is my order?",
        "Question about my invoice",
        "Return request",
        "Can't log in",
        "How do I use this?",
    ),
}
_TYPES = np.array(["question", "incident", "problem", "task"])
_PRIORITIES = np.array(["low", "normal", "high", "urgent"])
_CHANNELS = np.array(["email", "web", "voice", "chat"])


def _tickets(
    rows: SourceRows,
    user_ids: np.ndarray,
    config: WorldConfig,
    rng: np.random.Generator,
    mean: float,
) -> pa.Table:
    counts = event_counts(rng, len(rows.pidx), mean)
    row = np.repeat(np.arange(len(rows.pidx)), counts)
    opened = event_times(rng, rows.created[row], config)
    order = np.argsort(opened, kind="stable")
    row, opened = row[order], opened[order]
    n = len(row)
    category = rng.integers(0, len(_CATEGORIES), n)
    status = rng.choice(5, n, p=[0.04, 0.08, 0.06, 0.22, 0.6])
    solved = status >= 3
    solve_seconds = (rng.lognormal(np.log(8 * 3600), 1.2, n)).astype(np.int64)
    solved_at = opened + solve_seconds
    updated = np.where(
        solved,
        solved_at + rng.integers(0, 4 * 86_400, n) * (status == 4),
        opened + rng.integers(60, 86_400, n),
    )
    tags = pa.ListArray.from_arrays(
        pa.array(np.arange(0, 2 * n + 1, 2, dtype=np.int32)),
        pa.array(
            np.stack(
                [
                    np.array(_CATEGORIES)[category],
                    np.where(rng.random(n) < 0.5, "vip", config.locale),
                ],
                axis=1,
            ).ravel()
        ),
    )
    return pa.table(
        {
            "id": pa.array(np.arange(1, n + 1) + 1000, pa.int64()),
            "requester_id": pa.array(user_ids[row], pa.int64()),
            "subject": strings(np.array(_SUBJECTS[config.locale])[category]),
            "type": strings(_TYPES[rng.choice(4, n, p=[0.55, 0.25, 0.1, 0.1])]),
            "priority": strings(_PRIORITIES[rng.choice(4, n, p=[0.2, 0.6, 0.15, 0.05])]),
            "status": strings(np.array(["new", "open", "pending", "solved", "closed"])[status]),
            "tags": tags,
            "via": pa.StructArray.from_arrays(
                [strings(_CHANNELS[rng.choice(4, n, p=[0.5, 0.3, 0.1, 0.1])])], ["channel"]
            ),
            "created_at": iso_utc(opened),
            "updated_at": iso_utc(updated),
            "solved_at": null_where(iso_utc(solved_at), ~solved),
        }
    )


def build_support(
    people: People,
    rows: SourceRows,
    ec_ids: dict[int, str],
    config: WorldConfig,
    rng: np.random.Generator,
    tickets_per_record: float,
) -> tuple[pa.Table, pa.Table, dict[tuple[str, str], int]]:
    """Build end users (one full-name field) and their tickets.

    ``ec_ids`` maps a person index to their shop customer id; support agents paste it into
    ``external_id`` for some users.
    """
    corr = Corruptor(rng, "support_users")
    rates, locale, pidx = config.corruption, config.locale, rows.pidx
    n = len(pidx)
    family, given = names(
        people, pidx, corr, rates, ("name", "name"), script_rate=rates.name_script * 1.5
    )
    name = full_name(family, given, corr, rates, "name", locale)
    name = corr.case(corr.typos(name, rates.typo, "name"), rates.case / 2, "name")
    user_ids = increasing_ids(rng, n, 360_000_000_000, 2_000_000)
    external = [
        ec_ids.get(int(p)) if r < 0.4 else None
        for p, r in zip(pidx.tolist(), rng.random(n).tolist(), strict=True)
    ]
    tz = (
        ("Tokyo",)
        if locale == "ja"
        else (
            "Pacific Time (US & Canada)",
            "Eastern Time (US & Canada)",
            "Central Time (US & Canada)",
        )
    )
    modified = rows.created + (rng.random(n) ** 2 * 500 * 86_400).astype(np.int64)
    org = np.where(people.company[pidx] >= 0, 900_000 + people.company[pidx], -1)
    tag_counts = rng.integers(0, 3, n)
    tag_values = np.array(["member", "newsletter", "vip"])[
        rng.integers(0, 3, int(tag_counts.sum()))
    ]
    tags = pa.ListArray.from_arrays(
        pa.array(np.r_[0, np.cumsum(tag_counts)].astype(np.int32)), strings(tag_values, pa.string())
    )
    rank = np.array(["bronze", "silver", "gold"])[rng.choice(3, n, p=[0.6, 0.3, 0.1])]
    users = pa.table(
        {
            "id": pa.array(user_ids, pa.int64()),
            "name": name,
            "email": email(people, pidx, corr, rates, "email", family=0.3),
            "phone": corr.missing(
                phone(people.mobile.take(pidx), corr, rates, "phone", locale), 0.6, "phone"
            ),
            "external_id": strings(external, pa.string()),
            "role": strings(np.full(n, "end-user")),
            "locale": strings(np.full(n, "ja" if locale == "ja" else "en-US")),
            "time_zone": strings(np.array(tz)[rng.integers(0, len(tz), n)]),
            "organization_id": pc.if_else(
                pa.array(org >= 0), pa.array(org, pa.int64()), pa.scalar(None, pa.int64())
            ),
            "tags": tags,
            "created_at": iso_utc(rows.created),
            "updated_at": iso_utc(modified),
            "user_fields": pa.StructArray.from_arrays([strings(rank)], ["member_rank"]),
        }
    )
    tickets = _tickets(
        rows, user_ids, config, np.random.default_rng(rng.integers(2**63)), tickets_per_record
    )
    return users, tickets, dict(corr.counts)
