from __future__ import annotations

import pickle

import pytest

from dchkit import errors
from dchkit.errors import (
    ConfigError,
    ConnectorNotFoundError,
    DchkitError,
    ProfileNotFoundError,
    RecordNormalizationError,
    error_classes,
)


def test_every_error_derives_from_the_root_and_has_a_unique_code():
    classes = error_classes()
    assert classes[0] is DchkitError
    assert all(issubclass(cls, DchkitError) for cls in classes)
    codes = [cls.code for cls in classes]
    assert len(codes) == len(set(codes)), "two classes share an error code"
    assert set(codes) == set(errors.ErrorCode.__args__)


def test_message_says_what_and_what_to_do_and_links_the_code():
    err = ConfigError("threshold must be in (0, 1), got 1.5", fix="use e.g. 0.9")
    text = str(err)
    assert text.startswith("threshold must be in (0, 1), got 1.5. Use e.g. 0.9.")
    assert text.endswith("errors/#config-invalid]")


def test_builtin_bases_let_users_catch_what_they_already_catch():
    with pytest.raises(ValueError, match="bad threshold"):
        raise ConfigError("bad threshold")
    with pytest.raises(LookupError):
        raise ConnectorNotFoundError("no connector 'csvv'", fix="did you mean 'csv'?")
    with pytest.raises(KeyError) as info:
        raise ProfileNotFoundError("no customer with email a@b.jp")
    assert str(info.value).startswith("no customer with email a@b.jp.")


def test_structured_context_is_kept_and_survives_pickling():
    err = RecordNormalizationError(
        "birth date '1990-13-45' is not a date",
        fix="fix the row or map the column with a date format",
        source="crm",
        row=12,
        field="Birthdate",
    )
    assert (err.source, err.row, err.field) == ("crm", 12, "Birthdate")
    clone = pickle.loads(pickle.dumps(err))
    assert type(clone) is RecordNormalizationError
    assert str(clone) == str(err)
    assert clone.row == 12


def test_reserved_context_names_are_refused():
    with pytest.raises(TypeError, match="code"):
        DchkitError("x", code="other")
