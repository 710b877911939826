"""`partnergraph serve`: migrate, fill an empty database, and serve GraphQL on a socket this
process binds first, so that a port in use is one line and the URLs are printed only once the
server is listening."""

import errno
import os
import socket
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from cli.database import configured
from cli.failures import Failure, reported
from cli.first_run import DATA_DIR, Data, prepare
from cli.loads import run_load

__all__ = ["listening_socket", "metrics_directory", "serve"]

STARTUP_FAILURE = 3
"""uvicorn's exit code when the app does not start."""


def _cannot_listen(error: OSError, host: str, port: int) -> str:
    if error.errno == errno.EADDRINUSE:
        return (
            f"port {port} on {host} is in use by another program (another partnergraph?); "
            "stop it, or serve on another port with --port"
        )
    if error.errno == errno.EACCES:
        return (
            f"not allowed to listen on port {port} (ports below 1024 need privileges); "
            "choose another with --port"
        )
    return (
        f"cannot listen on {host}:{port} ({error.strerror or error}); give an address of this "
        "machine with --host (127.0.0.1, or 0.0.0.0 for every interface)"
    )


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket bound to `host`:`port` and listening (connections wait in its backlog until
    the server accepts them), inheritable by uvicorn's workers; or a `Failure` saying why not."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(2048)
    except OSError as error:
        sock.close()
        raise Failure(_cannot_listen(error, host, port)) from error
    sock.set_inheritable(True)
    return sock


def _run_server(sock: socket.socket, *, workers: int, reload: bool, healthcheck_s: int) -> None:
    """uvicorn on `sock`, as `uvicorn.run` would serve on a socket of its own."""
    import uvicorn
    from uvicorn.supervisors import ChangeReload, Multiprocess

    host, port = sock.getsockname()[:2]
    config = uvicorn.Config(
        "app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=None if reload else workers,
        reload=reload,
        timeout_worker_healthcheck=healthcheck_s,
    )
    server = uvicorn.Server(config)
    try:
        if config.should_reload:
            ChangeReload(config, target=server.run, sockets=[sock]).run()
        elif config.workers > 1:
            Multiprocess(config, sockets=[sock]).run()
        else:
            server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    if not server.started and not config.should_reload and config.workers == 1:
        raise typer.Exit(STARTUP_FAILURE)


METRICS_DIR = "PROMETHEUS_MULTIPROC_DIR"


def metrics_directory(workers: int) -> str | None:
    """The directory the workers' metrics are written to (`telemetry.metrics`), emptied of a
    previous run's files: `PROMETHEUS_MULTIPROC_DIR` if set, else, for several workers, a new
    temporary one (set in the environment the workers inherit); `None` for one worker without
    it (its metrics stay in its memory)."""
    chosen = os.environ.get(METRICS_DIR)
    if not chosen:
        if workers <= 1:
            return None
        chosen = os.environ[METRICS_DIR] = tempfile.mkdtemp(prefix="partnergraph-metrics-")
    folder = Path(chosen)
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.db"):
        old.unlink()
    return chosen


def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: int = 1,
    reload: bool = False,
    demo: Annotated[bool, typer.Option(help="Load the demo data into an empty database.")] = True,
    data: Annotated[
        Data,
        typer.Option(help="What to load into an empty database: the demo or the real registries."),
    ] = Data.DEMO,
    data_dir: Annotated[
        Path, typer.Option(help="Where the registries are (for --data real).")
    ] = DATA_DIR,
) -> None:
    """Migrate, load the demo data (or the real registries) into an empty database, and serve
    GraphQL at /graphql."""
    chosen = data if demo else Data.NONE
    with reported():
        settings = configured()
        sock = listening_socket(host, port)
        metrics_directory(1 if reload else workers)
    try:
        typer.echo(run_load(lambda engine: prepare(engine, data=chosen, data_dir=data_dir)))
        shown = f"[{host}]" if ":" in host else host
        typer.echo(f"GraphiQL at http://{shown}:{sock.getsockname()[1]}/graphql")
        healthcheck_s = settings.worker_healthcheck_timeout_s
        _run_server(sock, workers=workers, reload=reload, healthcheck_s=healthcheck_s)
    finally:
        sock.close()
