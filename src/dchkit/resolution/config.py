"""Resolver configuration: blocking rules, comparisons, thresholds and guards, with defaults.

:class:`ResolverConfig` is frozen and validated; it round-trips through JSON, so a tuned
configuration can live in a file next to the data. The defaults work on the canonical
schema out of the box, for Japanese and English data alike.

Examples:
    >>> from dchkit.resolution.config import ResolverConfig
    >>> config = ResolverConfig()
    >>> [rule.label for rule in config.blocking][:3]
    ['email_keys', 'phones', 'family_any_romaji+birth_text']
    >>> ResolverConfig.model_validate_json(config.model_dump_json()) == config
    True
    >>> ResolverConfig(threshold=0.5).threshold
    0.5
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from dchkit.resolution.blocking import BlockingRule, block_on
from dchkit.resolution.comparisons import Comparison, Level

__all__ = ["DEFAULT_BLOCKING", "DEFAULT_COMPARISONS", "DEFAULT_TRAINING", "ResolverConfig"]


def _jw(column: str, threshold: float) -> Level:
    return Level(column=column, test="jaro_winkler", threshold=threshold)


DEFAULT_COMPARISONS: tuple[Comparison, ...] = (
    Comparison(
        name="family_name",
        description="Family name in any script; the whole name (either order, unspaced, "
        "with a typo) via the compact keys — in this comparison only, so a swapped name "
        "counts once; a kanji name and a kana name without furigana are compared only by the "
        "dictionary reading, and are not counted as different when it disagrees.",
        levels=(
            Level(column="family_key"),
            Level(column="family_reading"),
            Level(column="family_romaji"),
            Level(column="name_compact", term_frequency=True),
            Level(column="family_any_romaji"),
            Level(column="name_guess_compact"),
            Level(column="family_chars", label="same characters family_chars"),
            _jw("name_guess_compact", 0.92),
            _jw("family_any_romaji", 0.92),
            _jw("family_any_romaji", 0.8),
        ),
        comparable=("family_kanji", "family_reading", "family_romaji"),
    ),
    Comparison(
        name="given_name",
        description="Given name in any script, nicknames (Bob = Robert), the whole name "
        "as one word (a swapped or unsplit name agrees here too, not only on the family "
        "comparison), then fuzzy.",
        levels=(
            Level(column="given_key"),
            Level(column="given_reading"),
            Level(column="given_romaji"),
            Level(column="name_compact", term_frequency=True),
            Level(column="given_nickname"),
            Level(column="given_any_romaji"),
            Level(column="name_guess_compact"),
            Level(column="given_chars", label="same characters given_chars"),
            _jw("given_any_romaji", 0.92),
            _jw("given_any_romaji", 0.8),
        ),
        comparable=("given_kanji", "given_reading", "given_romaji"),
    ),
    Comparison(
        name="email",
        description="Any shared address, then the provider-aware key (no fuzzy level: "
        "addresses built from names are alike for different people of one name).",
        levels=(
            Level(column="emails"),
            Level(column="email_keys"),
        ),
    ),
    Comparison(
        name="phone",
        description="A shared mobile number (personal), any shared E.164 number (perhaps a "
        "family landline), then one typo.",
        levels=(
            Level(column="mobile_phones"),
            Level(column="phones"),
            Level(column="phones", test="damerau_levenshtein", threshold=1),
        ),
    ),
    Comparison(
        name="birth_date",
        description="Same day, one typo or swapped digits, then the same year.",
        levels=(
            Level(column="birth_date"),
            Level(column="birth_text", test="damerau_levenshtein", threshold=1),
            Level(column="birth_date", test="within", threshold=366),
        ),
    ),
    Comparison(
        name="location",
        description="One comparison for the whole address: its parts are not independent "
        "evidence (the same street implies the same postcode and city).",
        levels=(
            Level(column="address_key"),
            _jw("address_key", 0.92),
            Level(column="postcode"),
            _jw("address_key", 0.8),
            Level(column="city_key"),
        ),
    ),
)

DEFAULT_BLOCKING: tuple[BlockingRule, ...] = (
    block_on("email_keys", max_block_size=50),
    block_on("phones", max_block_size=30),
    block_on("family_any_romaji", "birth_text"),
    block_on("given_any_romaji", "birth_text"),
    block_on("name_guess_compact", "postcode"),
    block_on("family_any_romaji", "postcode"),
    block_on("given_any_romaji", "postcode"),
    block_on("family_any_romaji", "given_any_romaji", max_block_size=60),
    block_on("name_guess_compact", "city_key"),
    block_on("birth_text", max_block_size=100),
    block_on("family_key", "given_key", max_block_size=60),
    block_on("address_key", max_block_size=30),
    block_on("birth_text", "postcode"),
)


#: Blocks whose non-matching pairs look like unrelated people on the *other* fields, so EM
#: can tell matches from non-matches there (see :mod:`dchkit.resolution.training`).
DEFAULT_TRAINING: tuple[BlockingRule, ...] = (
    block_on("name_compact", max_block_size=200),
    block_on("birth_text", max_block_size=200),
    block_on("email_keys", max_block_size=20),
    block_on("phones", max_block_size=20),
)


class ResolverConfig(BaseModel):
    """Everything that decides which records are the same customer.

    Args:
        blocking: Rules whose candidate pairs are scored (unioned, deduplicated).
        comparisons: Comparisons whose levels are weighed by the Fellegi–Sunter model.
        training: Blocking rules of the EM training sessions that learn m.
        threshold: Match probability at or above which a scored pair becomes an edge.
        tf_adjust: Comparisons whose exact top level — and levels marked
            ``term_frequency`` (the whole name) — are adjusted for how common the agreed
            value is (many different 佐藤 or Smith), read from the level's column.
        dependent: Groups of comparisons that agree together for *different* people who
            share a household (family name, landline, address, family e-mail). Within a
            group only the strongest agreement counts in full; the others are multiplied
            by ``dependent_discount`` (0: ignored, 1: plain Fellegi–Sunter).
        dependent_discount: Share of the weaker agreements of a dependent group kept — and
            of the strongest too when ``dependent_unless`` differs and nothing personal
            agrees (the pair looks like two members of one household).
        dependent_unless: A comparison whose agreement lifts the discount (members of a
            household have different given names).
        personal_columns: Feature columns whose agreement a household does not share (a
            mobile number): a dependent comparison agreeing at a level on one of them
            counts in full, outside its group.
        link_id_types: External id types that identify a person across sources (hard
            links); None means every type.
        id_type_aliases: External id types that share one id space, e.g. a web
            ``user_id`` that *is* the shop's ``shopify_customer_id``.
        duplicate_free_sources: Sources that never hold two records of one customer; a
            cluster with two of their records is cut.
        max_birth_dates: At most this many distinct birth dates in one cluster (None: off).
        max_cluster_size: Clusters larger than this are cut (None: off).
        random_pairs: Random pairs drawn to estimate u.
        max_pairs: Refuse blocking that would produce more candidate pairs than this.
        seed: Seed for every random choice (u sampling).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    schema_version: int = 1
    blocking: tuple[BlockingRule, ...] = DEFAULT_BLOCKING
    comparisons: tuple[Comparison, ...] = DEFAULT_COMPARISONS
    training: tuple[BlockingRule, ...] = DEFAULT_TRAINING
    threshold: float = Field(default=0.95, gt=0, lt=1)
    tf_adjust: tuple[str, ...] = ("family_name", "given_name")
    dependent: tuple[tuple[str, ...], ...] = (("family_name", "phone", "location", "email"),)
    dependent_discount: float = Field(default=0.1, ge=0, le=1)
    dependent_unless: str | None = "given_name"
    personal_columns: tuple[str, ...] = ("mobile_phones",)
    link_id_types: tuple[str, ...] | None = None
    id_type_aliases: dict[str, str] = Field(default_factory=dict)
    duplicate_free_sources: tuple[str, ...] = ()
    max_birth_dates: int | None = Field(default=2, ge=1)
    max_cluster_size: int | None = Field(default=200, ge=2)
    random_pairs: int = Field(default=1_000_000, ge=1000)
    max_pairs: int = Field(default=200_000_000, ge=1)
    seed: int = 0
