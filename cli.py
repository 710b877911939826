"""The command line: serve the API, migrate the database, load data, export the schema."""

import asyncio
import sys
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from contextlib import contextmanager
from datetime import timedelta
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, NoReturn

import sqlalchemy as sa
import typer
import uvicorn
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from db.base import table_of, utcnow
from db.engine import create_engine
from db.enums import TokenRole
from db.loaders import (
    LoadError,
    LoadReport,
    load_cordis,
    load_registries,
    load_ror,
    load_universities,
)
from db.loaders.demo import database_is_empty, load_demo
from db.loaders.registry import Progress
from db.migrate import downgrade, upgrade
from db.tables import Alliance, Organization
from resolvers.errors import ApiError
from resolvers.ids import decode_id
from resolvers.network_changes import note_load
from resolvers.tokens import create_token, list_tokens, revoke_token
from settings import load_settings

__all__ = ["main"]

app = typer.Typer(help="partnergraph: a GraphQL API over institutional partnerships.")
db_app = typer.Typer(
    help="Migrate the database (DATABASE_URL, SQLite ./partnergraph.db by default)."
)
load_app = typer.Typer(help="Load data into the database.")
schema_app = typer.Typer(help="The GraphQL schema.")
token_app = typer.Typer(help="API tokens: create (the secret is shown once), list, revoke.")
app.add_typer(db_app, name="db")
app.add_typer(token_app, name="token")
app.add_typer(load_app, name="load")
app.add_typer(schema_app, name="schema")


DEMO_TOKENS = [
    ("demo admin", TokenRole.ADMIN, None, None),
    (
        "demo secretariat of the Jiangxi alliance",
        TokenRole.SECRETARIAT,
        None,
        "Jiangxi Provincial Alliance for Sino-Foreign Cooperative Education",
    ),
    (
        "demo partner portal of Jiangsu Open University",
        TokenRole.EDITOR,
        "Jiangsu Open University",
        None,
    ),
    ("demo reporting tool", TokenRole.REPORTER, None, None),
]


async def _demo_tokens(engine: AsyncEngine) -> list[str]:
    """One token per kind of user for the fresh demo, printed once (only hashes are kept)."""
    lines = []
    async with engine.begin() as connection:
        for name, role, org, alliance in DEMO_TOKENS:
            made = await create_token(
                connection,
                name=name,
                role=role,
                organization_id=await _key_of(connection, table_of(Organization), org),
                alliance_id=await _key_of(connection, table_of(Alliance), alliance),
            )
            lines.append(f"  {name}: {made.secret}")
    return lines


class Data(StrEnum):
    DEMO = "demo"
    REAL = "real"
    NONE = "none"


DATA_DIR = Path("../shared/data")
"""Where `serve --data real` and `load real` look for the registries (relative to the working
directory; see the README section "Real registries")."""

REAL_TOKENS = [
    ("admin (real data)", TokenRole.ADMIN),
    ("reporting tool (real data)", TokenRole.REPORTER),
]


async def _prepare(*, data: Data, data_dir: Path = DATA_DIR) -> str:
    engine = create_engine(load_settings().database_url)
    try:
        await upgrade(engine)
        if data is Data.NONE or not await database_is_empty(engine):
            return "database is up to date"
        if data is Data.REAL:
            reports = await _load_real(engine, data_dir)
            lines = [report.summary() for report in reports]
            lines.append("API tokens (send as 'Authorization: Bearer <token>'; shown only now):")
            async with engine.begin() as connection:
                for name, role in REAL_TOKENS:
                    made = await create_token(connection, name=name, role=role)
                    lines.append(f"  {name}: {made.secret}")
            return "\n".join(lines)
        counts = await load_demo(engine)
        tokens = await _demo_tokens(engine)
        return "\n".join(
            [
                f"loaded the demo data: {counts}",
                "demo API tokens (send as 'Authorization: Bearer <token>'; shown only now):",
                *tokens,
            ]
        )
    finally:
        await engine.dispose()


def _registry_paths(data_dir: Path) -> tuple[Path, Path, Path]:
    return (
        data_dir / "ror" / "ror_v2_records_union.json.gz",
        data_dir / "cordis_horizon",
        data_dir / "hipo" / "world_universities_and_domains.json",
    )


