"""The command line starts fast (its modules import nothing heavy until a command runs), takes
`db upgrade head` as written, and prints the server's URL only once its socket listens."""

import os
import signal
import socket
import subprocess
import sys
from datetime import date
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from cli import app

ROOT = Path(__file__).resolve().parents[2]
HEAVY = {
    "alembic",
    "app",
    "asyncpg",
    "graphql",
    "networkit",
    "resolvers",
    "schema",
    "scipy",
    "sqlalchemy",
    "sqlmodel",
    "starlette",
    "strawberry",
    "uvicorn",
}


def test_importing_the_command_line_imports_nothing_heavy():
    code = "import sys, cli; print('\\n'.join(sorted(sys.modules)))"
    loaded = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()

    heavy = sorted(name for name in loaded if name.split(".")[0] in HEAVY)
    assert heavy == []
    assert not [name for name in loaded if name.startswith(("db.loaders", "db.engine"))]


@pytest.mark.parametrize(
    ("arguments", "said"),
    [
        (["db", "upgrade", "head"], "upgraded to head"),
        (["db", "upgrade"], "upgraded to head"),
        (["db", "downgrade", "base"], "downgraded to base"),
        (["db", "upgrade", "--revision", "head"], "upgraded to head"),
        (["db", "downgrade", "--revision", "base"], "downgraded to base"),
    ],
)
def test_db_takes_the_revision_as_an_argument_or_an_option(tmp_path, arguments, said):
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}"}

    result = CliRunner().invoke(app, arguments, env=env)

    assert result.exit_code == 0, result.output
    assert result.stdout == f"{said}\n"


def test_db_downgrade_needs_a_revision(tmp_path):
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}"}

    result = CliRunner().invoke(app, ["db", "downgrade"], env=env)

    assert result.exit_code == 2
    assert "name the revision" in result.output


def test_db_rollups_rebuilds_the_summary_rollups_from_today(tmp_path):
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}"}
    assert CliRunner().invoke(app, ["db", "upgrade"], env=env).exit_code == 0

    result = CliRunner().invoke(app, ["db", "rollups"], env=env)

    assert result.exit_code == 0, result.output
    assert result.stdout == f"rebuilt the summary rollups, window from {date.today()}\n"


@pytest.mark.parametrize("workers", [1, 2])
def test_serve_prints_the_url_once_the_socket_listens(tmp_path, workers):
    log = tmp_path / "serve.log"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}",
        "PYTHONUNBUFFERED": "1",
    }
    arguments = ["serve", "--port", "0", "--data", "none", "--workers", str(workers)]
    with (
        log.open("w") as stderr,
        subprocess.Popen(
            [sys.executable, "-c", "import cli; cli.main()", *arguments],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        ) as server,
    ):
        try:
            assert server.stdout is not None
            lines = [server.stdout.readline(), server.stdout.readline()]
            assert lines[0] == "database is up to date\n", log.read_text()
            assert lines[1].startswith("GraphiQL at http://127.0.0.1:"), log.read_text()
            port = int(lines[1].rsplit(":", 1)[1].split("/")[0])

            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            answer = httpx.post(
                f"http://127.0.0.1:{port}/graphql", json={"query": "{ __typename }"}, timeout=120
            )
            assert answer.json()["data"] == {"__typename": "Query"}
        finally:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(timeout=60)
            except subprocess.TimeoutExpired:
                server.kill()
