"""Every startup failure of the command line is one or two lines saying what is wrong and what
to do, with a non-zero exit code and no traceback (unless `--debug`); the conditions are real
(a port bound here, a refused connection, a database that does not exist)."""

import os
import socket
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url
from typer.testing import CliRunner, Result

from cli import app
from tests.conftest import POSTGRES
from tests.registries import ROR

ROOT = Path(__file__).resolve().parents[2]
STARTUPS = [
    ["serve", "--port", "0", "--data", "none"],
    ["db", "upgrade", "head"],
    ["db", "downgrade", "base"],
    ["load", "ror", str(ROR)],
]
"""One command of each kind that opens the database as it starts."""


def failing(arguments: list[str], url: str | None = None) -> Result:
    """`partnergraph ARGUMENTS` with DATABASE_URL=`url`, checked to end in a message: a
    non-zero exit code, no exception escaping, no traceback, at most two lines on stderr."""
    env = {"DATABASE_URL": url} if url is not None else {}
    result = CliRunner().invoke(app, arguments, env=env)
    assert result.exit_code != 0, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    assert result.stderr.startswith("error: "), result.stderr
    assert 1 <= result.stderr.count("\n") <= 2, result.stderr
    return result


@pytest.mark.parametrize("arguments", STARTUPS, ids=lambda a: " ".join(a[:2]))
def test_a_refused_connection_names_the_server(arguments):
    result = failing(arguments, "postgresql+asyncpg://postgres@127.0.0.1:1/x")

    assert result.exit_code == 3
    assert "cannot connect to PostgreSQL at 127.0.0.1:1: the connection was refused" in (
        result.stderr
    )


@pytest.fixture
def postgres(_postgres_problem: str | None) -> str:
    if _postgres_problem is not None:
        pytest.skip(f"PostgreSQL unreachable: {_postgres_problem}")
    return POSTGRES


@pytest.mark.parametrize("arguments", STARTUPS, ids=lambda a: " ".join(a[:2]))
def test_a_database_that_does_not_exist_is_named_with_how_to_create_it(postgres, arguments):
    name = f"pg_missing_{uuid.uuid4().hex[:8]}"
    url = make_url(postgres).set(database=name).render_as_string(hide_password=False)

    result = failing(arguments, url)

    assert result.exit_code == 3
    assert f"the database '{name}' does not exist" in result.stderr
    assert "createdb -h " in result.stderr and name in result.stderr


@pytest.mark.parametrize("arguments", STARTUPS, ids=lambda a: " ".join(a[:2]))
@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("not a url", "DATABASE_URL is not a database URL; write it as sqlite+aiosqlite:///"),
        (
            "postgresql://postgres@127.0.0.1/postgres",
            "start it with 'postgresql+asyncpg://' instead of 'postgresql://'",
        ),
        ("mysql://me@127.0.0.1/x", "names the driver 'mysql', which partnergraph does not run on"),
    ],
    ids=["unparsable", "no asyncpg", "unsupported"],
)
def test_a_wrong_database_url_says_how_to_write_it(arguments, url, message):
    result = failing(arguments, url)

    assert result.exit_code == 1
    assert message in result.stderr


@pytest.mark.parametrize("arguments", STARTUPS, ids=lambda a: " ".join(a[:2]))
def test_a_sqlite_database_in_a_folder_that_cannot_exist_names_the_folder(tmp_path, arguments):
    plain_file = tmp_path / "file.txt"
    plain_file.write_text("not a folder")
    path = plain_file / "sub" / "db.sqlite"

    result = failing(arguments, f"sqlite+aiosqlite:///{path}")

    assert f"the folder {path.parent} of the SQLite database {path} does not exist" in (
        result.stderr
    )


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes in a folder of mode 0o500")
def test_a_sqlite_database_in_a_folder_without_write_permission_names_the_folder(tmp_path):
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        result = failing(["db", "upgrade", "head"], f"sqlite+aiosqlite:///{folder}/db.sqlite")
    finally:
        folder.chmod(0o700)

    assert f"cannot write in {folder}, the folder of the SQLite database" in result.stderr


@pytest.fixture
def bound_port() -> Iterator[int]:
    """A port that another program listens on."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        yield taken.getsockname()[1]


def test_serve_on_a_port_in_use_says_so(tmp_path, bound_port):
    result = failing(
        ["serve", "--port", str(bound_port), "--data", "none"],
        f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}",
    )

    assert result.exit_code == 1
    assert f"port {bound_port} on 127.0.0.1 is in use" in result.stderr
    assert "--port" in result.stderr


@pytest.fixture
def migrated_by_a_newer_version(tmp_path: Path) -> str:
    path = tmp_path / "db.sqlite"
    url = f"sqlite+aiosqlite:///{path}"
    assert (
        CliRunner().invoke(app, ["db", "upgrade", "head"], env={"DATABASE_URL": url}).exit_code == 0
    )
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = 'f00dfeed0042'")
    return url


@pytest.mark.parametrize("arguments", STARTUPS, ids=lambda a: " ".join(a[:2]))
def test_a_database_migrated_by_a_newer_version_says_so(migrated_by_a_newer_version, arguments):
    result = failing(arguments, migrated_by_a_newer_version)

    assert result.exit_code == 3
    assert "the database is at migration f00dfeed0042, which this version of partnergraph" in (
        result.stderr
    )


def test_an_unknown_revision_is_named(tmp_path):
    result = failing(["db", "upgrade", "nonsense"], f"sqlite+aiosqlite:///{tmp_path / 'db'}")

    assert "Can't locate revision identified by 'nonsense'" in result.stderr


def test_debug_shows_the_traceback():
    result = subprocess.run(
        [sys.executable, "-c", "import cli; cli.main()", "--debug", "db", "upgrade", "head"],
        env={**os.environ, "DATABASE_URL": "postgresql+asyncpg://postgres@127.0.0.1:1/x"},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode != 0
    assert "Traceback" in result.stderr
    assert "ConnectionRefusedError" in result.stderr


def test_without_debug_a_real_process_prints_one_line():
    result = subprocess.run(
        [sys.executable, "-c", "import cli; cli.main()", "db", "upgrade", "head"],
        env={**os.environ, "DATABASE_URL": "postgresql+asyncpg://postgres@127.0.0.1:1/x"},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 3
    assert result.stdout == ""
    assert result.stderr.startswith("error: cannot connect to PostgreSQL at 127.0.0.1:1")
    assert result.stderr.count("\n") == 1
