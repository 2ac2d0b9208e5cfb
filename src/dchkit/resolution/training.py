"""Training m without labels, one blocking "session" at a time (no EM degeneracy).

EM on *all* candidate pairs with u from random pairs tends to learn the wrong classes:
candidate pairs agree on something by construction, so pairs that are not the same person
but look alike — a household sharing a family name, an address and a landline — fit the
match class better than the random-pair non-match class, and the model learns that a
different given name is normal for a match.

So m is learnt in sessions. Each session takes the pairs of one *training rule* and runs EM
only over the comparisons that do not read the rule's fields or fields correlated with
them (a *column group*: the family-name keys, the location columns …; blocking on anything a
household shares — family name, address, phone, e-mail — sets all of those aside). Within a block of
people sharing a birth date, non-matches really are unrelated people on names and
addresses, and EM separates the classes. Each comparison's m is the pair-weighted mean of
its sessions; λ is then fitted on all candidate pairs with m and u fixed.

Examples:
    >>> from dchkit.resolution.training import comparison_groups
    >>> from dchkit.resolution.config import DEFAULT_COMPARISONS
    >>> sorted(comparison_groups(DEFAULT_COMPARISONS[0]))
    ['family', 'given']
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from dchkit.resolution.blocking import BlockingRule, candidate_pairs
from dchkit.resolution.comparisons import Comparison, EncodedFeatures, compare_pairs
from dchkit.resolution.model import EmReport, MatchModel, starting_m, train

__all__ = [
    "COLUMN_GROUPS",
    "HOUSEHOLD_GROUPS",
    "SessionReport",
    "comparison_groups",
    "refine",
    "train_in_sessions",
]

#: Feature columns that carry the same (or strongly correlated) information. A session
#: blocked on a column ignores every comparison reading a column of the same group.
COLUMN_GROUPS: dict[str, frozenset[str]] = {
    "family_key": frozenset({"family"}),
    "family_kanji": frozenset({"family"}),
    "family_any_romaji": frozenset({"family"}),
    "given_kanji": frozenset({"given"}),
    "given_any_romaji": frozenset({"given"}),
    "family_reading": frozenset({"family"}),
    "family_romaji": frozenset({"family"}),
    "given_key": frozenset({"given"}),
    "given_reading": frozenset({"given"}),
    "given_romaji": frozenset({"given"}),
    "given_nickname": frozenset({"given"}),
    "family_chars": frozenset({"family"}),
    "given_chars": frozenset({"given"}),
    "name_compact": frozenset({"family", "given"}),
    "name_guess_compact": frozenset({"family", "given"}),
    "name_reading_compact": frozenset({"family", "given"}),
    "emails": frozenset({"email"}),
    "email_keys": frozenset({"email"}),
    "phones": frozenset({"phone"}),
    "mobile_phones": frozenset({"phone"}),
    "birth_date": frozenset({"birth"}),
    "birth_text": frozenset({"birth"}),
    "postcode": frozenset({"location"}),
    "address_key": frozenset({"location"}),
    "city_key": frozenset({"location"}),
}


#: EM over a single comparison cannot tell matches from non-matches (any split of its
#: levels fits), so a session must train at least this many comparisons together.
_MIN_TRAINED = 2

#: Groups that people of one household share: a session blocked on any of them ignores all
#: of them, because a household's members (different people) agree on the others too.
HOUSEHOLD_GROUPS = frozenset({"family", "location", "phone", "email"})


def _groups(columns: Sequence[str]) -> frozenset[str]:
    return frozenset().union(*(COLUMN_GROUPS.get(c, frozenset({c})) for c in columns))


def _excluded(rule: BlockingRule) -> frozenset[str]:
    groups = _groups(rule.fields)
    return groups | HOUSEHOLD_GROUPS if groups & HOUSEHOLD_GROUPS else groups


def comparison_groups(comparison: Comparison) -> frozenset[str]:
    """The column groups a comparison reads."""
    return _groups(comparison.columns)


@dataclass(frozen=True, slots=True)
class SessionReport:
    """One training session: its rule, pairs, the comparisons it trained, and EM's course."""

    rule: str
    pairs: int
    trained: tuple[str, ...]
    em: EmReport | None


def train_in_sessions(
    features: pa.Table,
    comparisons: Sequence[Comparison],
    u: Sequence[Sequence[float]],
    sessions: Sequence[BlockingRule],
    *,
    min_pairs: int = 30,
    max_pairs: int = 20_000_000,
    encoded: EncodedFeatures | None = None,
) -> tuple[tuple[tuple[float, ...], ...], tuple[SessionReport, ...]]:
    """Learn m for every comparison from sessions blocked on the training rules.

    ``encoded`` is ``features`` already encoded for comparisons (the resolver's), so the
    sessions do not encode the columns again.

    Returns:
        m per comparison (typical values where no session could train it) and one report
        per session.
    """
    fallback_m = [starting_m(c) for c in comparisons]
    sums = [np.zeros(c.top_level + 1) for c in comparisons]
    weights = np.zeros(len(comparisons))
    reports: list[SessionReport] = []
    for rule in sessions:
        blocked = _excluded(rule)
        kept = [j for j, c in enumerate(comparisons) if not (comparison_groups(c) & blocked)]
        pairs = candidate_pairs(features, [rule], max_pairs=max_pairs).pairs
        if len(kept) < _MIN_TRAINED or len(pairs) < min_pairs:
            reports.append(SessionReport(rule.label, len(pairs), (), None))
            continue
        chosen = [comparisons[j] for j in kept]
        levels = compare_pairs(encoded or features, pairs, chosen)
        model, em = train(
            levels,
            chosen,
            [u[j] for j in kept],
            prior=0.5,
            initial_m=[fallback_m[j] for j in kept],
        )
        for position, j in enumerate(kept):
            observed = int((levels[:, position] >= 0).sum())
            sums[j] += np.asarray(model.m[position]) * observed
            weights[j] += observed
        reports.append(SessionReport(rule.label, len(pairs), tuple(c.name for c in chosen), em))
    m = tuple(
        tuple(float(v) for v in (sums[j] / weights[j] if weights[j] > 0 else fallback_m[j]))
        for j in range(len(comparisons))
    )
    return m, tuple(reports)


def refine(
    levels: np.ndarray,
    comparisons: Sequence[Comparison],
    m: Sequence[Sequence[float]],
    u: Sequence[Sequence[float]],
    *,
    dependent: Sequence[Sequence[str]],
    discount: float,
    unless: str | None = None,
    personal: Sequence[str] = (),
    learnt: Sequence[str] = (),
) -> tuple[MatchModel, EmReport]:
    """Fit λ over all candidate pairs, keeping the m the sessions ``learnt``; scored as the resolver does.

    The m of comparisons a session learnt is not re-learnt here: with u from random
    pairs, EM over all candidate pairs takes look-alike non-matches (a household's
    members) for matches and learns that a different given name is normal for a match.
    Comparisons no session could train start from the typical m and are learnt here.
    The household-dependence correction is part of the E-step, as in the resolver.
    """
    return train(
        levels,
        comparisons,
        u,
        prior=0.1,
        initial_m=m,
        fixed=learnt,
        dependent=dependent,
        discount=discount,
        dependent_unless=unless,
        dependent_personal=personal,
    )
