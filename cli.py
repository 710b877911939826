"""The command line: serve the API, migrate the database, load data, export the schema."""

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import sqlalchemy as sa
import typer
import uvicorn
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from db.base import table_of, utcnow
from db.engine import create_engine
from db.enums import TokenRole
from db.loaders.demo import database_is_empty, load_demo
from db.migrate import downgrade, upgrade
from db.tables import Alliance, Organization
from resolvers.errors import ApiError
from resolvers.ids import decode_id
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


async def _prepare(*, demo: bool) -> str:
    engine = create_engine(load_settings().database_url)
    try:
        await upgrade(engine)
        if demo and await database_is_empty(engine):
            counts = await load_demo(engine)
            tokens = await _demo_tokens(engine)
            return "\n".join(
                [
                    f"loaded the demo data: {counts}",
                    "demo API tokens (send as 'Authorization: Bearer <token>'; shown only now):",
                    *tokens,
                ]
            )
        return "database is up to date"
    finally:
        await engine.dispose()


@app.command()
def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: int = 1,
    reload: bool = False,
    demo: Annotated[bool, typer.Option(help="Load the demo data into an empty database.")] = True,
) -> None:
    """Migrate, load the demo data into an empty database, and serve GraphQL at /graphql."""
    typer.echo(asyncio.run(_prepare(demo=demo)))
    typer.echo(f"GraphiQL at http://{host}:{port}/graphql")
    uvicorn.run(
        "app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=None if reload else workers,
        reload=reload,
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
    typer.echo(asyncio.run(_prepare(demo=True)))


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
