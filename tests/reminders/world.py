"""Agreements in force with deadlines, made through the API by an admin on the demo data
(whose agreements have no dates): a draft between the School of Art (a unit of Jiangsu Open
University) and the School of Lifelong Education, negotiated, submitted and signed by both."""

from dataclasses import dataclass
from typing import Any

import httpx

from tests.graphql import query

__all__ = ["ART", "LIFELONG", "InForce", "in_force", "node_id"]

ART = "School of Art"
LIFELONG = "School of Lifelong Education"
_FIELDS = "id version status effectiveTo noticePeriodDays noticeDeadline renewalRule"
_PAYLOAD = f"agreement {{ {_FIELDS} }} userErrors {{ message code field }}"
_INPUTS = {
    "createAgreement": "CreateAgreementInput",
    "signAgreement": "SignAgreementInput",
}


async def node_id(client: httpx.AsyncClient, root: str, text: str) -> str:
    data = await query(
        client,
        f"query ($t: String!) {{ {root}(filter: {{text: $t}}) {{ nodes {{ id name }} }} }}",
        {"t": text},
    )
    [found] = [n["id"] for n in data[root]["nodes"] if n["name"] == text]
    return str(found)


async def _step(client: httpx.AsyncClient, mutation: str, given: dict[str, Any]) -> dict[str, Any]:
    kind = _INPUTS.get(mutation, "AgreementVersionInput")
    data = await query(
        client,
        f"mutation ($input: {kind}!) {{ {mutation}(input: $input) {{ {_PAYLOAD} }} }}",
        {"input": given},
    )
    payload = data[mutation]
    assert payload["userErrors"] == [], payload["userErrors"]
    agreement: dict[str, Any] = payload["agreement"]
    return agreement


@dataclass(frozen=True)
class InForce:
    agreement: dict[str, Any]
    commitment: str | None


async def in_force(
    admin: httpx.AsyncClient,
    *,
    effective_to: str,
    notice_period_days: int | None = None,
    commitment_due: str | None = None,
) -> InForce:
    """A SIGNED agreement ending on `effective_to`, with an open commitment due on
    `commitment_due` if given."""
    art = await node_id(admin, "organizations", ART)
    lifelong = await node_id(admin, "organizations", LIFELONG)
    draft = await _step(
        admin,
        "createAgreement",
        {
            "title": "Reminder test cooperation",
            "kind": "CREDIT_RECOGNITION",
            "parties": [{"organization": art, "role": "LEAD"}, {"organization": lifelong}],
            "effectiveFrom": "2026-01-01",
            "effectiveTo": effective_to,
            "renewalRule": "AUTOMATIC",
            "noticePeriodDays": notice_period_days,
        },
    )
    commitment = None
    if commitment_due is not None:
        added = await query(
            admin,
            "mutation ($input: AddCommitmentInput!) { addCommitment(input: $input) { "
            "commitment { id } userErrors { message } } }",
            {
                "input": {
                    "agreement": draft["id"],
                    "agreementVersion": draft["version"],
                    "obligor": art,
                    "description": "Send the syllabus",
                    "dueOn": commitment_due,
                }
            },
        )
        assert added["addCommitment"]["userErrors"] == []
        commitment = added["addCommitment"]["commitment"]["id"]
        draft = (
            await query(
                admin,
                "query ($id: ID!) { node(id: $id) { ... on Agreement { id version } } }",
                {"id": draft["id"]},
            )
        )["node"]
    negotiating = await _step(
        admin, "openNegotiation", {"id": draft["id"], "version": draft["version"]}
    )
    awaiting = await _step(
        admin, "submitForApproval", {"id": negotiating["id"], "version": negotiating["version"]}
    )
    xia = await node_id(admin, "people", "Xia Xuemin")
    chen = await node_id(admin, "people", "Chen Fangyi")
    one = await _step(
        admin,
        "signAgreement",
        {
            "id": awaiting["id"],
            "version": awaiting["version"],
            "party": art,
            "signatory": xia,
            "signedOn": "2026-01-05",
        },
    )
    signed = await _step(
        admin,
        "signAgreement",
        {
            "id": one["id"],
            "version": one["version"],
            "party": lifelong,
            "signatory": chen,
            "signedOn": "2026-01-06",
        },
    )
    assert signed["status"] == "SIGNED"
    return InForce(signed, commitment)
