"""Time each column normalizer of dchkit.normalize on realistic, repetitive columns.

Columns are built from small pools of real-looking values (Japanese and English), with a
share of rows damaged by typos, width changes and spacing, then sampled with replacement —
so, as in customer data, there are many rows but far fewer distinct values.

    .venv/bin/python benchmarks/bench_normalize.py --rows 1000000
"""

from __future__ import annotations

import argparse
import random
import time
import unicodedata
from collections.abc import Callable
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from dchkit import normalize as nz

FAMILY = [
    "山田",
    "佐藤",
    "鈴木",
    "髙橋",
    "田中",
    "渡邊",
    "伊藤",
    "山﨑",
    "齋藤",
    "中村",
    "小林",
    "加藤",
]
GIVEN = ["太郎", "花子", "一郎", "翔太", "美咲", "健太", "直美", "大輔", "さくら", "陽菜"]
KANA_FAMILY = ["ヤマダ", "サトウ", "スズキ", "タカハシ", "タナカ", "ワタナベ", "イトウ", "ヤマザキ"]
KANA_GIVEN = ["タロウ", "ハナコ", "イチロウ", "ショウタ", "ミサキ", "ケンタ"]
LATIN_FAMILY = ["Smith", "Johnson", "Williams", "Brown", "Yamada", "Sato", "Garcia", "Miller"]
LATIN_GIVEN = ["Robert", "Bob", "William", "Bill", "Elizabeth", "Liz", "Taro", "Hanako", "Margaret"]
DOMAINS = ["gmail.com", "yahoo.co.jp", "outlook.com", "example.jp", "icloud.com", "docomo.ne.jp"]
CITIES = [
    "東京都千代田区千代田",
    "大阪府大阪市北区梅田",
    "神奈川県横浜市中区日本大通",
    "京都市左京区吉田本町",
]
US_STREETS = ["Main Street", "Pennsylvania Avenue NW", "Fifth Ave", "Evergreen Terrace"]
US_CITIES = [
    ("Springfield", "IL", "62704"),
    ("New York", "NY", "10118"),
    ("Washington", "DC", "20500"),
]


def _typo(rng: random.Random, text: str) -> str:
    """Damage a value the way data entry does: a dropped/doubled char, width, spacing."""
    choice = rng.random()
    if choice < 0.3 and len(text) > 3:
        i = rng.randrange(len(text))
        return text[:i] + text[i + 1 :]
    if choice < 0.5:
        return unicodedata.normalize("NFKC", text).translate(
            {c: c + 0xFEE0 for c in range(0x21, 0x7F)}
        )  # full width
    if choice < 0.7:
        return f"  {text} "
    return text.upper()


def _pool(rng: random.Random, size: int, make: Callable[[random.Random], str]) -> list[str]:
    return [make(rng) for _ in range(size)]


def _column(rng: random.Random, pool: list[str], rows: int, typo_rate: float) -> pa.Array:
    damaged = [_typo(rng, v) for v in pool[: max(1, int(len(pool) * typo_rate))]]
    values = pool + damaged + [""]
    weights = [1.0 / (i + 1) for i in range(len(values))]  # a few very common values
    return pa.array(rng.choices(values, weights=weights, k=rows), type=pa.string())


