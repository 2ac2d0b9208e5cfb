"""``ma_leads`` and ``ma_email_activity``: a HubSpot contacts export and e-mail events."""

from __future__ import annotations

from types import ModuleType

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from dchkit.datasets._data import en, ja
from dchkit.datasets.columns import digits, increasing_ids, join, null_where, strings
from dchkit.datasets.config import WorldConfig
from dchkit.datasets.corrupt import Corruptor
from dchkit.datasets.ec import event_counts, event_times
from dchkit.datasets.people import People
from dchkit.datasets.presence import SourceRows
from dchkit.datasets.render import address_parts, email, kana, names, phone, postcode

__all__ = ["build_ma"]

_STAGES = np.array(
    [
        "subscriber",
        "lead",
        "marketingqualifiedlead",
        "salesqualifiedlead",
        "opportunity",
        "customer",
    ]
)
_STATUS = np.array(
    ["NEW", "OPEN", "IN_PROGRESS", "ATTEMPTED_TO_CONTACT", "CONNECTED", "UNQUALIFIED"]
)
_ORIGINS = np.array(
    [
        "ORGANIC_SEARCH",
        "PAID_SEARCH",
        "EMAIL_MARKETING",
        "SOCIAL_MEDIA",
        "REFERRALS",
        "DIRECT_TRAFFIC",
        "OFFLINE",
    ]
)
_CAMPAIGNS = np.array(
    [
        "spring_sale",
        "newsletter_weekly",
        "summer_gift",
        "black_friday",
        "new_arrivals",
        "winter_campaign",
    ]
)
_OWNERS = {
    "ja": np.array(["佐藤 美咲", "田中 健一", "鈴木 彩"]),
    "en": np.array(["Alex Morgan", "Jordan Lee", "Casey Brooks"]),
}
#: Events each send can produce, in order; a bounced send stops after SENT.
_EVENTS = ("SENT", "DELIVERED", "OPEN", "CLICK", "UNSUBSCRIBED")


