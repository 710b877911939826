"""`partnergraph reminders run`: one run for a given day, safe to repeat; a bad day refused."""

from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "cli.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{path}")
    return path


def test_reminders_run_for_a_day_prints_what_it_recorded(database: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    done = runner.invoke(app, ["reminders", "run", "--today", "2027-12-06"])
    assert done.exit_code == 0, done.output
    assert done.output.strip() == "0 reminders due, 0 recorded now"
    refused = runner.invoke(app, ["reminders", "run", "--today", "6 Dec"])
    assert refused.exit_code != 0