async def _load_real(
    engine: AsyncEngine, data_dir: Path, progress: Progress | None = None
) -> list[LoadReport]:
    """ROR first (it ranks highest, so the others merge into its organizations), then CORDIS,
    then the universities list; each in a transaction of its own, after all three files are
    read and checked."""
    reports = await load_registries(engine, *_registry_paths(data_dir), progress=progress)
    await note_load(engine)
    return reports


@app.command()
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
    typer.echo(_run_load(lambda: _prepare(data=chosen, data_dir=data_dir)))
    typer.echo(f"GraphiQL at http://{host}:{port}/graphql")
    uvicorn.run(
        "app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=None if reload else workers,
        reload=reload,
        timeout_worker_healthcheck=load_settings().worker_healthcheck_timeout_s,
    )


@db_app.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Apply migrations up to REVISION."""

    async def run() -> None:
        engine = create_engine(load_settings().database_url)
        try:
            await upgrade(engine, revision)
        finally:
            await engine.dispose()

    asyncio.run(run())
    typer.echo(f"upgraded to {revision}")


@db_app.command("downgrade")
def db_downgrade(revision: str = typer.Argument(..., help="Target revision, e.g. base.")) -> None:
    """Revert migrations down to REVISION."""

    async def run() -> None:
        engine = create_engine(load_settings().database_url)
        try:
            await downgrade(engine, revision)
        finally:
            await engine.dispose()

    asyncio.run(run())
    typer.echo(f"downgraded to {revision}")


@load_app.command("demo")
def load_demo_command() -> None:
    """Load the demo data (built from the source documents) into an empty database."""
    typer.echo(_run_load(lambda: _prepare(data=Data.DEMO)))


@contextmanager
def _progress_bar() -> Iterator[Progress | None]:
    """A progress bar on a terminal (standard error); nothing when output is redirected."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.progress import Progress as Bar

    with Bar(transient=True) as bar:
        tasks: dict[str, object] = {}

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)  # type: ignore[arg-type]

        yield update


INPUT_ERROR = 1
"""The exit code of a load refused for its input (a file missing, cut short, of the wrong shape,
or without one usable record); nothing was written."""
DATABASE_ERROR = 3
"""The exit code of a load the database failed (unreachable, or refusing a write); the failing
registry's transaction was rolled back."""


def _fail(message: str, code: int) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def _run_load(work: Callable[[], Coroutine[Any, Any, str]]) -> str:
    """Run a load; a bad input file or a failing database ends it with a one-line message and
    an exit code, never a traceback (nor click's bare "Aborted!", which an `EOFError` from a
    truncated gzip file used to give)."""
    try:
        return asyncio.run(work())
    except LoadError as error:
        _fail(f"{error}; nothing was written", INPUT_ERROR)
    except (sa.exc.SQLAlchemyError, OSError) as error:
        text = str(getattr(error, "orig", None) or error).strip().splitlines()
        first = text[0][:300] if text else type(error).__name__
        _fail(
            f"the database failed during the load ({first}); its transaction was rolled back",
            DATABASE_ERROR,
        )


def _report_text(report: LoadReport, show_skips: int) -> str:
    lines = [report.summary()]
    lines += [f"  note: {note}" for note in report.all_notes()]
    lines += report.skip_summary(show_skips)
    return "\n".join(lines)


Loader = Callable[..., Awaitable[LoadReport]]
ShowSkips = Annotated[int, typer.Option(help="How many skipped records to list.")]


def _load_one(loader: Loader, path: Path, show_skips: int) -> None:
    async def run() -> str:
        engine = create_engine(load_settings().database_url)
        try:
            await upgrade(engine)
            with _progress_bar() as progress:
                report = await loader(engine, path, progress=progress)
            await note_load(engine)
            return _report_text(report, show_skips)
        finally:
            await engine.dispose()

    typer.echo(_run_load(run))


@load_app.command("ror")
def load_ror_command(
    path: Annotated[Path, typer.Argument(help="ROR v2 records: a JSON array, .json or .json.gz.")],
    show_skips: ShowSkips = 20,
) -> None:
    """Load ROR organizations (merged with those already stored; one transaction)."""
    _load_one(load_ror, path, show_skips)


@load_app.command("cordis")
def load_cordis_command(
    directory: Annotated[
        Path, typer.Argument(help="organizations.csv, projects.csv and participations.csv.")
    ],
    show_skips: ShowSkips = 20,
) -> None:
    """Load CORDIS organizations, projects (as agreements) and participations (one transaction)."""
    _load_one(load_cordis, directory, show_skips)


