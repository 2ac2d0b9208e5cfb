"""Who appears in which source, how often, and when each record was created."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import numpy as np

from dchkit.datasets.config import SOURCES, WorldConfig

__all__ = ["SourceRows", "draw_presence", "epoch_seconds"]

_DAY = 86_400
_HISTORY_DAYS = 3 * 365


def epoch_seconds(day: date) -> int:
    """Seconds since 1970-01-01 UTC at the start of ``day``."""
    return (day - date(1970, 1, 1)).days * _DAY


@dataclass(frozen=True)
class SourceRows:
    """The rows of one source table, ordered by creation time."""

    pidx: np.ndarray
    duplicate: np.ndarray
    created: np.ndarray


def _counts(config: WorldConfig, rng: np.random.Generator, n: int) -> np.ndarray:
    p = np.array([getattr(config.sources, s) for s in SOURCES])
    present = rng.random((n, len(SOURCES))) < p
    none = ~present.any(axis=1)
    present[np.flatnonzero(none), rng.choice(len(p), none.sum(), p=p / p.sum())] = True
    every = present.all(axis=1)
    present[np.flatnonzero(every), rng.integers(0, len(p), every.sum())] = False
    dup = present & (rng.random(present.shape) < config.duplicate_rate)
    third = dup & (rng.random(present.shape) < 0.1)
    return present.astype(np.int8) + dup + third


def draw_presence(
    config: WorldConfig, rng: np.random.Generator
) -> tuple[int, dict[str, SourceRows]]:
    """Return the number of people and, per source, its rows (exactly ``n_records`` in all)."""
    if config.n_people is not None:
        counts = _counts(config, rng, config.n_people)
    else:
        target = int(config.n_records or 0)
        mean = _counts(config, np.random.default_rng(0), 4096).sum() / 4096
        counts = _counts(config, rng, math.ceil(target / mean * 1.05) + 16)
        total = np.cumsum(counts.sum(axis=1))
        last = int(np.searchsorted(total, target))
        counts = counts[: last + 1].copy()
        surplus = int(total[last] - target)
        while surplus:
            col = int(np.argmax(counts[last]))
            counts[last, col] -= 1
            surplus -= 1
    n = len(counts)
    start = epoch_seconds(config.period_start) - _HISTORY_DAYS * _DAY
    end = epoch_seconds(config.period_end) + _DAY - 1
    span = end - start
    rows: dict[str, SourceRows] = {}
    for s, source in enumerate(SOURCES):
        pidx = np.repeat(np.arange(n), counts[:, s])
        first = np.r_[True, pidx[1:] != pidx[:-1]] if len(pidx) else np.zeros(0, bool)
        created = start + (rng.random(len(pidx)) ** 0.8 * span * 0.95).astype(np.int64)
        later = rng.integers(30 * _DAY, 700 * _DAY, len(pidx))
        again = np.flatnonzero(~first)
        for _ in range(2):  # a duplicate comes after the person's previous record there
            created[again] = np.minimum(created[again - 1] + later[again], end)
        order = np.argsort(created, kind="stable")
        rows[source] = SourceRows(pidx[order], ~first[order], created[order])
    return n, rows
