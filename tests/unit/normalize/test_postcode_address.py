from __future__ import annotations

import pytest

from dchkit.errors import ConfigError, NormalizationError
from dchkit.normalize import (
    jp_prefecture,
    normalize_address,
    normalize_address_column,
    normalize_postcode,
    normalize_postcode_column,
    us_state,
)
from dchkit.normalize.regions import JP_PREFECTURES, US_STATES


@pytest.mark.parametrize(
    ("raw", "country", "postcode", "key"),
    [
        ("100-0001", None, "1000001", "1000001"),
        ("〒100-0001", None, "1000001", "1000001"),
        ("〒１００－０００１", "JP", "1000001", "1000001"),
        ("1000001", "JP", "1000001", "1000001"),
        ("100ー0001", "JP", "1000001", "1000001"),
        (" 〒 530-0001 ", "jp", "5300001", "5300001"),
        ("20500", None, "20500", "20500"),
        ("20500-0003", "US", "20500-0003", "20500"),
        ("205000003", "US", "20500-0003", "20500"),
        ("ZIP: 10118", "US", "10118", "10118"),
        ("sw1a 1aa", "GB", "SW1A1AA", "SW1A1AA"),
        ("SW1A-1AA", "UK", "SW1A1AA", "SW1A1AA"),
        ("K1A 0B1", "CA", "K1A0B1", "K1A0B1"),
        ("75008", "FR", "75008", "75008"),
    ],
)
def test_postcodes(raw, country, postcode, key):
    result = normalize_postcode(raw, country=country)
    assert (result.postcode, result.match_key, result.valid) == (postcode, key, True)


@pytest.mark.parametrize(
    ("raw", "country"),
    [("100-001", "JP"), ("1234", "US"), ("12345-678", "US"), ("不明", "JP"), ("---", None)],
)
def test_invalid_postcodes(raw, country):
    result = normalize_postcode(raw, country=country)
    assert result.valid is False
    assert result.postcode is None
    assert result.reason.startswith("postcode_invalid")


def test_postcode_bad_country():
    with pytest.raises(ConfigError, match="country"):
        normalize_postcode("1000001", country="Japan")
    with pytest.raises(NormalizationError):
        normalize_postcode(1000001)  # type: ignore[arg-type]


def test_postcode_column_equals_scalar():
    values = ["〒100-0001", None, "20500-0003", "bad", "〒100-0001"]
    cols = normalize_postcode_column(values)
    for field in ("postcode", "match_key", "country", "valid", "reason"):
        assert getattr(cols, field).to_pylist() == [
            getattr(normalize_postcode(v), field) for v in values
        ]


SAME_PLACE = [
    "東京都千代田区千代田1丁目1番1号",
    "東京都千代田区千代田一丁目一番一号",
    "東京都千代田区千代田１－１－１",
    "千代田区千代田1-1-1",
    "〒100-0001 東京都千代田区千代田1-1-1",
    "東京都 千代田区 千代田 1丁目1-1",
    "東京都千代田区千代田1ー1ー1",
    "東京千代田区千代田1-1-1",
]


@pytest.mark.parametrize("raw", SAME_PLACE)
def test_japanese_spellings_share_a_key(raw):
    result = normalize_address(raw)
    assert result.key == "千代田区千代田1-1-1"
    assert result.region == "東京都"
    assert result.city == "千代田区"


