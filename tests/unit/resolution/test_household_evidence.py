"""Household evidence: mobile numbers are personal, swapped or doubled characters meet."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

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
    assert landline == -(1 - config.dependent_discount) * 6.0  # family counts at a discount
    assert mobile == 0.0  # a mobile is personal: family name and phone are independent
