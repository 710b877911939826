"""The ROR loader on the committed slice: mapping, parents and relations, bad records,
idempotence, and merging into hand-made organizations."""

import json
from typing import Any

import pytest
import sqlalchemy as sa

from db.loaders import load_ror
from tests.graphql import query
from tests.registries import ROR, admin_client, count, snapshot, table_counts

pytestmark = pytest.mark.anyio

RECORDS = json.loads(ROR.read_text(encoding="utf-8"))


def _record(ror_id: str) -> dict[str, Any]:
    return next(r for r in RECORDS if isinstance(r, dict) and r.get("id") == ror_id)


async def test_counts_and_bad_records(engine):
    report = await load_ror(engine, ROR)

    assert report.read == len(RECORDS)
    assert report.created == len(RECORDS) - 5
    reasons = {skip.where: skip.reason for skip in report.skips}
    assert reasons == {
        "record 23": "is a number, not an object",
        "record 24": "id 'not-a-ror-id' is not a ROR id",
        "record 25": "no ror_display name",
        "record 26": "unknown status 'gone'",
        "record 27": "unknown country code 'ZZ'",
    }


async def test_an_organization_reads_as_in_ror_through_the_api(engine):
    await load_ror(engine, ROR)
    record = _record("https://ror.org/00k4n6c32")

    async with admin_client(engine) as client:
        data = await query(
            client,
            """query($ror: String!) { organizations(filter: {rorId: $ror}) { nodes {
                name kind country city website rorId status } } }""",
            {"ror": record["id"]},
        )
    (organization,) = data["organizations"]["nodes"]
    assert organization == {
        "name": "European Commission",
        "kind": "GOVERNMENT_BODY",
        "country": "BE",
        "city": record["locations"][0]["geonames_details"]["name"],
        "website": "https://commission.europa.eu",
        "rorId": record["id"],
        "status": "ACTIVE",
    }
    domains = await count(
        engine,
        "SELECT count(*) FROM organization_identifier WHERE scheme = 'domain' "
        "AND value = 'commission.europa.eu'",
    )
    assert domains == 1


async def test_names_in_every_language_are_kept_and_searched(engine):
    """Every label with a language, in it (aliases, which have none, are not kept); `lang:`
    and the text search read them."""
    await load_ror(engine, ROR)
    record = _record("https://ror.org/03cx6bg69")
    labels = {
        (n["lang"], n["value"]) for n in record["names"] if "label" in n["types"] and n["lang"]
    }
    async with admin_client(engine) as client:
        data = await query(
            client,
            """query($ror: String!) { organizations(filter: {rorId: $ror}) { nodes {
                el: name(lang: "el") fr: name(lang: "fr-CA") names { lang value } } } }""",
            {"ror": record["id"]},
        )
        found = await query(
            client, '{ organizations(filter: {text: "Μετσόβιο"}) { nodes { rorId } } }'
        )
    (organization,) = data["organizations"]["nodes"]
    kept = {(n["lang"].split("-")[0], n["value"]) for n in organization["names"]}
    assert labels <= kept
    assert organization["fr"] == "École polytechnique d'athènes"
    assert organization["el"] == "Εθνικό Μετσόβιο Πολυτεχνείο"
    assert {"lang": "el-Latn", "value": "Ethnicon Metsovion Polytechnion"} in organization["names"]
    assert found["organizations"]["nodes"] == [{"rorId": record["id"]}]


async def test_parent_links_become_parents_and_every_relationship_is_kept(engine):
    await load_ror(engine, ROR)
    loaded = {r["id"] for r in RECORDS[:22]}
    child = next(
        r
        for r in RECORDS[:22]
        if any(x["type"] == "parent" and x["id"] in loaded for x in r["relationships"])
    )
    parent = next(x["id"] for x in child["relationships"] if x["type"] == "parent")

    async with engine.connect() as connection:
        found = await connection.scalar(
            sa.text(
                "SELECT p.ror_id FROM organization c JOIN organization p ON p.id = c.parent_id "
                "WHERE c.ror_id = :child"
            ),
            {"child": child["id"]},
        )
    assert found == parent
    relations = sum(len(r["relationships"]) for r in RECORDS[:22])
    assert await count(engine, "SELECT count(*) FROM organization_relation") == relations
    resolved = await count(
        engine, "SELECT count(*) FROM organization_relation WHERE related_id IS NOT NULL"
    )
    expected = sum(1 for r in RECORDS[:22] for x in r["relationships"] if x["id"] in loaded)
    assert resolved == expected


async def test_loading_twice_changes_nothing(engine):
    await load_ror(engine, ROR)
    before, rows = await snapshot(engine), await table_counts(engine)

    second = await load_ror(engine, ROR)

    assert not second.changed
    assert second.unchanged == second.read - second.skipped
    assert await snapshot(engine) == before
    assert await table_counts(engine) == rows


async def test_a_hand_made_organization_with_the_ror_id_only_gets_its_gaps_filled(demo_engine):
    async with demo_engine.begin() as connection:
        await connection.execute(
            sa.text(
                "UPDATE organization SET ror_id = 'https://ror.org/00k4n6c32', city = NULL "
                "WHERE name = 'Ministry of Education'"
            )
        )
    before = await count(demo_engine, "SELECT count(*) FROM organization")

    report = await load_ror(demo_engine, ROR)

    async with demo_engine.connect() as connection:
        name, city = (
            await connection.execute(
                sa.text(
                    "SELECT name, city FROM organization WHERE ror_id = 'https://ror.org/00k4n6c32'"
                )
            )
        ).one()
    assert name == "Ministry of Education"
    assert city == "Brussels"
    created = await count(demo_engine, "SELECT count(*) FROM organization") - before
    assert created == report.created == 21


async def test_a_newer_file_updates_the_changed_organization_and_its_version(engine, tmp_path):
    await load_ror(engine, ROR)
    newer = [dict(r) if isinstance(r, dict) else r for r in RECORDS]
    changed = newer[0]
    changed["status"] = "inactive"
    path = tmp_path / "newer.json"
    path.write_text(json.dumps(newer), encoding="utf-8")

    report = await load_ror(engine, path)

    assert (report.created, report.updated) == (0, 1)
    assert report.rows["organization"] == 1
    async with engine.connect() as connection:
        status, version = (
            await connection.execute(
                sa.text("SELECT status, version FROM organization WHERE ror_id = :id"),
                {"id": changed["id"]},
            )
        ).one()
    assert (status, version) == ("inactive", 2)
