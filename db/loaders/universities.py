"""The world universities list (Hipo's `world_universities_and_domains.json`).

Each record is a university with its country (`alpha_two_code`), its web domains, its first web
page as website and its state or province as region. The list has no ids: a record's own key is
its country and normalised name (identifier `universities`), and it joins an organization from
another registry by domain or by name within the country (see `db.loaders.merge`). The list
ranks below ROR and CORDIS: on their organizations it only fills empty fields.

A run is one transaction.
"""

from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from db.base import table_of, utcnow
from db.enums import OrganizationKind
from db.loaders.bulk import analyze, lock_tables, sync_sequences
from db.loaders.files import read_json_array
from db.loaders.merge import LIMITS, OrganizationIndex, OrgRecord
from db.loaders.records import describe, field_list, field_text, refuse_nul
from db.loaders.registry import (
    BadRecord,
    LoadReport,
    Progress,
    country_code,
    domain_of,
    normal_name,
    tick,
)
from db.tables import Organization, OrganizationIdentifier

__all__ = [
    "load_universities",
    "read_universities",
    "university_record",
    "write_universities",
]

SOURCE = "universities"
TABLES = [table_of(Organization), table_of(OrganizationIdentifier)]


def university_record(position: int, item: Any) -> OrgRecord:
    """The organization one entry of the list describes; raises `BadRecord` for a bad one."""
    if not isinstance(item, dict):
        raise BadRecord(f"is {describe(item)}, not an object")
    refuse_nul(item)
    name = field_text(item, "name")
    if name is None or not name.strip():
        raise BadRecord("no name")
    name = name.strip()
    if len(name) > LIMITS["name"]:
        raise BadRecord(f"name is longer than {LIMITS['name']} characters")
    try:
        country = country_code(field_text(item, "alpha_two_code"))
    except ValueError as error:
        raise BadRecord(str(error)) from None
    if country is None:
        raise BadRecord("no alpha_two_code")
    pages = [p for p in field_list(item, "web_pages") if isinstance(p, str) and p.strip()]
    website = pages[0].strip() if pages and len(pages[0].strip()) <= LIMITS["website"] else None
    region = field_text(item, "state-province")
    domains = [domain_of(d) for d in field_list(item, "domains") if isinstance(d, str)]
    domains.append(domain_of(website))
    return OrgRecord(
        where=f"record {position} ({name})",
        source=SOURCE,
        key=(SOURCE, f"{country}:{normal_name(name)}"[:300]),
        values={
            "kind": OrganizationKind.UNIVERSITY.value,
            "name": name,
            "country": country,
            "region": region.strip()[: LIMITS["region"]] if region and region.strip() else None,
            "website": website,
            "status": "active",
        },
        domains=tuple(dict.fromkeys(d for d in domains if d)),
    )


def read_universities(path: Path, report: LoadReport) -> list[OrgRecord]:
    """The usable entries of `path` (a JSON array), the others skipped in `report`;
    `LoadError` when the file cannot be read or has no usable entry."""
    report.file = str(path)
    records = []
    for position, item in enumerate(read_json_array(path, "universities"), start=1):
        report.read += 1
        try:
            records.append(university_record(position, item))
        except BadRecord as error:
            report.skip(f"record {position}", str(error))
    report.require_usable("universities")
    return records


async def load_universities(
    engine: AsyncEngine, path: Path, *, progress: Progress | None = None
) -> LoadReport:
    """Load the universities of `path` (a JSON array) in one transaction; a file that cannot be
    loaded whole raises `LoadError` before any write."""
    report = LoadReport(SOURCE)
    return await write_universities(
        engine, read_universities(path, report), report, progress=progress
    )


async def write_universities(
    engine: AsyncEngine,
    records: list[OrgRecord],
    report: LoadReport,
    *,
    progress: Progress | None = None,
) -> LoadReport:
    """Write the entries `read_universities` gave, in one transaction."""
    async with engine.begin() as connection:
        await lock_tables(connection, TABLES)
        index = await OrganizationIndex.load(connection)
        for done, record in enumerate(records):
            index.add(record, report)
            tick(progress, SOURCE, done, len(records), every=2000)
        await index.write(connection, report, utcnow())
        await sync_sequences(connection, TABLES)
        if report.changed:
            await analyze(connection, TABLES)
        tick(progress, SOURCE, len(records), len(records))
    return report
