"""The EWP IIA export through the API: Agreement.ewpIia and /ewp/iias, valid against the EWP
XSDs, hashed as the spec says, honouring visibility; mobility conditions added and refused."""

from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from lxml import etree
from sqlalchemy.ext.asyncio import AsyncEngine

from db import tables as t
from db.base import table_of, utcnow
from db.enums import TokenRole
from resolvers.ewp.iia_hash import iia_hash
from resolvers.ewp.iia_xml import NS
from tests.conftest import api_client, make_token
from tests.factories import add_network
from tests.graphql import query
from tests.statements import StatementCounter

pytestmark = pytest.mark.anyio

XSD = Path(__file__).parents[2] / "resolvers" / "ewp" / "xsd" / "iias-get-response.xsd"
_SKILLS = "languageSkills"
_SKILL = "languageSkills.0."
_UTS = """{ agreements(filter: {text: "Sydney"}) { nodes { id version status
    parties { nodes { organization { id name } } }
    mobilityConditions { nodes { id version mobilityType } }
    ewpIia { iiaId iiaHash validForApproval missing xml } } } }"""


def _valid(xml: bytes) -> etree._Element:
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    document = etree.fromstring(xml)
    assert schema.validate(document), schema.error_log
    return document


async def _uts(client: httpx.AsyncClient) -> dict[str, Any]:
    [node] = (await query(client, _UTS))["agreements"]["nodes"]
    return dict(node)


async def test_the_demo_agreement_exports_as_a_valid_iia_with_its_hash(
    client: httpx.AsyncClient,
) -> None:
    node = await _uts(client)
    iia = node["ewpIia"]
    assert iia["missing"] == [] and iia["validForApproval"]
    document = _valid(iia["xml"].encode())
    [element] = document.findall(f"{{{NS}}}iia")
    assert iia_hash(element) == iia["iiaHash"] == element.findtext(f"{{{NS}}}iia-hash")
    assert [e.text for e in element.iter(f"{{{NS}}}hei-id")] == ["jxufe.edu.cn", "uts.edu.au"]
    assert element.findtext(f"{{{NS}}}in-effect") == "true"
    studies = element.find(f".//{{{NS}}}student-studies-mobility-spec")
    assert studies is not None
    assert studies.findtext(f"{{{NS}}}receiving-first-academic-year-id") == "2026/2027"
    assert studies.findtext(f".//{{{NS}}}isced-f-code") == "0311"
    assert studies.findtext(f"{{{NS}}}eqf-level") == "6"
    assert studies.findtext(f".//{{{NS}}}cefr-level") == "B2"
    response = await client.get("/ewp/iias", params={"iia_id": [node["id"], "nonsense"]})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/xml")
    assert response.content == iia["xml"].encode()


async def test_an_agreement_without_schac_codes_says_what_is_missing(
    client: httpx.AsyncClient,
) -> None:
    data = await query(
        client,
        '{ agreements(filter: {text: "social education"}) { nodes { ewpIia { xml missing } } } }',
    )
    [node] = data["agreements"]["nodes"]
    assert node["ewpIia"]["xml"] is None
    assert any("SCHAC" in m for m in node["ewpIia"]["missing"])


