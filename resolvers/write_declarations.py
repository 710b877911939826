"""The declarations of the write rule: for every type, who owns a row (`RECORDS`), and for every
mutation, its reference arguments and what the caller must hold on each, in the order they are
checked (`MUTATIONS`). `resolvers.write_scope` applies them (its docstring states the rule);
`tests/resolvers/test_write_matrix.py` derives the expected answer of every mutation x argument
x target x role from them.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import sqlalchemy as sa

from db import tables as t
from db.base import table_of

__all__ = [
    "MUTATIONS",
    "RECORDS",
    "TABLES",
    "Children",
    "FirstOwner",
    "Needs",
    "Record",
    "Ref",
]


class Needs(StrEnum):
    CHANGES = "changes"
    CONSENT = "consent"
    SEES = "sees"
    EVERY = "every"
    """`CHANGES` for every organization that owns the record: deleting a person, program,
    activity or agreement also removes the links of every organization it is owned through."""
    ANSWERS = "answers"
    """The caller answers for the side the record (a proposal) is addressed to."""
    EITHER = "either"
    """`CHANGES` on this record or on the mutation's other `EITHER` argument."""


@dataclass(frozen=True, slots=True)
class Ref:
    """A reference argument of a mutation: its input field, the type it names, what the caller
    must hold on that record, and (for a table column) the column. `of` moves the requirement
    to the record a column of the target names (a membership's alliance)."""

    field: str
    type_name: str
    needs: Needs
    column: str | None = None
    proposal: str | None = None
    of: tuple[str, str] | None = None


@dataclass(frozen=True, slots=True)
class Children:
    """Owners found in the rows of `table` that refer to the record by `key`."""

    table: sa.Table
    key: str
    organization: str


@dataclass(frozen=True, slots=True)
class FirstOwner:
    """The row that makes a new record owned, created in the same write: a `type_name` row
    whose `via` column names the new record, given as the input field `field`."""

    type_name: str
    via: str
    field: str


@dataclass(frozen=True)
class Record:
    type_name: str
    organizations: tuple[str, ...] = ()
    """Columns naming an owning organization."""
    children: Children | None = None
    through: tuple[str, ...] = ()
    """Reference columns whose record's owners own this row too."""
    alliance: str | None = None
    """A column naming the alliance whose secretariat may change the row."""
    references: tuple[Ref, ...] = ()
    first_owner: FirstOwner | None = None
    proposal: str | None = None
    """The proposal that makes a row of this kind for another organization."""
    addressed: tuple[str, str] | None = None
    """The organization and alliance columns of the side a row is addressed to, which answers
    it (`Needs.ANSWERS`)."""

    def reference(self, column: str) -> Ref:
        return next(r for r in self.references if r.column == column)


def _ref(column: str, type_name: str, needs: Needs, proposal: str | None = None) -> Ref:
    head, *rest = column.removesuffix("_id").split("_")
    name = head + "".join(part.title() for part in rest)
    return Ref(name, type_name, needs, column=column, proposal=proposal)


C, K, S = Needs.CHANGES, Needs.CONSENT, Needs.SEES
ORG = "Organization"
_PARTY = table_of(t.AgreementParty)

