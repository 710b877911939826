"""The `load` commands: counts and skipped records printed, bad files refused with a message."""

import gzip
import shutil
import sqlite3
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


def _tables(database: Path) -> dict[str, int]:
    with sqlite3.connect(database) as connection:
        return {
            table: connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("organization", "agreement", "agreement_party", "funding")
        }


def _renamed_header(tmp: Path) -> tuple[list[str], str]:
    directory = tmp / "cordis"
    shutil.copytree(CORDIS, directory)
    path = directory / "organizations.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("org_id,legal_name", "organisation_id,name", 1), encoding="utf-8")
    return ["cordis", str(directory)], f"{path}, line 1: the header lacks the columns org_id"


def _row_cut(tmp: Path) -> tuple[list[str], str]:
    directory = tmp / "cordis"
    shutil.copytree(CORDIS, directory)
    path = directory / "projects.csv"
    data = path.read_bytes()
    path.write_bytes(data[: data.index(b"\n", 3000) + 20])
    return ["cordis", str(directory)], f"{path}, line 11: has 3 fields where the header has 16"


def _gzip_cut(tmp: Path) -> tuple[list[str], str]:
    path = tmp / "ror.json.gz"
    data = gzip.compress(ROR.read_bytes())
    path.write_bytes(data[: len(data) // 2])
    return ["ror", str(path)], f"{path}: is cut short: its gzip data ends before the end"


def _no_organizations(tmp: Path) -> tuple[list[str], str]:
    directory = tmp / "cordis"
    shutil.copytree(CORDIS, directory)
    path = directory / "organizations.csv"
    header, *rows = path.read_text(encoding="utf-8").split("\n")
    path.write_text("\n".join([header, *("," + r.split(",", 1)[-1] for r in rows if r)]) + "\n")
    return ["cordis", str(directory)], f"{path}: none of its 35 organizations can be loaded"


@pytest.mark.parametrize("make", [_renamed_header, _row_cut, _gzip_cut, _no_organizations])
def test_a_bad_file_ends_the_load_with_one_line_naming_it_and_nothing_is_written(
    database, tmp_path, make
):
    runner = CliRunner()
    assert runner.invoke(app, ["load", "universities", str(UNIVERSITIES)]).exit_code == 0
    before = _tables(database)
    arguments, message = make(tmp_path)

    result = runner.invoke(app, ["load", *arguments])

    assert result.exit_code == 1, result.output
    assert result.stderr.startswith(f"error: {message}"), result.stderr
    assert result.stderr.rstrip().endswith("; nothing was written")
    assert result.stderr.count("\n") == 1
    assert result.stdout == ""
    assert "Aborted" not in result.output and "Traceback" not in result.output
    assert _tables(database) == before


def test_load_real_with_a_bad_file_writes_none_of_the_three(database, tmp_path):
    data = tmp_path / "data"
    (data / "ror").mkdir(parents=True)
    (data / "hipo").mkdir()
    (data / "ror" / "ror_v2_records_union.json.gz").write_bytes(gzip.compress(ROR.read_bytes()))
    shutil.copytree(CORDIS, data / "cordis_horizon")
    (data / "hipo" / "world_universities_and_domains.json").write_text("[{", encoding="utf-8")

    result = CliRunner().invoke(app, ["load", "real", str(data)])

    assert result.exit_code == 1, result.output
    assert "world_universities_and_domains.json, line 1, column 3: is cut short" in result.stderr
    assert set(_tables(database).values()) == {0}


def test_the_skipped_records_are_counted_by_reason(database):
    result = CliRunner().invoke(app, ["load", "cordis", str(CORDIS), "--show-skips", "1"])

    assert result.exit_code == 0, result.output
    assert "skipped 14 records, by reason:" in result.output
    organizations = CORDIS / "organizations.csv"
    assert f"1  unknown country code … (first: {organizations}, line 35)" in result.output


def test_a_database_out_of_reach_ends_the_load_with_a_message(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:1/nothing")

    result = CliRunner().invoke(app, ["load", "ror", str(ROR)])

    assert result.exit_code == 3, result.output
    assert result.stderr.startswith("error: cannot connect to PostgreSQL at 127.0.0.1:1: ")
    assert "Traceback" not in result.output
