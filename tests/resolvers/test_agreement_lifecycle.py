"""An agreement's life through the API: draft to renewal, every transition of the table, the
refused ones, per-party signing with the terms hash, and what a change of terms undoes."""

from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from db.base import table_of
from db.enums import AgreementStatus, TokenRole
from db.tables import Agreement, AgreementParty, HistoryEntry
from resolvers.agreement_lifecycle import TRANSITIONS, mutation_name, transitions_markdown
from tests.conftest import Databases, api_client, make_token
from tests.graphql import query

pytestmark = pytest.mark.anyio

ART = "School of Art"
LIFELONG = "School of Lifelong Education"
AGREEMENT_FIELDS = """
  id version status termsHash signedOn effectiveFrom effectiveTo modes
  predecessor { id status } successor { id }
  parties { nodes { role signedOn signedTermsHash organization { name } signatory { name } } }
"""
PAYLOAD = f"agreement {{ {AGREEMENT_FIELDS} }} userErrors {{ message code field }}"


async def _id(client: httpx.AsyncClient, root: str, text: str, name_field: str = "name") -> str:
    data = await query(
        client,
        f"query ($t: String!) {{ {root}(filter: {{text: $t}}) {{ nodes {{ id {name_field} }} }} }}",
        {"t": text},
    )
    [found] = [n["id"] for n in data[root]["nodes"] if n[name_field] == text]
    return str(found)


async def _call(client: httpx.AsyncClient, mutation: str, given: dict[str, Any]) -> dict[str, Any]:
    input_type = {
        "createAgreement": "CreateAgreementInput",
        "updateAgreement": "UpdateAgreementInput",
        "signAgreement": "SignAgreementInput",
        "renewAgreement": "RenewAgreementInput",
    }.get(mutation, "AgreementVersionInput")
    data = await query(
        client,
        f"mutation ($input: {input_type}!) {{ {mutation}(input: $input) {{ {PAYLOAD} }} }}",
        {"input": given},
    )
    payload: dict[str, Any] = data[mutation]
    return payload


def _ok(payload: dict[str, Any]) -> dict[str, Any]:
    assert payload["userErrors"] == [], payload["userErrors"]
    agreement: dict[str, Any] = payload["agreement"]
    return agreement


class Walk:
    """Two portals (an editor on each side) and an admin, on the demo data."""

    def __init__(self, admin: httpx.AsyncClient, art: httpx.AsyncClient, nju: httpx.AsyncClient):
        self.admin, self.art, self.nju = admin, art, nju

    async def step(
        self, client: httpx.AsyncClient, mutation: str, agreement: dict[str, Any], **more: Any
    ) -> dict[str, Any]:
        return _ok(
            await _call(
                client, mutation, {"id": agreement["id"], "version": agreement["version"], **more}
            )
        )


@pytest.fixture
async def walk(demo_engine: AsyncEngine, databases: Databases) -> Any:
    art = await make_token(demo_engine, TokenRole.EDITOR, organization="Jiangsu Open University")
    nju = await make_token(demo_engine, TokenRole.EDITOR, organization="Nanjing University")
    async with (
        api_client(demo_engine, databases.admin_token) as admin,
        api_client(demo_engine, art) as art_client,
        api_client(demo_engine, nju) as nju_client,
    ):
        yield Walk(admin, art_client, nju_client)


async def _draft(walk: Walk, **more: Any) -> dict[str, Any]:
    """A draft between the two schools, made by an admin (an editor names only organizations
    it edits, and proposes the others: tests/resolvers/test_write_scope.py)."""
    art = await _id(walk.admin, "organizations", ART)
    lifelong = await _id(walk.admin, "organizations", LIFELONG)
    given = {
        "title": "Micro-specialty cooperation",
        "kind": "CREDIT_RECOGNITION",
        "parties": [{"organization": art, "role": "LEAD"}, {"organization": lifelong}],
        "modes": ["CREDIT_RECOGNITION", "MICRO_SPECIALTY"],
        "effectiveFrom": "2026-01-01",
        "effectiveTo": "2027-12-31",
        **more,
    }
    return _ok(await _call(walk.admin, "createAgreement", given))