RECORDS: dict[str, Record] = {
    r.type_name: r
    for r in (
        Record(ORG, organizations=("id", "parent_id"), references=(_ref("parent_id", ORG, C),)),
        Record(
            "Person",
            children=Children(table_of(t.Position), "person_id", "organization_id"),
            first_owner=FirstOwner("Position", "person_id", "position"),
        ),
        Record(
            "Position",
            organizations=("organization_id",),
            references=(_ref("person_id", "Person", C), _ref("organization_id", ORG, C)),
        ),
        Record("Alliance", alliance="id", references=(_ref("secretariat_id", ORG, C),)),
        Record(
            "Membership",
            organizations=("organization_id",),
            alliance="alliance_id",
            proposal="proposeMembership",
        ),
        Record("Agreement", children=Children(_PARTY, "agreement_id", "organization_id")),
        Record(
            "AgreementParty", organizations=("organization_id",), proposal="proposeAgreementParty"
        ),
        Record(
            "Commitment",
            through=("agreement_id",),
            references=(_ref("agreement_id", "Agreement", C),),
        ),
        Record(
            "MobilityCondition",
            through=("agreement_id",),
            references=(_ref("agreement_id", "Agreement", C),),
        ),
        Record(
            "Document",
            through=("agreement_id",),
            references=(_ref("agreement_id", "Agreement", C), _ref("owner_id", ORG, C)),
        ),
        Record(
            "Program",
            children=Children(table_of(t.ProgramPartner), "program_id", "organization_id"),
            references=(_ref("agreement_id", "Agreement", C),),
            first_owner=FirstOwner("ProgramPartner", "program_id", "partner"),
        ),
        Record(
            "ProgramPartner",
            organizations=("organization_id",),
            references=(
                _ref("program_id", "Program", C),
                _ref("organization_id", ORG, K, "proposeProgramPartner"),
            ),
            proposal="proposeProgramPartner",
        ),
        Record(
            "Course",
            organizations=("organization_id",),
            references=(_ref("program_id", "Program", C), _ref("organization_id", ORG, C)),
        ),
        Record("Resource", organizations=("owner_id",), references=(_ref("owner_id", ORG, C),)),
        Record(
            "ResourceShare",
            through=("resource_id",),
            references=(
                _ref("resource_id", "Resource", C),
                _ref("organization_id", ORG, S),
                _ref("agreement_id", "Agreement", C),
            ),
        ),
        Record(
            "Funding",
            organizations=("funder_id",),
            references=(
                _ref("funder_id", ORG, C),
                _ref("recipient_id", ORG, S),
                _ref("agreement_id", "Agreement", C),
                _ref("program_id", "Program", C),
            ),
        ),
        Record(
            "Activity",
            children=Children(table_of(t.ActivityParticipant), "activity_id", "organization_id"),
            alliance="alliance_id",
            references=(_ref("alliance_id", "Alliance", C),),
            first_owner=FirstOwner("ActivityParticipant", "activity_id", "participant"),
        ),
        Record(
            "ActivityParticipant",
            organizations=("organization_id",),
            references=(
                _ref("activity_id", "Activity", C),
                _ref("organization_id", ORG, K, "proposeActivityParticipant"),
                _ref("person_id", "Person", C),
            ),
            proposal="proposeActivityParticipant",
        ),
        Record(
            "Evaluation",
            organizations=("evaluator_id",),
            alliance="alliance_id",
            references=(
                _ref("agreement_id", "Agreement", C),
                _ref("program_id", "Program", C),
                _ref("alliance_id", "Alliance", C),
                _ref("evaluator_id", ORG, C),
            ),
        ),
        Record(
            "Indicator",
            alliance="alliance_id",
            through=("program_id",),
            references=(_ref("alliance_id", "Alliance", C), _ref("program_id", "Program", C)),
        ),
        Record(
            "Learner",
            organizations=("home_organization_id",),
            references=(_ref("home_organization_id", ORG, C),),
        ),
        Record(
            "CreditAccount",
            organizations=("bank_id",),
            references=(_ref("learner_id", "Learner", C), _ref("bank_id", ORG, C)),
        ),
        Record(
            "Enrolment",
            through=("learner_id",),
            references=(_ref("learner_id", "Learner", C), _ref("program_id", "Program", S)),
        ),
        Record(
            "LearningOutcome",
            organizations=("provider_id",),
            references=(
                _ref("account_id", "CreditAccount", C),
                _ref("provider_id", ORG, C),
                _ref("program_id", "Program", S),
                _ref("course_id", "Course", S),
            ),
        ),
        Record(
            "RecognitionRule",
            organizations=("to_organization_id",),
            references=(
                _ref("agreement_id", "Agreement", C),
                _ref("from_organization_id", ORG, S),
                _ref("from_program_id", "Program", S),
                _ref("to_organization_id", ORG, C),
                _ref("to_program_id", "Program", C),
            ),
        ),
        Record(
            "Proposal",
            organizations=("proposer_organization_id",),
            alliance="proposer_alliance_id",
            addressed=("addressed_organization_id", "addressed_alliance_id"),
        ),
        Record(
            "Approval",
            organizations=("approver_id", "organization_id"),
            through=("agreement_id", "program_id"),
            references=(
                _ref("agreement_id", "Agreement", C),
                _ref("organization_id", ORG, C),
                _ref("program_id", "Program", C),
                _ref("approver_id", ORG, S),
                _ref("approver_person_id", "Person", S),
            ),
        ),
        Record(
            "RecognitionRuleCourse",
            through=("rule_id",),
            references=(_ref("rule_id", "RecognitionRule", C), _ref("course_id", "Course", S)),
        ),
        Record("CreditEntry", organizations=("organization_id",)),
        Record(
            "RecognitionApplication",
            through=("rule_id",),
            references=(_ref("learner_id", "Learner", C), _ref("rule_id", "RecognitionRule", S)),
        ),
        Record("ProgramCompletion", through=("program_id",)),
        Record("IssuedCredential", organizations=("issuer_id",)),
        Record(
            "CreditRecognition",
            through=("rule_id",),
            references=(
                _ref("outcome_id", "LearningOutcome", S),
                _ref("rule_id", "RecognitionRule", C),
            ),
        ),
    )
}

TABLES: dict[str, sa.Table] = {
    name: table_of(getattr(t, name)) for name in RECORDS if hasattr(t, name)
}

