"""Household evidence: mobile numbers are personal, swapped or doubled characters meet."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from dchkit.resolution import ResolverConfig
from dchkit.resolution.dependence import dependence_correction
from dchkit.resolution.features import build_features


def test_char_keys_meet_swapped_and_doubled_characters_only():
    features = build_features(
        pa.table(
            {
                "family_name": ["北森", "森北", "高橋", "髙橋", None],
                "given_name": ["恵広", "広恵", "花子子", "花子", "Ann"],
            }
        )
    )
    family = features.column("family_chars").to_pylist()
    given = features.column("given_chars").to_pylist()
    assert family[0] == family[1] != family[2]
    assert family[2] == family[3]  # kanji variants are folded before the key
    assert given[0] == given[1]
    assert given[2] == given[3]
    assert given[0] != given[2]
    assert family[4] is None
    assert given[4] is None


def test_mobile_phones_keeps_mobile_numbers_only():
    features = build_features(
        pa.table(
            {
                "phones": [
                    ["+819050601013", "+81335084370"],  # JP mobile, Tokyo landline
                    ["+81335084370"],
                    [],
                    None,
                ]
            }
        )
    )
    assert features.column("mobile_phones").to_pylist() == [["+819050601013"], [], [], None]


def _household_pair(phone_level: int) -> tuple[np.ndarray, np.ndarray]:
    # family exact, given different, email null, phone at ``phone_level``, dob/location null
    levels = np.array([[10, 0, -1, phone_level, -1, -1]], dtype=np.int8)
    weights = np.array([[6.0, -2.0, 0.0, 12.0, 0.0, 0.0]])
    return weights, levels


def test_a_shared_landline_is_discounted_but_a_shared_mobile_is_not():
    config = ResolverConfig()
    comparisons = config.comparisons
    phone = [c.name for c in comparisons].index("phone")
    levels_by_column = {
        level.column: comparisons[phone].top_level - rank
        for rank, level in enumerate(comparisons[phone].levels)
        if level.test == "exact"
    }

    def correction(column: str) -> float:
        weights, levels = _household_pair(levels_by_column[column])
        return float(
            dependence_correction(
                weights,
                levels,
                comparisons,
                config.dependent,
                config.dependent_discount,
                config.dependent_unless,
                config.personal_columns,
            )[0]
        )

    landline = correction("phones")
    mobile = correction("mobile_phones")
    keep = 1 - config.dependent_discount
    # Different given names: the household explains the family name and the landline alike.
    assert landline == pytest.approx(-keep * (6.0 + 12.0))
    # A mobile is personal: members of a household do not share one, so nothing is discounted.
    assert mobile == 0.0


def test_given_name_decides_how_household_fields_count():
    config = ResolverConfig()
    names = [c.name for c in config.comparisons]
    weights = np.array([[6.0, 0.0, 0.0, 12.0, 0.0, 9.0]] * 4)
    levels = np.full((4, len(names)), -1, dtype=np.int8)
    levels[:, names.index("family_name")] = 10
    levels[:, names.index("phone")] = 2  # a shared landline
    levels[:, names.index("location")] = 5
    given = names.index("given_name")
    levels[0, given], weights[0, given] = -1, 0.0  # unknown given name
    levels[1, given], weights[1, given] = 0, -5.0  # two different given names
    levels[2, given], weights[2, given] = 9, 9.0  # the same given name
    levels[3, given], weights[3, given] = 0, -5.0  # different given names …
    birth = names.index("birth_date")
    levels[3, birth], weights[3, birth] = 3, 12.0  # … but the same birth date (a typo)
    adjust = dependence_correction(
        weights,
        levels,
        config.comparisons,
        config.dependent,
        config.dependent_discount,
        config.dependent_unless,
        config.personal_columns,
    )
    keep = 1 - config.dependent_discount
    assert adjust[0] == pytest.approx(
        -keep * (6.0 + 9.0)
    )  # the strongest (landline) counts in full
    assert adjust[1] == pytest.approx(
        -keep * (6.0 + 9.0 + 12.0)
    )  # a household: even the strongest is discounted
    assert adjust[2] == 0.0  # the same given name: independent evidence again
    assert adjust[3] == pytest.approx(
        -keep * (6.0 + 9.0)
    )  # a shared birth date is not household evidence
