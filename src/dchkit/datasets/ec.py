"""``ec_customers`` and ``ec_orders``: a Shopify customers export and orders export."""

from __future__ import annotations

from types import ModuleType

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from dchkit.datasets._data import en, ja
from dchkit.datasets.columns import (
    digits,
    increasing_ids,
    join,
    local_time,
    null_where,
    strings,
)
from dchkit.datasets.config import WorldConfig
from dchkit.datasets.corrupt import Corruptor
from dchkit.datasets.people import People
from dchkit.datasets.presence import SourceRows, epoch_seconds
from dchkit.datasets.render import address_parts, email, full_name, names, phone, postcode

__all__ = ["build_ec"]

_TAGS = ("", "", "", "VIP", "newsletter", "wholesale", "VIP, newsletter", "returning")


def event_counts(rng: np.random.Generator, n: int, mean: float) -> np.ndarray:
    """Skewed per-record event counts (gamma-Poisson): most have few, some have many."""
    if mean <= 0 or n == 0:
        return np.zeros(n, np.int64)
    counts: np.ndarray = rng.poisson(rng.gamma(0.8, mean / 0.8, n)).astype(np.int64)
    return counts


def money(amount: np.ndarray, locale: str) -> pa.Array:
    """Amounts as export text: yen as integers, dollars with cents (amount in cents)."""
    if locale == "ja":
        return digits(amount)
    return join(digits(amount // 100), ".", digits(amount % 100, 2))


def event_times(rng: np.random.Generator, created: np.ndarray, config: WorldConfig) -> np.ndarray:
    """Uniform times between a record's creation (or the period start) and the period end."""
    start = np.maximum(created, epoch_seconds(config.period_start))
    end = epoch_seconds(config.period_end) + 86_399
    offset: np.ndarray = (rng.random(len(created)) * np.maximum(end - start, 1)).astype(np.int64)
    times: np.ndarray = start + offset
    return times


def _orders(
    people: People,
    rows: SourceRows,
    ids: pa.Array,
    emails: pa.Array,
    config: WorldConfig,
    rng: np.random.Generator,
    mean: float,
    data: ModuleType,
) -> tuple[pa.Table, np.ndarray, dict[tuple[str, str], int]]:
    corr = Corruptor(rng, "ec_orders")
    counts = event_counts(rng, len(rows.pidx), mean)
    row = np.repeat(np.arange(len(rows.pidx)), counts)
    when = event_times(rng, rows.created[row], config)
    order = np.argsort(when, kind="stable")
    row, when = row[order], when[order]
    n, locale, rates = len(row), config.locale, config.corruption
    pidx = rows.pidx[row]
    product = rng.integers(0, len(data.PRODUCTS), n)
    price = np.array([p[1] for p in data.PRODUCTS])[product]
    quantity = rng.choice(4, n, p=[0.0, 0.7, 0.2, 0.1])
    subtotal = price * quantity
    free = subtotal >= 5000  # free shipping from ¥5,000 / $50.00
    shipping = np.where(free, 0, 550 if locale == "ja" else 799)
    taxes = subtotal // 11 if locale == "ja" else (subtotal * 0.0725).astype(np.int64)
    total = subtotal + shipping + (0 if locale == "ja" else taxes)
    status = rng.choice(3, n, p=[0.88, 0.05, 0.07])
    offset = 9 if locale == "ja" else -5
    paid = null_where(local_time(when + rng.integers(0, 600, n), offset), status == 2)
    family, given = names(people, pidx, corr, rates, ("Billing Name", "Billing Name"))
    fulfilment = np.array(["fulfilled", "fulfilled", "unfulfilled", "partial"])[
        rng.integers(0, 4, n)
    ]
    table = pa.table(
        {
            "Id": digits(increasing_ids(rng, n, 5_100_000_000_000, 5000)),
            "Name": join("#", digits(np.arange(1001, 1001 + n))),
            "Customer ID": ids.take(pa.array(row)),
            "Email": emails.take(pa.array(row)),
            "Financial Status": strings(np.array(["paid", "refunded", "pending"])[status]),
            "Fulfillment Status": null_where(strings(fulfilment), status == 2),
            "Currency": strings(np.full(n, "JPY" if locale == "ja" else "USD")),
            "Subtotal": money(subtotal, locale),
            "Shipping": money(shipping, locale),
            "Taxes": money(taxes, locale),
            "Total": money(total, locale),
            "Created at": local_time(when, offset),
            "Paid at": paid,
            "Lineitem name": strings(np.array([p[0] for p in data.PRODUCTS])[product]),
            "Lineitem quantity": digits(quantity),
            "Lineitem price": money(price, locale),
            "Billing Name": corr.typos(
                full_name(family, given, corr, rates, "Billing Name", locale),
                rates.typo / 2,
                "Billing Name",
            ),
            "Billing Phone": corr.missing(
                phone(people.mobile.take(pidx), corr, rates, "Billing Phone", locale),
                0.3,
                "Billing Phone",
            ),
            "Shipping Zip": postcode(
                people.address.take(pidx), corr, rates, "Shipping Zip", locale
            ),
            "Source": strings(
                np.array(["web", "web", "web", "pos", "shopify_draft_order"])[rng.integers(0, 5, n)]
            ),
        }
    )
    totals = np.bincount(row, weights=np.where(status == 1, 0, total), minlength=len(rows.pidx))
    return table, totals.astype(np.int64), dict(corr.counts)


def build_ec(
    people: People,
    rows: SourceRows,
    config: WorldConfig,
    rng: np.random.Generator,
    orders_per_record: float,
) -> tuple[pa.Table, pa.Table, dict[tuple[str, str], int]]:
    """Build customers and their orders (totals in the customer rows match the orders)."""
    corr = Corruptor(rng, "ec_customers")
    rates, locale, pidx = config.corruption, config.locale, rows.pidx
    data = ja if locale == "ja" else en
    n = len(pidx)
    family, given = names(
        people, pidx, corr, rates, ("Last Name", "First Name"), script_rate=rates.name_script * 2
    )
    family = corr.case(corr.typos(family, rates.typo, "Last Name"), rates.case, "Last Name")
    given = corr.case(corr.typos(given, rates.typo, "First Name"), rates.case, "First Name")
    given = corr.missing(given, rates.missing / 2, "First Name")
    mail = email(people, pidx, corr, rates, "Email", family=0.0)
    second = rows.duplicate
    mail = corr.replace(
        mail, second, people.alt_email.take(pa.array(pidx)), "Email", "second_account_new_email"
    )
    moved = corr.mask(n, rates.moved_address) & ~second
    corr.count("Default Address Address1", "moved_address", moved.sum())
    address = people.address.take(pidx).where(moved, people.old_address.take(pidx))
    region, city, street, line2 = address_parts(
        address, corr, rates, "Default Address Address1", locale
    )
    if locale == "ja":
        codes = np.array([p[1] for p in ja.PLACES])[address.place]
        region = join("JP-", strings(codes))
    e164 = [0, 0, 0, 0, 0, 1, 0] if locale == "ja" else [0, 0, 0, 0, 0, 0, 1]
    mobile = people.mobile.take(pidx)
    shop_phone = phone(mobile, corr, rates, "Phone", locale, p=e164)
    address_phone = phone(mobile, corr, rates, "Default Address Phone", locale)
    hub = corr.mask(n, rates.hub_value)
    address_phone = corr.replace(
        address_phone,
        hub,
        strings(np.full(n, data.SHOP_PHONE)),
        "Default Address Phone",
        "hub_value",
    )
    customer_ids = digits(increasing_ids(rng, n, 6_200_000_000_000, 90_000))
    orders, spent, order_counts = _orders(
        people,
        rows,
        customer_ids,
        mail,
        config,
        np.random.default_rng(rng.integers(2**63)),
        orders_per_record,
        data,
    )
    n_orders = np.bincount(
        pc.index_in(orders["Customer ID"], customer_ids).to_numpy(zero_copy_only=False), minlength=n
    )
    companies = np.array(data.COMPANIES)
    company = null_where(
        strings(companies[np.maximum(people.company[pidx], 0)]),
        (people.company[pidx] < 0) | corr.mask(n, 0.7),
    )
    accepts = np.where(rng.random(n) < 0.55, "yes", "no")
    table = pa.table(
        {
            "Customer ID": customer_ids,
            "First Name": given,
            "Last Name": family,
            "Email": mail,
            "Accepts Email Marketing": strings(accepts),
            "Default Address Company": company,
            "Default Address Address1": corr.missing(
                street, rates.missing, "Default Address Address1"
            ),
            "Default Address Address2": line2,
            "Default Address City": city,
            "Default Address Province Code": region,
            "Default Address Country Code": strings(np.full(n, "JP" if locale == "ja" else "US")),
            "Default Address Zip": postcode(address, corr, rates, "Default Address Zip", locale),
            "Default Address Phone": corr.missing(address_phone, 0.3, "Default Address Phone"),
            "Phone": corr.missing(shop_phone, 0.6, "Phone"),
            "Accepts SMS Marketing": strings(np.where(rng.random(n) < 0.2, "yes", "no")),
            "Total Spent": money(spent, locale),
            "Total Orders": digits(n_orders),
            "Note": null_where(
                strings(np.full(n, "ギフト包装希望" if locale == "ja" else "Gift wrap please")),
                rng.random(n) > 0.03,
            ),
            "Tax Exempt": strings(np.where(rng.random(n) < 0.01, "yes", "no")),
            "Tags": strings(np.array(_TAGS)[rng.integers(0, len(_TAGS), n)]),
        }
    )
    return table, orders, dict(corr.counts) | order_counts