async def _sign_both(walk: Walk, agreement: dict[str, Any]) -> dict[str, Any]:
    art = await _id(walk.admin, "organizations", ART)
    lifelong = await _id(walk.admin, "organizations", LIFELONG)
    xia = await _id(walk.admin, "people", "Xia Xuemin")
    chen = await _id(walk.admin, "people", "Chen Fangyi")
    one = await walk.step(
        walk.art, "signAgreement", agreement, party=art, signatory=xia, signedOn="2026-01-05"
    )
    assert one["status"] == "AWAITING_APPROVAL", "signed only when every party has"
    return await walk.step(
        walk.nju, "signAgreement", one, party=lifelong, signatory=chen, signedOn="2026-01-06"
    )


async def test_from_draft_to_renewal(walk: Walk, demo_engine: AsyncEngine) -> None:
    draft = await _draft(walk)
    assert draft["status"] == "DRAFT" and draft["version"] == 1
    assert len(draft["termsHash"]) == 64

    negotiating = await walk.step(walk.art, "openNegotiation", draft)
    awaiting = await walk.step(walk.nju, "submitForApproval", negotiating)
    signed = await _sign_both(walk, awaiting)
    assert signed["status"] == "SIGNED"
    assert signed["signedOn"] == "2026-01-06"
    hashes = {p["signedTermsHash"] for p in signed["parties"]["nodes"]}
    assert hashes == {signed["termsHash"]}, "each party signed the current terms"
    as_nju = {p["organization"]["name"]: p["signatory"] for p in signed["parties"]["nodes"]}
    assert as_nju == {ART: None, LIFELONG: {"name": "Chen Fangyi"}}, "people stay private"
    as_admin = await query(
        walk.admin,
        "query ($id: ID!) { node(id: $id) { ... on Agreement { parties { nodes { "
        "signatory { name } } } } } }",
        {"id": signed["id"]},
    )
    names = {p["signatory"]["name"] for p in as_admin["node"]["parties"]["nodes"]}
    assert names == {"Xia Xuemin", "Chen Fangyi"}

    changed = await walk.step(walk.art, "updateAgreement", signed, modes=["CREDIT_RECOGNITION"])
    assert changed["status"] == "UNDER_NEGOTIATION", "new terms need new signatures"
    assert changed["termsHash"] != signed["termsHash"]
    assert all(
        p["signedOn"] is None and p["signedTermsHash"] is None for p in changed["parties"]["nodes"]
    )

    again = await _sign_both(walk, await walk.step(walk.art, "submitForApproval", changed))
    active = await walk.step(walk.nju, "activateAgreement", again)
    assert active["status"] == "ACTIVE"

    successor = await walk.step(walk.art, "renewAgreement", active)
    assert successor["status"] == "DRAFT"
    assert (successor["effectiveFrom"], successor["effectiveTo"]) == ("2028-01-01", "2029-12-31")
    assert successor["predecessor"]["id"] == active["id"]
    assert successor["modes"] == ["CREDIT_RECOGNITION"]
    assert {p["organization"]["name"] for p in successor["parties"]["nodes"]} == {ART, LIFELONG}

    successor = await _sign_both(
        walk,
        await walk.step(
            walk.art, "submitForApproval", await walk.step(walk.art, "openNegotiation", successor)
        ),
    )
    in_force = await walk.step(walk.art, "activateAgreement", successor)
    assert in_force["predecessor"]["status"] == "SUPERSEDED"

    history = await query(
        walk.admin,
        "query ($id: ID!) { node(id: $id) { ... on Agreement { history(first: 100) { "
        "totalCount nodes { action actor changes } } } } }",
        {"id": active["id"]},
    )
    actions = [h["action"] for h in history["node"]["history"]["nodes"]]
    for expected in [
        "created",
        "openNegotiation",
        "submitForApproval",
        "signed",
        "returned to negotiation",
        "activate",
        "renewed",
        "superseded",
    ]:
        assert expected in actions, (expected, actions)


