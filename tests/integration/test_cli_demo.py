"""The demo runs end to end through the command line, and errors exit 2 with a message."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dchkit import __version__
from dchkit.cli import app, main


def test_demo_runs_end_to_end_and_reports_json(tmp_path: Path):
    result = CliRunner().invoke(
        app,
        [
            "demo",
            "--people",
            "150",
            "--locale",
            "en",
            "--seed",
            "5",
            "--dir",
            str(tmp_path),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["rejects"] == 0
    assert summary["records"] > summary["customers"] >= 100
    assert summary["metrics"]["pairwise_precision"] > 0.8
    for name in ("clusters", "golden", "lineage", "events"):
        assert (tmp_path / "results" / f"{name}.parquet").stat().st_size > 0
    assert (tmp_path / "exports" / "manifest.json").exists()


def test_version_and_bad_options():
    runner = CliRunner()
    assert runner.invoke(app, ["version"]).stdout.strip() == __version__
    bad = runner.invoke(app, ["demo", "--locale", "fr"])
    assert bad.exit_code == 2
    assert "ja or en" in bad.output


def test_dchkit_errors_exit_2_with_the_message_and_the_fix(monkeypatch, capsys):
    from dchkit.errors import ConfigError

    def boom(**_kwargs):
        raise ConfigError("the world is too small", fix="ask for more people")

    monkeypatch.setattr("dchkit.demo.run_demo", boom)
    with pytest.raises(SystemExit) as exit_:
        main(["demo", "--people", "60"])
    assert exit_.value.code == 2
    assert "the world is too small. Ask for more people." in capsys.readouterr().err