async def test_a_caller_who_cannot_see_the_agreement_gets_an_empty_response(
    client: httpx.AsyncClient, demo_engine: AsyncEngine
) -> None:
    node = await _uts(client)
    token = await make_token(demo_engine, TokenRole.EDITOR, organization="Jiangsu Open University")
    async with api_client(demo_engine, token) as editor:
        response = await editor.post(
            "/ewp/iias",
            content=f"iia_id={node['id']}",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
    assert response.status_code == 200
    document = _valid(response.content)
    assert document.findall(f"{{{NS}}}iia") == []


async def _add(client: httpx.AsyncClient, given: dict[str, Any]) -> dict[str, Any]:
    data = await query(
        client,
        """mutation ($input: AddMobilityConditionInput!) { addMobilityCondition(input: $input) {
             mobilityCondition { id mobilityType } userErrors { code field message } } }""",
        {"input": given},
    )
    payload: dict[str, Any] = data["addMobilityCondition"]
    return payload


def _base(node: dict[str, Any]) -> dict[str, Any]:
    jufe, uts = (p["organization"]["id"] for p in node["parties"]["nodes"])
    return {
        "agreement": node["id"],
        "agreementVersion": node["version"],
        "mobilityType": "STUDENT_TRAINEESHIP",
        "sendingOrganization": uts,
        "receivingOrganization": jufe,
        "firstAcademicYear": 2027,
        "lastAcademicYear": 2027,
        "mobilitiesPerYear": 3,
        "totalMonthsPerYear": "6.5",
        "iscedFCode": "0412",
        "eqfLevelMin": 6,
        "eqfLevelMax": 7,
        "blended": True,
        "languageSkills": [{"language": "zh-Hans", "cefr": "A2"}],
    }


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"iscedFCode": "04"}, "UNKNOWN_CODE", "iscedFCode"),
        ({"eqfLevelMax": 9}, "UNKNOWN_CODE", "eqfLevelMax"),
        ({"languageSkills": [{"language": "xx-Foo"}]}, "UNKNOWN_CODE", _SKILL + "language"),
        ({"languageSkills": [{"language": "en", "cefr": "D1"}]}, "UNKNOWN_CODE", _SKILL + "cefr"),
        ({"lastAcademicYear": 2026}, "BAD_USER_INPUT", "lastAcademicYear"),
        ({"mobilitiesPerYear": 0}, "BAD_USER_INPUT", "mobilitiesPerYear"),
        ({"totalDaysPerYear": "5"}, "BAD_USER_INPUT", "totalDaysPerYear"),
        ({"mobilityType": "STUDENT_STUDIES", "languageSkills": []}, "BAD_USER_INPUT", _SKILLS),
        ({"agreementVersion": 999}, "STALE_VERSION", "agreementVersion"),
    ],
)  # fmt: skip
async def test_a_bad_condition_is_refused_and_nothing_written(
    client: httpx.AsyncClient, change: dict[str, Any], code: str, field: str
) -> None:
    node = await _uts(client)
    payload = await _add(client, {**_base(node), **change})
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [(code, field)]
    after = await _uts(client)
    assert after["ewpIia"]["iiaHash"] == node["ewpIia"]["iiaHash"]
    assert after["version"] == node["version"]


async def test_adding_and_removing_a_condition_changes_the_terms_and_the_hash(
    client: httpx.AsyncClient,
) -> None:
    node = await _uts(client)
    payload = await _add(client, _base(node))
    assert payload["userErrors"] == []
    added = await _uts(client)
    assert added["status"] == "UNDER_NEGOTIATION"
    assert added["ewpIia"]["iiaHash"] != node["ewpIia"]["iiaHash"]
    document = _valid(added["ewpIia"]["xml"].encode())
    traineeship = document.find(f".//{{{NS}}}student-traineeship-mobility-spec")
    assert traineeship is not None
    assert [e.text for e in traineeship.iter(f"{{{NS}}}eqf-level")] == ["6", "7"]
    assert traineeship.findtext(f"{{{NS}}}total-months-per-year") == "6.5"
    new = next(
        c
        for c in added["mobilityConditions"]["nodes"]
        if c["id"] == payload["mobilityCondition"]["id"]
    )
    data = await query(
        client,
        """mutation ($input: RemoveMobilityConditionInput!) {
             removeMobilityCondition(input: $input) { removedId userErrors { code } } }""",
        {"input": {"id": new["id"], "version": new["version"]}},
    )  # fmt: skip
    assert data["removeMobilityCondition"] == {"removedId": new["id"], "userErrors": []}
    removed = await _uts(client)
    assert removed["ewpIia"]["iiaHash"] == node["ewpIia"]["iiaHash"]


async def _probe_network(engine: AsyncEngine) -> None:
    """Ten universities in a ring of agreements, each with a SCHAC code and each agreement
    with one condition."""
    await add_network(engine, organizations=10, prefix="Probe")
    organization, agreement = table_of(t.Organization), table_of(t.Agreement)
    party = table_of(t.AgreementParty)
    async with engine.begin() as connection:
        orgs = list(
            await connection.scalars(
                sa.select(organization.c.id).where(organization.c.name.startswith("Probe"))
            )
        )
        await connection.execute(
            sa.insert(table_of(t.OrganizationIdentifier)),
            [{"organization_id": o, "scheme": "schac", "value": f"p{o}.example"} for o in orgs],
        )
        found = await connection.execute(
            sa.select(party.c.agreement_id, sa.func.min(party.c.organization_id).label("a"),
                      sa.func.max(party.c.organization_id).label("b"))
            .join(agreement, agreement.c.id == party.c.agreement_id)
            .where(agreement.c.title.startswith("Probe"))
            .group_by(party.c.agreement_id)
        )  # fmt: skip
        now = utcnow()
        await connection.execute(
            sa.insert(table_of(t.MobilityCondition)),
            [
                {"created_at": now, "updated_at": now, "version": 1,
                 "agreement_id": row.agreement_id, "mobility_type": "staff_training",
                 "sending_organization_id": row.a,
                 "receiving_organization_id": row.b, "first_academic_year": 2026,
                 "last_academic_year": 2026, "mobilities_per_year": 1, "blended": False,
                 "language_skills": []}
                for row in found
            ],
        )  # fmt: skip