async def test_a_change_of_words_only_keeps_the_signatures(walk: Walk) -> None:
    draft = await _draft(walk)
    signed = await _sign_both(
        walk,
        await walk.step(
            walk.art, "submitForApproval", await walk.step(walk.art, "openNegotiation", draft)
        ),
    )
    retitled = await walk.step(
        walk.art, "updateAgreement", signed, title="Micro-specialty cooperation (2026)"
    )
    assert retitled["status"] == "SIGNED"
    assert retitled["termsHash"] == signed["termsHash"]


async def _in_state(engine: AsyncEngine, agreement_id: int, status: AgreementStatus) -> None:
    table = table_of(Agreement)
    async with engine.begin() as connection:
        await connection.execute(
            sa.update(table).where(table.c.id == agreement_id).values(status=status.value)
        )


PLAIN = [t for t in TRANSITIONS if t.action not in {"sign", "renew"}]
CASES = [(t.action, source) for t in PLAIN for source in sorted(t.sources)]
REFUSED = [
    (t.action, source)
    for t in PLAIN
    for source in [AgreementStatus.DRAFT, AgreementStatus.TERMINATED, AgreementStatus.SUPERSEDED]
    if source not in t.sources
]


def _mutation(action: str) -> str:
    return mutation_name(action)


def test_the_docs_print_the_transition_table_the_code_enforces() -> None:
    page = Path(__file__).resolve().parents[2] / "docs" / "writes.md"
    assert transitions_markdown() in page.read_text(encoding="utf-8")


async def _agreement_row_id(engine: AsyncEngine, title: str) -> int:
    table = table_of(Agreement)
    async with engine.connect() as connection:
        key = await connection.scalar(
            sa.select(table.c.id).where(table.c.title == title).order_by(table.c.id.desc())
        )
    assert key is not None
    return int(key)


@pytest.mark.parametrize(("action", "source"), CASES, ids=[f"{a}-from-{s.value}" for a, s in CASES])
async def test_every_allowed_transition(
    walk: Walk, demo_engine: AsyncEngine, action: str, source: AgreementStatus
) -> None:
    draft = await _draft(walk, title=f"transition {action} {source.value}")
    await _in_state(
        demo_engine,
        await _agreement_row_id(demo_engine, f"transition {action} {source.value}"),
        source,
    )
    target = {t.action: t.target for t in TRANSITIONS}[action]
    moved = await walk.step(walk.art, _mutation(action), draft)
    assert moved["status"] == target.value.upper()
    assert moved["version"] == draft["version"] + 1


@pytest.mark.parametrize(
    ("action", "source"), REFUSED, ids=[f"{a}-from-{s.value}" for a, s in REFUSED]
)
async def test_a_sample_of_refused_transitions(
    walk: Walk, demo_engine: AsyncEngine, action: str, source: AgreementStatus
) -> None:
    title = f"refused {action} {source.value}"
    draft = await _draft(walk, title=title)
    await _in_state(demo_engine, await _agreement_row_id(demo_engine, title), source)
    payload = await _call(
        walk.art, _mutation(action), {"id": draft["id"], "version": draft["version"]}
    )
    assert payload["agreement"] is None
    assert [e["code"] for e in payload["userErrors"]] == ["INVALID_TRANSITION"]


async def test_signing_and_renewal_are_refused_out_of_turn(walk: Walk) -> None:
    draft = await _draft(walk)
    art = await _id(walk.admin, "organizations", ART)
    xia = await _id(walk.admin, "people", "Xia Xuemin")
    early = await _call(
        walk.art, "signAgreement", {"id": draft["id"], "version": 1, "party": art, "signatory": xia}
    )
    assert [e["code"] for e in early["userErrors"]] == ["INVALID_TRANSITION"]
    renewal = await _call(walk.art, "renewAgreement", {"id": draft["id"], "version": 1})
    assert [e["code"] for e in renewal["userErrors"]] == ["INVALID_TRANSITION"]


