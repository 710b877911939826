"""The command line: serve the API, migrate the database, load data, export the schema."""

import asyncio
from pathlib import Path
from typing import Annotated

import typer
import uvicorn

from db.engine import create_engine
from db.loaders.demo import database_is_empty, load_demo
from db.migrate import downgrade, upgrade
from settings import load_settings

__all__ = ["main"]

app = typer.Typer(help="partnergraph: a GraphQL API over institutional partnerships.")
db_app = typer.Typer(
    help="Migrate the database (DATABASE_URL, SQLite ./partnergraph.db by default)."
)
load_app = typer.Typer(help="Load data into the database.")
schema_app = typer.Typer(help="The GraphQL schema.")
app.add_typer(db_app, name="db")
app.add_typer(load_app, name="load")
app.add_typer(schema_app, name="schema")


async def _prepare(*, demo: bool) -> str:
    engine = create_engine(load_settings().database_url)
    try:
        await upgrade(engine)
        if demo and await database_is_empty(engine):
            counts = await load_demo(engine)
            return f"loaded the demo data: {counts}"
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


def main() -> None:
    app()
