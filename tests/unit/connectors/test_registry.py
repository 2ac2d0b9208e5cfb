"""The connector registry: lookups, plug-ins, validation."""

from __future__ import annotations

import importlib
import importlib.metadata
from collections.abc import Iterator

import pytest

import dchkit.connectors as dc
from dchkit.errors import ConnectorDependencyError, ConnectorNotFoundError, PluginError

reg = importlib.import_module("dchkit.connectors.registry")


@pytest.fixture(autouse=True)
def clean_registry(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    saved = dict(reg._registry)
    monkeypatch.setattr(reg, "_entry_points_loaded", False)
    monkeypatch.delenv("DCHKIT_DISABLE_PLUGINS", raising=False)
    yield
    reg._registry.clear()
    reg._registry.update(saved)


class GoodConnector(dc.BaseConnector):
    name = "good"

    def read_raw(self):
        return iter(())


def fake_entry_points(monkeypatch: pytest.MonkeyPatch, *entries: tuple[str, str]) -> list[str]:
    calls: list[str] = []

    def entry_points(group: str):
        calls.append(group)
        return [importlib.metadata.EntryPoint(name, value, group) for name, value in entries]

    monkeypatch.setattr(importlib.metadata, "entry_points", entry_points)
    return calls


def test_registry_is_read_only():
    assert "csv" in dc.registry
    with pytest.raises(TypeError):
        dc.registry["x"] = GoodConnector  # type: ignore[index]


def test_unknown_name_did_you_mean(monkeypatch: pytest.MonkeyPatch):
    fake_entry_points(monkeypatch)
    with pytest.raises(ConnectorNotFoundError) as info:
        dc.get_connector("parqet")
    assert "did you mean 'parquet'?" in str(info.value)
    assert "csv" in info.value.available
    assert isinstance(info.value, LookupError)


def test_entry_points_loaded_lazily_on_miss(monkeypatch: pytest.MonkeyPatch):
    calls = fake_entry_points(monkeypatch, ("plugged", f"{__name__}:GoodConnector"))
    assert dc.get_connector("csv").__name__ == "CsvConnector"
    assert calls == []  # a hit never scans entry points
    assert dc.get_connector("plugged") is GoodConnector
    assert calls == ["dchkit.connectors"]
    dc.get_connector("plugged")
    assert calls == ["dchkit.connectors"]  # scanned once


def test_plugins_can_be_disabled(monkeypatch: pytest.MonkeyPatch):
    fake_entry_points(monkeypatch, ("plugged", f"{__name__}:GoodConnector"))
    monkeypatch.setenv("DCHKIT_DISABLE_PLUGINS", "plugged")
    with pytest.raises(ConnectorNotFoundError):
        dc.get_connector("plugged")


def test_all_plugins_disabled(monkeypatch: pytest.MonkeyPatch):
    fake_entry_points(monkeypatch, ("plugged", f"{__name__}:GoodConnector"))
    monkeypatch.setenv("DCHKIT_DISABLE_PLUGINS", "1")
    assert "plugged" not in dc.available_connectors()


def test_broken_plugin_chains_the_original_error(monkeypatch: pytest.MonkeyPatch):
    fake_entry_points(monkeypatch, ("broken", "dchkit_no_such_package.mod:Thing"))
    with pytest.raises(ConnectorDependencyError) as info:
        dc.get_connector("broken")
    assert isinstance(info.value.__cause__, ModuleNotFoundError)
    assert isinstance(info.value, ImportError)


def test_validation_at_registration():
    with pytest.raises(PluginError, match="lower-case"):
        dc.register_connector("Bad-Name", GoodConnector)
    with pytest.raises(PluginError, match="not a class"):
        dc.register_connector("thing", object())  # type: ignore[arg-type]

    class NoRead:
        name = "noread"
        source = "x"

    with pytest.raises(PluginError, match="read"):
        dc.register_connector("noread", NoRead)

    class Abstract(dc.BaseConnector):
        name = "abstract"

    with pytest.raises(PluginError, match="abstract"):
        dc.register_connector("abstract", Abstract)


def test_decorator_and_replace():
    @dc.register_connector("mine")
    class Mine(GoodConnector):
        name = "mine"

    assert dc.get_connector("mine") is Mine
    with pytest.raises(PluginError, match="already registered"):
        dc.register_connector("mine", GoodConnector)
    dc.register_connector("mine", GoodConnector, replace=True)
    assert dc.get_connector("mine") is GoodConnector


def test_dotted_path_registration():
    dc.register_connector("lazy", f"{__name__}:GoodConnector")
    assert isinstance(dc.registry["lazy"], str)
    assert dc.get_connector("lazy") is GoodConnector
    with pytest.raises(PluginError):
        dc.register_connector("lazy2", "not a path")


def test_connect_factory(exports):
    conn = dc.connect("csv", path=exports / "salesforce_leads.csv", preset="salesforce_leads")
    assert isinstance(conn, dc.CsvConnector)
    assert conn.source == "crm"
    assert conn.read_all().report.records == 2


def test_unknown_preset_did_you_mean():
    with pytest.raises(ConnectorNotFoundError, match="did you mean 'zendesk_users'"):
        dc.load_preset("zendesk_user")
