"""The universities loader on the committed slice, and the merge rules across registries."""

import json

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from db.engine import create_engine
from db.loaders import load_cordis, load_ror, load_universities
from tests.registries import CORDIS, ROR, UNIVERSITIES, count, snapshot, table_counts

pytestmark = pytest.mark.anyio

RECORDS = json.loads(UNIVERSITIES.read_text(encoding="utf-8"))


async def test_counts_and_bad_records(engine):
    report = await load_universities(engine, UNIVERSITIES)

    assert report.read == len(RECORDS)
    assert {skip.where: skip.reason for skip in report.skips} == {
        f"record {len(RECORDS) - 3}": "is null, not an object",
        f"record {len(RECORDS) - 2}": "no name",
        f"record {len(RECORDS) - 1}": "unknown country code 'ZZ'",
        f"record {len(RECORDS)}": "is text, not an object",
    }
    assert report.created + report.merged == report.read - report.skipped
    universities = "SELECT count(*) FROM organization WHERE kind = 'university'"
    assert await count(engine, universities) == report.created


async def test_universities_join_ror_organizations_by_domain(engine):
    await load_ror(engine, ROR)
    ror_domains = {
        domain
        for r in json.loads(ROR.read_text())
        if isinstance(r, dict)
        for domain in r["domains"]
    }
    sharing = [u for u in RECORDS[:-4] if ror_domains & set(u["domains"])]
    assert sharing

    report = await load_universities(engine, UNIVERSITIES)

    assert report.merged_by["web domain"] >= len(sharing) - report.merged_by["listed again"]
    async with engine.connect() as connection:
        for university in sharing:
            owner = await connection.scalar(
                sa.text(
                    "SELECT o.source FROM organization o JOIN organization_identifier i "
                    "ON i.organization_id = o.id WHERE i.scheme = 'domain' AND i.value = :d"
                ),
                {"d": university["domains"][0]},
            )
            assert owner == "ror"


async def test_loading_twice_changes_nothing(engine):
    await load_universities(engine, UNIVERSITIES)
    before, rows = await snapshot(engine), await table_counts(engine)

    second = await load_universities(engine, UNIVERSITIES)

    assert not second.changed
    assert second.created == second.merged == second.updated == 0
    assert await snapshot(engine) == before
    assert await table_counts(engine) == rows


async def _organizations(engine: AsyncEngine) -> set[tuple[object, ...]]:
    async with engine.connect() as connection:
        rows = await connection.execute(
            sa.text("SELECT name, kind, country, city, website, ror_id, source FROM organization")
        )
        return {tuple(row) for row in rows}


async def test_the_order_of_loading_does_not_change_the_organizations(engine, databases):
    for loader, path in (
        (load_ror, ROR),
        (load_cordis, CORDIS),
        (load_universities, UNIVERSITIES),
    ):
        await loader(engine, path)
    other = create_engine(await databases.migrated())
    try:
        for loader, path in (
            (load_universities, UNIVERSITIES),
            (load_cordis, CORDIS),
            (load_ror, ROR),
        ):
            await loader(other, path)
        assert await _organizations(other) == await _organizations(engine)
    finally:
        await other.dispose()
