"""The seed gaps of issue 18, each asked through the API as the source document answers it:
who took part in the OUC-Tsinghua exchange and in what role (its article's writer and
photographer reported on it), how many vice-chairs and directors the Jiangxi alliance has and
how many are named, the micro-major document's collaboration modes, and the 400 colleges'
projects and their learners."""

import httpx
import pytest

from tests.graph.test_network import org_id
from tests.graphql import query

pytestmark = pytest.mark.anyio


async def test_who_took_part_in_the_ouc_tsinghua_exchange_and_who_reported_it(
    client: httpx.AsyncClient,
) -> None:
    data = await query(
        client,
        """{ activities(filter: {text: "Special exchange on digital work"}) { nodes {
          participants(first: 20) { nodes { role organization { name } person { name } } }
        } } }""",
    )
    [exchange] = data["activities"]["nodes"]
    roles = {
        (p["person"] or {}).get("name") or p["organization"]["name"]: p["role"]
        for p in exchange["participants"]["nodes"]
    }
    assert roles["Fan Xianrui"] == "host"
    assert roles["Tian Jing"] == "visitor"
    assert roles["Information Technology Department, Open University of China"] == "speaker"
    assert roles["Learning Resources Department, Open University of China"] == "speaker"
    # "Written by Li Muming, Photographed by Zhuge Huanyu": the byline, not participants
    assert roles["Li Muming"] == "reporter"
    assert roles["Zhuge Huanyu"] == "photographer"


async def test_every_demo_participant_has_a_role(client: httpx.AsyncClient) -> None:
    data = await query(
        client,
        "{ activities(first: 50) { nodes { title participants(first: 50) { nodes { role } } } } }",
    )
    roles = [
        (a["title"], p["role"])
        for a in data["activities"]["nodes"]
        for p in a["participants"]["nodes"]
    ]
    assert roles, "the demo has participants"
    assert [r for r in roles if r[1] is None] == []
    promotion = [r for t, r in roles if t == "Lifelong learning promotion event"]
    assert promotion == ["speaker", "speaker"]


async def test_the_jiangxi_alliance_says_how_many_it_names_of_what_it_declares(
    client: httpx.AsyncClient,
) -> None:
    data = await query(
        client,
        """{ alliances(filter: {text: "Sino-Foreign"}) { nodes {
          roleCounts { role declared named unnamed }
        } } }""",
    )
    [alliance] = data["alliances"]["nodes"]
    assert alliance["roleCounts"] == [
        {"role": "CHAIR", "declared": 1, "named": 1, "unnamed": 0},
        {"role": "VICE_CHAIR", "declared": 10, "named": 3, "unnamed": 7},
        {"role": "DIRECTOR", "declared": 7, "named": 2, "unnamed": 5},
    ]


async def test_the_micro_major_document_s_collaboration_modes_exist(
    client: httpx.AsyncClient,
) -> None:
    data = await query(
        client, '{ __type(name: "CollaborationMode") { enumValues { name description } } }'
    )
    modes = {v["name"]: v["description"] for v in data["__type"]["enumValues"]}
    assert "job fairs" in modes["EMPLOYMENT_SERVICES"]
    assert "business" in modes["CUSTOMISED_TALENT_CULTIVATION"]
    assert "research results" in modes["RESULTS_CONVERSION"]
    created = await query(
        client,
        """mutation ($o: ID!) { createAgreement(input: {title: "Micro-major with a business",
          kind: FRAMEWORK, parties: [{organization: $o}], modes: [
          CUSTOMISED_TALENT_CULTIVATION, RESULTS_CONVERSION, EMPLOYMENT_SERVICES]}) {
          agreement { modes } userErrors { message } } }""",
        {"o": await org_id(client, "Tsinghua University")},
    )
    assert created["createAgreement"]["userErrors"] == []
    assert set(created["createAgreement"]["agreement"]["modes"]) == {
        "CUSTOMISED_TALENT_CULTIVATION",
        "RESULTS_CONVERSION",
        "EMPLOYMENT_SERVICES",
    }


async def test_the_400_colleges_projects_and_their_learners(client: httpx.AsyncClient) -> None:
    data = await query(
        client,
        """{ programs(filter: {targetGroup: [RURAL_TEACHERS]}, first: 20) { nodes {
          subjectArea delivery targetGroups activities { nodes { title } }
        } } }""",
    )
    projects = data["programs"]["nodes"]
    assert sorted(p["subjectArea"] for p in projects) == [
        "AI application",
        "digital technology development",
        "rural revitalization",
    ]
    for project in projects:
        assert project["delivery"] == "BLENDED"
        assert set(project["targetGroups"]) == {
            "MIGRANT_WORKERS",
            "RURAL_TEACHERS",
            "SENIOR_CITIZENS",
        }
        assert [a["title"] for a in project["activities"]["nodes"]] == [
            "Lifelong learning promotion event"
        ]
