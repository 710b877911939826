"""Who may write what: every mutation x reference argument x target x role, generated from the
declarations of `resolvers/write_declarations.py`, on the demo data.

For each mutation, a base input that the editor of Jiangsu Open University may send (every
reference naming one of its own records); each case replaces one reference argument by one
target of its type: the editor's own record, one it sees but does not own, one it cannot see
(several of these are owned by the secretariat or seen by the viewer), or a missing ID. The
expected answer is derived, not written per case: the arguments are checked in their declared
order, and the first that fails decides: a missing or invisible record `NOT_FOUND` (with the
same message and field for both), a visible one the caller may not change `FORBIDDEN`, an
organization named where consent is needed `CONSENT_REQUIRED` (for roles that may propose),
and otherwise the write goes through (other codes, such as `INVALID_TRANSITION` or
`ALREADY_EXISTS`, come after every access check and count as such). Whether a role sees a
target is asked through the API (`node(id:)`); whether it may change it, from
`write_scope.may_change`.

Accepted writes are rolled back (`note_change`, the last step of every mutation's transaction,
raises), so every case starts from the same data. The editor and the secretariat run every
case; admin, viewer, reporter and anonymous callers one target per argument, in rotation.

Then an invariant, with hypothesis: after any accepted write by a caller who is not an admin,
the records it can see grow only by the records the write created, or, when a proposal was
accepted (by the caller or, as a step of its own, by the side the caller's proposal is
addressed to), by what the proposal's other side sees: it consented to the link.
"""

import asyncio
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.sql.elements import ColumnElement

from db import tables as t
from db.base import table_of, utcnow
from db.engine import create_engine
from db.enums import TokenRole
from resolvers import write_declarations, write_scope
from resolvers.errors import ApiError
from resolvers.ids import encode_id
from resolvers.nodes import NODE_TABLES
from resolvers.tokens import authenticate
from resolvers.viewer import Role, Viewer
from resolvers.visibility import visible
from resolvers.write_declarations import MUTATIONS, Needs, Ref
from schema import build_schema
from tests.conftest import Databases, api_client, make_token
from tests.graphql import post
from tests.resolvers.test_access_matrix import EDITOR, ROLES, SECRETARIAT, _token_for

pytestmark = pytest.mark.anyio

ACCESS = {"NOT_FOUND", "FORBIDDEN", "CONSENT_REQUIRED"}
OK = "accepted"
MISSING = "missing"
ADMIN_ONLY = {"createApiToken", "revokeApiToken"}
FULL_ROLES = {EDITOR, SECRETARIAT}

# Targets of each type, by label; the first is the JOU editor's own (the secretariat's for
# Alliance and Membership); every type also has a missing ID.
TARGETS: dict[str, list[str]] = {
    "Organization": ["JOU", "NJU"],
    "Person": ["Xia", "Chen"],
    "Position": ["Xia@Art", "Chen@LLE"],
    "Alliance": ["Jiangxi"],
    "Membership": ["JUFE chair"],
    "Agreement": ["social", "JUFE-UTS"],
    "Commitment": ["social commitment"],
    "Document": ["social document", "UTS document"],
    "Program": ["micro", "platform"],
    "ProgramPartner": ["Art in micro", "LLE in micro"],
    "Course": ["MS-101", "NJU course"],
    "Resource": ["credit bank", "national platform"],
    "ResourceShare": ["bank share"],
    "Funding": ["grant"],
    "Activity": ["meeting", "inauguration", "OUC exchange"],
    "ActivityParticipant": ["Art at meeting", "LLE at meeting", "OUC at exchange"],
    "Evaluation": ["evaluation"],
    "Learner": ["own learner", "illustrative learner"],
    "CreditAccount": ["JOU account"],
    "Enrolment": ["own enrolment", "illustrative enrolment"],
    "LearningOutcome": ["outcome", "own outcome"],
    "RecognitionRule": ["rule to JOU", "rule to LLE"],
    "CreditRecognition": ["own recognition", "recognition"],
    "Proposal": ["to JOU", "from JOU", "to Jiangxi", "hidden"],
}
MISSING_KEY = 987_654


@dataclass(frozen=True)
class R:
    """A reference in a base input: a target of a type, by label."""

    type_name: str
    label: str


@dataclass(frozen=True)
class Linked(R):
    """A reference already linked (an agreement's current party): sent again, not checked."""


def _org(label: str = "JOU") -> R:
    return R("Organization", label)


