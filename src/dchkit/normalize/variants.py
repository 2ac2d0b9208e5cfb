"""Kanji variants (異体字) seen in Japanese personal and place names, folded to one form.

The same family is registered as 髙橋 or 高橋, 山﨑 or 山崎, 齋藤, 齊藤, 斉藤 or 斎藤, 渡邊, 渡邉
or 渡辺, depending on which system typed it and which fonts it had. For *matching* those
spellings must meet, so each variant here maps to the form most systems use (usually the
常用 or 人名用 simplified form). The table is data: one line per standard form, listing the
variants that fold into it. It is applied after NFKC, which already folds the CJK
compatibility ideographs (U+F900–U+FAFF) except the twelve unified ones such as 﨑 (U+FA11),
which are listed here.

Variation selectors (the IVS that distinguish the one-dot and two-dot 辻) are removed by
:func:`dchkit.normalize.clean_text`, so they need no entries.

Examples:
    >>> from dchkit.normalize import fold_variants
    >>> fold_variants("髙橋"), fold_variants("山﨑"), fold_variants("齋藤")
    ('高橋', '山崎', '斎藤')
    >>> fold_variants("渡邊") == fold_variants("渡邉") == "渡辺"
    True
"""

from __future__ import annotations

__all__ = ["KANJI_VARIANTS", "fold_variants"]

# standard form: variants that fold into it
_GROUPS: dict[str, str] = {
    "高": "髙",
    "崎": "﨑嵜碕",
    "斎": "齋齊斉",
    "辺": "邊邉",
    "沢": "澤",
    "浜": "濱濵",
    "桜": "櫻",
    "広": "廣",
    "国": "國圀",
    "徳": "德",
    "真": "眞",
    "富": "冨",
    "島": "嶋嶌㠀",
    "槙": "槇",
    "吉": "𠮷",
    "恵": "惠",
    "栄": "榮",
    "寿": "壽",
    "竜": "龍",
    "瀬": "瀨",
    "条": "條",
    "桑": "桒",
    "万": "萬",
    "与": "與",
    "実": "實",
    "豊": "豐",
    "礼": "禮",
    "蔵": "藏",
    "児": "兒",
    "団": "團",
    "円": "圓",
    "弥": "彌",
    "伝": "傳",
    "峰": "峯",
    "館": "舘",
    "村": "邨",
    "柳": "栁桺",
    "黒": "黑",
    "亜": "亞",
    "図": "圖",
    "学": "學",
    "渋": "澁澀",
    "曽": "曾",
    "歩": "步",
    "毎": "每",
    "清": "淸",
    "青": "靑",
    "県": "縣",
    "荘": "莊",
    "将": "將",
    "増": "增",
    "芸": "藝",
    "駅": "驛",
    "鉄": "鐵",
    "関": "關",
    "応": "應",
    "横": "橫",
    "巌": "巖",
    "厳": "嚴",
    "浅": "淺",
    "絵": "繪",
    "聡": "聰",
    "誉": "譽",
    "譲": "讓",
    "静": "靜",
    "顕": "顯",
    "鴎": "鷗",
    "塩": "鹽",
    "麦": "麥",
    "黄": "黃",
    "亀": "龜",
    "岳": "嶽",
    "来": "來",
    "両": "兩",
    "乗": "乘",
    "仏": "佛",
    "倹": "儉",
    "内": "內",
    "凛": "凜",
    "剣": "劍",
    "勲": "勳",
    "区": "區",
    "巻": "卷",
    "参": "參",
    "単": "單",
    "囲": "圍",
    "壮": "壯",
    "奥": "奧",
    "嬢": "孃",
    "寛": "寬",
    "宝": "寶",
    "尚": "尙",
    "従": "從",
    "恒": "恆",
    "慎": "愼",
    "戸": "戶",
    "抜": "拔",
    "教": "敎",
    "楽": "樂",
    "歳": "歲",
    "歴": "歷",
    "気": "氣",
    "温": "溫",
    "満": "滿",
    "滝": "瀧",
    "済": "濟",
    "灯": "燈",
    "営": "營",
    "瑶": "瑤",
    "産": "產",
    "画": "畫",
    "当": "當",
    "禅": "禪",
    "稲": "稻",
    "穂": "穗",
    "緑": "綠",
    "緒": "緖",
    "総": "總",
    "旧": "舊",
    "芦": "蘆",
    "号": "號",
    "蛍": "螢",
    "衛": "衞",
    "覚": "覺",
    "観": "觀",
    "説": "說",
    "読": "讀",
    "変": "變",
    "頼": "賴",
    "郎": "郞",
    "郷": "鄕",
    "銭": "錢",
    "鎮": "鎭",
    "鉱": "鑛",
    "険": "險",
    "雑": "雜",
    "霊": "靈",
    "顔": "顏",
    "体": "體",
    "鶏": "鷄",
    "彦": "彥",
    "昂": "昻",
    "晋": "晉",
    "昇": "曻",
    "渕": "淵",
    "船": "舩",
    "写": "冩",
    "桧": "檜",
    "岡": "崗",
    "穣": "穰",
    "祢": "禰",
    "薮": "藪籔",
    "秋": "龝",
    "鶴": "靏",
    "継": "繼",
    "続": "續",
    "断": "斷",
    "発": "發",
    "廃": "廢",
    "弁": "辯辨瓣",
    "姫": "姬",
    "野": "埜",
    "松": "枩",
    "梅": "楳",
    "遥": "遙",
    "蝋": "蠟",
    "讃": "讚",
}

#: Each variant character and the standard form it folds into.
KANJI_VARIANTS: dict[str, str] = {
    variant: standard
    for standard, variants in _GROUPS.items()
    for variant in variants
    if variant != standard
}

_TABLE = str.maketrans(KANJI_VARIANTS)


def fold_variants(text: str) -> str:
    """Replace every kanji variant in ``text`` by its standard form (see :data:`KANJI_VARIANTS`)."""
    return text.translate(_TABLE)
