"""The profile layer: what other applications embed.

One view of each customer that sales, marketing and support share: profiles (golden record,
source records, lineage, consent), a unified timeline of events, computed traits,
segments in a small safe rule language, consent and erasure, analyses and exports — all
over a :class:`ProfileStore` of plain Arrow tables, indexed once.

Examples:
    >>> import pyarrow as pa
    >>> from dchkit.profile import ProfileStore, SegmentRegistry
    >>> from dchkit.resolution import Resolver
    >>> res = Resolver().resolve(pa.table({
    ...     "record_id": ["crm:1", "ec:9"], "source": ["crm", "ec"],
    ...     "source_record_id": ["1", "9"], "family_name": ["山田", "山田"],
    ...     "emails": [["taro@example.jp"], ["taro@example.jp"]],
    ... }))
    >>> store = ProfileStore.from_resolution(res)
    >>> store.lookup(record_id="ec:9").sources
    ('crm', 'ec')
    >>> SegmentRegistry(store).define("yamadas", 'family_name == "山田"').name
    'yamadas'
"""

from dchkit.profile.analyses import (
    campaign_conversions,
    channel_mix,
    lifetime_value_distribution,
    stale_leads,
    support_issues,
)
from dchkit.profile.exports import profile_table, salesforce_upsert, to_frame, write_table
from dchkit.profile.privacy import Consent, Erasure, SuppressionResult
from dchkit.profile.profile import Profile
from dchkit.profile.rules import evaluate, from_json, parse
from dchkit.profile.segments import MembershipChange, Segment, SegmentRegistry, evaluate_rule
from dchkit.profile.store import ProfileStore, profiles
from dchkit.profile.timeline import TimelinePage, timeline
from dchkit.profile.traits import (
    BUILTIN_TRAITS,
    Formula,
    RfmScores,
    Trait,
    compute_traits,
)

__all__ = [
    "BUILTIN_TRAITS",
    "Consent",
    "Erasure",
    "Formula",
    "MembershipChange",
    "Profile",
    "ProfileStore",
    "RfmScores",
    "Segment",
    "SegmentRegistry",
    "SuppressionResult",
    "TimelinePage",
    "Trait",
    "campaign_conversions",
    "channel_mix",
    "compute_traits",
    "evaluate",
    "evaluate_rule",
    "from_json",
    "lifetime_value_distribution",
    "parse",
    "profile_table",
    "profiles",
    "salesforce_upsert",
    "stale_leads",
    "support_issues",
    "timeline",
    "to_frame",
    "write_table",
]
