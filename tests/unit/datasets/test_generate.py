from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from dchkit.datasets import World, generate_world

SPEC_HEADERS = {
    "crm_contacts": [
        "Id",
        "FirstName",
        "LastName",
        "Email",
        "Phone",
        "MobilePhone",
        "Birthdate",
        "MailingStreet",
        "MailingCity",
        "MailingState",
        "MailingPostalCode",
        "MailingCountry",
        "Account.Name",
        "HasOptedOutOfEmail",
        "LeadSource",
        "CreatedDate",
        "LastModifiedDate",
    ],
    "ec_customers": [
        "Customer ID",
        "First Name",
        "Last Name",
        "Email",
        "Accepts Email Marketing",
        "Default Address Company",
        "Default Address Address1",
        "Default Address Address2",
        "Default Address City",
        "Default Address Province Code",
        "Default Address Country Code",
        "Default Address Zip",
        "Default Address Phone",
        "Phone",
        "Accepts SMS Marketing",
        "Total Spent",
        "Total Orders",
        "Note",
        "Tax Exempt",
        "Tags",
    ],
    "ec_orders": [
        "Id",
        "Name",
        "Customer ID",
        "Email",
        "Financial Status",
        "Fulfillment Status",
        "Currency",
        "Subtotal",
        "Shipping",
        "Taxes",
        "Total",
        "Created at",
        "Paid at",
        "Lineitem name",
        "Lineitem quantity",
        "Lineitem price",
        "Billing Name",
        "Billing Phone",
        "Shipping Zip",
        "Source",
    ],
    "support_users": [
        "id",
        "name",
        "email",
        "phone",
        "external_id",
        "role",
        "locale",
        "time_zone",
        "organization_id",
        "tags",
        "created_at",
        "updated_at",
        "user_fields",
    ],
    "support_tickets": [
        "id",
        "requester_id",
        "subject",
        "type",
        "priority",
        "status",
        "tags",
        "via",
        "created_at",
        "updated_at",
        "solved_at",
    ],
    "ma_leads": [
        "Record ID",
        "First Name",
        "Last Name",
        "Email",
        "Phone Number",
        "Mobile Phone Number",
        "Company Name",
        "Street Address",
        "City",
        "State/Region",
        "Postal Code",
        "Country/Region",
        "Lifecycle Stage",
        "Lead Status",
        "Original Source",
        "Original Source Drill-Down 1",
        "Create Date",
        "Last Modified Date",
        "Last Activity Date",
        "Contact owner",
        "Marketing contact status",
    ],
    "ma_email_activity": [
        "id",
        "recipient",
        "type",
        "created",
        "emailCampaignId",
        "campaignName",
        "url",
        "portalId",
    ],
    "web_events": [
        "type",
        "messageId",
        "anonymousId",
        "userId",
        "timestamp",
        "event",
        "name",
        "properties",
        "traits",
        "context",
        "previousId",
    ],
}
CSV_TABLES = ("crm_contacts", "ec_customers", "ec_orders", "ma_leads")


def test_tables_carry_the_spec_headers(world: World):
    assert set(world.tables) == set(SPEC_HEADERS)
    for name, headers in SPEC_HEADERS.items():
        assert set(headers) <= set(world.tables[name].column_names), name


def test_ja_tables_carry_the_furigana_fields(ja_world: World, en_world: World):
    assert {"LastNameKana__c", "FirstNameKana__c"} <= set(
        ja_world.tables["crm_contacts"].column_names
    )
    assert "Furigana" in ja_world.tables["ma_leads"].column_names
    assert "LastNameKana__c" not in en_world.tables["crm_contacts"].column_names


def test_csv_tables_are_all_strings(world: World):
    for name in CSV_TABLES:
        assert all(pa.types.is_string(t) for t in world.tables[name].schema.types), name