SOCIAL, MICRO = R("Agreement", "social"), R("Program", "micro")

CREATE: dict[str, dict[str, Any]] = {
    "Organization": {
        "kind": "UNIVERSITY",
        "name": "Matrix unit",
        "country": "CN",
        "parent": _org(),
    },
    "Person": {"name": "Matrix person", "position": {"organization": _org(), "title": "Clerk"}},
    "Position": {"person": R("Person", "Xia"), "organization": _org(), "title": "Adviser"},
    "Alliance": {"name": "Matrix alliance", "scope": "PROVINCIAL", "secretariat": _org()},
    "Document": {"agreement": SOCIAL, "title": "Matrix document"},
    "Program": {
        "name": "Matrix program",
        "kind": "MICRO_COURSE",
        "agreement": SOCIAL,
        "partner": {"organization": _org()},
    },
    "ProgramPartner": {"program": MICRO, "organization": _org()},
    "Course": {"title": "Matrix course", "organization": _org(), "program": MICRO},
    "Resource": {"kind": "PLATFORM", "name": "Matrix resource", "owner": _org()},
    "ResourceShare": {
        "resource": R("Resource", "credit bank"),
        "organization": _org(),
        "agreement": SOCIAL,
    },
    "Funding": {
        "funder": _org(),
        "recipient": _org(),
        "agreement": SOCIAL,
        "program": MICRO,
        "amount": "10.00",
        "currency": "CNY",
    },
    "Activity": {
        "kind": "MEETING",
        "title": "Matrix meeting",
        "alliance": None,
        "participant": {"organization": _org()},
    },
    "ActivityParticipant": {
        "activity": R("Activity", "meeting"),
        "organization": _org(),
        "person": R("Person", "Xia"),
    },
    "Evaluation": {"agreement": SOCIAL, "program": MICRO, "evaluator": _org()},
    "Learner": {"name": "Matrix learner", "homeOrganization": _org()},
    "CreditAccount": {"learner": R("Learner", "own learner"), "bank": _org()},
    "Enrolment": {"learner": R("Learner", "own learner"), "program": MICRO},
    "LearningOutcome": {
        "account": R("CreditAccount", "JOU account"),
        "provider": _org(),
        "program": MICRO,
        "course": R("Course", "MS-101"),
        "title": "Matrix outcome",
        "credits": "1.0",
        "earnedOn": "2026-06-30",
    },
    "RecognitionRule": {
        "agreement": SOCIAL,
        "fromOrganization": _org(),
        "fromProgram": MICRO,
        "toOrganization": _org(),
        "toProgram": MICRO,
    },
    "CreditRecognition": {
        "outcome": R("LearningOutcome", "outcome"),
        "rule": R("RecognitionRule", "rule to JOU"),
        "credits": "1.0",
        "recognisedOn": "2026-07-15",
    },
}
ART, LLE = _org("Art"), _org("LLE")
LINKED = [
    {"organization": Linked("Organization", "Art")},
    {"organization": Linked("Organization", "LLE")},
]
OTHER: dict[str, dict[str, Any]] = {
    "createAgreement": {
        "title": "Matrix agreement",
        "kind": "FRAMEWORK",
        "parties": [{"organization": ART}],
        "parent": None,
    },
    "updateAgreement": {"parties": LINKED},
    "signAgreement": {"party": ART, "signatory": R("Person", "Xia"), "signedOn": "2026-01-05"},
    "addCommitment": {
        "agreement": SOCIAL,
        "obligor": ART,
        "beneficiary": LLE,
        "description": "Matrix commitment",
    },
    "addMember": {"alliance": R("Alliance", "Jiangxi"), "organization": _org()},
    "changeMemberRole": {"role": "MEMBER", "on": "2026-03-01"},
    "recordMemberLeaving": {"leftOn": "2026-06-30"},
    "proposeAgreementParty": {"agreement": SOCIAL, "organization": _org("NJU")},
    "proposeMembership": {"alliance": R("Alliance", "Jiangxi"), "organization": _org()},
    "proposeProgramPartner": {"program": MICRO, "organization": _org("NJU")},
    "proposeActivityParticipant": {
        "activity": R("Activity", "meeting"),
        "organization": _org("NJU"),
        "person": R("Person", "Xia"),
    },
}
NO_ID = {"createAgreement", "addCommitment", "addMember", *(m for m in OTHER if "propose" in m)}