def _hubspot_time(seconds: np.ndarray) -> pa.Array:
    """HubSpot export timestamps: ``2024-05-01 09:30``."""
    text = pa.array((seconds // 60 * 60).astype("datetime64[s]")).cast(pa.string())
    return pc.utf8_slice_codeunits(text, 0, 16)


def _activity(
    leads: pa.Table,
    rows: SourceRows,
    config: WorldConfig,
    rng: np.random.Generator,
    mean: float,
    data: ModuleType,
) -> pa.Table:
    has_email = leads["Email"].is_valid().to_numpy(zero_copy_only=False)
    sends = event_counts(rng, len(rows.pidx), mean / 2.4) * has_email
    lead = np.repeat(np.arange(len(rows.pidx)), sends)
    sent = event_times(rng, rows.created[lead], config)
    m = len(lead)
    bounce = rng.random(m) < 0.03
    depth = np.where(bounce, 1, 2 + (rng.random(m) < 0.45) + (rng.random(m) < 0.3))
    unsub = (depth >= 3) & (rng.random(m) < 0.04)
    depth = depth + unsub
    send = np.repeat(np.arange(m), depth)
    step = np.arange(len(send)) - np.repeat(np.cumsum(depth) - depth, depth)
    kinds = np.array(_EVENTS)[step]
    kinds[(step == 1) & bounce[send]] = "BOUNCE"
    kinds[(step == depth[send] - 1) & unsub[send]] = "UNSUBSCRIBED"
    delay = np.where(step == 0, 0, rng.integers(5, 3 * 86_400, len(send)) * np.minimum(step, 1))
    when_ms = (
        sent[send] + np.cumsum(delay) - np.repeat(np.cumsum(delay)[np.cumsum(depth) - depth], depth)
    ) * 1000
    when_ms += rng.integers(0, 1000, len(send))
    campaign = rng.integers(0, len(_CAMPAIGNS), m)[send]
    order = np.argsort(when_ms, kind="stable")
    send, kinds, when_ms, campaign = send[order], kinds[order], when_ms[order], campaign[order]
    n = len(send)
    url = join(
        f"https://{data.SHOP_DOMAIN}/",
        strings(_CAMPAIGNS[campaign]),
        "?utm_source=hubspot&utm_medium=email",
    )
    return pa.table(
        {
            "id": pa.array(increasing_ids(rng, n, 10_000_000_000, 3)).cast(pa.string()),
            "recipient": pc.utf8_lower(leads["Email"].take(pa.array(lead[send]))),
            "type": strings(kinds),
            "created": pa.array(when_ms, pa.int64()),
            "emailCampaignId": pa.array(70_000_000 + campaign, pa.int64()),
            "campaignName": strings(_CAMPAIGNS[campaign]),
            "url": null_where(url, kinds != "CLICK"),
            "portalId": strings(np.full(n, 4_412_345), pa.int64()),
            "_lead": pa.array(lead[send], pa.int64()),
        }
    )


def build_ma(
    people: People,
    rows: SourceRows,
    config: WorldConfig,
    rng: np.random.Generator,
    events_per_record: float,
) -> tuple[pa.Table, pa.Table, dict[tuple[str, str], int]]:
    """Build leads (stale addresses are common here) and their e-mail events.

    The activity table carries a private ``_lead`` column (row of the lead) that the
    generator turns into ground truth and drops.
    """
    corr = Corruptor(rng, "ma_leads")
    rates, locale, pidx = config.corruption, config.locale, rows.pidx
    data = ja if locale == "ja" else en
    n = len(pidx)
    family, given = names(people, pidx, corr, rates, ("Last Name", "First Name"))
    family = corr.case(corr.typos(family, rates.typo, "Last Name"), rates.case, "Last Name")
    given = corr.missing(
        corr.case(corr.typos(given, rates.typo, "First Name"), rates.case, "First Name"),
        rates.missing,
        "First Name",
    )
    mail = email(people, pidx, corr, rates, "Email", work=0.2, hub=f"info@{data.SHOP_DOMAIN}")
    moved = corr.mask(n, rates.moved_address * 2)
    corr.count("Street Address", "moved_address", moved.sum())
    address = people.address.take(pidx).where(moved, people.old_address.take(pidx))
    region, city, street, _ = address_parts(address, corr, rates, "Street Address", locale)
    land = people.landline.take(pidx)
    companies = np.array(data.COMPANIES)
    company = null_where(
        strings(companies[np.maximum(people.company[pidx], 0)]), people.company[pidx] < 0
    )
    modified = rows.created + (rng.random(n) ** 2 * 300 * 86_400).astype(np.int64)
    activity = rows.created + (rng.random(n) * 200 * 86_400).astype(np.int64)
    columns: dict[str, pa.Array] = {
        "Record ID": digits(increasing_ids(rng, n, 51_000, 400)),
        "First Name": given,
        "Last Name": family,
        "Email": mail,
        "Phone Number": corr.missing(
            phone(land, corr, rates, "Phone Number", locale), rates.missing, "Phone Number"
        ),
        "Mobile Phone Number": corr.missing(
            phone(people.mobile.take(pidx), corr, rates, "Mobile Phone Number", locale),
            0.5,
            "Mobile Phone Number",
        ),
        "Company Name": company,
        "Street Address": corr.missing(street, 0.3, "Street Address"),
        "City": corr.missing(city, 0.25, "City"),
        "State/Region": corr.missing(region, 0.25, "State/Region"),
        "Postal Code": corr.missing(
            postcode(address, corr, rates, "Postal Code", locale), 0.3, "Postal Code"
        ),
        "Country/Region": strings(
            np.where(rng.random(n) < 0.7, "Japan" if locale == "ja" else "United States", "")
        ),
        "Lifecycle Stage": strings(_STAGES[rng.choice(6, n, p=[0.35, 0.3, 0.12, 0.08, 0.05, 0.1])]),
        "Lead Status": null_where(strings(_STATUS[rng.integers(0, 6, n)]), rng.random(n) < 0.4),
        "Original Source": strings(_ORIGINS[rng.integers(0, len(_ORIGINS), n)]),
        "Original Source Drill-Down 1": strings(_CAMPAIGNS[rng.integers(0, len(_CAMPAIGNS), n)]),
        "Create Date": _hubspot_time(rows.created),
        "Last Modified Date": _hubspot_time(modified),
        "Last Activity Date": null_where(_hubspot_time(activity), rng.random(n) < 0.45),
        "Contact owner": strings(_OWNERS[locale][rng.integers(0, 3, n)]),
        "Marketing contact status": strings(
            np.where(rng.random(n) < 0.8, "Marketing contact", "Non-marketing contact")
        ),
    }
    if locale == "ja":
        family_kana, given_kana = kana(people, pidx, corr, rates, "Furigana")
        columns["Furigana"] = corr.missing(join(family_kana, given_kana, sep=" "), 0.5, "Furigana")
    leads = pa.table(columns)
    events = _activity(
        leads, rows, config, np.random.default_rng(rng.integers(2**63)), events_per_record, data
    )
    return leads, events, dict(corr.counts)
