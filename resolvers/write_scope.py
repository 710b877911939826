"""Who may write what: the one declared write rule, beside the read rule (`resolvers.visibility`).

Every write path calls the functions here, in the order its arguments are declared:

1. `load_for_write` reads the record a mutation changes, or a record an argument names, through
   the read rule: a record the caller cannot see answers exactly as a missing one (`NOT_FOUND`,
   "no X with that ID", the same field), before any state or version check.
2. What the caller must hold on it is declared per reference argument (`Needs`):
   - `CHANGES`: the caller may change the referenced record itself (it is one of its owners);
   - `CONSENT`: the reference binds another organization (a party, a member, a program
     partner, an activity participant): allowed when the caller edits that organization;
     otherwise refused with `CONSENT_REQUIRED`, saying which proposal to make
     (`proposeAgreementParty`, `proposeMembership`, `proposeProgramPartner`,
     `proposeActivityParticipant`; the other side answers with `acceptProposal` or
     `declineProposal`);
   - `SEES`: the reference names a record without binding it or widening the caller's reach (a
     catalogue course an outcome was earned in, the program a learner enrols in, the
     organization a resource is shared with or a grant goes to, the organization whose
     credits a rule recognises): seeing it is enough.
   - `EVERY`: deleting a record owned through other rows (a person's positions, a program's
     partners, an activity's participants, an agreement's parties) removes every owner's
     link, so the caller must answer for all of them (else: leave, or abandon the agreement).
   - `ANSWERS`: the caller answers for the side a proposal is addressed to (the
     organization to bind, or the alliance a request to join is addressed to): it accepts or
     declines; the proposing side (the proposal's owner, `CHANGES`) withdraws.
   - `EITHER`: `CHANGES` on this record or on the mutation's other `EITHER` argument, checked
     once both are loaded (`check_arguments`): a membership is proposed by the alliance's
     secretariat (an invitation) or by the organization's own editor (a request to join).
   A visible record the caller may not change answers `FORBIDDEN`.
3. Who may change a record (its owners) is derived from the same declarations (`RECORDS`):
   organizations named by a column of the row (a course's organization, a grant's funder, a
   learning outcome's provider, a credit account's bank), by the rows that refer to it (an
   agreement's parties, a person's positions, a program's partners, an activity's
   participants), or the owners of the record it belongs to (`through`: a document's or a
   commitment's agreement, a share's resource, an enrolment's learner); and, for a
   secretariat, its alliance's records (the alliance, its activities, its memberships).
   Admins may do anything; an editor changes what its scope owns; a secretariat its
   alliance's records; viewers, reporters and anonymous callers nothing. So a recognition
   rule, funding, an evaluation or a resource share naming an agreement needs a caller who
   may change that agreement (an editor of one of its parties), and a learning outcome an
   account the caller may change.
4. After a write, a caller who is not an admin must still be able to change the row it wrote:
   nobody leaves an ownerless record behind, or hands one to another organization. A person,
   program or activity is owned through rows that refer to it, so `createPerson`,
   `createProgram` and `createActivity` take its first owner in the same write (`position`,
   `partner`, `participant`: `FirstOwner`); a secretariat's activity is owned through its
   alliance instead.

Agreements: `createAgreement` names as parties only organizations the caller edits (an admin:
any), so a draft may have a single party; the others are proposed, and `submitForApproval`
needs two parties. `renewAgreement` carries the predecessor's parties over (each agreed to the
predecessor and signs the successor anew). Signing needs an editor of the signing party and a
signatory it can see.

Links that bind another organization are removed or changed only by that organization's own
editor or an admin (an organization may leave by itself; nobody removes another): an
agreement's other parties, a program's other partners, an activity's other participants. A
secretariat changes roles and records leaving in its own alliance; a member may record its own
leaving.

`MUTATIONS` lists every mutation with its reference arguments in the order they are checked;
`tests/test_write_matrix.py` derives the expected answer of every mutation x argument x target
x role from it.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from db import tables as t
from db.base import table_of
from resolvers.errors import ApiError, Forbidden, NotFound
from resolvers.viewer import Role, Viewer
from resolvers.visibility import visible

__all__ = [
    "MUTATIONS",
    "PROPOSERS",
    "RECORDS",
    "TABLES",
    "Children",
    "ConsentRequired",
    "FirstOwner",
    "Needs",
    "Owners",
    "Record",
    "Ref",
    "addressed_to",
    "check_arguments",
    "check_organizations",
    "check_reference",
    "check_reference_row",
    "load_for_write",
    "may_change",
    "owners_of",
    "require_change",
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


class ConsentRequired(ApiError):
    """The write would bind an organization the caller does not edit: propose it instead."""

    code = "CONSENT_REQUIRED"


PROPOSERS = frozenset({Role.EDITOR, Role.SECRETARIAT})
"""Roles that may propose a link to another organization (so are told `CONSENT_REQUIRED`
rather than `FORBIDDEN` when they name one)."""


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
            "Document",
            through=("agreement_id",),
            references=(_ref("agreement_id", "Agreement", C),),
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
            references=(
                _ref("agreement_id", "Agreement", C),
                _ref("program_id", "Program", C),
                _ref("evaluator_id", ORG, C),
            ),
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


def _mutations() -> dict[str, tuple[Ref, ...]]:
    return {**_agreements(), **_proposals(), **_generic()}


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


def _table(type_name: str) -> sa.Table:
    return TABLES[type_name]


async def load_for_write(
    connection: AsyncConnection,
    viewer: Viewer,
    type_name: str,
    key: int,
    *,
    field: str = _ID,
    lock: bool = False,
) -> RowMapping:
    """The row, if the caller can see it; else exactly what a missing one answers. `lock`
    holds it until the transaction ends (on PostgreSQL), so a racing writer waits."""
    table = _table(type_name)
    statement = sa.select(table).where(table.c.id == key, visible(viewer, table))
    if lock:
        statement = statement.with_for_update()
    row = (await connection.execute(statement)).mappings().first()
    if row is None:
        raise NotFound(f"no {type_name} with that ID", field=field)
    return row


@dataclass(frozen=True, slots=True)
class Owners:
    organizations: frozenset[int] = field(default_factory=frozenset)
    alliances: frozenset[int] = field(default_factory=frozenset)

    def __or__(self, other: "Owners") -> "Owners":
        return Owners(self.organizations | other.organizations, self.alliances | other.alliances)

    def admit(self, viewer: Viewer, *, every: bool = False) -> bool:
        """Whether the viewer answers for one of the owners (`every`: for each owning
        organization)."""
        if viewer.is_admin:
            return True
        if every and self.organizations:
            return viewer.role is Role.EDITOR and self.organizations <= viewer.scope
        if viewer.role is Role.EDITOR:
            return bool(viewer.scope & self.organizations)
        if viewer.role is Role.SECRETARIAT:
            return viewer.alliance_id is not None and viewer.alliance_id in self.alliances
        return False

    def acting_for(self, viewer: Viewer) -> tuple[int | None, int | None]:
        """The organization, or alliance, of these owners that the viewer acts for (`None`
        for an admin): the side a proposal it makes comes from."""
        if viewer.role is Role.EDITOR:
            return min(viewer.scope & self.organizations, default=None), None
        if viewer.role is Role.SECRETARIAT and viewer.alliance_id in self.alliances:
            return None, viewer.alliance_id
        return None, None


def addressed_to(type_name: str, row: Mapping[Any, Any]) -> Owners:
    """The side a row (a proposal) is addressed to, which answers it."""
    columns = RECORDS[type_name].addressed
    if columns is None:
        return Owners()
    organization, alliance = (row.get(c) for c in columns)
    return Owners(
        frozenset() if organization is None else frozenset({int(organization)}),
        frozenset() if alliance is None else frozenset({int(alliance)}),
    )


async def owners_of(connection: AsyncConnection, type_name: str, row: Mapping[Any, Any]) -> Owners:
    """Who may change `row`, from the declarations of its type."""
    record = RECORDS[type_name]
    organizations = {int(row[c]) for c in record.organizations if row.get(c) is not None}
    alliances = set()
    if record.alliance is not None and row.get(record.alliance) is not None:
        alliances.add(int(row[record.alliance]))
    found = Owners(frozenset(organizations), frozenset(alliances))
    if record.children is not None and row.get(_ID) is not None:
        children = record.children
        keys = await connection.scalars(
            sa.select(children.table.c[children.organization]).where(
                children.table.c[children.key] == row[_ID]
            )
        )
        found = found | Owners(frozenset(int(k) for k in keys))
    for column in record.through:
        if row.get(column) is None:
            continue
        target_type = record.reference(column).type_name
        table = _table(target_type)
        result = await connection.execute(sa.select(table).where(table.c.id == row[column]))
        target = result.mappings().first()
        if target is not None:
            found = found | await owners_of(connection, target_type, target)
    return found


async def may_change(
    connection: AsyncConnection,
    viewer: Viewer,
    type_name: str,
    row: Mapping[Any, Any],
    *,
    every: bool = False,
    answers: bool = False,
) -> bool:
    """Whether the caller may change `row` (`every`: for each of its owners; `answers`: as
    the side it is addressed to)."""
    if viewer.is_admin:
        return True
    if viewer.role not in PROPOSERS:
        return False
    if answers:
        return addressed_to(type_name, row).admit(viewer)
    return (await owners_of(connection, type_name, row)).admit(viewer, every=every)


async def require_change(
    connection: AsyncConnection,
    viewer: Viewer,
    type_name: str,
    row: Mapping[Any, Any],
    *,
    field: str | None = _ID,
    doing: str | None = None,
    every: bool = False,
    answers: bool = False,
) -> None:
    """`Forbidden` unless the caller may change `row` (`every`: for each of its owners;
    `answers`: as the side it is addressed to)."""
    if await may_change(connection, viewer, type_name, row, every=every, answers=answers):
        return
    what = doing or f"{'answer' if answers else 'change'} this {type_name}"
    if every:
        needs = "an editor of every organization that owns it, or an admin"
    elif answers:
        needs = "the side it is addressed to: an editor of its organization, or the secretariat "
        needs += "of its alliance; or an admin"
    else:
        needs = "an editor of an organization that owns it, its alliance's secretariat, or an admin"
    raise Forbidden(f"{viewer.role.value} callers may not {what} (needs {needs})", field=field)


async def check_reference(
    connection: AsyncConnection,
    viewer: Viewer,
    ref: Ref,
    key: int,
    *,
    field: str | None = None,
) -> RowMapping:
    """The referenced row, once the caller is found to hold what `ref` needs on it."""
    at = field or ref.field
    row = await load_for_write(connection, viewer, ref.type_name, key, field=at)
    await check_reference_row(connection, viewer, ref, row, field=at)
    return row


async def check_reference_row(
    connection: AsyncConnection, viewer: Viewer, ref: Ref, row: RowMapping, *, field: str
) -> None:
    """What `ref` needs, on a row the caller is known to see."""
    at = field
    if ref.needs in (Needs.SEES, Needs.EITHER) or viewer.is_admin:
        return
    subject_type, subject = ref.type_name, row
    if ref.of is not None:
        column, subject_type = ref.of
        subject = await load_for_write(connection, viewer, subject_type, row[column], field=at)
    every, answers = ref.needs is Needs.EVERY, ref.needs is Needs.ANSWERS
    if await may_change(connection, viewer, subject_type, subject, every=every, answers=answers):
        return
    if ref.needs is Needs.CONSENT and viewer.role in PROPOSERS:
        raise ConsentRequired(
            f"naming this {ref.type_name} binds an organization you do not edit, which only "
            f"its own consent does: propose it with `{ref.proposal}`, and its editor (or an "
            "admin) answers with `acceptProposal` or `declineProposal`",
            field=at,
        )
    await require_change(
        connection, viewer, subject_type, subject, field=at, every=every, answers=answers
    )


async def check_arguments(
    connection: AsyncConnection,
    viewer: Viewer,
    mutation: str,
    keys: Mapping[str, int | None],
    *,
    lock: frozenset[str] = frozenset(),
) -> dict[str, RowMapping]:
    """Every reference argument of `mutation` given in `keys` (by input field; `None`: not
    given), checked in the declared order, and its `EITHER` arguments once the last of them
    is loaded; the rows by field. `lock`: fields whose row is held until the transaction ends."""
    rows: dict[str, RowMapping] = {}
    refs = MUTATIONS[mutation]
    either = [r for r in refs if r.needs is Needs.EITHER and keys.get(r.field) is not None]
    for ref in refs:
        key = keys.get(ref.field)
        if key is None:
            continue
        row = await load_for_write(
            connection, viewer, ref.type_name, key, field=ref.field, lock=ref.field in lock
        )
        await check_reference_row(connection, viewer, ref, row, field=ref.field)
        rows[ref.field] = row
        if either and ref is either[-1]:
            await _check_either(connection, viewer, [(r, rows[r.field]) for r in either])
    return rows


async def _check_either(
    connection: AsyncConnection, viewer: Viewer, given: list[tuple[Ref, RowMapping]]
) -> None:
    for ref, row in given:
        if await may_change(connection, viewer, ref.type_name, row):
            return
    last, row = given[-1]
    names = " or ".join(r.type_name for r, _ in given)
    raise Forbidden(
        f"{viewer.role.value} callers may not do this (needs a caller who may change the "
        f"{names}, or an admin)",
        field=last.field,
    )


async def check_organizations(
    connection: AsyncConnection,
    viewer: Viewer,
    ref: Ref,
    keys: list[int],
    *,
    field: str,
    skip: frozenset[int] = frozenset(),
) -> None:
    """`check_reference` for a list of organizations (`field` holds `{index}`) but those in
    `skip`, in one statement: organizations are public, and their owners are columns of their
    own rows."""
    table = _table(ORG)
    wanted = set(keys) - skip
    if not wanted:
        return
    result = await connection.execute(sa.select(table).where(table.c.id.in_(wanted)))
    rows = {row["id"]: row for row in result.mappings()}
    for index, key in enumerate(keys):
        if key in skip:
            continue
        at = field.format(index=index)
        row = rows.get(key)
        if row is None:
            raise NotFound(f"no {ORG} with that ID", field=at)
        await check_reference_row(connection, viewer, ref, row, field=at)