@dataclass
class Known:
    """The keys and versions of the targets, and each type's global IDs."""

    keys: dict[tuple[str, str], int]
    versions: dict[tuple[str, int], int]

    def gid(self, type_name: str, label: str) -> str:
        key = MISSING_KEY if label == MISSING else self.keys[(type_name, label)]
        return encode_id(type_name, key)

    def version(self, type_name: str, label: str) -> int:
        if label == MISSING:
            return 1
        return self.versions.get((type_name, self.keys[(type_name, label)]), 1)


async def _scalar(connection: AsyncConnection, statement: Any) -> int:
    value = await connection.scalar(statement)
    assert value is not None, str(statement)
    return int(value)


async def _insert(connection: AsyncConnection, model: Any, **values: Any) -> int:
    table = table_of(model)
    if "version" in table.c:
        now = utcnow()
        values = {"created_at": now, "updated_at": now, "version": 1, **values}
    result = await connection.execute(sa.insert(table).values(values).returning(table.c.id))
    return int(result.scalar_one())


async def prepare(engine: AsyncEngine) -> Known:
    """Adds the rows the demo lacks for a target class, and finds every target."""
    T = {name: table_of(getattr(t, name)) for name in write_declarations.TABLES}
    org = T["Organization"]
    async with engine.begin() as c:

        async def o(name: str) -> int:
            return await _scalar(c, sa.select(org.c.id).where(org.c.name == name))

        async def one(type_name: str, *where: Any) -> int:
            table = T[type_name]
            return await _scalar(
                c, sa.select(table.c.id).where(*where).order_by(table.c.id).limit(1)
            )

        orgs = {
            "JOU": await o("Jiangsu Open University"),
            "NJU": await o("Nanjing University"),
            "Art": await o("School of Art"),
            "LLE": await o("School of Lifelong Education"),
            "OUC": await o("Open University of China"),
        }
        person, agreement = T["Person"], T["Agreement"]
        xia = await one("Person", person.c.name == "Xia Xuemin")
        chen = await one("Person", person.c.name == "Chen Fangyi")
        social = await one("Agreement", agreement.c.title.contains("social education"))
        uts = await one("Agreement", agreement.c.title.contains("Sydney"))
        program = T["Program"]
        micro = await one("Program", program.c.name.contains("Micro-specialties"))
        platform = await one("Program", program.c.name.contains("platform"))
        activity = T["Activity"]
        meeting = await one("Activity", activity.c.kind == "meeting")
        exchange = await one("Activity", activity.c.kind == "exchange_visit")
        account = await one("CreditAccount", sa.true())
        outcome = await one("LearningOutcome", sa.true())
        own_learner = await _insert(
            c, t.Learner, name="Own learner", home_organization_id=orgs["Art"]
        )
        rule_to_jou = await _insert(
            c,
            t.RecognitionRule,
            from_organization_id=orgs["LLE"],
            to_organization_id=orgs["JOU"],
            ratio=1,
        )
        own_outcome = await _insert(
            c,
            t.LearningOutcome,
            account_id=account,
            provider_id=orgs["JOU"],
            title="Own outcome",
            credits=1,
            earned_on=utcnow().date(),
        )
        participant = T["ActivityParticipant"]
        partner = T["ProgramPartner"]
        keys: dict[tuple[str, str], int] = {
            ("Organization", "JOU"): orgs["JOU"],
            ("Organization", "NJU"): orgs["NJU"],
            ("Organization", "Art"): orgs["Art"],
            ("Organization", "LLE"): orgs["LLE"],
            ("Person", "Xia"): xia,
            ("Person", "Chen"): chen,
            ("Position", "Xia@Art"): await one("Position", T["Position"].c.person_id == xia),
            ("Position", "Chen@LLE"): await one("Position", T["Position"].c.person_id == chen),
            ("Alliance", "Jiangxi"): await one("Alliance", sa.true()),
            ("Membership", "JUFE chair"): await one(
                "Membership", T["Membership"].c.role == "chair"
            ),
            ("Agreement", "social"): social,
            ("Agreement", "JUFE-UTS"): uts,
            ("Commitment", "social commitment"): await one(
                "Commitment", T["Commitment"].c.agreement_id == social
            ),
            ("Document", "social document"): await _insert(
                c, t.Document, agreement_id=social, title="Social terms"
            ),
            ("Document", "UTS document"): await _insert(
                c, t.Document, agreement_id=uts, title="UTS terms"
            ),
            ("Program", "micro"): micro,
            ("Program", "platform"): platform,
            ("ProgramPartner", "Art in micro"): await one(
                "ProgramPartner",
                partner.c.program_id == micro,
                partner.c.organization_id == orgs["Art"],
            ),
            ("ProgramPartner", "LLE in micro"): await one(
                "ProgramPartner",
                partner.c.program_id == micro,
                partner.c.organization_id == orgs["LLE"],
            ),
            ("Course", "MS-101"): await one("Course", T["Course"].c.code == "MS-101"),
            ("Course", "NJU course"): await _insert(
                c, t.Course, organization_id=orgs["NJU"], title="NJU course"
            ),
            ("Resource", "credit bank"): await one(
                "Resource", T["Resource"].c.owner_id == orgs["JOU"]
            ),
            ("Resource", "national platform"): await one(
                "Resource", T["Resource"].c.owner_id != orgs["JOU"]
            ),
            ("ResourceShare", "bank share"): await one("ResourceShare", sa.true()),
            ("Funding", "grant"): await one("Funding", sa.true()),
            ("Activity", "meeting"): meeting,
            ("Activity", "inauguration"): await one("Activity", activity.c.kind == "inauguration"),
            ("Activity", "OUC exchange"): exchange,
            ("ActivityParticipant", "Art at meeting"): await one(
                "ActivityParticipant",
                participant.c.activity_id == meeting,
                participant.c.organization_id == orgs["Art"],
            ),
            ("ActivityParticipant", "LLE at meeting"): await one(
                "ActivityParticipant",
                participant.c.activity_id == meeting,
                participant.c.organization_id == orgs["LLE"],
            ),
            ("ActivityParticipant", "OUC at exchange"): await one(
                "ActivityParticipant",
                participant.c.activity_id == exchange,
                participant.c.organization_id == orgs["OUC"],
            ),
            ("Evaluation", "evaluation"): await one("Evaluation", sa.true()),
            ("Learner", "own learner"): own_learner,
            ("Learner", "illustrative learner"): await one(
                "Learner", T["Learner"].c.id != own_learner
            ),
            ("CreditAccount", "JOU account"): account,
            ("Enrolment", "own enrolment"): await _insert(
                c, t.Enrolment, learner_id=own_learner, program_id=platform, status="enrolled"
            ),
            ("Enrolment", "illustrative enrolment"): await one("Enrolment", sa.true()),
            ("LearningOutcome", "outcome"): outcome,
            ("LearningOutcome", "own outcome"): own_outcome,
            ("RecognitionRule", "rule to JOU"): rule_to_jou,
            ("RecognitionRule", "rule to LLE"): await one(
                "RecognitionRule", T["RecognitionRule"].c.id != rule_to_jou
            ),
            ("CreditRecognition", "recognition"): await one("CreditRecognition", sa.true()),
            ("CreditRecognition", "own recognition"): await _insert(
                c,
                t.CreditRecognition,
                outcome_id=own_outcome,
                rule_id=rule_to_jou,
                credits=1,
                recognised_on=utcnow().date(),
            ),
        }
        keys.update(await _proposals(c, orgs, keys))
        versions: dict[tuple[str, int], int] = {}
        for (type_name, _), key in keys.items():
            table = T[type_name]
            if "version" in table.c:
                versions[(type_name, key)] = await _scalar(
                    c, sa.select(table.c.version).where(table.c.id == key)
                )
    return Known(keys, versions)