_ID = "id"
_AGREEMENT = Ref(_ID, "Agreement", C)
_PARTY_REF = Ref("parties.organization", ORG, K, proposal="proposeAgreementParty")
_PLAIN_TRANSITIONS = (
    "openNegotiation",
    "submitForApproval",
    "returnToNegotiation",
    "activateAgreement",
    "suspendAgreement",
    "resumeAgreement",
    "terminateAgreement",
    "abandonAgreement",
)


def _generic() -> dict[str, tuple[Ref, ...]]:
    """`createX`, `updateX`, `deleteX` of the entities of `resolvers.entity_writes`: the row
    itself first, then its references in their declared order."""
    from resolvers.entity_writes import ENTITIES

    found: dict[str, tuple[Ref, ...]] = {}
    for entity in ENTITIES:
        record = RECORDS[entity.name]
        own = Ref(_ID, entity.name, C)
        first: tuple[Ref, ...] = ()
        if record.first_owner is not None:
            link = RECORDS[record.first_owner.type_name]
            first = tuple(
                Ref(
                    f"{record.first_owner.field}.{r.field}",
                    r.type_name,
                    r.needs,
                    r.column,
                    r.proposal,
                )
                for r in link.references
                if r.column != record.first_owner.via
            )
        found[f"create{entity.name}"] = record.references + first
        if "version" in entity.table.c:
            found[f"update{entity.name}"] = (own, *record.references)
        if entity.deletable:
            whole = record.children is not None
            found[f"delete{entity.name}"] = (Ref(_ID, entity.name, Needs.EVERY) if whole else own,)
    return found


def _agreements() -> dict[str, tuple[Ref, ...]]:
    found: dict[str, tuple[Ref, ...]] = {
        "createAgreement": (_PARTY_REF, Ref("parent", "Agreement", C)),
        "updateAgreement": (_AGREEMENT, _PARTY_REF),
        "signAgreement": (
            _AGREEMENT,
            Ref("party", ORG, C),
            Ref("signatory", "Person", C),
        ),
        "renewAgreement": (_AGREEMENT,),
        "deleteAgreement": (Ref(_ID, "Agreement", Needs.EVERY),),
        "addCommitment": (
            Ref("agreement", "Agreement", C),
            Ref("obligor", ORG, S),
            Ref("beneficiary", ORG, S),
        ),
        "deliverCommitment": (Ref(_ID, "Commitment", C),),
        "addMobilityCondition": (
            Ref("agreement", "Agreement", C),
            Ref("sendingOrganization", ORG, S),
            Ref("receivingOrganization", ORG, S),
        ),
        "updateMobilityCondition": (
            Ref(_ID, "MobilityCondition", C),
            Ref("sendingOrganization", ORG, S),
            Ref("receivingOrganization", ORG, S),
        ),
        "removeMobilityCondition": (Ref(_ID, "MobilityCondition", C),),
        "waiveCommitment": (Ref(_ID, "Commitment", C),),
        "addMember": (
            Ref("alliance", "Alliance", C),
            Ref("organization", ORG, K, proposal="proposeMembership"),
        ),
        "changeMemberRole": (Ref(_ID, "Membership", C, of=("alliance_id", "Alliance")),),
        "recordMemberLeaving": (Ref(_ID, "Membership", C),),
    }
    for name in _PLAIN_TRANSITIONS:
        found[name] = (_AGREEMENT,)
    return found


def _proposals() -> dict[str, tuple[Ref, ...]]:
    """A proposal names the subject the caller may change (its proposing side) and the
    organization to bind, which it only needs to see: binding it waits for its answer."""
    organization = Ref("organization", ORG, S)
    return {
        "proposeAgreementParty": (Ref("agreement", "Agreement", C), organization),
        "proposeMembership": (
            Ref("alliance", "Alliance", Needs.EITHER),
            Ref("organization", ORG, Needs.EITHER),
        ),
        "proposeProgramPartner": (Ref("program", "Program", C), organization),
        "proposeActivityParticipant": (
            Ref("activity", "Activity", C),
            organization,
            Ref("person", "Person", S),
        ),
        "acceptProposal": (Ref(_ID, "Proposal", Needs.ANSWERS),),
        "declineProposal": (Ref(_ID, "Proposal", Needs.ANSWERS),),
        "withdrawProposal": (Ref(_ID, "Proposal", C),),
    }


def _views() -> dict[str, tuple[Ref, ...]]:
    """A saved view is owned by the organization it is saved for (`resolvers.saved_views`);
    one of no organization is an admins' view."""
    return {"saveView": (Ref("organization", ORG, C),)}


