from __future__ import annotations

import pytest

from dchkit.datasets import World, generate_world


@pytest.fixture(scope="session")
def ja_world() -> World:
    return generate_world(n_people=1500, locale="ja", seed=11)


@pytest.fixture(scope="session")
def en_world() -> World:
    return generate_world(n_people=1500, locale="en", seed=11)


@pytest.fixture(params=["ja", "en"])
def world(request: pytest.FixtureRequest, ja_world: World, en_world: World) -> World:
    return ja_world if request.param == "ja" else en_world