async def _proposals(
    c: AsyncConnection, orgs: dict[str, int], keys: dict[tuple[str, str], int]
) -> dict[tuple[str, str], int]:
    """Pending proposals: an invitation of the alliance to JOU (JOU answers, the secretariat
    withdraws), JOU's proposal of NJU as a partner of its program, NJU's request to join the
    alliance (the secretariat answers), and the demo's, which neither sees."""
    alliance, micro = keys[("Alliance", "Jiangxi")], keys[("Program", "micro")]
    pending = {
        "status": "pending",
        "proposed_by": "token:matrix",
        "expires_on": utcnow().date() + timedelta(days=30),
    }
    membership = {**pending, "kind": "membership", "alliance_id": alliance, "role": "member"}
    proposal = table_of(t.Proposal)
    return {
        ("Proposal", "to JOU"): await _insert(
            c,
            t.Proposal,
            **membership,
            subject_name="Jiangxi",
            organization_id=orgs["JOU"],
            proposer_alliance_id=alliance,
            addressed_organization_id=orgs["JOU"],
        ),
        ("Proposal", "from JOU"): await _insert(
            c,
            t.Proposal,
            **pending,
            kind="program_partner",
            program_id=micro,
            subject_name="Micro-specialties",
            organization_id=orgs["NJU"],
            role="partner",
            proposer_organization_id=orgs["Art"],
            addressed_organization_id=orgs["NJU"],
        ),
        ("Proposal", "to Jiangxi"): await _insert(
            c,
            t.Proposal,
            **membership,
            subject_name="Jiangxi",
            organization_id=orgs["NJU"],
            proposer_organization_id=orgs["NJU"],
            addressed_alliance_id=alliance,
        ),
        ("Proposal", "hidden"): await _scalar(
            c, sa.select(proposal.c.id).where(proposal.c.proposed_by != "token:matrix").limit(1)
        ),
    }