def test_same_seed_gives_identical_tables_and_other_seed_differs():
    a = generate_world(n_people=400, locale="ja", seed=5)
    b = generate_world(n_people=400, locale="ja", seed=5)
    c = generate_world(n_people=400, locale="ja", seed=6)
    for name in a.tables:
        assert a.tables[name].equals(b.tables[name]), name
    assert a.truth.equals(b.truth)
    assert a.event_truth.equals(b.event_truth)
    assert a.people.equals(b.people)
    assert not a.tables["crm_contacts"].equals(c.tables["crm_contacts"])


def test_truth_is_complete_and_unique(world: World):
    truth = world.truth
    assert truth.num_rows == world.report.records
    assert pc.count_distinct(truth["record_id"]).as_py() == truth.num_rows
    assert truth["person_id"].null_count == 0
    assert set(pc.unique(truth["person_id"]).to_pylist()) <= set(
        world.people["person_id"].to_pylist()
    )
    keys = {
        "crm_contacts": "Id",
        "ec_customers": "Customer ID",
        "support_users": "id",
        "ma_leads": "Record ID",
    }
    for table, key in keys.items():
        ids = world.tables[table][key].cast(pa.string())
        in_truth = truth.filter(pc.equal(truth["table"], table))["source_record_id"]
        assert sorted(ids.to_pylist()) == sorted(in_truth.to_pylist()), table


def test_every_event_links_to_a_record_in_truth(world: World):
    records = set(world.truth["record_id"].to_pylist())
    events = world.event_truth
    assert set(events["record_id"].to_pylist()) <= records
    assert events["person_id"].null_count == 0
    for table in ("ec_orders", "support_tickets", "ma_email_activity", "web_events"):
        assert pc.sum(pc.equal(events["table"], table)).as_py() == world.tables[table].num_rows
    orders, customers = world.tables["ec_orders"], world.tables["ec_customers"]
    assert pc.all(pc.is_in(orders["Customer ID"], customers["Customer ID"])).as_py()
    tickets, users = world.tables["support_tickets"], world.tables["support_users"]
    assert pc.all(pc.is_in(tickets["requester_id"], users["id"])).as_py()


def test_event_person_matches_the_record_person(ja_world: World):
    truth = dict(
        zip(
            ja_world.truth["record_id"].to_pylist(),
            ja_world.truth["person_id"].to_pylist(),
            strict=True,
        )
    )
    events = ja_world.event_truth
    for record_id, person_id in zip(
        events["record_id"].to_pylist(), events["person_id"].to_pylist(), strict=True
    ):
        assert truth[record_id] == person_id


def test_ma_activity_recipients_are_lead_emails(world: World):
    emails = pc.utf8_lower(world.tables["ma_leads"]["Email"].drop_null())
    assert pc.all(pc.is_in(world.tables["ma_email_activity"]["recipient"], emails)).as_py()


def test_duplicate_rate_is_within_configured_bounds():
    world = generate_world(n_people=3000, locale="en", seed=3, duplicate_rate=0.1)
    report = world.report
    per_source = world.report.records_by_table
    dups = sum(report.within_source_duplicates.values())
    first_records = sum(per_source.values()) - dups
    assert 0.07 < dups / first_records < 0.13
    assert 1.5 < report.records_per_person < 3.5
    assert 0.4 < report.share_people_with_2plus_records < 0.95


def test_people_are_in_one_to_four_sources(world: World):
    truth = world.truth
    pairs = {
        (p, s)
        for p, s in zip(truth["person_id"].to_pylist(), truth["source"].to_pylist(), strict=True)
    }
    sources: dict[str, int] = {}
    for person, _ in pairs:
        sources[person] = sources.get(person, 0) + 1
    assert set(sources.values()) <= {1, 2, 3, 4}
    assert len(sources) == world.report.people


def test_no_duplicates_when_rate_is_zero():
    report = generate_world(n_people=500, seed=2, duplicate_rate=0.0).report
    assert sum(report.within_source_duplicates.values()) == 0