def build_columns(rows: int, pool: int, seed: int) -> dict[str, pa.Array]:
    rng = random.Random(seed)
    names = _pool(
        rng,
        pool,
        lambda r: r.choice(
            [
                f"{r.choice(FAMILY)}　{r.choice(GIVEN)}",
                f"{r.choice(FAMILY)}{r.choice(GIVEN)} 様",
                f"{r.choice(KANA_FAMILY)} {r.choice(KANA_GIVEN)}",
                f"{r.choice(LATIN_GIVEN)} {r.choice(LATIN_FAMILY)}",
            ]
        ),
    )
    emails = _pool(
        rng,
        pool,
        lambda r: (
            f"{r.choice(LATIN_GIVEN).lower()}.{r.choice(LATIN_FAMILY).lower()}"
            f"{r.randrange(100)}{r.choice(['', '+shop'])}@{r.choice(DOMAINS)}"
        ),
    )
    phones = _pool(
        rng,
        pool,
        lambda r: r.choice(
            [
                f"090-{r.randrange(10000):04}-{r.randrange(10000):04}",
                f"03({r.randrange(1000, 9999)}){r.randrange(10000):04}",
                f"+81 (0)6 {r.randrange(1000, 9999)} {r.randrange(10000):04}",
                f"({r.randrange(201, 989)}) 555-{r.randrange(10000):04}",
            ]
        ),
    )
    postcodes = _pool(
        rng,
        pool,
        lambda r: r.choice(
            [f"〒{r.randrange(100, 999)}-{r.randrange(10000):04}", f"{r.randrange(10000, 99999)}"]
        ),
    )
    addresses = _pool(
        rng,
        pool,
        lambda r: r.choice(
            [
                f"{r.choice(CITIES)}{r.randrange(1, 9)}丁目{r.randrange(1, 30)}番{r.randrange(1, 20)}号",
                f"{r.choice(CITIES)}{r.randrange(1, 9)}-{r.randrange(1, 30)}-{r.randrange(1, 20)}",
                "{} {}, {}, {} {}".format(
                    r.randrange(1, 2000), r.choice(US_STREETS), *r.choice(US_CITIES)
                ),
            ]
        ),
    )
    dates = _pool(
        rng,
        pool,
        lambda r: r.choice(
            [
                f"{r.randrange(1940, 2005)}-{r.randrange(1, 13):02}-{r.randrange(1, 29):02}",
                f"{r.randrange(1940, 2005)}/{r.randrange(1, 13)}/{r.randrange(1, 29)}",
                f"昭和{r.randrange(20, 64)}年{r.randrange(1, 13)}月{r.randrange(1, 29)}日",
                f"H{r.randrange(1, 31)}.{r.randrange(1, 13)}.{r.randrange(1, 29)}",
                f"{r.randrange(1, 13):02}/{r.randrange(1, 29):02}/{r.randrange(1940, 2005)}",
            ]
        ),
    )
    given = _pool(rng, pool, lambda r: r.choice(LATIN_GIVEN))
    return {
        "name": _column(rng, names, rows, 0.2),
        "given_name": _column(rng, given, rows, 0.2),
        "email": _column(rng, emails, rows, 0.2),
        "phone": _column(rng, phones, rows, 0.2),
        "postcode": _column(rng, postcodes, rows, 0.2),
        "address": _column(rng, addresses, rows, 0.2),
        "birth_date": _column(rng, dates, rows, 0.1),
    }


BENCHES: list[tuple[str, str, Callable[[pa.Array], Any]]] = [
    ("normalize_name_column", "name", nz.normalize_name_column),
    ("split_name_column", "name", nz.split_name_column),
    ("given_name_key_column", "given_name", nz.given_name_key_column),
    ("normalize_email_column", "email", nz.normalize_email_column),
    ("normalize_phone_column", "phone", nz.normalize_phone_column),
    ("normalize_postcode_column", "postcode", nz.normalize_postcode_column),
    ("normalize_address_column", "address", nz.normalize_address_column),
    ("parse_date_column", "birth_date", nz.parse_date_column),
]


def _clear_caches() -> None:
    """Drop the per-value LRU caches so every run measures cold work."""
    for module in (nz.email, nz.phone, nz.name, nz.postcode, nz.address, nz.dates, nz.nicknames):
        for attribute in ("_normalize", "_parse", "_split", "_clean", "_key"):
            cached = getattr(module, attribute, None)
            if cached is not None and hasattr(cached, "cache_clear"):
                cached.cache_clear()
    nz.reading.kanji_reading.cache_clear()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows per column")
    parser.add_argument("--pool", type=int, default=20_000, help="clean values per pool")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--only", nargs="*", help="run only these normalizers")
    args = parser.parse_args(argv)

    nz.kanji_reading("山田")  # load pykakasi's dictionary once, outside the timings
    started = time.perf_counter()
    columns = build_columns(args.rows, args.pool, args.seed)
    print(
        f"built {len(columns)} columns of {args.rows:,} rows in {time.perf_counter() - started:.1f}s"
    )
    print(
        f"{'normalizer':<28}{'rows':>11}{'distinct':>10}{'seconds':>9}{'µs/row':>8}{'µs/distinct':>13}"
    )
    for label, column, function in BENCHES:
        if args.only and label not in args.only:
            continue
        values = columns[column]
        distinct = len(pc.unique(values))
        _clear_caches()
        started = time.perf_counter()
        function(values)
        elapsed = time.perf_counter() - started
        print(
            f"{label:<28}{len(values):>11,}{distinct:>10,}{elapsed:>9.2f}"
            f"{elapsed / len(values) * 1e6:>8.2f}{elapsed / distinct * 1e6:>13.1f}"
        )


if __name__ == "__main__":
    main()
