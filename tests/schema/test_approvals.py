"""Approvals as records (issue 18): the Ministry's two approvals in the demo as the source states
them, the policy that makes Sino-foreign cooperative education wait for the Ministry before
activation, approvers the policy does not allow, internal chains, history and visibility."""

from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from db.enums import TokenRole
from tests.conftest import api_client, make_token
from tests.graph.test_network import org_id
from tests.graphql import query

pytestmark = pytest.mark.anyio

MOE = "Ministry of Education"
JUFE = "Jiangxi University of Finance and Economics"

AGREEMENTS = """query ($t: String!) { agreements(filter: {text: $t}) { nodes {
  id version status title
  approvals { nodes {
    id decision decidedOn referenceNumber conditions documentUrl description
    approver { name } agreement { title }
    history { nodes { action } }
  } }
} } }"""

CREATE = """mutation ($input: CreateApprovalInput!) { createApproval(input: $input) {
  approval { id decision approver { name } } userErrors { code field message } } }"""

ACTIVATE = """mutation ($id: ID!, $v: Int!) { activateAgreement(input: {id: $id, version: $v}) {
  agreement { status } userErrors { code field message } } }"""


async def _agreement(client: httpx.AsyncClient, text: str) -> dict[str, Any]:
    [found] = (await query(client, AGREEMENTS, {"t": text}))["agreements"]["nodes"]
    return dict(found)


async def test_the_ministry_approvals_are_on_record_as_the_source_states_them(
    client: httpx.AsyncClient,
) -> None:
    for college in ("Queen Mary College at Nanchang University", "Griffith College"):
        agreement = await _agreement(client, f"Establishment of the {college}")
        [approval] = agreement["approvals"]["nodes"]
        assert approval["decision"] == "APPROVED"
        assert approval["approver"]["name"] == MOE
        # the source gives none of these: left empty, and the description says so
        assert approval["decidedOn"] is None
        assert approval["referenceNumber"] is None
        assert approval["conditions"] is None and approval["documentUrl"] is None
        assert "no date, reference number" in approval["description"]
        assert [h["action"] for h in approval["history"]["nodes"]] == ["created"]
    policy = await query(client, "{ approvalPolicy { agreementKind required approver { name } } }")
    assert policy["approvalPolicy"] == [
        {
            "agreementKind": "SINO_FOREIGN_COOPERATIVE_EDUCATION",
            "required": True,
            "approver": {"name": MOE},
        }
    ]


async def test_activation_waits_for_the_ministry(client: httpx.AsyncClient) -> None:
    agreement = await _agreement(client, "University of Technology Sydney")
    assert agreement["status"] == "SIGNED"
    refused = await query(client, ACTIVATE, {"id": agreement["id"], "v": agreement["version"]})
    [error] = refused["activateAgreement"]["userErrors"]
    assert error["code"] == "APPROVAL_REQUIRED" and MOE in error["message"]
    moe, jufe = await org_id(client, MOE), await org_id(client, JUFE)
    rejected = await query(
        client,
        CREATE,
        {"input": {"agreement": agreement["id"], "approver": moe, "decision": "REJECTED"}},
    )
    assert rejected["createApproval"]["userErrors"] == []
    still = await query(client, ACTIVATE, {"id": agreement["id"], "v": agreement["version"]})
    assert still["activateAgreement"]["userErrors"][0]["code"] == "APPROVAL_REQUIRED"
    # an internal approval (the university itself) is allowed but is not the Ministry's
    internal = await query(
        client,
        CREATE,
        {"input": {"agreement": agreement["id"], "approver": jufe, "decision": "APPROVED"}},
    )
    assert internal["createApproval"]["userErrors"] == []
    granted = await query(
        client,
        CREATE,
        {
            "input": {
                "agreement": agreement["id"],
                "approver": moe,
                "decision": "CONDITIONAL",
                "conditions": "Annual report to the provincial department",
                "referenceNumber": "TEST-1",
            }
        },
    )
    assert granted["createApproval"]["userErrors"] == []
    done = await query(client, ACTIVATE, {"id": agreement["id"], "v": agreement["version"]})
    assert done["activateAgreement"] == {"agreement": {"status": "ACTIVE"}, "userErrors": []}
    after = await _agreement(client, "University of Technology Sydney")
    assert len(after["approvals"]["nodes"]) == 3