def _names() -> dict[str, tuple[Ref, ...]]:
    """A name is set on the record it names, which the caller must be able to change: any
    type of `db.tables.names.NAMED` (declared, and exercised by the matrix, as an
    organization)."""
    return {"setLocalizedName": (Ref(_ID, ORG, C),), "removeLocalizedName": (Ref(_ID, ORG, C),)}


def _documents() -> dict[str, tuple[Ref, ...]]:
    return {"uploadDocumentVersion": (Ref("document", "Document", C),)}


def _webhooks() -> dict[str, tuple[Ref, ...]]:
    """A webhook endpoint is owned by the organization it is registered for (the caller's own
    unless given; none: an admins' endpoint). `updateWebhook`, `deleteWebhook` and
    `redeliverWebhook` name an endpoint, which is no node: `resolvers.webhooks` checks the
    stored endpoint's organization against `createWebhook`'s rule, and answers NOT_FOUND for
    another owner's endpoint."""
    return {
        "createWebhook": (Ref("organization", ORG, C),),
        "updateWebhook": (),
        "deleteWebhook": (),
        "redeliverWebhook": (),
    }


def _credits() -> dict[str, tuple[Ref, ...]]:
    """The ledger, recognition and completion (`resolvers.ledger`, `resolvers.recognition`,
    `resolvers.completion`): credits are entered by the account's bank, corrected or expired
    by the organization they count at; a learner's home organization applies for its learner
    and withdraws, the receiving organization (the rule's owner) decides; a program's partner
    sets its requirements and records a completion."""
    application = "RecognitionApplication"
    return {
        "recordEarnedCredits": (Ref("account", "CreditAccount", C), Ref("course", "Course", S)),
        "correctCreditEntry": (Ref(_ID, "CreditEntry", C),),
        "expireCreditEntry": (Ref(_ID, "CreditEntry", C),),
        "convertCredits": (Ref(_ID, "CreditEntry", C),),
        "applyForRecognition": (
            Ref("learner", "Learner", C),
            Ref("rule", "RecognitionRule", S),
            Ref("outcomes", "LearningOutcome", S),
        ),
        "decideRecognitionApplication": (Ref(_ID, application, C),),
        "withdrawRecognitionApplication": (Ref(_ID, application, C, of=("learner_id", "Learner")),),
        "setProgramRequirements": (
            Ref("program", "Program", C),
            Ref("requiredCourses", "Course", S),
            Ref("listCourses", "Course", S),
        ),
        "recordProgramCompletion": (Ref("program", "Program", C), Ref("learner", "Learner", S)),
    }


def _indicators() -> dict[str, tuple[Ref, ...]]:
    """Targets are set by whoever may change the indicator (`resolvers.indicators`); a value
    is recorded in an evaluation the caller may change, for an indicator it sees (a standard
    one, or one of the program or alliance evaluated)."""
    return {
        "setIndicatorTarget": (Ref("indicator", "Indicator", C),),
        "removeIndicatorTarget": (Ref("indicator", "Indicator", C),),
        "recordIndicatorValue": (
            Ref("evaluation", "Evaluation", C),
            Ref("indicator", "Indicator", S),
        ),
    }


def _credentials() -> dict[str, tuple[Ref, ...]]:
    """Open Badges credentials (`resolvers.credentials`): issued by an editor of the issuing
    organization for a completion or an application it can see (which ones it may issue for,
    a partner of the program or the deciding organization, is a rule of the service), revoked
    by an editor of the issuer; an organization's editor rotates its signing key."""
    return {
        "issueCredential": (
            Ref("completion", "ProgramCompletion", S),
            Ref("recognitionApplication", "RecognitionApplication", S),
            Ref("issuer", ORG, C),
        ),
        "revokeCredential": (Ref(_ID, "IssuedCredential", C),),
        "rotateIssuerKey": (Ref("organization", ORG, C),),
    }


def _mutations() -> dict[str, tuple[Ref, ...]]:
    return {
        **_indicators(),
        **_agreements(),
        **_credentials(),
        **_proposals(),
        **_views(),
        **_credits(),
        **_webhooks(),
        **_generic(),
        **_names(),
        **_documents(),
    }


class _Mutations(Mapping[str, tuple[Ref, ...]]):
    """Built on first use (the generic entities import this module)."""

    def __init__(self) -> None:
        self._found: dict[str, tuple[Ref, ...]] | None = None

    def _all(self) -> dict[str, tuple[Ref, ...]]:
        if self._found is None:
            self._found = _mutations()
        return self._found

    def __getitem__(self, name: str) -> tuple[Ref, ...]:
        return self._all()[name]

    def __iter__(self) -> Any:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())


MUTATIONS: Mapping[str, tuple[Ref, ...]] = _Mutations()
"""Every mutation but the admins-only token ones, with its reference arguments in the order
they are checked."""