def test_n_records_is_exact():
    world = generate_world(n_records=1234, locale="en", seed=9)
    assert world.truth.num_rows == 1234 == world.report.records


def test_typo_rate_tracks_the_config():
    clean = generate_world(
        n_people=1500, seed=4, corruption={"typo": 0.0}
    ).report.corruption_totals()
    noisy = generate_world(
        n_people=1500, seed=4, corruption={"typo": 0.3}
    ).report.corruption_totals()
    assert "typo" not in clean
    crm_last = generate_world(
        n_people=1500, seed=4, corruption={"typo": 0.3}
    ).report.corruption_mix["crm_contacts.LastName"]
    crm_rows = generate_world(n_people=1500, seed=4).report.records_by_table["crm_contacts"]
    assert 0.2 < crm_last["typo"] / crm_rows < 0.35
    assert noisy["typo"] > 500


def test_corruption_mix_names_the_required_kinds(ja_world: World, en_world: World):
    ja_kinds = set(ja_world.report.corruption_totals())
    assert {
        "typo",
        "kanji_variant",
        "script_katakana",
        "script_hiragana",
        "script_romaji",
        "halfwidth_kana",
        "fullwidth",
        "ideographic_space",
        "no_space",
        "honorific",
        "name_order_swap",
        "missing",
        "moved_address",
        "email_change",
        "gmail_variant",
        "format_hyphen",
        "format_e164",
        "style_kanji_numeral",
        "format_mark_hyphen",
    } <= ja_kinds
    en_kinds = set(en_world.report.corruption_totals())
    assert {
        "nickname",
        "typo",
        "format_paren_area",
        "format_dots",
        "format_trunk_1",
        "format_zip4",
        "upper_case",
        "gmail_variant",
        "honorific",
    } <= en_kinds


def test_households_share_address_and_phone_but_stay_distinct(world: World):
    people = world.people.filter(pc.is_valid(world.people["household_id"]))
    assert world.report.households > 0
    by_house: dict[str, list[tuple[str, str, str, str]]] = {}
    for row in people.select(
        ["household_id", "person_id", "street", "home_phone", "family_name"]
    ).to_pylist():
        by_house.setdefault(row["household_id"], []).append(
            (row["person_id"], row["street"], row["home_phone"], row["family_name"])
        )
    for members in by_house.values():
        assert 2 <= len(members) <= 5
        assert len({m[0] for m in members}) == len(members)
        assert len({m[1:] for m in members}) == 1


def test_common_names_are_shared_by_different_people(ja_world: World):
    names = pc.binary_join_element_wise(
        ja_world.people["family_name"], ja_world.people["given_name"], " "
    )
    counts = np.asarray(pc.value_counts(names).field("counts"))
    assert counts.max() >= 2  # some full names repeat: a matcher must not merge on a name
    # … but not absurdly often: in real populations few people share a full name.
    assert (counts[counts > 1].sum()) / ja_world.people.num_rows < 0.05
    families = pc.value_counts(ja_world.people["family_name"])
    order = np.argsort(-np.asarray(families.field("counts")))
    top = families.field("values")[int(order[0])].as_py()
    assert top in {"佐藤", "鈴木", "高橋", "田中"}
    share = int(families.field("counts")[int(order[0])].as_py()) / ja_world.people.num_rows
    assert 0.008 < share < 0.03  # 佐藤 is ~1.5 % of Japanese people


def test_people_never_share_a_personal_email_address(world: World):
    people = world.people
    addresses = [
        value
        for column in ("email", "alt_email", "work_email")
        for value in people[column].to_pylist()
        if value is not None
    ]
    assert len(addresses) == len(set(addresses))
    # A family address is shared within a household only.
    households: dict[str, set[str]] = {}
    for row in people.select(["family_email", "household_id"]).to_pylist():
        if row["family_email"] is not None:
            households.setdefault(row["family_email"], set()).add(row["household_id"])
    assert households
    assert all(len(ids) == 1 for ids in households.values())
    assert not set(households) & set(addresses)
