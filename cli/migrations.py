"""`partnergraph db upgrade|downgrade REVISION`: migrate the database of DATABASE_URL."""

from typing import Annotated

import typer

from cli.database import database, migrate
from cli.failures import run

__all__ = ["db_app"]

db_app = typer.Typer(
    help="Migrate the database (DATABASE_URL, SQLite ./partnergraph.db by default).",
    rich_markup_mode=None,
)

Revision = Annotated[
    str | None,
    typer.Argument(help="Target revision: head, base, or one of db/migrations/versions."),
]
RevisionOption = Annotated[
    str | None, typer.Option("--revision", help="The same, as an option.", show_default=False)
]


def _chosen(positional: str | None, option: str | None, default: str | None) -> str:
    if positional and option and positional != option:
        raise typer.BadParameter(f"two revisions given: {positional} and {option}")
    chosen = positional or option or default
    if chosen is None:
        raise typer.BadParameter("name the revision, e.g. 'partnergraph db downgrade base'")
    return chosen


def _migrate(revision: str, *, down: bool) -> None:
    async def work() -> None:
        async with database() as engine:
            await migrate(engine, revision, down=down)

    run(work)


@db_app.command("upgrade")
def db_upgrade(revision: Revision = None, revision_option: RevisionOption = None) -> None:
    """Apply migrations up to REVISION (head by default)."""
    target = _chosen(revision, revision_option, "head")
    _migrate(target, down=False)
    typer.echo(f"upgraded to {target}")


@db_app.command("downgrade")
def db_downgrade(revision: Revision = None, revision_option: RevisionOption = None) -> None:
    """Revert migrations down to REVISION (base reverts them all)."""
    target = _chosen(revision, revision_option, None)
    _migrate(target, down=True)
    typer.echo(f"downgraded to {target}")


@db_app.command("rollups")
def db_rollups() -> None:
    """Rebuild the summary rollups from the data, their window of days starting today. The
    triggers keep them exact between rebuilds; run this at least once a quarter (the window
    is 92 days; past it, summaries are scanned from the rows) and after a load that ran with
    the triggers dropped."""

    async def work() -> str:
        from datetime import date

        from db import party_rollup, summary_rollup, trend_rollup

        async with database() as engine, engine.begin() as connection:
            today = date.today()
            await connection.run_sync(summary_rollup.rebuild, today)
            if await connection.run_sync(party_rollup.installed):
                await connection.run_sync(party_rollup.rebuild)
                await connection.run_sync(trend_rollup.rebuild)
            return today.isoformat()

    typer.echo(f"rebuilt the summary rollups, window from {run(work)}")
