"""`partnergraph changes prune`: delete the change events older than the retention."""

from typing import Annotated

import typer

from cli.database import configured, database
from cli.failures import run

__all__ = ["changes_app"]

changes_app = typer.Typer(help="The change feed: pruning old events.", rich_markup_mode=None)


@changes_app.command("prune")
def changes_prune(
    days: Annotated[
        int | None,
        typer.Option(help="Keep this many days (default PARTNERGRAPH_CHANGE_RETENTION_DAYS)."),
    ] = None,
) -> None:
    """Delete the change events older than the retention; run it daily."""
    keep = configured().change_retention_days if days is None else days
    if keep < 0:
        raise typer.BadParameter("days cannot be negative")

    async def work() -> int:
        from resolvers.change_retention import prune_changes

        async with database() as engine:
            return await prune_changes(engine, days=keep)

    typer.echo(f"pruned {run(work)} change events older than {keep} days")