@load_app.command("universities")
def load_universities_command(
    path: Annotated[Path, typer.Argument(help="world_universities_and_domains.json")],
    show_skips: ShowSkips = 20,
) -> None:
    """Load the world universities list (merged with those already stored; one transaction)."""
    _load_one(load_universities, path, show_skips)


@load_app.command("real")
def load_real_command(
    data_dir: Annotated[Path, typer.Argument(help="The data directory.")] = DATA_DIR,
    show_skips: ShowSkips = 20,
) -> None:
    """Load ROR, then CORDIS, then the universities list from DATA_DIR."""

    async def run() -> str:
        engine = create_engine(load_settings().database_url)
        try:
            await upgrade(engine)
            with _progress_bar() as progress:
                reports = await _load_real(engine, data_dir, progress)
            return "\n".join(_report_text(report, show_skips) for report in reports)
        finally:
            await engine.dispose()

    typer.echo(_run_load(run))


@schema_app.command("export")
def schema_export(path: Path = Path("schema.graphql")) -> None:
    """Write the GraphQL schema in SDL to PATH."""
    from schema import schema_sdl

    path.write_text(schema_sdl(), encoding="utf-8")
    typer.echo(f"wrote {path}")


async def _key_of(connection: AsyncConnection, table: sa.Table, text: str | None) -> int | None:
    """A row's key from its number, its global ID, or its exact name."""
    if text is None:
        return None
    if text.isdigit():
        return int(text)
    try:
        return decode_id(text)[1]
    except ApiError:
        pass
    keys: list[int] = list(
        await connection.scalars(sa.select(table.c.id).where(table.c.name == text))
    )
    if len(keys) != 1:
        raise typer.BadParameter(f"{len(keys)} rows of {table.name} are named {text!r}")
    return keys[0]


@token_app.command("create")
def token_create(
    role: Annotated[TokenRole, typer.Option(help="What the token may do.")],
    name: Annotated[str, typer.Option(help="What the token is for.")] = "",
    org: Annotated[
        str | None, typer.Option(help="Organization (name, ID or number): editor, viewer.")
    ] = None,
    alliance: Annotated[
        str | None, typer.Option(help="Alliance (name, ID or number): secretariat.")
    ] = None,
    expires_in_days: Annotated[int | None, typer.Option(help="Days until it expires.")] = 365,
) -> None:
    """Make an API token and print its secret (shown only now)."""

    async def run() -> str:
        engine = create_engine(load_settings().database_url)
        try:
            async with engine.begin() as connection:
                made = await create_token(
                    connection,
                    name=name or f"{role.value} token",
                    role=role,
                    organization_id=await _key_of(connection, table_of(Organization), org),
                    alliance_id=await _key_of(connection, table_of(Alliance), alliance),
                    expires_at=utcnow() + timedelta(days=expires_in_days)
                    if expires_in_days
                    else None,
                )
            header = "send it as 'Authorization: Bearer <token>'; it is not shown again"
            return f"token {made.id} ({role.value}); {header}:\n{made.secret}"
        except ApiError as error:
            raise typer.BadParameter(error.message) from None
        finally:
            await engine.dispose()

    typer.echo(asyncio.run(run()))


@token_app.command("list")
def token_list() -> None:
    """Every token: number, role, subjects, expiry, whether revoked (never the secrets)."""

    async def run() -> list[str]:
        engine = create_engine(load_settings().database_url)
        try:
            rows = await list_tokens(engine)
        finally:
            await engine.dispose()
        return [
            f"{r['id']}\t{r['role']}\torg={r['organization_id']}\talliance={r['alliance_id']}"
            f"\texpires={r['expires_at']}\trevoked={r['revoked_at']}\t{r['name']}"
            for r in rows
        ]

    for line in asyncio.run(run()):
        typer.echo(line)


@token_app.command("revoke")
def token_revoke(number: int) -> None:
    """Revoke token NUMBER; it is refused from its next request on, on every worker."""

    async def run() -> None:
        engine = create_engine(load_settings().database_url)
        try:
            async with engine.begin() as connection:
                await revoke_token(connection, number)
        except ApiError as error:
            raise typer.BadParameter(error.message) from None
        finally:
            await engine.dispose()

    asyncio.run(run())
    typer.echo(f"revoked token {number}")


def main() -> None:
    app()
