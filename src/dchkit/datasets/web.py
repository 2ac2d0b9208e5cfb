"""``web_events``: Segment messages (JSON Lines) from visitors, anonymous or logged in.

A web *record* is a visitor: one per ``userId`` (the shop customer id, once logged in), or
per ``anonymousId`` that never logs in. ``identify`` messages carry traits; ``alias``
messages tie the anonymous id to the user id.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from dchkit.datasets._data import en, ja
from dchkit.datasets.columns import digits, iso_utc, join, null_where, strings, uuids
from dchkit.datasets.config import WorldConfig
from dchkit.datasets.corrupt import Corruptor
from dchkit.datasets.ec import event_counts, event_times
from dchkit.datasets.people import People
from dchkit.datasets.presence import SourceRows
from dchkit.datasets.render import email, names, phone

__all__ = ["build_web"]

_TRACKS = np.array(
    [
        "Product Viewed",
        "Product Added",
        "Checkout Started",
        "Order Completed",
        "Signed Up",
        "Signed In",
    ]
)
_TRACK_P = np.array([0.45, 0.2, 0.1, 0.07, 0.08, 0.1])
_PAGES = np.array(["Home", "Product", "Cart", "Category", "Search", "Account"])
_PATHS = np.array(["/", "/products/item", "/cart", "/collections/all", "/search", "/account"])
_AGENTS = np.array(
    [
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/124.0 Safari/537.36",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 Version/17.4 Safari/605.1.15",
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/124.0 Mobile Safari/537.36",
    ]
)


def build_web(
    people: People,
    rows: SourceRows,
    ec_ids: dict[int, str],
    config: WorldConfig,
    rng: np.random.Generator,
    events_per_record: float,
) -> tuple[pa.Table, pa.Array, npt.NDArray[np.bool_], dict[tuple[str, str], int]]:
    """Build the Segment messages.

    Returns the messages, the record id of each visitor, whether each visitor ever said
    who they are (logged in or sent an ``identify`` with traits), and corruption counts.
    The table carries a private ``_visitor`` column (visitor row) for the ground truth.
    """
    corr = Corruptor(rng, "web_events")
    rates, locale, pidx = config.corruption, config.locale, rows.pidx
    data = ja if locale == "ja" else en
    v = len(pidx)
    anonymous = uuids(rng, v)
    user = [ec_ids.get(int(p)) for p in pidx.tolist()]
    logged_in = np.array([u is not None for u in user]) & ~rows.duplicate & (rng.random(v) < 0.7)
    user_id = null_where(strings(user, pa.string()), ~logged_in)
    record_id = pc.if_else(pa.array(logged_in), user_id, anonymous)

    counts = np.maximum(event_counts(rng, v, events_per_record), 1)
    visitor = np.repeat(np.arange(v), counts)
    n = len(visitor)
    ts = event_times(rng, rows.created[visitor], config)
    order = np.lexsort((ts, visitor))
    ts = ts[order]
    start = np.cumsum(counts) - counts
    step = np.arange(n) - np.repeat(start, counts)
    login = (rng.random(v) * counts).astype(np.int64)
    identifies = logged_in | (rng.random(v) < 0.25)
    is_identify = identifies[visitor] & (step == login[visitor])
    is_alias = logged_in[visitor] & (step == login[visitor] + 1) & (rng.random(n) < 0.5)
    is_track = ~is_identify & ~is_alias & (rng.random(n) < 0.4)
    kind = np.where(
        is_identify, "identify", np.where(is_alias, "alias", np.where(is_track, "track", "page"))
    )
    after_login = logged_in[visitor] & (step >= login[visitor])
    vidx = pa.array(visitor)
    page = rng.integers(0, len(_PAGES), n)
    base = f"https://{data.SHOP_DOMAIN}"
    url = join(base, strings(_PATHS[page]))
    title = join(strings(_PAGES[page]), f" | {data.SHOP_NAME}")
    product = rng.integers(0, len(data.PRODUCTS), n)
    price = np.array([p[1] for p in data.PRODUCTS])[product]
    price_text = price.astype(np.float64) if locale == "ja" else price / 100
    is_page = kind == "page"
    properties = pa.StructArray.from_arrays(
        [
            null_where(strings(_PATHS[page]), ~is_page),
            null_where(url, ~is_page),
            null_where(title, ~is_page),
            null_where(join("sku-", digits(product, 4)), ~is_track),
            pc.if_else(pa.array(is_track), pa.array(price_text), pa.scalar(None, pa.float64())),
            null_where(strings(np.full(n, "JPY" if locale == "ja" else "USD")), ~is_track),
        ],
        ["path", "url", "title", "product_id", "price", "currency"],
        mask=pa.array(~(is_page | is_track)),
    )
    ident = np.flatnonzero(is_identify)
    ip = pidx[visitor[ident]]
    family, given = names(
        people,
        ip,
        corr,
        rates,
        ("traits.lastName", "traits.firstName"),
        script_rate=rates.name_script * 2,
    )
    traits_email = email(people, ip, corr, rates, "traits.email", family=0.0)
    traits_phone = corr.missing(
        phone(people.mobile.take(ip), corr, rates, "traits.phone", locale), 0.7, "traits.phone"
    )
    traits_small = pa.StructArray.from_arrays(
        [traits_email, given, family, traits_phone], ["email", "firstName", "lastName", "phone"]
    )
    positions = np.full(n, -1, np.int64)
    positions[ident] = np.arange(len(ident))
    traits = (
        traits_small.take(pa.array(np.maximum(positions, 0)))
        if len(ident)
        else pa.nulls(n, traits_small.type)
    )
    traits = (
        pc.if_else(pa.array(is_identify), traits, pa.scalar(None, traits_small.type))
        if n
        else traits
    )
    ip_addr = join(
        digits(rng.integers(1, 223, v)),
        digits(rng.integers(0, 256, v)),
        digits(rng.integers(0, 256, v)),
        digits(rng.integers(1, 255, v)),
        sep=".",
    )
    context = pa.StructArray.from_arrays(
        [
            pa.StructArray.from_arrays(
                [
                    url,
                    strings(_PATHS[page]),
                    null_where(strings(np.full(n, "https://www.google.com/")), rng.random(n) < 0.6),
                    title,
                ],
                ["url", "path", "referrer", "title"],
            ),
            strings(_AGENTS[rng.integers(0, len(_AGENTS), v)]).take(vidx),
            ip_addr.take(vidx),
            strings(np.full(n, "ja-JP" if locale == "ja" else "en-US")),
        ],
        ["page", "userAgent", "ip", "locale"],
    )
    table = pa.table(
        {
            "type": strings(kind),
            "messageId": uuids(rng, n),
            "anonymousId": anonymous.take(vidx),
            "userId": null_where(user_id.take(vidx), ~after_login),
            "timestamp": iso_utc(ts, millis=True),
            "event": null_where(
                strings(_TRACKS[rng.choice(len(_TRACKS), n, p=_TRACK_P)]), ~is_track
            ),
            "name": null_where(strings(_PAGES[page]), ~is_page),
            "properties": properties,
            "traits": traits,
            "context": context,
            "previousId": null_where(anonymous.take(vidx), ~is_alias),
            "_visitor": pa.array(visitor, pa.int64()),
        }
    )
    return table, record_id, logged_in | identifies, dict(corr.counts)