async def _add_commitment(
    client: httpx.AsyncClient, agreement: dict[str, Any], version: int
) -> list[tuple[str, str]]:
    art = await _id(client, "organizations", ART)
    data = await query(
        client,
        "mutation ($input: AddCommitmentInput!) { addCommitment(input: $input) { "
        "commitment { id } userErrors { code field } } }",
        {
            "input": {
                "agreement": agreement["id"],
                "agreementVersion": version,
                "obligor": art,
                "description": "One more course",
            }
        },
    )
    return [(e["code"], e["field"]) for e in data["addCommitment"]["userErrors"]]


async def test_add_commitment_errors_name_its_own_input_fields(walk: Walk) -> None:
    """addCommitment's input calls the agreement `agreement` and its version
    `agreementVersion`; its userErrors name those, not the `id`/`version` of other mutations."""
    draft = await _draft(walk)
    stale = await _add_commitment(walk.art, draft, draft["version"] + 1)
    assert stale == [("STALE_VERSION", "agreementVersion")]
    active = await walk.step(
        walk.nju,
        "activateAgreement",
        await _sign_both(
            walk,
            await walk.step(
                walk.art, "submitForApproval", await walk.step(walk.art, "openNegotiation", draft)
            ),
        ),
    )
    frozen = await _add_commitment(walk.art, active, active["version"])
    assert frozen == [("INVALID_TRANSITION", "agreement")]


async def test_a_signatory_must_belong_to_the_signing_party(walk: Walk) -> None:
    """A person of the editor's university outside the signing school is refused; a person
    of the other school, whom the editor cannot see, reads as a missing one (it was
    BAD_USER_INPUT before, which told that the person exists)."""
    draft = await _draft(walk)
    awaiting = await walk.step(
        walk.art, "submitForApproval", await walk.step(walk.art, "openNegotiation", draft)
    )
    art = await _id(walk.admin, "organizations", ART)
    university = await _id(walk.admin, "organizations", "Jiangsu Open University")
    made = await query(
        walk.art,
        "mutation ($input: CreatePersonInput!) { createPerson(input: $input) { person { id } "
        "userErrors { code } } }",
        {"input": {"name": "Lu Wei", "position": {"organization": university, "title": "Clerk"}}},
    )
    clerk = made["createPerson"]["person"]["id"]
    chen = await _id(walk.admin, "people", "Chen Fangyi")  # of the other school
    codes = []
    for signatory in (clerk, chen):
        payload = await _call(
            walk.art,
            "signAgreement",
            {
                "id": awaiting["id"],
                "version": awaiting["version"],
                "party": art,
                "signatory": signatory,
            },
        )
        codes.append([(e["code"], e["field"]) for e in payload["userErrors"]])
    assert codes == [[("BAD_USER_INPUT", "signatory")], [("NOT_FOUND", "signatory")]]


async def test_a_party_signs_only_for_itself(walk: Walk) -> None:
    draft = await _draft(walk)
    awaiting = await walk.step(
        walk.art, "submitForApproval", await walk.step(walk.art, "openNegotiation", draft)
    )
    lifelong = await _id(walk.admin, "organizations", LIFELONG)
    chen = await _id(walk.admin, "people", "Chen Fangyi")
    payload = await _call(
        walk.art,
        "signAgreement",
        {
            "id": awaiting["id"],
            "version": awaiting["version"],
            "party": lifelong,
            "signatory": chen,
        },
    )
    assert [e["code"] for e in payload["userErrors"]] == ["FORBIDDEN"]


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        (
            {"effectiveFrom": "2027-01-01", "effectiveTo": "2026-01-01"},
            "BAD_USER_INPUT",
            "effectiveTo",
        ),
        ({"parties": "same twice"}, "BAD_USER_INPUT", "parties"),
        ({"parties": "none"}, "BAD_USER_INPUT", "parties"),
        ({"parties": "too many"}, "BAD_USER_INPUT", "parties"),
        ({"title": "  "}, "BAD_USER_INPUT", "title"),
        ({"renewalTermMonths": -1}, "BAD_USER_INPUT", "renewalTermMonths"),
        ({"renewalTermMonths": 2_000_000_000}, "BAD_USER_INPUT", "renewalTermMonths"),
    ],
)
async def test_agreement_validation(
    walk: Walk, demo_engine: AsyncEngine, change: dict[str, Any], code: str, field: str
) -> None:
    art = await _id(walk.admin, "organizations", ART)
    university = await _id(walk.admin, "organizations", "Jiangsu Open University")
    parties = {
        "same twice": [{"organization": art}, {"organization": art}],
        "none": [],
        "too many": [{"organization": art}] * 251,
    }
    given = {
        "title": "Invalid",
        "kind": "FRAMEWORK",
        "parties": [{"organization": art}, {"organization": university}],
        **change,
    }
    if isinstance(given["parties"], str):
        given["parties"] = parties[given["parties"]]
    count = await _count(demo_engine)
    payload = await _call(walk.art, "createAgreement", given)
    assert payload["agreement"] is None
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [(code, field)]
    assert await _count(demo_engine) == count