async def test_an_approver_the_policy_does_not_allow_is_refused(
    client: httpx.AsyncClient,
) -> None:
    agreement = await _agreement(client, "University of Technology Sydney")
    tsinghua = await org_id(client, "Tsinghua University")
    refused = await query(
        client,
        CREATE,
        {"input": {"agreement": agreement["id"], "approver": tsinghua, "decision": "APPROVED"}},
    )
    assert refused["createApproval"]["approval"] is None
    [error] = refused["createApproval"]["userErrors"]
    assert error["field"] == "approver"
    assert "may not approve SINO_FOREIGN_COOPERATIVE_EDUCATION" in error["message"]
    assert MOE in error["message"]
    two_subjects = await query(
        client,
        CREATE,
        {
            "input": {
                "agreement": agreement["id"],
                "organization": tsinghua,
                "approver": tsinghua,
                "decision": "APPROVED",
            }
        },
    )
    assert two_subjects["createApproval"]["userErrors"][0]["field"] == "agreement"
    unchanged = await _agreement(client, "University of Technology Sydney")
    assert unchanged["approvals"]["nodes"] == []


async def test_approvals_are_seen_like_the_agreement_they_approve(
    demo_engine: AsyncEngine, client: httpx.AsyncClient
) -> None:
    text = "Establishment of the Queen Mary College"
    token = await make_token(demo_engine, TokenRole.EDITOR, organization="Nanchang University")
    async with api_client(demo_engine, token) as editor:
        agreement = await _agreement(editor, text)
        assert len(agreement["approvals"]["nodes"]) == 1
    token = await make_token(demo_engine, TokenRole.EDITOR, organization="Tsinghua University")
    async with api_client(demo_engine, token) as other:
        data = await query(other, AGREEMENTS, {"t": text})
        assert data["agreements"]["nodes"] == []
        admin_view = await _agreement(client, text)
        approval_id = admin_view["approvals"]["nodes"][0]["id"]
        hidden = await query(
            other, "query ($id: ID!) { node(id: $id) { id } }", {"id": approval_id}
        )
        assert hidden["node"] is None


POLICY_SET = """mutation ($input: SetApprovalPolicyInput!) { setApprovalPolicy(input: $input) {
  policy { agreementKind required approver { name } } userErrors { code field message } } }"""

POLICY_CLEAR = """mutation ($input: ClearApprovalPolicyInput!) {
  clearApprovalPolicy(input: $input) {
    policy { agreementKind required approver { name } } userErrors { code field message } } }"""


async def test_admins_set_and_clear_the_approval_policy(
    client: httpx.AsyncClient, demo_engine: AsyncEngine
) -> None:
    moe, jufe = await org_id(client, MOE), await org_id(client, JUFE)
    kind = "SINO_FOREIGN_COOPERATIVE_EDUCATION"
    # the Ministry's approval made optional: activation no longer waits for it
    relaxed = await query(
        client, POLICY_SET, {"input": {"agreementKind": kind, "approver": moe, "required": False}}
    )
    assert relaxed["setApprovalPolicy"] == {
        "policy": [{"agreementKind": kind, "required": False, "approver": {"name": MOE}}],
        "userErrors": [],
    }
    agreement = await _agreement(client, "University of Technology Sydney")
    activated = await query(client, ACTIVATE, {"id": agreement["id"], "v": agreement["version"]})
    assert activated["activateAgreement"] == {"agreement": {"status": "ACTIVE"}, "userErrors": []}
    # a new approver for another kind, required by default
    added = await query(
        client, POLICY_SET, {"input": {"agreementKind": "FUNDING", "approver": jufe}}
    )
    assert {"agreementKind": "FUNDING", "required": True, "approver": {"name": JUFE}} in added[
        "setApprovalPolicy"
    ]["policy"]
    cleared = await query(client, POLICY_CLEAR, {"input": {"agreementKind": kind, "approver": moe}})
    assert [e["agreementKind"] for e in cleared["clearApprovalPolicy"]["policy"]] == ["FUNDING"]
    again = await query(client, POLICY_CLEAR, {"input": {"agreementKind": kind, "approver": moe}})
    assert [(e["code"], e["field"]) for e in again["clearApprovalPolicy"]["userErrors"]] == [
        ("NOT_FOUND", "approver")
    ]
    token = await make_token(demo_engine, TokenRole.EDITOR, organization=JUFE)
    async with api_client(demo_engine, token) as editor:
        refused = await query(
            editor, POLICY_SET, {"input": {"agreementKind": kind, "approver": jufe}}
        )
        assert refused["setApprovalPolicy"]["policy"] is None
        assert refused["setApprovalPolicy"]["userErrors"][0]["code"] == "FORBIDDEN"
    policy = await query(client, "{ approvalPolicy { agreementKind } }")
    assert policy["approvalPolicy"] == [{"agreementKind": "FUNDING"}]