@pytest.mark.parametrize(
    ("raw", "region", "city", "street"),
    [
        ("大阪府大阪市北区梅田三丁目1番3号", "大阪府", "大阪市北区", "梅田3-1-3"),
        ("横浜市中区日本大通1", "神奈川県", "横浜市中区", "日本大通1"),
        ("北海道札幌市中央区北一条西二丁目", "北海道", "札幌市中央区", "北1条西2"),
        ("京都市左京区吉田本町36番地1", "京都府", "京都市左京区", "吉田本町36-1"),
        ("三重県四日市市諏訪町1番5号", "三重県", "四日市市", "諏訪町1-5"),
        ("東京都町田市森野二丁目2番22号", "東京都", "町田市", "森野2-2-22"),
        ("東京都東村山市本町1-2-3", "東京都", "東村山市", "本町1-2-3"),
        ("愛知県北設楽郡設楽町田口字向木屋3番地", "愛知県", "北設楽郡設楽町", "田口字向木屋3"),
        ("東京都千代田区二番町5番地の2", "東京都", "千代田区", "二番町5-2"),
        ("福岡県福岡市博多区博多駅前二丁目23番地4", "福岡県", "福岡市博多区", "博多駅前2-23-4"),
        ("沖縄県那覇市泉崎1-2-2", "沖縄県", "那覇市", "泉崎1-2-2"),
        (
            "東京都港区芝公園4丁目2番8号 東京タワー 101号室",
            "東京都",
            "港区",
            "芝公園4-2-8 東京タワー 101号室",
        ),
    ],
)
def test_japanese_split(raw, region, city, street):
    result = normalize_address(raw)
    assert (result.country, result.region, result.city, result.street) == (
        "JP",
        region,
        city,
        street,
    )


def test_ke_and_variants_fold_in_key():
    assert (
        normalize_address("千代田区霞ヶ関2-1-1").key
        == normalize_address("千代田区霞が関二丁目1番1号").key
    )
    assert normalize_address("川﨑町1-1").key == normalize_address("川崎町1-1").key
    assert normalize_address("松本市大字島内1").key == normalize_address("松本市島内1").key


@pytest.mark.parametrize(
    ("raw", "region", "city", "postcode", "key"),
    [
        (
            "1600 Pennsylvania Avenue Northwest, Washington, District of Columbia 20500",
            "DC", "Washington", "20500", "1600 PENNSYLVANIA AVE NW WASHINGTON",
        ),
        ("1600 Pennsylvania Ave. NW, Washington, DC 20500", "DC", "Washington", "20500", "1600 PENNSYLVANIA AVE NW WASHINGTON"),
        ("350 Fifth Avenue, New York, NY 10118-0110, USA", "NY", "New York", "10118-0110", "350 FIFTH AVE NEW YORK"),
        ("742 Evergreen Terrace, Springfield, Illinois 62704", "IL", "Springfield", "62704", "742 EVERGREEN TER SPRINGFIELD"),
        ("1 Infinite Loop, Suite 100, Cupertino, CA 95014", "CA", "Cupertino", "95014", "1 INFINITE LOOP STE 100 CUPERTINO"),
    ],
)  # fmt: skip
def test_us_addresses(raw, region, city, postcode, key):
    result = normalize_address(raw)
    assert (result.country, result.region, result.city, result.postcode, result.key) == (
        "US",
        region,
        city,
        postcode,
        key,
    )


def test_other_country_key():
    result = normalize_address("221B Baker Street, London NW1 6XE", country="GB")
    assert result.country == "GB"
    assert result.key == "221b baker street london nw1 6xe"


def test_all_prefectures_and_states():
    for name, romaji in JP_PREFECTURES.items():
        assert jp_prefecture(name) == name
        assert jp_prefecture(romaji.upper()) == name
        assert normalize_address(f"{name}テスト市1-1").region == name
    for code, name in US_STATES.items():
        assert us_state(name) == code
        assert us_state(code.lower()) == code
    assert len(JP_PREFECTURES) == 47
    assert len(US_STATES) == 51


def test_address_column_equals_scalar():
    values = [*SAME_PLACE, None, "", "1 Main St, Springfield, IL 62701"]
    cols = normalize_address_column(values)
    for field in ("address", "key", "country", "region", "city", "street", "postcode"):
        assert getattr(cols, field).to_pylist() == [
            getattr(normalize_address(v), field) for v in values
        ]
