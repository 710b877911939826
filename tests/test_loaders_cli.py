"""The `load` commands: counts and skipped records printed, bad files refused with a message."""

from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from tests.registries import CORDIS, ROR, UNIVERSITIES


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "cli.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{path}")
    return path


def test_load_prints_the_counts_and_the_skipped_records_then_nothing_changes(database):
    runner = CliRunner()
    first = runner.invoke(app, ["load", "cordis", str(CORDIS), "--show-skips", "2"])
    second = runner.invoke(app, ["load", "cordis", str(CORDIS), "--show-skips", "0"])

    assert first.exit_code == 0, first.output
    assert "projects: read 18, created 13" in first.output
    assert f"{CORDIS / 'organizations.csv'}, line 33: no org_id" in first.output
    assert "and 12 more skipped (--show-skips N)" in first.output
    assert second.exit_code == 0, second.output
    assert "rows written: none (nothing changed)" in second.output


def test_load_ror_and_universities(database):
    runner = CliRunner()
    ror = runner.invoke(app, ["load", "ror", str(ROR)])
    universities = runner.invoke(app, ["load", "universities", str(UNIVERSITIES)])

    assert ror.exit_code == 0, ror.output
    assert "ror: read 27, created 22" in ror.output
    assert universities.exit_code == 0, universities.output
    assert "merged" in universities.output and "web domain" in universities.output


@pytest.mark.parametrize("content", ["[1,", '{"not": "a list"}'])
def test_a_file_that_is_not_a_json_array_is_refused_and_nothing_is_written(
    database, tmp_path, content
):
    bad = tmp_path / "bad.json"
    bad.write_text(content, encoding="utf-8")

    result = CliRunner().invoke(app, ["load", "universities", str(bad)])

    assert result.exit_code == 1
    assert "nothing was written" in result.output
    assert "Traceback" not in result.output


def test_a_missing_directory_is_refused(database, tmp_path):
    result = CliRunner().invoke(app, ["load", "cordis", str(tmp_path / "nowhere")])

    assert result.exit_code == 1
    assert "is missing; nothing was written" in result.output
