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

The declarations (`RECORDS`, and `MUTATIONS`: every mutation with its reference arguments in
the order they are checked) are in `resolvers.write_declarations`;
`tests/resolvers/test_write_matrix.py` derives the expected answer of every mutation x argument x
target x role from them.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from resolvers.errors import ApiError, Forbidden, NotFound
from resolvers.viewer import Role, Viewer
from resolvers.visibility import visible
from resolvers.write_declarations import MUTATIONS, RECORDS, TABLES, Needs, Ref

__all__ = [
    "PROPOSERS",
    "ConsentRequired",
    "Owners",
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

_ID = "id"
ORG = "Organization"


class ConsentRequired(ApiError):
    """The write would bind an organization the caller does not edit: propose it instead."""

    code = "CONSENT_REQUIRED"


PROPOSERS = frozenset({Role.EDITOR, Role.SECRETARIAT})
"""Roles that may propose a link to another organization (so are told `CONSENT_REQUIRED`
rather than `FORBIDDEN` when they name one)."""


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
