"""The three registries loaded together (ROR, then CORDIS, then the universities list), with
every file read and checked before the first write."""

from datetime import date
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from db.loaders.cordis_read import SOURCE as CORDIS
from db.loaders.cordis_read import read_cordis
from db.loaders.cordis_write import write_cordis
from db.loaders.registry import LoadReport, Progress, tick
from db.loaders.ror import SOURCE as ROR
from db.loaders.ror import read_ror, write_ror
from db.loaders.universities import SOURCE as UNIVERSITIES
from db.loaders.universities import read_universities, write_universities

__all__ = ["load_registries"]


async def load_registries(
    engine: AsyncEngine,
    ror: Path,
    cordis: Path,
    universities: Path,
    *,
    progress: Progress | None = None,
) -> list[LoadReport]:
    """Read the three registries, then write them in that order, each in a transaction of its
    own (ROR ranks highest, so the others merge into its organizations). A file that cannot be
    loaded (`LoadError`) stops the run before anything is written."""
    reports = [LoadReport(ROR), LoadReport(CORDIS, file=str(cordis)), LoadReport(UNIVERSITIES)]
    tick(progress, "reading the registries", 0, 3)
    ror_records = read_ror(ror, reports[0])
    cordis_input = read_cordis(cordis, reports[1], date.today())
    university_records = read_universities(universities, reports[2])
    tick(progress, "reading the registries", 3, 3)
    await write_ror(engine, ror_records, reports[0], progress=progress)
    await write_cordis(engine, cordis_input, reports[1], progress=progress)
    await write_universities(engine, university_records, reports[2], progress=progress)
    return reports
