"""The write matrix's cases: a base input per mutation that the editor of Jiangsu Open
University may send, one reference argument varied to one target, and the request it makes."""

from dataclasses import dataclass
from typing import Any

from resolvers.nodes import NODE_TABLES
from resolvers.write_declarations import MUTATIONS, Ref
from tests.resolvers.matrix_subjects import EDITOR, ROLES, SECRETARIAT
from tests.resolvers.write_matrix_targets import MISSING, TARGETS, Known

FULL_ROLES = {EDITOR, SECRETARIAT}


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
    "RecognitionRule": {
        "agreement": SOCIAL,
        "fromOrganization": _org("LLE"),
        "fromProgram": MICRO,
        "toOrganization": _org(),
        "toProgram": MICRO,
    },
    "Approval": {
        "decision": "APPROVED",
        "agreement": SOCIAL,
        "organization": None,
        "program": None,
        "approver": _org(),
        "approverPerson": None,
    },
    "Indicator": {"alliance": None, "program": MICRO, "name": "Matrix indicator", "unit": "x"},
    "RecognitionRuleCourse": {
        "rule": R("RecognitionRule", "rule to JOU"),
        "course": R("Course", "MS-101"),
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
    "addMobilityCondition": {
        "agreement": SOCIAL,
        "sendingOrganization": ART,
        "receivingOrganization": LLE,
        "mobilityType": "STAFF_TRAINING",
        "firstAcademicYear": 2026,
        "lastAcademicYear": 2027,
        "mobilitiesPerYear": 1,
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
    "saveView": {
        "organization": _org(),
        "name": "matrix-view",
        "document": "query MatrixView { organizations(first: 5) { nodes { name } } }",
    },
    "createWebhook": {"organization": _org(), "url": "https://93.184.215.14/matrix"},
    "recordEarnedCredits": {
        "account": R("CreditAccount", "JOU account"),
        "course": R("Course", "MS-101"),
        "earnedOn": "2026-06-30",
    },
    "correctCreditEntry": {"credits": "-0.5", "reason": "Matrix correction"},
    "expireCreditEntry": {"reason": "Matrix expiry"},
    "convertCredits": {"toUnit": "ECTS", "credits": "0.5"},
    "applyForRecognition": {
        "learner": R("Learner", "own learner"),
        "rule": R("RecognitionRule", "rule to JOU"),
        "outcomes": [R("LearningOutcome", "own outcome")],
    },
    "decideRecognitionApplication": {"approve": True, "reason": "Matrix decision"},
    "setProgramRequirements": {
        "program": MICRO,
        "minTotalCredits": "4",
        "requiredCourses": [R("Course", "MS-101")],
        "listCourses": [],
    },
    "recordProgramCompletion": {"program": MICRO, "learner": R("Learner", "own learner")},
    "setIndicatorTarget": {"period": "2026", "target": "1"},
    "removeIndicatorTarget": {"period": "2026"},
    "recordIndicatorValue": {
        "evaluation": R("Evaluation", "evaluation"),
        "indicator": R("Indicator", "micro indicator"),
        "actual": "1",
    },
    "issueCredential": {"completion": R("ProgramCompletion", "own completion"), "issuer": _org()},
    "revokeCredential": {"reason": "Matrix revocation"},
    "rotateIssuerKey": {"organization": _org()},
}


OTHER |= {
    "setLocalizedName": {"lang": "fr", "value": "Matrix name"},
    "removeLocalizedName": {"lang": "fr"},
    "uploadDocumentVersion": {"file": "not a multipart file"},
}
NO_VERSION = {
    "setLocalizedName",
    "removeLocalizedName",
    "uploadDocumentVersion",
    "recordEarnedCredits",
    "applyForRecognition",
    "setProgramRequirements",
    "recordProgramCompletion",
    "saveView",
    "setIndicatorTarget",
    "removeIndicatorTarget",
    "recordIndicatorValue",
    "issueCredential",
    "rotateIssuerKey",
}
"""Mutations that name no row to change, or set a name or a document version (never
edited), so carry no version."""


NO_ID = {
    "uploadDocumentVersion",
    "createAgreement",
    "addCommitment",
    "addMobilityCondition",
    "addMember",
    "createWebhook",
    *(NO_VERSION - {"setLocalizedName", "removeLocalizedName"}),
    *(m for m in OTHER if "propose" in m),
}


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
    if mutation in ("addCommitment", "addMobilityCondition"):
        return "agreementVersion"
    if mutation.startswith(("create", "propose")) or mutation in {"addMember", *NO_VERSION}:
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


def given_references(case: Case) -> list[tuple[Ref, R]]:
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
