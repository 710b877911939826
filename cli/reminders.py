"""`partnergraph reminders run [--today DATE]`: one run of the reminder job, for cron or a test
(`partnergraph worker` and `serve` run it on their own every `reminder_interval_s`)."""

from datetime import date, datetime
from typing import Annotated

import typer

from cli.database import configured, database
from cli.failures import run

__all__ = ["reminders_app"]

reminders_app = typer.Typer(
    help="Reminders before deadlines, told through the change feed.", rich_markup_mode=None
)


@reminders_app.command("run")
def reminders_run(
    today: Annotated[
        datetime | None,
        typer.Option(
            formats=["%Y-%m-%d"], help="The day to run for (ISO date); today if not given."
        ),
    ] = None,
) -> None:
    """Record every reminder due today (or on --today) not recorded before; safe to repeat."""
    settings = configured()
    day: date | None = today.date() if today is not None else None

    async def work() -> str:
        from resolvers.reminders import run_reminders

        async with database() as engine:
            done = await run_reminders(engine, settings, today=day)
        kinds = ", ".join(f"{kind} {count}" for kind, count in sorted(done.recorded.items()))
        return f"{done.found} reminders due, {done.total} recorded now" + (
            f" ({kinds})" if kinds else ""
        )

    typer.echo(run(work))
