"""Countries: names, ISO 3166-1 alpha-3 codes and Japanese names → ISO 3166-1 alpha-2.

Exports spell the country as a code (``JP``, ``JPN``), an English name (``Japan``,
``United States of America``, ``U.S.A.``) or a Japanese one (``日本``, ``アメリカ``,
``米国``). :func:`country_code` turns any of them into the alpha-2 code; case, width, dots
and spaces do not matter. Every alpha-2 code is known; names and alpha-3 codes are known
for the countries customer data most often carries.

Examples:
    >>> from dchkit.normalize import country_code
    >>> country_code("Japan"), country_code("日本"), country_code("jpn"), country_code("JP")
    ('JP', 'JP', 'JP', 'JP')
    >>> country_code("U.S.A."), country_code("アメリカ合衆国"), country_code("UK")
    ('US', 'US', 'GB')
    >>> country_code("Atlantis") is None
    True
"""

from __future__ import annotations

import re
from typing import Any

import pyarrow as pa

from dchkit.normalize._vector import map_distinct
from dchkit.normalize.postcode import COUNTRY_CODES
from dchkit.normalize.text import clean_text, strip_latin_accents

__all__ = ["country_code", "country_code_column"]

# alpha-2, alpha-3, then names (English and Japanese), "|"-separated.
_TABLE = """
JP JPN Japan|Nippon|Nihon|日本|日本国|ニッポン|ニホン
US USA United States|United States of America|America|US of A|アメリカ|アメリカ合衆国|米国|合衆国
GB GBR United Kingdom|Great Britain|Britain|England|Scotland|Wales|Northern Ireland|UK|イギリス|英国|連合王国
CA CAN Canada|カナダ
AU AUS Australia|オーストラリア|豪州
NZ NZL New Zealand|ニュージーランド
CN CHN China|People's Republic of China|PRC|中国|中華人民共和国
TW TWN Taiwan|台湾|臺灣
HK HKG Hong Kong|香港
MO MAC Macao|Macau|マカオ|澳門
KR KOR South Korea|Korea|Republic of Korea|韓国|大韓民国
KP PRK North Korea|北朝鮮
SG SGP Singapore|シンガポール
MY MYS Malaysia|マレーシア
TH THA Thailand|タイ
VN VNM Vietnam|Viet Nam|ベトナム
PH PHL Philippines|フィリピン
ID IDN Indonesia|インドネシア
IN IND India|インド
DE DEU Germany|Deutschland|ドイツ
FR FRA France|フランス
IT ITA Italy|Italia|イタリア
ES ESP Spain|España|スペイン
PT PRT Portugal|ポルトガル
NL NLD Netherlands|The Netherlands|Holland|オランダ
BE BEL Belgium|ベルギー
CH CHE Switzerland|スイス
AT AUT Austria|オーストリア
SE SWE Sweden|スウェーデン
NO NOR Norway|ノルウェー
DK DNK Denmark|デンマーク
FI FIN Finland|フィンランド
IE IRL Ireland|アイルランド
PL POL Poland|ポーランド
RU RUS Russia|Russian Federation|ロシア
BR BRA Brazil|Brasil|ブラジル
MX MEX Mexico|México|メキシコ
AR ARG Argentina|アルゼンチン
AE ARE United Arab Emirates|UAE|アラブ首長国連邦
IL ISR Israel|イスラエル
TR TUR Turkey|Türkiye|トルコ
ZA ZAF South Africa|南アフリカ
"""
_NOISE = re.compile(r"[\s.]+")


def _key(text: str) -> str:
    return _NOISE.sub(" ", strip_latin_accents(text).casefold().replace(".", "")).strip()


_BY_NAME: dict[str, str] = {code.casefold(): code for code in COUNTRY_CODES}
_BY_NAME["uk"] = "GB"
for _line in _TABLE.strip().splitlines():
    _alpha2, _alpha3, _names = _line.split(" ", 2)
    for _name in (_alpha3, *_names.split("|")):
        _BY_NAME[_key(_name)] = _alpha2


def country_code(value: str | None) -> str | None:
    """Return the ISO 3166-1 alpha-2 code of a country given by code or name, else None.

    Raises:
        NormalizationError: ``value`` is not a ``str`` or ``None``.
    """
    text = clean_text(value)
    return None if text is None else _BY_NAME.get(_key(text))


def country_code_column(values: Any) -> pa.Array:
    """Column form of :func:`country_code` (one call per distinct value).

    Examples:
        >>> country_code_column(["Japan", "日本", None, "Atlantis"]).to_pylist()
        ['JP', 'JP', None, None]
    """
    return map_distinct(values, country_code, pa.string(), what="country_code_column")
