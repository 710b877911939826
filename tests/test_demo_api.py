"""The issue's acceptance queries on the demo data from the source documents, through the API."""

import httpx
import pytest

from tests.graphql import query

pytestmark = pytest.mark.anyio

JIANGXI = "Jiangxi Provincial Alliance for Sino-Foreign Cooperative Education"


async def test_the_jiangxi_alliance_lists_its_chair_and_vice_chairs(
    client: httpx.AsyncClient,
) -> None:
    data = await query(
        client,
        """{
          alliances(filter: {text: "Sino-Foreign"}) { nodes {
            name foundedOn foundedPlace
            memberships(first: 100) { nodes { role organization { name } } }
          } }
        }""",
    )
    [alliance] = data["alliances"]["nodes"]
    assert alliance["name"] == JIANGXI
    assert alliance["foundedOn"] == "2025-11-18"
    assert alliance["foundedPlace"] == "Nanchang"
    roles = [(m["role"], m["organization"]["name"]) for m in alliance["memberships"]["nodes"]]
    assert roles[0] == ("CHAIR", "Jiangxi University of Finance and Economics")
    assert {name for role, name in roles if role == "VICE_CHAIR"} >= {
        "Nanchang University",
        "Nanchang Hangkong University",
        "Jiangxi Normal University",
    }
    assert {name for role, name in roles if role == "DIRECTOR"} >= {
        "Jiangxi University of Traditional Chinese Medicine",
        "Gannan Normal University",
    }
    assert [role for role, _ in roles].count("CHAIR") == 1


async def test_who_was_vice_chair_on_a_date(client: httpx.AsyncClient) -> None:
    data = await query(
        client,
        """{
          alliances(filter: {text: "Sino-Foreign"}) { nodes {
            before: memberships(filter: {on: "2025-11-17"}) { totalCount }
            after: memberships(filter: {on: "2025-11-18", role: [VICE_CHAIR]}) { totalCount }
          } }
        }""",
    )
    [alliance] = data["alliances"]["nodes"]
    assert alliance["before"]["totalCount"] == 0, "nobody was a member before the inauguration"
    assert alliance["after"]["totalCount"] >= 3


async def test_the_school_of_art_shows_its_parent_meeting_and_agreement(
    client: httpx.AsyncClient,
) -> None:
    data = await query(
        client,
        """{
          organizations(filter: {text: "School of Art"}) { nodes {
            name
            parent { name }
            activities { nodes {
              kind heldOn outcomes
              participants(first: 20) { nodes { organization { name } person { name } } }
            } }
            agreements { nodes {
              status modes
              parties { nodes { organization { name parent { name } } } }
            } }
          } }
        }""",
    )
    [school] = data["organizations"]["nodes"]
    assert school["parent"]["name"] == "Jiangsu Open University"

    [meeting] = [a for a in school["activities"]["nodes"] if a["kind"] == "MEETING"]
    assert meeting["heldOn"] is None or meeting["heldOn"].endswith("-04-14")
    people = {p["person"]["name"] for p in meeting["participants"]["nodes"] if p["person"]}
    assert people >= {
        "Xia Xuemin",
        "Zhao Yuqin",
        "Qian Yuxuan",
        "Chen Fangyi",
        "Gao Jie",
        "Zhao Na",
    }

    [agreement] = school["agreements"]["nodes"]
    assert agreement["status"] == "UNDER_NEGOTIATION"
    assert set(agreement["modes"]) >= {
        "CREDIT_RECOGNITION",
        "VOCATIONAL_TRAINING",
        "MICRO_SPECIALTY",
        "JOINT_COURSE_DEVELOPMENT",
        "SHARED_FACULTY",
    }
    partners = {
        (p["organization"]["name"], (p["organization"]["parent"] or {}).get("name"))
        for p in agreement["parties"]["nodes"]
    }
    assert ("School of Lifelong Education", "Nanjing University") in partners


async def test_signed_agreements_from_the_jiangxi_conference(client: httpx.AsyncClient) -> None:
    data = await query(
        client,
        """{
          agreements(filter: {signedFrom: "2025-11-17", signedTo: "2025-11-17"}) { nodes {
            signedOn parties { nodes { signedOn organization { name country } } }
          } }
        }""",
    )
    pairs = {
        frozenset(p["organization"]["name"] for p in a["parties"]["nodes"])
        for a in data["agreements"]["nodes"]
    }
    assert (
        frozenset(
            {"Jiangxi University of Finance and Economics", "University of Technology Sydney"}
        )
        in pairs
    )
    assert frozenset({"Nanchang Hangkong University", "Belarusian State University"}) in pairs


async def test_the_ouc_lists_its_people_once_and_the_tsinghua_exchange(
    client: httpx.AsyncClient,
) -> None:
    data = await query(
        client,
        """{
          organizations(filter: {text: "Open University of China"}, orderBy: {field: NAME}) {
            nodes {
              name parent { name }
              people { totalCount nodes { name } }
              activities { nodes { kind heldOn participants(first: 20) {
                nodes { organization { name } person { name } }
              } } }
            }
          }
        }""",
    )
    by_name = {o["name"]: o for o in data["organizations"]["nodes"]}
    ouc = by_name["Open University of China"]
    people = [p["name"] for p in ouc["people"]["nodes"]]
    assert sorted(people) == ["Fan Xianrui", "Li Muming", "Zhuge Huanyu"]
    assert ouc["people"]["totalCount"] == 3
    [exchange] = ouc["activities"]["nodes"]
    assert exchange["kind"] == "EXCHANGE_VISIT"
    assert exchange["heldOn"] is None, "the source gives no date"
    visitors = {
        (p["organization"]["name"], (p["person"] or {}).get("name"))
        for p in exchange["participants"]["nodes"]
    }
    assert ("Lifelong Education Department, Tsinghua University", "Tian Jing") in visitors
    assert by_name["Information Technology Department, Open University of China"]["parent"] == {
        "name": "Open University of China"
    }
