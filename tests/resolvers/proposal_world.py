"""The world of the proposal tests: binding another organization waits for that side's answer.

On the demo data: the School of Art (Jiangsu Open University) and Nanjing University's School
of Lifelong Education are the parties of an agreement under negotiation, the partners of a
program and participants of a meeting; Tsinghua University is the outsider asked to join; the
Jiangxi alliance's secretariat invites organizations and answers requests to join.
"""

from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.graphql import query

JIANGXI = "Jiangxi Provincial Alliance for Sino-Foreign Cooperative Education"


PROPOSAL_FIELDS = """id kind status role version expiresOn answeredBy note proposerToken
  subject { name } organization { name }
  proposedBy { organization { name } alliance { name } }
  addressedTo { organization { name } alliance { name } }"""


PAYLOAD = f"proposal {{ {PROPOSAL_FIELDS} }} userErrors {{ message code field }}"


INPUTS = {
    "proposeAgreementParty": "ProposeAgreementPartyInput",
    "proposeMembership": "ProposeMembershipInput",
    "proposeProgramPartner": "ProposeProgramPartnerInput",
    "proposeActivityParticipant": "ProposeActivityParticipantInput",
    "acceptProposal": "AnswerProposalInput",
    "declineProposal": "AnswerProposalInput",
    "withdrawProposal": "WithdrawProposalInput",
}


async def call(client: httpx.AsyncClient, mutation: str, **given: Any) -> dict[str, Any]:
    data = await query(
        client,
        f"mutation ($input: {INPUTS[mutation]}!) {{ {mutation}(input: $input) {{ {PAYLOAD} }} }}",
        {"input": given},
    )
    payload: dict[str, Any] = data[mutation]
    return payload


def codes(payload: dict[str, Any]) -> list[str]:
    return [e["code"] for e in payload["userErrors"]]


def answer(proposal: dict[str, Any], **more: Any) -> dict[str, Any]:
    return {"id": proposal["id"], "version": proposal["version"], **more}


@dataclass
class World:
    engine: AsyncEngine
    admin: httpx.AsyncClient
    art: httpx.AsyncClient
    """An editor of Jiangsu Open University (its School of Art is a party, partner, participant)."""
    lle: httpx.AsyncClient
    """A viewer of the School of Lifelong Education (the other party): sees, changes nothing."""
    tsinghua: httpx.AsyncClient
    """An editor of Tsinghua University, the organization asked to join."""
    ncu: httpx.AsyncClient
    """An editor of Nanchang University: a third party to all of it."""
    secretariat: httpx.AsyncClient
    ids: dict[str, str]


async def find_ids(admin: httpx.AsyncClient) -> dict[str, str]:
    data = await query(
        admin,
        """{
          agreements(filter: {text: "social education"}) { nodes { id } }
          alliances(filter: {text: "Sino-Foreign"}) { nodes { id } }
          programs(filter: {text: "Micro-specialties"}) { nodes { id } }
          meeting: activities(filter: {kind: [MEETING]}) { nodes { id } }
          inauguration: activities(filter: {kind: [INAUGURATION]}) { nodes { id } }
          organizations(first: 100) { nodes { id name } }
        }""",
    )
    orgs = {o["name"]: o["id"] for o in data["organizations"]["nodes"]}
    return {
        "agreement": data["agreements"]["nodes"][0]["id"],
        "alliance": data["alliances"]["nodes"][0]["id"],
        "program": data["programs"]["nodes"][0]["id"],
        "meeting": data["meeting"]["nodes"][0]["id"],
        "inauguration": data["inauguration"]["nodes"][0]["id"],
        "tsinghua": orgs["Tsinghua University"],
        "art": orgs["School of Art"],
        "ncu": orgs["Nanchang University"],
        "jsou": orgs["Jiangsu Open University"],
    }


async def sees(client: httpx.AsyncClient, global_id: str) -> bool:
    data = await query(client, "query ($id: ID!) { node(id: $id) { id } }", {"id": global_id})
    return data["node"] is not None


async def party_names(client: httpx.AsyncClient, agreement: str) -> set[str]:
    data = await query(
        client,
        "query ($id: ID!) { node(id: $id) { ... on Agreement { "
        "parties { nodes { organization { name } } } } } }",
        {"id": agreement},
    )
    return {p["organization"]["name"] for p in data["node"]["parties"]["nodes"]}


async def history(client: httpx.AsyncClient, proposal: str) -> list[str]:
    data = await query(
        client,
        "query ($id: ID!) { node(id: $id) { ... on Proposal { history { nodes { action } } } } }",
        {"id": proposal},
    )
    return [h["action"] for h in data["node"]["history"]["nodes"]]


async def list_proposals(
    client: httpx.AsyncClient, direction: str = "ANY", statuses: list[str] | None = None
) -> list[dict[str, Any]]:
    data = await query(
        client,
        "query ($filter: ProposalFilter) { proposals(filter: $filter) { totalCount "
        f"nodes {{ {PROPOSAL_FIELDS} }} }} }}",
        {"filter": {"direction": direction, "statuses": statuses}},
    )
    nodes: list[dict[str, Any]] = data["proposals"]["nodes"]
    assert data["proposals"]["totalCount"] == len(nodes)
    return nodes


async def party_proposal(w: World) -> dict[str, Any]:
    made = await call(
        w.art, "proposeAgreementParty", agreement=w.ids["agreement"], organization=w.ids["tsinghua"]
    )
    assert made["userErrors"] == []
    proposal: dict[str, Any] = made["proposal"]
    return proposal


AGREEMENT_STATE = (
    "query ($id: ID!) { node(id: $id) { ... on Agreement { version status termsHash "
    "history { nodes { action } } } } }"
)


async def agreement_state(client: httpx.AsyncClient, agreement: str) -> dict[str, Any]:
    data = await query(client, AGREEMENT_STATE, {"id": agreement})
    node: dict[str, Any] = data["node"]
    return node


async def propose_one_of_each(w: World, organization: str) -> None:
    made = [
        await call(
            w.art, "proposeAgreementParty", agreement=w.ids["agreement"], organization=organization
        ),
        await call(
            w.art, "proposeProgramPartner", program=w.ids["program"], organization=organization
        ),
        await call(
            w.art,
            "proposeActivityParticipant",
            activity=w.ids["meeting"],
            organization=organization,
        ),
        await call(
            w.secretariat,
            "proposeMembership",
            alliance=w.ids["alliance"],
            organization=organization,
        ),
    ]
    assert [m["userErrors"] for m in made] == [[]] * 4
