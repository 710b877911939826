"""`pg_dump` and `pg_restore` on the database of DATABASE_URL: the SQLAlchemy URL told as libpq
arguments (the password through PGPASSWORD, never on the command line), the tools found on PATH
and checked against the server's major version, and their failures told in one line."""

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

from cli.failures import DATABASE_ERROR, Failure

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

__all__ = ["dump", "libpq", "restore", "server_major", "table_entries", "tool"]

CLIENT_PACKAGE = "the PostgreSQL client tools (Debian/Ubuntu: apt install postgresql-client)"


def libpq(url: "URL") -> tuple[list[str], dict[str, str]]:
    """The connection options of `url` for pg_dump/pg_restore, and the environment to run them
    in (PGPASSWORD, PGSSLMODE from an `ssl`/`sslmode` query parameter)."""
    arguments = [f"--dbname={url.database or 'postgres'}"]
    if url.host:
        arguments.append(f"--host={url.host}")
    if url.port:
        arguments.append(f"--port={url.port}")
    if url.username:
        arguments.append(f"--username={url.username}")
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    ssl = url.query.get("sslmode") or url.query.get("ssl")
    if isinstance(ssl, str):
        env["PGSSLMODE"] = ssl
    return arguments, env


def tool(name: str, server: int) -> str:
    """The path of `name` (pg_dump or pg_restore), if it is on PATH and its major version is at
    least the server's (an older one refuses the server); otherwise a `Failure`."""
    found = shutil.which(name)
    if found is None:
        raise Failure(f"{name} is not on PATH; install {CLIENT_PACKAGE}, version {server} or newer")
    printed = subprocess.run([found, "--version"], capture_output=True, text=True, check=False)
    match = re.search(r"(\d+)(?:\.\d+)?", printed.stdout)
    if match is None:
        raise Failure(f"cannot tell the version of {found} ({printed.stdout.strip()!r})")
    major = int(match.group(1))
    if major < server:
        raise Failure(
            f"{found} is version {major}, older than the PostgreSQL server ({server}), and "
            f"cannot read it; install {CLIENT_PACKAGE} version {server} or newer"
        )
    return found


def server_major(version_num: int) -> int:
    """The major version of `server_version_num` (150020 -> 15, 90624 -> 9)."""
    return version_num // 10000


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        reason = "; ".join(lines[:2])[:400] or f"exit code {done.returncode}"
        raise Failure(f"{what} failed: {reason}", DATABASE_ERROR)


def dump(url: "URL", path: Path, server: int) -> None:
    """The database of `url` dumped to `path` in pg_dump's custom format."""
    arguments, env = libpq(url)
    command = [tool("pg_dump", server), "--format=custom", f"--file={path}", *arguments]
    _run(command, env, "pg_dump")


def restore(url: "URL", path: Path, server: int) -> None:
    """The dump at `path` restored into the database of `url`: each object of the dump dropped
    (if it exists) and made again, with its rows, in one transaction, owned by the user of
    `url`."""
    arguments, env = libpq(url)
    command = [
        tool("pg_restore", server),
        "--clean",
        "--if-exists",
        "--no-owner",
        "--single-transaction",
        *arguments,
        str(path),
    ]
    _run(command, env, "pg_restore")


def table_entries(path: Path) -> int:
    """How many tables' rows the custom-format dump at `path` holds (from its table of
    contents); a `Failure` when pg_restore cannot read it."""
    found = shutil.which("pg_restore")
    if found is None:
        raise Failure(f"pg_restore is not on PATH; install {CLIENT_PACKAGE}")
    listed = subprocess.run([found, "--list", str(path)], capture_output=True, text=True)
    if listed.returncode != 0:
        first = (listed.stderr.strip().splitlines() or ["unreadable"])[0]
        raise Failure(f"pg_restore cannot read {path}: {first}")
    return sum(" TABLE DATA " in line for line in listed.stdout.splitlines())
