"""A PostgreSQL primary and a streaming replica of it, made for a test run (or a benchmark) and
removed after: `initdb` into a temporary folder, the primary on a free port with
`wal_level=replica`, then `pg_basebackup -R` for a standby on another port, with Debian's
PostgreSQL programs (/usr/lib/postgresql/<version>/bin). As root, every program runs as the
`postgres` user (initdb refuses root).

`binaries()` says why this cannot be done here (no programs, no `postgres` user), else `None`.
"""

import asyncio
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import asyncpg

__all__ = ["Cluster", "binaries", "why_not"]


def binaries() -> Path | None:
    """The newest installed PostgreSQL's bin folder, or `None`."""
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/pg_basebackup"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    return found[-1].parent if found else None


def why_not() -> str | None:
    """Why a cluster cannot be made on this machine, or `None` when it can."""
    if binaries() is None:
        return "no PostgreSQL server programs under /usr/lib/postgresql/*/bin"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no `postgres` user to run initdb as"
        if shutil.which("runuser") is None:
            return "running as root without runuser"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Cluster:
    """A primary and one standby on 127.0.0.1, trust authentication, user `postgres`."""

    def __init__(self, *, prefix: str = "pg_replica_") -> None:
        bin_dir = binaries()
        assert bin_dir is not None, why_not()
        self.bin = bin_dir
        self.root = Path(tempfile.mkdtemp(prefix=prefix))
        self.primary_dir = self.root / "primary"
        self.standby_dir = self.root / "standby"
        self.primary_port = _free_port()
        self.standby_port = _free_port()
        self._as_postgres = os.geteuid() == 0
        if self._as_postgres:
            user = pwd.getpwnam("postgres")
            os.chown(self.root, user.pw_uid, user.pw_gid)

    def _run(self, program: str, *args: str, check: bool = True) -> None:
        command = [str(self.bin / program), *args]
        if self._as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(
            command, check=check, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd="/"
        )

    def url(self, port: int, database: str = "postgres") -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{port}/{database}"

    def dsn(self, port: int, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{port}/{database}"

    def _options(self, port: int, extra: Sequence[str] = ()) -> str:
        settings = [
            f"port={port}",
            "listen_addresses=127.0.0.1",
            f"unix_socket_directories={self.root}",
            "fsync=off",
            "full_page_writes=off",
            "shared_buffers=64MB",
            "max_connections=200",
            *extra,
        ]
        return " ".join(f"-c {s}" for s in settings)

    def start(self) -> None:
        """Makes and starts the primary, then clones and starts the standby."""
        self._run(
            "initdb", "-D", str(self.primary_dir), "-U", "postgres", "--auth=trust", "-E", "UTF8"
        )
        self._run(
            "pg_ctl",
            "-D",
            str(self.primary_dir),
            "-w",
            "-l",
            str(self.root / "primary.log"),
            "-o",
            self._options(self.primary_port, ["wal_level=replica", "max_wal_senders=5"]),
            "start",
        )
        self._run(
            "pg_basebackup",
            "-h",
            "127.0.0.1",
            "-p",
            str(self.primary_port),
            "-U",
            "postgres",
            "-D",
            str(self.standby_dir),
            "-R",
            "-X",
            "stream",
        )
        self.start_standby()

    def start_standby(self) -> None:
        self._run(
            "pg_ctl",
            "-D",
            str(self.standby_dir),
            "-w",
            "-l",
            str(self.root / "standby.log"),
            "-o",
            self._options(self.standby_port, ["hot_standby=on"]),
            "start",
        )

    def stop_standby(self) -> None:
        self._run("pg_ctl", "-D", str(self.standby_dir), "-w", "-m", "immediate", "stop")

    def stop(self) -> None:
        """Stops both servers and removes their folders."""
        for folder in (self.standby_dir, self.primary_dir):
            if (folder / "postmaster.pid").exists():
                self._run("pg_ctl", "-D", str(folder), "-w", "-m", "fast", "stop", check=False)
        shutil.rmtree(self.root, ignore_errors=True)

    async def wait_replayed(self, timeout_s: float = 60) -> None:
        """Until the standby has replayed everything the primary has written so far."""
        primary = await asyncpg.connect(self.dsn(self.primary_port))
        try:
            target = await primary.fetchval("SELECT pg_current_wal_lsn()")
        finally:
            await primary.close()
        deadline = time.monotonic() + timeout_s
        standby = await asyncpg.connect(self.dsn(self.standby_port))
        try:
            while True:
                behind = await standby.fetchval(
                    "SELECT pg_wal_lsn_diff($1, pg_last_wal_replay_lsn()) > 0", target
                )
                if not behind:
                    return
                if time.monotonic() > deadline:
                    raise TimeoutError("the standby did not catch up")
                await asyncio.sleep(0.05)
        finally:
            await standby.close()
