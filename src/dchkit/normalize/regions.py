"""Regions as data: the 47 Japanese prefectures and the 50 US states plus DC.

:func:`jp_prefecture` accepts a prefecture in kanji with or without its suffix (都/道/府/県),
in romaji (``Tokyo``, ``Osaka-fu``, ``HOKKAIDO``) or as its ISO 3166-2 code (``JP-13``, as
Shopify's province codes write it) and returns the kanji name with suffix. :func:`us_state`
accepts a state's name, USPS code or ISO 3166-2 code (``US-CA``) and returns the USPS code.

Examples:
    >>> from dchkit.normalize import jp_prefecture, us_state
    >>> jp_prefecture("東京"), jp_prefecture("osaka-fu"), jp_prefecture("Hokkaido")
    ('東京都', '大阪府', '北海道')
    >>> jp_prefecture("JP-13"), jp_prefecture("JP-23"), jp_prefecture("JP-48")
    ('東京都', '愛知県', None)
    >>> us_state("California"), us_state("ny"), us_state("District of Columbia")
    ('CA', 'NY', 'DC')
"""

from __future__ import annotations

import re

from dchkit.normalize.text import clean_text, strip_latin_accents

__all__ = [
    "DESIGNATED_CITIES",
    "JP_PREFECTURES",
    "TOKYO_WARDS",
    "US_STATES",
    "jp_prefecture",
    "us_state",
]

#: Prefecture (kanji, with suffix) → romaji name, in JIS X 0401 order.
JP_PREFECTURES: dict[str, str] = {
    "北海道": "hokkaido", "青森県": "aomori", "岩手県": "iwate", "宮城県": "miyagi",
    "秋田県": "akita", "山形県": "yamagata", "福島県": "fukushima", "茨城県": "ibaraki",
    "栃木県": "tochigi", "群馬県": "gunma", "埼玉県": "saitama", "千葉県": "chiba",
    "東京都": "tokyo", "神奈川県": "kanagawa", "新潟県": "niigata", "富山県": "toyama",
    "石川県": "ishikawa", "福井県": "fukui", "山梨県": "yamanashi", "長野県": "nagano",
    "岐阜県": "gifu", "静岡県": "shizuoka", "愛知県": "aichi", "三重県": "mie",
    "滋賀県": "shiga", "京都府": "kyoto", "大阪府": "osaka", "兵庫県": "hyogo",
    "奈良県": "nara", "和歌山県": "wakayama", "鳥取県": "tottori", "島根県": "shimane",
    "岡山県": "okayama", "広島県": "hiroshima", "山口県": "yamaguchi", "徳島県": "tokushima",
    "香川県": "kagawa", "愛媛県": "ehime", "高知県": "kochi", "福岡県": "fukuoka",
    "佐賀県": "saga", "長崎県": "nagasaki", "熊本県": "kumamoto", "大分県": "oita",
    "宮崎県": "miyazaki", "鹿児島県": "kagoshima", "沖縄県": "okinawa",
}  # fmt: skip

#: Designated cities (政令指定都市) → their prefecture, for addresses that omit it.
DESIGNATED_CITIES: dict[str, str] = {
    "札幌市": "北海道", "仙台市": "宮城県", "さいたま市": "埼玉県", "千葉市": "千葉県",
    "横浜市": "神奈川県", "川崎市": "神奈川県", "相模原市": "神奈川県", "新潟市": "新潟県",
    "静岡市": "静岡県", "浜松市": "静岡県", "名古屋市": "愛知県", "京都市": "京都府",
    "大阪市": "大阪府", "堺市": "大阪府", "神戸市": "兵庫県", "岡山市": "岡山県",
    "広島市": "広島県", "北九州市": "福岡県", "福岡市": "福岡県", "熊本市": "熊本県",
}  # fmt: skip

#: The 23 special wards of Tokyo.
TOKYO_WARDS = frozenset(
    {"千代田区", "中央区", "港区", "新宿区", "文京区", "台東区", "墨田区", "江東区", "品川区",
     "目黒区", "大田区", "世田谷区", "渋谷区", "中野区", "杉並区", "豊島区", "北区", "荒川区",
     "板橋区", "練馬区", "足立区", "葛飾区", "江戸川区"}
)  # fmt: skip

#: USPS code → state (and DC) name.
US_STATES: dict[str, str] = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "FL": "Florida", "GA": "Georgia",
    "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois", "IN": "Indiana", "IA": "Iowa",
    "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana", "ME": "Maine", "MD": "Maryland",
    "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota", "MS": "Mississippi",
    "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada", "NH": "New Hampshire",
    "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York", "NC": "North Carolina",
    "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon", "PA": "Pennsylvania",
    "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota", "TN": "Tennessee",
    "TX": "Texas", "UT": "Utah", "VT": "Vermont", "VA": "Virginia", "WA": "Washington",
    "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming", "DC": "District of Columbia",
}  # fmt: skip

_JP_BY_NAME: dict[str, str] = {}
for _full, _romaji in JP_PREFECTURES.items():
    _bare = _full if _full == "北海道" else _full[:-1]
    for _alias in (_full, _bare, _romaji):
        _JP_BY_NAME[_alias] = _full
for _full, _suffix in (("東京都", "to"), ("京都府", "fu"), ("大阪府", "fu"), ("北海道", "")):
    if _suffix:
        _JP_BY_NAME[JP_PREFECTURES[_full] + _suffix] = _full
# ISO 3166-2:JP numbers the prefectures in the JIS X 0401 order of JP_PREFECTURES.
_JP_BY_ISO = {f"jp-{number:02d}": name for number, name in enumerate(JP_PREFECTURES, 1)}
_JP_ROMAJI_SUFFIX = re.compile(r"[\s-]*(?:prefecture|pref|ken|to|fu)\.?$")
_JP_LONG_VOWELS = str.maketrans({"ō": "o", "ū": "u"})

_US_BY_NAME: dict[str, str] = {name.casefold(): code for code, name in US_STATES.items()}
_US_BY_NAME |= {code.casefold(): code for code in US_STATES}
_US_BY_NAME |= {f"us-{code.casefold()}": code for code in US_STATES}
_US_BY_NAME |= {"washington dc": "DC", "washington d.c.": "DC", "d.c.": "DC"}


def jp_prefecture(value: str | None) -> str | None:
    """Return the prefecture's kanji name with suffix, or None if ``value`` is not one."""
    text = clean_text(value)
    if text is None:
        return None
    if text in _JP_BY_NAME:
        return _JP_BY_NAME[text]
    latin = strip_latin_accents(text.casefold().translate(_JP_LONG_VOWELS)).strip()
    if latin in _JP_BY_NAME:
        return _JP_BY_NAME[latin]
    if latin in _JP_BY_ISO:
        return _JP_BY_ISO[latin]
    return _JP_BY_NAME.get(_JP_ROMAJI_SUFFIX.sub("", latin).replace("ou", "o"))


def us_state(value: str | None) -> str | None:
    """Return the USPS code of a US state (or DC) given by name or code, else None."""
    text = clean_text(value)
    if text is None:
        return None
    return _US_BY_NAME.get(re.sub(r"\s+", " ", text.casefold().strip(" .,")))
