"""`partnergraph load ...`: the demo data and the registries, with counts, skipped records,
progress, and one line for a file or a database that fails."""

from collections.abc import Awaitable, Callable, Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cli.database import database, migrate
from cli.failures import DATABASE_ERROR, INPUT_ERROR, Failure, run
from cli.first_run import DATA_DIR, Data, load_real, prepare
from cli.progress import progress_reporter

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

    from db.loaders import LoadReport

__all__ = ["load_app", "run_load"]

load_app = typer.Typer(help="Load data into the database.", rich_markup_mode=None)


def run_load(work: Callable[["AsyncEngine"], Coroutine[Any, Any, str]]) -> str:
    """Migrate the database and run a load on it. A bad input file or a failing database ends
    it with a one-line message and an exit code, never a traceback (nor click's bare
    "Aborted!", which an `EOFError` from a truncated gzip file used to give)."""

    async def guarded() -> str:
        import sqlalchemy as sa

        from db.loaders import LoadError

        try:
            async with database() as engine:
                await migrate(engine)
                return await work(engine)
        except LoadError as error:
            raise Failure(f"{error}; nothing was written", INPUT_ERROR) from error
        except (sa.exc.SQLAlchemyError, OSError) as error:
            text = str(getattr(error, "orig", None) or error).strip().splitlines()
            first = text[0][:300] if text else type(error).__name__
            raise Failure(
                f"the database failed during the load ({first}); its transaction was rolled back",
                DATABASE_ERROR,
            ) from error

    return run(guarded)


def _report_text(report: "LoadReport", show_skips: int) -> str:
    lines = [report.summary()]
    lines += [f"  note: {note}" for note in report.all_notes()]
    lines += report.skip_summary(show_skips)
    return "\n".join(lines)


Loader = Callable[..., Awaitable["LoadReport"]]
ShowSkips = Annotated[int, typer.Option(help="How many skipped records to list.")]


def _load_one(loader: str, path: Path, show_skips: int) -> None:
    """Run `db.loaders.<loader>` on `path` (imported only now, with the command)."""

    async def work(engine: "AsyncEngine") -> str:
        import db.loaders
        from resolvers.network_changes import note_load

        load: Loader = getattr(db.loaders, loader)
        with progress_reporter() as progress:
            report = await load(engine, path, progress=progress)
        await note_load(engine)
        return _report_text(report, show_skips)

    typer.echo(run_load(work))


@load_app.command("demo")
def load_demo_command() -> None:
    """Load the demo data (built from the source documents) into an empty database."""
    typer.echo(run_load(lambda engine: prepare(engine, data=Data.DEMO)))


@load_app.command("ror")
def load_ror_command(
    path: Annotated[Path, typer.Argument(help="ROR v2 records: a JSON array, .json or .json.gz.")],
    show_skips: ShowSkips = 20,
) -> None:
    """Load ROR organizations (merged with those already stored; one transaction)."""
    _load_one("load_ror", path, show_skips)


@load_app.command("cordis")
def load_cordis_command(
    directory: Annotated[
        Path, typer.Argument(help="organizations.csv, projects.csv and participations.csv.")
    ],
    show_skips: ShowSkips = 20,
) -> None:
    """Load CORDIS organizations, projects (as agreements) and participations (one transaction)."""
    _load_one("load_cordis", directory, show_skips)


@load_app.command("universities")
def load_universities_command(
    path: Annotated[Path, typer.Argument(help="world_universities_and_domains.json")],
    show_skips: ShowSkips = 20,
) -> None:
    """Load the world universities list (merged with those already stored; one transaction)."""
    _load_one("load_universities", path, show_skips)


@load_app.command("real")
def load_real_command(
    data_dir: Annotated[Path, typer.Argument(help="The data directory.")] = DATA_DIR,
    show_skips: ShowSkips = 20,
) -> None:
    """Load ROR, then CORDIS, then the universities list from DATA_DIR."""

    async def work(engine: "AsyncEngine") -> str:
        with progress_reporter() as progress:
            reports = await load_real(engine, data_dir, progress)
        return "\n".join(_report_text(report, show_skips) for report in reports)

    typer.echo(run_load(work))
