"""Seeded synthetic multi-source customer worlds with ground truth.

A *world* is a population of true people, each present in 1–4 source systems (a CRM, a
shop, a support desk, a marketing-automation tool, a website) whose tables look like
real exports of those systems — with typos, old kanji, kana and romaji names, every phone
and postcode format, moved addresses, shared family landlines, gmail dots and more — plus
events (orders, tickets, e-mails, page views) and the truth of who is who.

Examples:
    >>> from dchkit.datasets import generate_world
    >>> world = generate_world(n_people=200, locale="en", seed=1)
    >>> world.tables["crm_contacts"].column_names[:3]
    ['Id', 'FirstName', 'LastName']
    >>> world.truth.column_names
    ['source', 'table', 'source_record_id', 'record_id', 'person_id', 'identified']
"""

from dchkit.datasets.config import CorruptionRates, SourceRates, WorldConfig
from dchkit.datasets.generate import generate_world, load_demo
from dchkit.datasets.report import HubValue, WorldReport
from dchkit.datasets.truth import resolvable_truth
from dchkit.datasets.world import TABLES, World

__all__ = [
    "TABLES",
    "CorruptionRates",
    "HubValue",
    "SourceRates",
    "World",
    "WorldConfig",
    "WorldReport",
    "generate_world",
    "load_demo",
    "resolvable_truth",
]
