"""How long the EWP IIA export takes for 1,000 bilateral agreements.

Setup: a fresh migrated SQLite file (or `--database` URL) with 1,000 pairs of universities,
each with a SCHAC code, one signed agreement per pair with two mobility conditions (student
studies one way, staff teaching the other); then `resolvers.ewp.iias.export` over all of them
(the statements, the XML and the hash of each IIA), and the whole `iias-get-response`
serialized and validated against the EWP XSDs, each timed over `--rounds` rounds.

    uv run python -m bench.ewp_export [--agreements 1000] [--database URL]
"""

import argparse
import asyncio
import statistics
import time
from pathlib import Path

import sqlalchemy as sa
from lxml import etree

from db import tables as t
from db.base import table_of, utcnow
from db.engine import create_engine
from db.migrate import upgrade
from resolvers.ewp.iia_xml import response
from resolvers.ewp.iias import AGREEMENT, export

XSD = Path(__file__).parents[1] / "resolvers" / "ewp" / "xsd" / "iias-get-response.xsd"


async def _fill(url: str, count: int) -> None:
    engine = create_engine(url)
    await upgrade(engine)
    now = utcnow()
    stamp = {"created_at": now, "updated_at": now, "version": 1}
    async with engine.begin() as c:
        orgs = [
            {
                **stamp,
                "id": i + 1,
                "kind": "university",
                "name": f"University {i}",
                "status": "active",
            }
            for i in range(2 * count)
        ]
        await c.execute(sa.insert(table_of(t.Organization)), orgs)
        await c.execute(
            sa.insert(table_of(t.OrganizationIdentifier)),
            [
                {"organization_id": o["id"], "scheme": "schac", "value": f"u{o['id']}.example.edu"}
                for o in orgs
            ],
        )
        await c.execute(
            sa.insert(AGREEMENT),
            [{**stamp, "id": i + 1, "title": f"Agreement {i}", "kind": "student_exchange",
              "status": "signed", "renewal_rule": "none", "is_illustrative": True}
             for i in range(count)],
        )  # fmt: skip
        await c.execute(
            sa.insert(table_of(t.AgreementParty)),
            [{**stamp, "agreement_id": i + 1, "organization_id": 2 * i + side, "role": "partner"}
             for i in range(count) for side in (1, 2)],
        )  # fmt: skip
        conditions = []
        for i in range(count):
            a, b = 2 * i + 1, 2 * i + 2
            common = {
                **stamp,
                "agreement_id": i + 1,
                "first_academic_year": 2026,
                "last_academic_year": 2028,
                "blended": False,
                "isced_f_code": "0311",
            }
            conditions.append(
                {
                    **common,
                    "mobility_type": "student_studies",
                    "sending_organization_id": a,
                    "receiving_organization_id": b,
                    "mobilities_per_year": 5,
                    "eqf_level_min": 6,
                    "eqf_level_max": 7,
                    "language_skills": [{"language": "en", "cefr": "B2"}],
                }
            )
            conditions.append(
                {
                    **common,
                    "mobility_type": "staff_teaching",
                    "sending_organization_id": b,
                    "receiving_organization_id": a,
                    "mobilities_per_year": 2,
                    "eqf_level_min": None,
                    "eqf_level_max": None,
                    "language_skills": [{"language": "en", "cefr": "C1"}],
                }
            )
        await c.execute(sa.insert(table_of(t.MobilityCondition)), conditions)
    await engine.dispose()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--agreements", type=int, default=1000)
    parser.add_argument("--database", default="sqlite+aiosqlite:////tmp/partnergraph-ewp-bench.db")
    parser.add_argument("--rounds", type=int, default=5)
    given = parser.parse_args()
    if given.database.startswith("sqlite"):
        await asyncio.to_thread(Path(given.database.split("///", 1)[1]).unlink, missing_ok=True)
    await _fill(given.database, given.agreements)
    engine = create_engine(given.database)
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    built, whole = [], []
    for _ in range(given.rounds):
        started = time.perf_counter()
        async with engine.connect() as c:
            rows = list((await c.execute(sa.select(AGREEMENT))).mappings())
            found = await export(c, rows)
        built.append(time.perf_counter() - started)
        document = response(f.element for f in found.values())
        assert schema.validate(etree.fromstring(document)), schema.error_log
        whole.append(time.perf_counter() - started)
    await engine.dispose()
    print(
        f"{given.agreements} agreements ({len(found)} IIAs, {len(document):,} bytes): export "
        f"median {statistics.median(built) * 1000:.0f} ms (min {min(built) * 1000:.0f}), with "
        f"serialization and XSD validation {statistics.median(whole) * 1000:.0f} ms"
    )


if __name__ == "__main__":
    asyncio.run(main())
