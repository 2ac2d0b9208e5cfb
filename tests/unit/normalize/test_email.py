from __future__ import annotations

import pyarrow as pa
import pytest

from dchkit.errors import NormalizationError
from dchkit.normalize import normalize_email, normalize_email_column


@pytest.mark.parametrize(
    ("raw", "email", "key"),
    [
        ("taro.yamada@example.jp", "taro.yamada@example.jp", "taro.yamada@example.jp"),
        ("Taro.Yamada@Example.JP", "taro.yamada@example.jp", "taro.yamada@example.jp"),
        ("ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ", "taro@example.jp", "taro@example.jp"),
        ("  hanako@example.co.jp\u3000", "hanako@example.co.jp", "hanako@example.co.jp"),
        ("mailto:bob@example.com", "bob@example.com", "bob@example.com"),
        ("<bob@example.com>", "bob@example.com", "bob@example.com"),
        ("J.o.h.n.Smith+promo@gmail.com", "j.o.h.n.smith+promo@gmail.com", "johnsmith@gmail.com"),
        ("john.smith@googlemail.com", "john.smith@googlemail.com", "johnsmith@gmail.com"),
        ("jane.doe+news@outlook.com", "jane.doe+news@outlook.com", "jane.doe@outlook.com"),
        ("jane+x@hotmail.co.jp", "jane+x@hotmail.co.jp", "jane@hotmail.co.jp"),
        ("kenji+amazon@icloud.com", "kenji+amazon@icloud.com", "kenji@icloud.com"),
        ("mary-shopping@yahoo.com", "mary-shopping@yahoo.com", "mary@yahoo.com"),
        ("me+tag@proton.me", "me+tag@proton.me", "me@proton.me"),
        ("sales+jp@example.com", "sales+jp@example.com", "sales+jp@example.com"),
        ("taro.yamada@yahoo.co.jp", "taro.yamada@yahoo.co.jp", "taro.yamada@yahoo.co.jp"),
        ("+only@gmail.com", "+only@gmail.com", "+only@gmail.com"),
    ],
)
def test_valid_addresses(raw, email, key):
    result = normalize_email(raw)
    assert (result.email, result.match_key, result.valid, result.reason) == (email, key, True, None)


@pytest.mark.parametrize(
    "raw",
    [
        "taro@@example.jp",
        "taro.example.jp",
        "taro@example",
        "@example.jp",
        "taro@",
        "山田@",
        "a b@c d",
    ],
)
def test_invalid_addresses_are_flagged_and_kept(raw):
    result = normalize_email(raw)
    assert result.valid is False
    assert result.match_key is None
    assert result.email is not None
    assert result.reason is not None
    assert result.reason.startswith("email_invalid")


@pytest.mark.parametrize("raw", [None, "", "   ", "\u3000"])
def test_blank_is_missing_not_invalid(raw):
    assert normalize_email(raw) == normalize_email(None)
    assert normalize_email(raw).valid is None


@pytest.mark.parametrize("bad", [123, b"a@b.jp", ["a@b.jp"]])
def test_wrong_kind_raises(bad):
    with pytest.raises(NormalizationError, match="normalize_email"):
        normalize_email(bad)


def test_column_equals_scalar_and_keeps_length():
    values = ["A@x.jp", None, "A@x.jp", "bad", "b+c@gmail.com", ""]
    cols = normalize_email_column(pa.chunked_array([values[:3], values[3:]]))
    assert cols.email.to_pylist() == [normalize_email(v).email for v in values]
    assert cols.match_key.to_pylist() == [normalize_email(v).match_key for v in values]
    assert cols.valid.to_pylist() == [normalize_email(v).valid for v in values]
    assert cols.reason.to_pylist() == [normalize_email(v).reason for v in values]


def test_column_rejects_non_string_arrays():
    with pytest.raises(NormalizationError, match="string"):
        normalize_email_column(pa.array([1, 2]))