# Cases ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    mutation: str
    argument: int
    """The index of the varied argument in `MUTATIONS[mutation]`."""
    target: str

    @property
    def ref(self) -> Ref:
        return MUTATIONS[self.mutation][self.argument]

    def __str__(self) -> str:
        return f"{self.mutation}.{self.ref.field}={self.ref.type_name}:{self.target}"


def _targets(type_name: str) -> list[str]:
    return [*TARGETS[type_name], MISSING]


def all_cases() -> list[Case]:
    return [
        Case(mutation, index, target)
        for mutation, refs in MUTATIONS.items()
        for index, ref in enumerate(refs)
        for target in _targets(ref.type_name)
    ]


def cases_for(role: str) -> list[Case]:
    """Every case for the editor and the secretariat; one target per argument, in rotation,
    for the other roles."""
    if role in FULL_ROLES:
        return all_cases()
    found = []
    for number, (mutation, refs) in enumerate(MUTATIONS.items()):
        for index, ref in enumerate(refs):
            targets = _targets(ref.type_name)
            found.append(
                Case(mutation, index, targets[(number + index + ROLES.index(role)) % len(targets)])
            )
    return found


def _own(type_name: str) -> R:
    return R(type_name, TARGETS[type_name][0])


def _base(mutation: str) -> dict[str, Any]:
    """The input the editor of JOU may send, before one argument is varied."""
    for prefix in ("create", "update", "delete"):
        name = mutation.removeprefix(prefix)
        if name in CREATE and mutation == prefix + name:
            if prefix == "create":
                return dict(_copy(CREATE[name]))
            return {"id": _own(name)}
    given = {"id": _own(MUTATIONS[mutation][0].type_name), **_copy(OTHER.get(mutation, {}))}
    if mutation in NO_ID:
        del given["id"]
    return given


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def case_input(case: Case) -> dict[str, Any]:
    """The base input with the case's argument set to its target (as an `R`)."""
    given = _base(case.mutation)
    ref, target = case.ref, R(case.ref.type_name, case.target)
    if (
        case.mutation.startswith("update")
        and ref.field != "id"
        and case.mutation != "updateAgreement"
    ):
        given = {"id": _own(case.mutation.removeprefix("update"))}
    head, _, rest = ref.field.partition(".")
    if ref.field == "parties.organization":
        given["parties"] = [*given.get("parties", []), {"organization": target}]
    elif rest:
        given[head][rest] = target
    else:
        given[head] = target
    if case.mutation == "updateAgreement" and ref.field == "id":
        del given["parties"]
    return given


def _needs_version(mutation: str) -> str | None:
    """The input field carrying the version of the row the mutation changes, if any."""
    if mutation == "addCommitment":
        return "agreementVersion"
    if mutation.startswith(("create", "propose")) or mutation == "addMember":
        return None
    return "version"


