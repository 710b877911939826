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

import orjson
from sqlalchemy.ext.asyncio import AsyncEngine

from db.base import table_of, utcnow
from db.enums import OrganizationKind
from db.loaders.bulk import analyze, lock_tables, sync_sequences
from db.loaders.merge import LIMITS, OrganizationIndex, OrgRecord
from db.loaders.registry import LoadReport, Progress, country_code, domain_of, normal_name
from db.tables import Organization, OrganizationIdentifier

__all__ = ["load_universities", "university_record"]

SOURCE = "universities"
TABLES = [table_of(Organization), table_of(OrganizationIdentifier)]


def university_record(position: int, item: Any) -> OrgRecord:
    """The organization one entry of the list describes; raises ValueError for a bad one."""
    if not isinstance(item, dict):
        raise ValueError("not an object")
    name = item.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ValueError("no name")
    name = name.strip()
    if len(name) > LIMITS["name"]:
        raise ValueError(f"name is longer than {LIMITS['name']} characters")
    country = country_code(item.get("alpha_two_code"))
    if country is None:
        raise ValueError("no alpha_two_code")
    pages = [p for p in item.get("web_pages") or [] if isinstance(p, str) and p.strip()]
    website = pages[0].strip() if pages and len(pages[0].strip()) <= LIMITS["website"] else None
    region = item.get("state-province")
    domains = [domain_of(d) for d in item.get("domains") or [] if isinstance(d, str)]
    domains.append(domain_of(website))
    return OrgRecord(
        where=f"record {position} ({name})",
        source=SOURCE,
        key=(SOURCE, f"{country}:{normal_name(name)}"[:300]),
        values={
            "kind": OrganizationKind.UNIVERSITY.value,
            "name": name,
            "country": country,
            "region": region.strip()[: LIMITS["region"]]
            if isinstance(region, str) and region.strip()
            else None,
            "website": website,
            "status": "active",
        },
        domains=tuple(dict.fromkeys(d for d in domains if d)),
    )


def _read(path: Path) -> list[Any]:
    try:
        data = orjson.loads(path.read_bytes())
    except orjson.JSONDecodeError as error:
        raise ValueError(f"{path} is not valid JSON: {error}") from None
    if not isinstance(data, list):
        raise ValueError(f"{path} is not a JSON array of universities")
    return data


async def load_universities(
    engine: AsyncEngine, path: Path, *, progress: Progress | None = None
) -> LoadReport:
    """Load the universities of `path` (a JSON array) in one transaction."""
    report = LoadReport(SOURCE)
    data = _read(path)
    records = []
    for position, item in enumerate(data, start=1):
        report.read += 1
        try:
            records.append(university_record(position, item))
        except (ValueError, TypeError, AttributeError) as error:
            report.skip(f"record {position}", str(error))
    async with engine.begin() as connection:
        await lock_tables(connection, TABLES)
        index = await OrganizationIndex.load(connection)
        for done, record in enumerate(records):
            index.add(record, report)
            if progress and done % 2000 == 0:
                progress("universities", done, len(records))
        await index.write(connection, report, utcnow())
        await sync_sequences(connection, TABLES)
        if report.changed:
            await analyze(connection, TABLES)
        if progress:
            progress("universities", len(records), len(records))
    return report
