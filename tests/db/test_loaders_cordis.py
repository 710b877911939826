"""The CORDIS loader on the committed slice: agreements, parties, funding, merges, bad records,
idempotence, updates from a newer file, and all-or-nothing runs."""

import csv
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

import db.loaders.cordis_write as cordis_module
from db.loaders import load_cordis, load_ror
from db.loaders.bulk import insert_rows
from resolvers.agreement_writes import refresh_terms_hash
from tests.graphql import query
from tests.registries import CORDIS, ROR, admin_client, count, snapshot, table_counts

pytestmark = pytest.mark.anyio


def _rows(name: str, directory: Path = CORDIS) -> list[dict[str, str]]:
    with (directory / f"{name}.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


async def test_counts_and_skipped_records_with_their_line_and_reason(engine):
    report = await load_cordis(engine, CORDIS)

    organizations, projects, participations = (
        report.parts[name] for name in ("organizations", "projects", "participations")
    )
    assert organizations.read == len(_rows("organizations"))
    assert projects.read == len(_rows("projects"))
    assert participations.read == len(_rows("participations"))
    for part in (organizations, projects, participations):
        assert (
            part.created + part.updated + part.merged + part.unchanged + part.skipped == part.read
        )
    reasons = {(Path(skip.file).name, skip.where, skip.reason) for skip in report.all_skips()}
    assert ("organizations.csv", "line 33", "no org_id") in reasons
    assert ("organizations.csv", "line 34", "no legal_name") in reasons
    assert ("organizations.csv", "line 35", "unknown country code 'ZZ'") in reasons
    assert (
        "projects.csv",
        "line 16",
        "end_date 2023-01-01 is before start_date 2024-01-01",
    ) in reasons
    assert ("projects.csv", "line 17", "unknown status 'FROZEN'") in reasons
    assert ("projects.csv", "line 19", "project 101040437 is listed again") in reasons
    assert (
        "participations.csv",
        "line 39",
        "organization '900000002' is not loaded",
    ) in reasons
    assert ("participations.csv", "line 41", "ec_contribution 'lots' is not a number") in reasons
    assert projects.created == 13
    assert await count(engine, "SELECT count(*) FROM agreement WHERE source = 'cordis'") == 13


async def test_an_organization_listed_twice_in_a_project_is_one_party(engine):
    report = await load_cordis(engine, CORDIS)

    merged = report.parts["participations"].merged_by["same organization twice in a project"]
    assert merged == 1
    pairs = {(r["project_id"], r["org_id"]) for r in _rows("participations")[:36]}
    parties = await count(engine, "SELECT count(*) FROM agreement_party")
    assert parties == len(pairs)


async def test_projects_read_as_signed_research_collaborations_through_the_api(engine):
    await load_cordis(engine, CORDIS)
    everyone = _rows("participations")
    project = next(
        p
        for p in _rows("projects")[1:]
        if sum(1 for r in everyone if r["project_id"] == p["project_id"]) >= 3
    )
    participants = [r for r in everyone if r["project_id"] == project["project_id"]]

    async with admin_client(engine) as client:
        data = await query(
            client,
            """query($title: String!) { agreements(filter: {text: $title}) { nodes {
                title reference kind status signedOn effectiveFrom effectiveTo modes termsHash
                shortTitle call topic fundingScheme
                parties { nodes { role sourceRole signedOn signedTermsHash organization { name } } }
                funding { nodes {
                    amount { amount currency } funder { name kind rorId } recipient { name }
                } }
            } } }""",
            {"title": project["title"]},
        )
    (agreement,) = data["agreements"]["nodes"]
    assert agreement["reference"] == project["project_id"]
    assert agreement["kind"] == "RESEARCH_COLLABORATION"
    assert agreement["effectiveFrom"] == project["start_date"]
    assert agreement["signedOn"] == project["ec_signature_date"]
    assert agreement["modes"] == ["JOINT_RESEARCH"]
    assert agreement["shortTitle"] == project["acronym"]
    assert (agreement["call"], agreement["topic"]) == (project["call"], project["topic"])
    assert agreement["fundingScheme"] == project["funding_scheme"].lstrip("/")
    parties = agreement["parties"]["nodes"]
    assert len(parties) == len(participants)
    assert {p["signedTermsHash"] for p in parties} == {agreement["termsHash"]}
    roles = sorted(p["role"] for p in parties)
    assert roles.count("LEAD") == sum(1 for r in participants if r["role"] == "coordinator")
    assert {p["sourceRole"] for p in parties} == {r["role"] for r in participants}
    funding = agreement["funding"]["nodes"]
    party_names = {p["organization"]["name"] for p in parties}
    assert {f["recipient"]["name"] for f in funding} <= party_names
    paid = [r for r in participants if r["ec_contribution"] and float(r["ec_contribution"]) > 0]
    assert len(funding) == len(paid)
    assert {f["amount"]["currency"] for f in funding} == {"EUR"}
    assert {f["funder"]["name"] for f in funding} == {"European Commission"}
    assert sum(float(f["amount"]["amount"]) for f in funding) == pytest.approx(
        sum(float(r["ec_contribution"]) for r in paid)
    )


async def test_statuses_map_onto_the_lifecycle(engine):
    await load_cordis(engine, CORDIS)
    async with engine.connect() as connection:
        rows = dict(
            (await connection.execute(sa.text("SELECT reference, status FROM agreement"))).all()
        )
    for project in _rows("projects")[:13]:
        expected = {"CLOSED": {"expired"}, "TERMINATED": {"terminated"}}.get(
            project["status"], {"active", "signed"}
        )
        assert rows[project["project_id"]] in expected


async def test_the_stored_terms_hash_is_the_one_the_api_computes(engine):
    await load_cordis(engine, CORDIS)
    async with engine.begin() as connection:
        stored = dict(
            (await connection.execute(sa.text("SELECT id, terms_hash FROM agreement"))).all()
        )
        for key, digest in stored.items():
            assert await refresh_terms_hash(connection, key) == digest


async def test_the_european_commission_is_one_organization_merged_with_its_ror_record(engine):
    await load_ror(engine, ROR)
    await load_cordis(engine, CORDIS)
    commission = "SELECT count(*) FROM organization WHERE ror_id = 'https://ror.org/00k4n6c32'"
    assert await count(engine, commission) == 1
    funders = await count(engine, "SELECT count(DISTINCT funder_id) FROM funding")
    assert funders == 1


async def test_loading_twice_changes_nothing(engine):
    first = await load_cordis(engine, CORDIS)
    before, rows = await snapshot(engine), await table_counts(engine)

    second = await load_cordis(engine, CORDIS)

    assert first.changed
    assert not second.changed
    assert await snapshot(engine) == before
    assert await table_counts(engine) == rows
    assert second.parts["projects"].unchanged == first.parts["projects"].created
    assert second.parts["organizations"].created == 0


async def test_a_newer_file_updates_what_changed(engine, tmp_path):
    await load_cordis(engine, CORDIS)
    newer = tmp_path / "cordis"
    shutil.copytree(CORDIS, newer)
    projects = _rows("projects", newer)
    projects[0]["title"] = "A corrected title"
    participations = _rows("participations", newer)
    dropped = next(
        r
        for r in participations
        if r["project_id"] == projects[1]["project_id"] and r["role"] != "coordinator"
    )
    participations.remove(dropped)
    for name, rows in (("projects", projects), ("participations", participations)):
        with (newer / f"{name}.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)

    report = await load_cordis(engine, newer)

    assert report.parts["projects"].updated == 2
    async with engine.connect() as connection:
        title, version = (
            await connection.execute(
                sa.text("SELECT title, version FROM agreement WHERE reference = :ref"),
                {"ref": projects[0]["project_id"]},
            )
        ).one()
        actions = list(
            await connection.scalars(
                sa.text(
                    "SELECT h.action FROM history_entry h JOIN agreement a "
                    "ON a.id = h.agreement_id WHERE a.reference = :ref ORDER BY h.id"
                ),
                {"ref": projects[0]["project_id"]},
            )
        )
    assert (title, version) == ("A corrected title", 2)
    assert actions == ["imported", "reloaded"]
    still_there = await count(
        engine,
        "SELECT count(*) FROM agreement_party p JOIN agreement a ON a.id = p.agreement_id "
        "JOIN organization_identifier i ON i.organization_id = p.organization_id "
        "WHERE a.reference = :ref AND i.scheme = 'cordis' AND i.value = :org",
        ref=dropped["project_id"],
        org=dropped["org_id"],
    )
    assert still_there == 0


async def test_a_failure_part_way_leaves_the_database_as_it_was(engine, monkeypatch):
    await load_ror(engine, ROR)
    before = await table_counts(engine)

    async def failing(connection, table, rows):
        if table.name == "funding":
            raise RuntimeError("disk full")
        return await insert_rows(connection, table, rows)

    monkeypatch.setattr(cordis_module, "insert_rows", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        await load_cordis(engine, CORDIS)

    assert await table_counts(engine) == before


async def test_two_cordis_entities_sharing_a_website_stay_two_but_one_name_is_one(engine, tmp_path):
    directory = tmp_path / "cordis"
    shutil.copytree(CORDIS, directory)
    organizations = _rows("organizations", directory)
    with_site = next(r for r in organizations if r["url"])
    sibling = dict(with_site, org_id="900000050", legal_name="A SUBSIDIARY OF THE GROUP")
    twin = dict(with_site, org_id="900000051", url="")
    with (directory / "organizations.csv").open("a", newline="", encoding="utf-8") as handle:
        csv.DictWriter(handle, list(with_site)).writerows([sibling, twin])

    report = await load_cordis(engine, directory)

    assert report.parts["organizations"].merged_by["name in country"] == 1
    owners = {
        value: await count(
            engine,
            "SELECT organization_id FROM organization_identifier "
            "WHERE scheme = 'cordis' AND value = :v",
            v=value,
        )
        for value in (with_site["org_id"], sibling["org_id"], twin["org_id"])
    }
    assert owners[twin["org_id"]] == owners[with_site["org_id"]]
    assert owners[sibling["org_id"]] != owners[with_site["org_id"]]


async def test_rows_made_through_the_api_after_a_load_get_fresh_keys(engine):
    await load_cordis(engine, CORDIS)
    highest = await count(engine, "SELECT max(id) FROM organization")

    async with admin_client(engine) as client:
        data = await query(
            client,
            """mutation { createOrganization(input: {kind: BUSINESS, name: "After the load"}) {
                organization { name } userErrors { message } } }""",
        )

    assert data["createOrganization"]["userErrors"] == []
    made = await count(engine, "SELECT id FROM organization WHERE name = 'After the load'")
    assert made > highest
