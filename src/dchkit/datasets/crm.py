"""``crm_contacts``: a Salesforce Contact export (Data Loader / report CSV)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from dchkit.datasets._data import en, ja
from dchkit.datasets.columns import iso_utc, join, null_where, pick, salesforce_ids, strings
from dchkit.datasets.config import WorldConfig
from dchkit.datasets.corrupt import Corruptor
from dchkit.datasets.people import People
from dchkit.datasets.presence import SourceRows
from dchkit.datasets.render import address_parts, email, full_name, kana, names, phone, postcode

__all__ = ["build_crm_contacts"]

_LEAD_SOURCES = (
    "Web",
    "Phone Inquiry",
    "Partner Referral",
    "Trade Show",
    "Purchased List",
    "Other",
)
PLACEHOLDER_BIRTHDATE = "1900-01-01"


def _birthdate(people: People, pidx: np.ndarray, corr: Corruptor, config: WorldConfig) -> pa.Array:
    days = people.birth_days[pidx].astype("datetime64[D]")
    value = pa.array(days).cast(pa.string())
    hub = corr.mask(len(pidx), config.corruption.hub_value)
    value = corr.replace(
        value, hub, strings(np.full(len(pidx), PLACEHOLDER_BIRTHDATE)), "Birthdate", "hub_value"
    )
    return corr.missing(value, 0.35, "Birthdate")


def build_crm_contacts(
    people: People, rows: SourceRows, config: WorldConfig, rng: np.random.Generator
) -> tuple[pa.Table, dict[tuple[str, str], int]]:
    """Build the contacts table; returns it with its corruption counts."""
    corr = Corruptor(rng, "crm_contacts")
    rates, locale, pidx = config.corruption, config.locale, rows.pidx
    n = len(pidx)
    family, given = names(
        people, pidx, corr, rates, ("LastName", "FirstName"), script_rate=rates.name_script / 2
    )
    whole = corr.mask(n, 0.02)  # the whole name typed into the required LastName
    sel = pa.array(np.flatnonzero(whole))
    joined = full_name(family.take(sel), given.take(sel), corr, rates, "LastName", locale)
    family = pc.replace_with_mask(family, pa.array(whole), joined)
    corr.count("LastName", "full_name_in_one_field", whole.sum())
    given = null_where(given, whole)
    family = corr.typos(family, rates.typo, "LastName")
    given = corr.missing(corr.typos(given, rates.typo, "FirstName"), rates.missing / 2, "FirstName")
    if locale == "en":
        family, given = (
            corr.case(family, rates.case, "LastName"),
            corr.case(given, rates.case, "FirstName"),
        )
    mobile = phone(people.mobile.take(pidx), corr, rates, "MobilePhone", locale)
    land = people.landline.take(pidx)
    has_land = land.c.is_valid().to_numpy(zero_copy_only=False)
    main = phone(land, corr, rates, "Phone", locale)
    main = pc.if_else(pa.array(has_land), main, null_where(mobile, corr.mask(n, 0.5)))
    moved = corr.mask(n, rates.moved_address) | (rows.duplicate & corr.mask(n, 0.5))
    corr.count("MailingStreet", "moved_address", moved.sum())
    address = people.address.take(pidx).where(moved, people.old_address.take(pidx))
    region, city, street, line2 = address_parts(address, corr, rates, "MailingStreet", locale)
    street = pc.if_else(pc.is_null(line2), street, join(street, line2, sep="\n"))
    countries = ("日本", "Japan", "JP") if locale == "ja" else ("United States", "USA", "US")
    country = pick(rng.choice(3, n, p=[0.6, 0.3, 0.1]), [strings(np.full(n, c)) for c in countries])
    companies = np.array(ja.COMPANIES if locale == "ja" else en.COMPANIES)
    company = null_where(
        strings(companies[np.maximum(people.company[pidx], 0)]), people.company[pidx] < 0
    )
    if locale == "ja":
        company = corr.apply(
            company,
            corr.mask(n, 0.2),
            lambda v: v.replace("株式会社", "(株)"),
            "Account.Name",
            "abbreviation",
        )
    modified = rows.created + (rng.random(n) ** 3 * 400 * 86_400).astype(np.int64)
    columns: dict[str, pa.Array] = {
        "Id": salesforce_ids(rng, n),
        "FirstName": given,
        "LastName": family,
    }
    if locale == "ja":
        family_kana, given_kana = kana(people, pidx, corr, rates, "LastNameKana__c")
        columns["LastNameKana__c"] = corr.missing(family_kana, 0.25, "LastNameKana__c")
        columns["FirstNameKana__c"] = corr.missing(given_kana, 0.25, "FirstNameKana__c")
    columns |= {
        "Email": email(people, pidx, corr, rates, "Email", work=0.35),
        "Phone": corr.missing(main, rates.missing, "Phone"),
        "MobilePhone": corr.missing(mobile, 0.45, "MobilePhone"),
        "Birthdate": _birthdate(people, pidx, corr, config),
        "MailingStreet": corr.missing(street, rates.missing, "MailingStreet"),
        "MailingCity": city,
        "MailingState": region,
        "MailingPostalCode": corr.missing(
            postcode(address, corr, rates, "MailingPostalCode", locale),
            rates.missing,
            "MailingPostalCode",
        ),
        "MailingCountry": corr.missing(country, 0.2, "MailingCountry"),
        "Account.Name": company,
        "HasOptedOutOfEmail": strings(np.where(rng.random(n) < 0.12, "true", "false")),
        "LeadSource": strings(np.array(_LEAD_SOURCES)[rng.integers(0, len(_LEAD_SOURCES), n)]),
        "CreatedDate": iso_utc(rows.created, millis=True),
        "LastModifiedDate": iso_utc(modified, millis=True),
    }
    return pa.table(columns), dict(corr.counts)