async def _count(engine: AsyncEngine) -> tuple[int, int, int]:
    async with engine.connect() as connection:
        counts = [
            await connection.scalar(sa.select(sa.func.count()).select_from(table_of(model)))
            for model in (Agreement, AgreementParty, HistoryEntry)
        ]
    return (int(counts[0] or 0), int(counts[1] or 0), int(counts[2] or 0))


async def test_a_failure_at_the_last_step_leaves_nothing_behind(
    walk: Walk, demo_engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """createAgreement writes the agreement, its parties, modes and history, then hashes the
    terms: make the hashing fail and nothing of the rest may remain."""
    from resolvers import agreement_writes

    async def broken(*_: Any) -> str:
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(agreement_writes, "refresh_terms_hash", broken)
    before = await _count(demo_engine)
    art = await _id(walk.admin, "organizations", ART)
    university = await _id(walk.admin, "organizations", "Jiangsu Open University")
    response = await walk.art.post(
        "/graphql",
        json={
            "query": "mutation ($input: CreateAgreementInput!) { "
            "createAgreement(input: $input) { agreement { id } } }",
            "variables": {
                "input": {
                    "title": "Doomed",
                    "kind": "FRAMEWORK",
                    "parties": [{"organization": art}, {"organization": university}],
                }
            },
        },
    )
    assert response.json()["errors"][0]["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert await _count(demo_engine) == before


async def test_a_stale_version_changes_nothing(walk: Walk, demo_engine: AsyncEngine) -> None:
    draft = await _draft(walk)
    await walk.step(walk.art, "updateAgreement", draft, title="First writer")
    before = await _count(demo_engine)
    stale = await _call(
        walk.nju,
        "updateAgreement",
        {"id": draft["id"], "version": draft["version"], "title": "Second writer"},
    )
    assert [(e["code"], e["field"]) for e in stale["userErrors"]] == [("STALE_VERSION", "version")]
    assert await _count(demo_engine) == before


async def test_racing_writers_on_postgresql_one_wins(
    walk: Walk, demo_engine: AsyncEngine, backend: str
) -> None:
    import asyncio

    if backend != "postgresql":
        pytest.skip("the race needs concurrent transactions; SQLite serialises its writers")
    draft = await _draft(walk)
    history_before = await _count(demo_engine)
    results = await asyncio.gather(
        *[
            _call(
                walk.art if i % 2 else walk.nju,
                "updateAgreement",
                {"id": draft["id"], "version": draft["version"], "title": f"writer {i}"},
            )
            for i in range(6)
        ]
    )
    won = [r for r in results if not r["userErrors"]]
    lost = [r for r in results if r["userErrors"]]
    assert len(won) == 1
    assert {e["code"] for r in lost for e in r["userErrors"]} == {"STALE_VERSION"}
    after = await _count(demo_engine)
    assert after[2] == history_before[2] + 1, "one history entry, the winner's"