def resolve(value: Any, known: Known) -> Any:
    if isinstance(value, R):
        return known.gid(value.type_name, value.label)
    if isinstance(value, dict):
        return {k: resolve(v, known) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [resolve(v, known) for v in value]
    return value


def request(case: Case, known: Known) -> dict[str, Any]:
    given = case_input(case)
    field = _needs_version(case.mutation)
    if field is not None:
        subject = given["agreement"] if field == "agreementVersion" else given["id"]
        if "version" in NODE_TABLES[subject.type_name].c:
            given[field] = known.version(subject.type_name, subject.label)
    return dict(resolve(given, known))


def _present(case: Case) -> list[tuple[Ref, R]]:
    """The reference arguments the case's input gives, in their declared order."""
    given = case_input(case)
    found = []
    for ref in MUTATIONS[case.mutation]:
        head, _, rest = ref.field.partition(".")
        value = given.get(head)
        values = value if isinstance(value, list) else [value]
        for item in values:
            inner = item.get(rest) if rest and isinstance(item, dict) else (None if rest else item)
            if isinstance(inner, R) and not isinstance(inner, Linked):
                found.append((ref, inner))
    return found


# The oracle -------------------------------------------------------------------------------


class Oracle:
    """What the declarations say a role gets for a case."""

    def __init__(
        self, engine: AsyncEngine, viewer: Viewer, client: httpx.AsyncClient, known: Known
    ):
        self.engine, self.viewer, self.client, self.known = engine, viewer, client, known
        self.seen: dict[str, bool] = {}

    async def sees(self, type_name: str, label: str) -> bool:
        if label == MISSING:
            return False
        gid = self.known.gid(type_name, label)
        if gid not in self.seen:
            body = await post(self.client, "query ($id: ID!) { node(id: $id) { id } }", {"id": gid})
            self.seen[gid] = body["data"]["node"] is not None
        return self.seen[gid]

    async def _row(self, c: AsyncConnection, type_name: str, key: int) -> Any:
        table = NODE_TABLES[type_name]
        return (await c.execute(sa.select(table).where(table.c.id == key))).mappings().one()

    async def one(self, ref: Ref, target: R) -> str:
        if not await self.sees(target.type_name, target.label):
            return "NOT_FOUND"
        if ref.needs in (Needs.SEES, Needs.EITHER) or self.viewer.is_admin:
            return OK
        async with self.engine.connect() as c:
            type_name, row = (
                ref.type_name,
                await self._row(
                    c, ref.type_name, self.known.keys[(target.type_name, target.label)]
                ),
            )
            if ref.of is not None:
                column, type_name = ref.of
                row = await self._row(c, type_name, row[column])
            every, answers = ref.needs is Needs.EVERY, ref.needs is Needs.ANSWERS
            changes = await write_scope.may_change(
                c, self.viewer, type_name, row, every=every, answers=answers
            )
        if changes:
            return OK
        if ref.needs is Needs.CONSENT and self.viewer.role in write_scope.PROPOSERS:
            return "CONSENT_REQUIRED"
        return "FORBIDDEN"

    async def expect(self, case: Case) -> tuple[str, str | None]:
        present = _present(case)
        either = [(ref, target) for ref, target in present if ref.needs is Needs.EITHER]
        for ref, target in present:
            outcome = await self.one(ref, target)
            if outcome != OK:
                return outcome, ref.field
            if either and (ref, target) == either[-1] and not await self.either(either):
                return "FORBIDDEN", ref.field
        return await self.after(case)

    async def either(self, given: list[tuple[Ref, R]]) -> bool:
        """Whether the caller may change one of the records of an `EITHER` group."""
        if self.viewer.is_admin:
            return True
        async with self.engine.connect() as c:
            for ref, target in given:
                key = self.known.keys[(target.type_name, target.label)]
                row = await self._row(c, ref.type_name, key)
                if await write_scope.may_change(c, self.viewer, ref.type_name, row):
                    return True
        return False

    async def after(self, case: Case) -> tuple[str, str | None]:
        """A generic create or update must leave a row its caller may still change."""
        found = re.fullmatch(r"(create|update)(.*)", case.mutation)
        if found is None or self.viewer.is_admin or found.group(2) not in CREATE:
            return OK, None
        verb, name = found.groups()
        record = write_declarations.RECORDS[name]
        given = case_input(case)
        async with self.engine.connect() as c:
            row: dict[str, Any] = {}
            if verb == "update":
                current = given["id"]
                row = dict(await self._row(c, name, self.known.keys[(name, current.label)]))
            for ref in record.references:
                value = given.get(ref.field)
                if isinstance(value, R) and ref.column is not None:
                    row[ref.column] = self.known.keys[(value.type_name, value.label)]
            owners = await write_scope.owners_of(c, name, row)
        first = record.first_owner
        if verb == "create" and first is not None and isinstance(given.get(first.field), dict):
            owner = given[first.field]["organization"]
            key = self.known.keys[(owner.type_name, owner.label)]
            owners = owners | write_scope.Owners(frozenset({key}))
        if owners.admit(self.viewer):
            return OK, None
        return "FORBIDDEN", first.field if first is not None else None


class RolledBack(ApiError):
    code = "ROLLED_BACK"


@pytest.fixture
def rolled_back(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every mutation that gets through its checks is rolled back at its last step."""

    async def refuse(_: AsyncConnection) -> None:
        raise RolledBack("every check passed; rolled back by the test")

    monkeypatch.setattr("resolvers.transactions.note_change", refuse)


_INPUT_TYPES: dict[str, str] = {
    name: str(field.args["input"].type) if "input" in field.args else ""
    for name, field in build_schema()._schema.mutation_type.fields.items()  # type: ignore[union-attr]
}


async def send(
    client: httpx.AsyncClient, mutation: str, given: dict[str, Any]
) -> tuple[str, str | None, str]:
    """The outcome of a mutation: `OK` or an access code, with the field and message."""
    body = await post(
        client,
        f"mutation ($input: {_INPUT_TYPES[mutation]}) {{ {mutation}(input: $input) "
        "{ userErrors { message code field } } }",
        {"input": given},
    )
    if "errors" in body:
        return "INVALID_INPUT", None, str(body["errors"])
    errors = body["data"][mutation]["userErrors"]
    if not errors or errors[0]["code"] not in ACCESS:
        return OK, None, ""
    error = errors[0]
    field = re.sub(r"\.\d+", "", error["field"]) if error["field"] else None
    return error["code"], field, re.sub(r"\.\d+", ".N", error["message"])


def test_every_mutation_is_declared() -> None:
    assert set(_INPUT_TYPES) == set(MUTATIONS) | ADMIN_ONLY
    for refs in MUTATIONS.values():
        for ref in refs:
            assert ref.type_name in TARGETS, ref


async def _viewer_of(engine: AsyncEngine, token: str | None) -> Viewer:
    return Viewer.anonymous() if token is None else await authenticate(engine, token)


@pytest.mark.parametrize("role", ROLES)
async def test_each_role_writes_exactly_what_the_declarations_allow(
    role: str, demo_engine: AsyncEngine, databases: Databases, rolled_back: None
) -> None:
    known = await prepare(demo_engine)
    token = await _token_for(role, demo_engine, databases)
    viewer = await _viewer_of(demo_engine, token)
    wrong: list[str] = []
    not_found: dict[tuple[str, str | None], set[str]] = {}
    """The messages of `NOT_FOUND`, by mutation and the field that answered it."""
    cases = cases_for(role)
    async with api_client(demo_engine, token) as client:
        oracle = Oracle(demo_engine, viewer, client, known)
        for case in cases:
            expected, at = await oracle.expect(case)
            code, field, message = await send(client, case.mutation, request(case, known))
            if (code, field) != (expected, at if expected != OK else None):
                wrong.append(f"{role} {case}: expected {expected} at {at}, got {code} at {field}")
            if code == "NOT_FOUND":
                not_found.setdefault((case.mutation, field), set()).add(message)
    assert not wrong, f"{len(wrong)} of {len(cases)} cases:\n" + "\n".join(wrong)
    differing = {k: v for k, v in not_found.items() if len(v) > 1}
    assert not differing, f"an invisible record answers unlike a missing one: {differing}"


# The invariant ----------------------------------------------------------------------------


async def visible_keys(engine: AsyncEngine, viewer: Viewer) -> set[tuple[str, int]]:
    """Every record `viewer` can see, through the read rule."""
    found: set[tuple[str, int]] = set()
    async with engine.connect() as c:
        for type_name, table in NODE_TABLES.items():
            keys = await c.scalars(sa.select(table.c.id).where(visible(viewer, table)))
            found.update((type_name, int(k)) for k in keys)
    return found


async def all_keys(engine: AsyncEngine) -> set[tuple[str, int]]:
    return await visible_keys(engine, Viewer(role=Role.ADMIN))


@dataclass(frozen=True)
class OtherSideAccepts:
    """A step of the walk: the side that the caller's newest pending proposal is addressed
    to accepts it (nothing happens when there is none)."""

    def __str__(self) -> str:
        return "the other side accepts"


Step = Case | OtherSideAccepts
PROPOSALS = table_of(t.Proposal)
ORGANIZATIONS = table_of(t.Organization)
ALLIANCES = table_of(t.Alliance)
Side = tuple[str, int]
"""("organization" or "alliance", its key)."""


def _sides(row: Any, ends: tuple[str, ...] = ("proposer", "addressed")) -> list[Side]:
    return [
        (kind, int(row[f"{end}_{kind}_id"]))
        for end in ends
        for kind in ("organization", "alliance")
        if row[f"{end}_{kind}_id"] is not None
    ]


def _is_caller(viewer: Viewer, side: Side) -> bool:
    kind, key = side
    return key in viewer.scope if kind == "organization" else key == viewer.alliance_id


class Sides:
    """The callers a proposal's sides act through: an editor of the organization, or the
    alliance's secretariat (tokens made on first use)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.tokens: dict[Side, str] = {}

    async def token(self, side: Side) -> str:
        if side not in self.tokens:
            kind, key = side
            table = ORGANIZATIONS if kind == "organization" else ALLIANCES
            async with self.engine.connect() as c:
                name = await c.scalar(sa.select(table.c.name).where(table.c.id == key))
            role = TokenRole.EDITOR if kind == "organization" else TokenRole.SECRETARIAT
            self.tokens[side] = await make_token(self.engine, role, **{kind: name})
        return self.tokens[side]

    async def sees(self, side: Side) -> set[tuple[str, int]]:
        return await visible_keys(
            self.engine, await authenticate(self.engine, await self.token(side))
        )


async def _accepted(engine: AsyncEngine) -> dict[int, Any]:
    async with engine.connect() as c:
        rows = await c.execute(sa.select(PROPOSALS).where(PROPOSALS.c.status == "accepted"))
        return {int(row["id"]): row for row in rows.mappings()}


async def _other_side_accepts(engine: AsyncEngine, viewer: Viewer, sides: Sides) -> None:
    p = PROPOSALS.c
    proposer: list[ColumnElement[bool]] = (
        [p.proposer_organization_id.in_(sorted(viewer.scope))] if viewer.scope else []
    )
    if viewer.alliance_id is not None:
        proposer.append(p.proposer_alliance_id == viewer.alliance_id)
    async with engine.connect() as c:
        result = await c.execute(
            sa.select(PROPOSALS)
            .where(
                sa.or_(sa.false(), *proposer),
                p.status == "pending",
                p.expires_on >= utcnow().date(),
            )
            .order_by(p.id.desc())
            .limit(1)
        )
        row = result.mappings().first()
    if row is None:
        return
    addressed = [side for side in _sides(row, ("addressed",)) if not _is_caller(viewer, side)]
    if not addressed:
        return
    async with api_client(engine, await sides.token(addressed[-1])) as other:
        await send(
            other,
            "acceptProposal",
            {"id": encode_id("Proposal", row["id"]), "version": row["version"]},
        )


async def _walk(databases: Databases, role: str, steps: list[Step]) -> list[str]:
    """Runs the steps as `role`; after each, what the caller sees may have grown only by rows
    the step created and, for a proposal accepted in it, by what its other side sees."""
    engine = create_engine(await databases.demo())
    broken: list[str] = []
    try:
        known = await prepare(engine)
        token = await _token_for(role, engine, databases)
        viewer = await _viewer_of(engine, token)
        sides = Sides(engine)
        async with api_client(engine, token) as client:
            for step in steps:
                before, existing = await visible_keys(engine, viewer), await all_keys(engine)
                accepted = await _accepted(engine)
                if isinstance(step, Case):
                    await send(client, step.mutation, request(step, known))
                else:
                    await _other_side_accepts(engine, viewer, sides)
                after, now = await visible_keys(engine, viewer), await all_keys(engine)
                grown = after - before - (now - existing)
                for key, row in (await _accepted(engine)).items():
                    if key not in accepted and grown:
                        for side in _sides(row):
                            if not _is_caller(viewer, side):
                                grown -= await sides.sees(side)
                if grown:
                    broken.append(f"{role} {step}: now sees {sorted(grown)}")
    finally:
        await engine.dispose()
    return broken


PROPOSAL_CASES = [c for c in all_cases() if "Proposal" in c.mutation or "propose" in c.mutation]


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    role=st.sampled_from(sorted(FULL_ROLES)),
    steps=st.lists(
        st.one_of(
            st.sampled_from(all_cases()),
            st.sampled_from(PROPOSAL_CASES),
            st.just(OtherSideAccepts()),
        ),
        min_size=1,
        max_size=6,
    ),
)
@example(role=SECRETARIAT, steps=[Case("proposeMembership", 1, "Art"), OtherSideAccepts()])
@example(role=EDITOR, steps=[Case("acceptProposal", 0, "to JOU")])
@example(role=EDITOR, steps=[Case("proposeAgreementParty", 1, "NJU"), OtherSideAccepts()])
def test_what_a_caller_sees_grows_only_by_what_it_created_or_another_side_accepted(
    databases: Databases, role: str, steps: list[Step]
) -> None:
    assert asyncio.run(_walk(databases, role, steps)) == []
