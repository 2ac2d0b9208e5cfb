"""Every docstring example of dchkit.normalize runs."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import dchkit.normalize

MODULES = sorted(
    [dchkit.normalize.__name__]
    + [f"dchkit.normalize.{m.name}" for m in pkgutil.iter_modules(dchkit.normalize.__path__)]
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


def test_public_names_are_sorted_and_exist():
    names = dchkit.normalize.__all__

    def isort_style(name):  # the order ruff's RUF022 keeps: CONSTANTS, Classes, functions
        return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)

    assert names == sorted(names, key=isort_style)
    assert len(set(names)) == len(names)
    assert all(hasattr(dchkit.normalize, n) for n in names)