async def test_the_statements_do_not_grow_with_the_number_of_agreements(
    client: httpx.AsyncClient, demo_engine: AsyncEngine, statements: StatementCounter
) -> None:
    await _probe_network(demo_engine)
    document = """query ($first: Int!) {
      agreements(first: $first, filter: {text: "Probe exchange"}) { nodes {
        mobilityConditions { nodes { mobilityType } } ewpIia { iiaHash missing } } } }"""
    counts = []
    for first in (2, 8):
        statements.reset()
        data = await query(client, document, {"first": first})
        counts.append(statements.count)
        nodes = data["agreements"]["nodes"]
        assert len(nodes) == first
        assert all(n["ewpIia"]["missing"] == [] and n["ewpIia"]["iiaHash"] for n in nodes)
    assert counts[0] == counts[1], counts


async def test_a_condition_changes_only_in_the_fields_given(client: httpx.AsyncClient) -> None:
    node = await _uts(client)
    studies = next(
        c for c in node["mobilityConditions"]["nodes"] if c["mobilityType"] == "STUDENT_STUDIES"
    )
    document = """mutation ($input: UpdateMobilityConditionInput!) {
      updateMobilityCondition(input: $input) {
        mobilityCondition { mobilitiesPerYear iscedFCode eqfLevelMin languageSkills { language } }
        userErrors { code field } } }"""
    refused = await query(
        client,
        document,
        {"input": {"id": studies["id"], "version": studies["version"], "iscedFCode": "9"}},
    )
    assert refused["updateMobilityCondition"]["userErrors"] == [
        {"code": "UNKNOWN_CODE", "field": "iscedFCode"}
    ]
    cleared = await query(
        client,
        document,
        {"input": {"id": studies["id"], "version": studies["version"], "mobilityType": None}},
    )
    assert cleared["updateMobilityCondition"]["userErrors"] == [
        {"code": "BAD_USER_INPUT", "field": "mobilityType"}
    ]
    changed = await query(
        client,
        document,
        {
            "input": {
                "id": studies["id"],
                "version": studies["version"],
                "mobilitiesPerYear": 12,
                "iscedFCode": None,
            }
        },
    )
    assert changed["updateMobilityCondition"] == {
        "mobilityCondition": {
            "mobilitiesPerYear": 12,
            "iscedFCode": None,
            "eqfLevelMin": 6,
            "languageSkills": [{"language": "en"}],
        },
        "userErrors": [],
    }
    after = await _uts(client)
    assert after["ewpIia"]["iiaHash"] != node["ewpIia"]["iiaHash"]
    assert after["status"] == "UNDER_NEGOTIATION"
    _valid(after["ewpIia"]["xml"].encode())


async def test_units_export_under_their_institutions_schac_code(
    client: httpx.AsyncClient, demo_engine: AsyncEngine
) -> None:
    """The social-education agreement is between two schools: each takes its university's
    SCHAC code, and the School of Art its own `ewp_ounit` ID."""
    organization = table_of(t.Organization)
    async with demo_engine.begin() as connection:
        ids = {
            row.name: row.id
            for row in await connection.execute(
                sa.select(organization.c.id, organization.c.name).where(
                    organization.c.name.in_(
                        ["Jiangsu Open University", "Nanjing University", "School of Art"]
                    )
                )
            )
        }
        await connection.execute(
            sa.insert(table_of(t.OrganizationIdentifier)),
            [
                {"organization_id": ids["Jiangsu Open University"], "scheme": "schac",
                 "value": "jsou.example"},
                {"organization_id": ids["Nanjing University"], "scheme": "schac",
                 "value": "nju.example"},
                {"organization_id": ids["School of Art"], "scheme": "ewp_ounit", "value": "ART"},
            ],
        )  # fmt: skip
    data = await query(
        client,
        '{ agreements(filter: {text: "social education"}) { nodes { ewpIia { xml missing } } } }',
    )
    [node] = data["agreements"]["nodes"]
    assert node["ewpIia"]["missing"] == []
    document = _valid(node["ewpIia"]["xml"].encode())
    partners = document.findall(f".//{{{NS}}}partner")
    assert [p.findtext(f"{{{NS}}}hei-id") for p in partners] == ["jsou.example", "nju.example"]
    assert [p.findtext(f"{{{NS}}}ounit-id") for p in partners] == ["ART", None]
    assert document.findtext(f".//{{{NS}}}in-effect") == "false"


async def test_more_than_the_maximum_of_ids_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.get("/ewp/iias", params={"iia_id": ["x"] * 101})
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
