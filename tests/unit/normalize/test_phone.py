from __future__ import annotations

import pytest

from dchkit.errors import ConfigError, NormalizationError
from dchkit.normalize import normalize_phone, normalize_phone_column


@pytest.mark.parametrize(
    ("raw", "region", "e164", "line_type"),
    [
        ("03-1234-5678", "JP", "+81312345678", "fixed_line"),
        ("03(1234)5678", "JP", "+81312345678", "fixed_line"),
        ("０３－１２３４－５６７８", "JP", "+81312345678", "fixed_line"),
        ("03ー1234ー5678", "JP", "+81312345678", "fixed_line"),
        ("+81 (0)3 1234 5678", "JP", "+81312345678", "fixed_line"),
        ("+81-3-1234-5678", "JP", "+81312345678", "fixed_line"),
        ("0081-3-1234-5678", "JP", "+81312345678", "fixed_line"),
        ("TEL: 03-1234-5678", "JP", "+81312345678", "fixed_line"),
        ("電話：03-1234-5678", "JP", "+81312345678", "fixed_line"),
        ("03-1234-5678 内線 204", "JP", "+81312345678", "fixed_line"),
        ("090-1234-5678", "JP", "+819012345678", "mobile"),
        ("09012345678", "JP", "+819012345678", "mobile"),
        ("080 1234 5678", "JP", "+818012345678", "mobile"),
        ("0120-123-456", "JP", "+81120123456", "toll_free"),
        ("050-1234-5678", "JP", "+815012345678", "voip"),
        ("06-6123-4567", "JP", "+81661234567", "fixed_line"),
        ("(212) 555-0123", "US", "+12125550123", "fixed_line_or_mobile"),
        ("212.555.0123", "US", "+12125550123", "fixed_line_or_mobile"),
        ("+1 (212) 555-0123 ext. 12", "JP", "+12125550123", "fixed_line_or_mobile"),
        ("1-800-555-0199", "US", "+18005550199", "toll_free"),
        ("+44 20 7946 0958", "US", "+442079460958", "fixed_line"),
        ("+819012345678", "US", "+819012345678", "mobile"),
    ],
)
def test_numbers_to_e164(raw, region, e164, line_type):
    result = normalize_phone(raw, region=region)
    assert (result.e164, result.line_type, result.valid) == (e164, line_type, True)


@pytest.mark.parametrize(
    "raw", ["unknown", "なし", "-", "12", "abc-defg", "0000000000000000000000"]
)
def test_unparseable_is_flagged(raw):
    result = normalize_phone(raw)
    assert result.e164 is None
    assert result.valid is False
    assert result.reason == "phone_unparseable"


def test_possible_but_invalid_keeps_e164():
    result = normalize_phone("03-0000-0000")
    assert result.valid is False
    assert result.reason == "phone_invalid"
    assert result.e164 == "+81300000000"


def test_blank():
    assert normalize_phone("  ").valid is None
    assert normalize_phone(None).e164 is None


def test_unknown_region_is_a_config_error_with_suggestion():
    with pytest.raises(ConfigError, match="JP"):
        normalize_phone("03-1234-5678", region="JPN")
    with pytest.raises(ConfigError):
        normalize_phone_column(["1"], region="XX")


def test_region_is_case_insensitive():
    assert normalize_phone("(212) 555-0123", region="us").e164 == "+12125550123"


def test_wrong_kind_raises():
    with pytest.raises(NormalizationError):
        normalize_phone(312345678)  # type: ignore[arg-type]


def test_column_equals_scalar():
    values = ["03-1234-5678", None, "090 1234 5678", "bad", "03-1234-5678"]
    cols = normalize_phone_column(values, region="JP")
    for field in ("e164", "valid", "line_type", "region", "reason"):
        assert getattr(cols, field).to_pylist() == [
            getattr(normalize_phone(v), field) for v in values
        ]
