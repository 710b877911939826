"""What a viewer may read, as SQL conditions: the one place visibility is decided.

Every read of an object or a list goes through `resolvers.reading`, which adds
`visible(viewer, table)` to its WHERE clause, so `node`, `nodes`, every connection, its
`totalCount` and every filter obey the same rules, and a hidden row reads as a missing one.

The rules (docs/access.md):
- Admins see everything.
- Public profile, for every caller: organizations, their identifiers, alliances, memberships,
  and the catalogue of programs, their partners and target groups, courses and resources.
- A document is seen (and its content downloaded) as its visibility says: PUBLIC by every
  caller, anonymous ones included; PARTIES as its agreement; OWNER by its owner organization
  (and the organizations above it) alone. Its versions follow it.
- An agreement, and what hangs off it (parties, modes, commitments, history), is seen
  by its parties and the organizations above them (a viewer's `scope` is its organization with
  every unit below it, so a university sees its schools' agreements), and by the secretariat of
  an alliance that one of its parties (or an organization above it) currently belongs to.
- Activities: by their participants, the secretariat of their alliance, and whoever sees one of
  the agreements they concern. Funding, evaluations, resource shares and recognition rules: by
  whoever sees their agreement, or is one of the organizations they name.
- Personal data (people, positions, learners and their credits): only the person's or learner's
  own organization (scope) and admins; a learner's records (accounts, outcomes, ledger
  entries) also by the two organizations of a recognition application made for the learner
  (the institutions involved), and an account by its bank. An application: by the learner's
  organization and its two organizations; a program completion: by whoever sees the learner
  and the program's partners. Program requirements are part of the public catalogue.
- Approvals: by whoever sees the agreement approved, the approver, the organization approved
  and the approved program's partners (their history likewise).
- Proposals that bind an organization: by their two sides (`resolvers.proposal_visibility`).
- Reporters and anonymous callers see public profiles only; API tokens only admins.
"""

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from db import tables as t
from db.base import table_of
from db.enums import DocumentVisibility
from resolvers.proposal_visibility import proposal_history_visible, proposal_visible
from resolvers.units import in_organizations
from resolvers.viewer import Role, Viewer

__all__ = [
    "PUBLIC_TABLES",
    "agreement_visible_through_party",
    "agreement_visible_under",
    "visible",
]

PUBLIC_TABLES = frozenset(
    {
        "organization",
        "organization_identifier",
        "alliance",
        "membership",
        "program",
        "program_partner",
        "program_target_group",
        "course",
        "resource",
        "saved_view",  # a catalogue of registered queries: a view runs as its caller
        "approval_policy",
        "indicator",  # an alliance's or program's indicators and targets: public frameworks
        "indicator_target",
        "program_requirement",
        "requirement_course",
    }
)

AGREEMENT = table_of(t.Agreement)
PARTY = table_of(t.AgreementParty)
DOCUMENT = table_of(t.Document)
MEMBERSHIP = table_of(t.Membership)
ACTIVITY = table_of(t.Activity)
PARTICIPANT = table_of(t.ActivityParticipant)
ACTIVITY_AGREEMENT = table_of(t.ActivityAgreement)
PROGRAM_PARTNER = table_of(t.ProgramPartner)
POSITION = table_of(t.Position)
PERSON = table_of(t.Person)
LEARNER = table_of(t.Learner)
ACCOUNT = table_of(t.CreditAccount)
OUTCOME = table_of(t.LearningOutcome)
EVALUATION = table_of(t.Evaluation)
APPLICATION = table_of(t.RecognitionApplication)
RULE = table_of(t.RecognitionRule)
RESOURCE = table_of(t.Resource)
APPROVAL = table_of(t.Approval)


def _in_scope(viewer: Viewer, column: sa.ColumnElement[int | None]) -> ColumnElement[bool]:
    if not viewer.scope:
        return sa.false()
    return column.in_(sorted(viewer.scope))


def _agreement_visible(viewer: Viewer, column: sa.ColumnElement[int | None]) -> ColumnElement[bool]:
    """The agreement named by `column` has a party the viewer answers for: one in its scope,
    or, for a secretariat, a current member of its alliance.

    A correlated EXISTS on the agreement's parties (an index probe per row) rather than
    `column IN (every visible agreement)`: inside the per-parent pages of a nested read the
    latter made PostgreSQL rescan the whole set for every parent (bench/RESULTS.md)."""
    party = PARTY.alias()
    return sa.exists().where(
        party.c.agreement_id == column, _answers_for(viewer, party.c.organization_id)
    )


def _answers_for(viewer: Viewer, organization: sa.ColumnElement[int | None]) -> ColumnElement[bool]:
    """The organization is one the viewer answers for: in its scope, or, for a secretariat, a
    current member of its alliance or a unit of one (units roll up into their organization, as
    the `partyAlliance` filter reads them: the two conditions are then one, `narrowed`)."""
    answers_for = [_in_scope(viewer, organization)]
    if viewer.role is Role.SECRETARIAT and viewer.alliance_id is not None:
        members = (
            sa.select(MEMBERSHIP.c.organization_id)
            .where(MEMBERSHIP.c.alliance_id == viewer.alliance_id, MEMBERSHIP.c.left_on.is_(None))
            .correlate(None)
        )
        answers_for.append(in_organizations(organization, members, include_units=True))
    return sa.or_(*answers_for)


def agreement_visible_through_party(viewer: Viewer, party: sa.Table) -> ColumnElement[bool]:
    """`visible(viewer, agreement)` for an agreement reached through one of its rows of `party`
    (an organization's agreements): decided on that row when its organization is one the
    viewer answers for, and only otherwise by probing the agreement's other parties; all on the
    party row, so PostgreSQL filters the party rows before joining their agreements. An editor
    listing its own organization's agreements then costs no probe at all (the portal at
    100,000 organizations, bench/RESULTS.md)."""
    general = visible(viewer, party)
    if viewer.is_admin or not viewer.sees_records:
        return general
    return sa.or_(_answers_for(viewer, party.c.organization_id), general)


def agreement_visible_under(
    viewer: Viewer,
) -> Callable[[sa.ColumnElement[Any]], ColumnElement[bool]] | None:
    """A condition on an organization under which every agreement listed under it (one with a
    party at or below it) is visible to `viewer`, as `agreement_visible_through_party` decides
    on the listed row without a probe: always for an admin, for others where the organization
    is one they answer for. `None` for a caller who sees no records (nothing is decided on the
    organization: each agreement is probed)."""
    if viewer.is_admin:
        return lambda organization: sa.true()
    if not viewer.sees_records:
        return None
    return lambda organization: _answers_for(viewer, organization)


def _ids_where(table: sa.Table, condition: ColumnElement[bool]) -> sa.Select[tuple[int]]:
    return sa.select(table.c.id).where(condition)


def _activity(viewer: Viewer) -> ColumnElement[bool]:
    participant = sa.select(PARTICIPANT.c.activity_id).where(
        _in_scope(viewer, PARTICIPANT.c.organization_id)
    )
    concerned = sa.select(ACTIVITY_AGREEMENT.c.activity_id).where(
        _agreement_visible(viewer, ACTIVITY_AGREEMENT.c.agreement_id)
    )
    conditions: list[ColumnElement[bool]] = [
        ACTIVITY.c.id.in_(participant),
        ACTIVITY.c.id.in_(concerned),
    ]
    if viewer.role is Role.SECRETARIAT and viewer.alliance_id is not None:
        conditions.append(ACTIVITY.c.alliance_id == viewer.alliance_id)
    return sa.or_(*conditions)


def _program_partner_in_scope(
    viewer: Viewer, column: sa.ColumnElement[int | None]
) -> ColumnElement[bool]:
    partners = sa.select(PROGRAM_PARTNER.c.program_id).where(
        _in_scope(viewer, PROGRAM_PARTNER.c.organization_id)
    )
    return column.in_(partners)


def _person(viewer: Viewer) -> ColumnElement[bool]:
    return PERSON.c.id.in_(
        sa.select(POSITION.c.person_id).where(_in_scope(viewer, POSITION.c.organization_id))
    )


def _learner(viewer: Viewer) -> ColumnElement[bool]:
    involved = sa.select(APPLICATION.c.learner_id).where(
        sa.or_(
            _in_scope(viewer, APPLICATION.c.from_organization_id),
            _in_scope(viewer, APPLICATION.c.to_organization_id),
        )
    )
    return sa.or_(_in_scope(viewer, LEARNER.c.home_organization_id), LEARNER.c.id.in_(involved))


def _application(viewer: Viewer, table: sa.Table) -> ColumnElement[bool]:
    return sa.or_(
        _in_scope(viewer, table.c.from_organization_id),
        _in_scope(viewer, table.c.to_organization_id),
        table.c.learner_id.in_(
            sa.select(LEARNER.c.id).where(_in_scope(viewer, LEARNER.c.home_organization_id))
        ),
    )


def _rule(viewer: Viewer, table: sa.Table) -> ColumnElement[bool]:
    return sa.or_(
        _agreement_visible(viewer, table.c.agreement_id),
        _in_scope(viewer, table.c.from_organization_id),
        _in_scope(viewer, table.c.to_organization_id),
    )


def _account(viewer: Viewer) -> ColumnElement[bool]:
    return sa.or_(
        ACCOUNT.c.learner_id.in_(_ids_where(LEARNER, _learner(viewer))),
        _in_scope(viewer, ACCOUNT.c.bank_id),
    )


def _outcome(viewer: Viewer) -> ColumnElement[bool]:
    return OUTCOME.c.account_id.in_(_ids_where(ACCOUNT, _account(viewer)))


def _document(viewer: Viewer, table: sa.Table) -> ColumnElement[bool]:
    return sa.or_(
        sa.and_(
            table.c.visibility == DocumentVisibility.PARTIES.value,
            _agreement_visible(viewer, table.c.agreement_id),
        ),
        sa.and_(
            table.c.visibility == DocumentVisibility.OWNER.value,
            _in_scope(viewer, table.c.owner_id),
        ),
    )


def _public_document(table: sa.Table) -> ColumnElement[bool]:
    return table.c.visibility == DocumentVisibility.PUBLIC.value


def _public_version(table: sa.Table) -> ColumnElement[bool]:
    return table.c.document_id.in_(_ids_where(DOCUMENT, _public_document(DOCUMENT)))


def _evaluation(viewer: Viewer) -> ColumnElement[bool]:
    conditions = [
        _agreement_visible(viewer, EVALUATION.c.agreement_id),
        _in_scope(viewer, EVALUATION.c.evaluator_id),
        _program_partner_in_scope(viewer, EVALUATION.c.program_id),
    ]
    if viewer.role is Role.SECRETARIAT and viewer.alliance_id is not None:
        conditions.append(EVALUATION.c.alliance_id == viewer.alliance_id)
    return sa.or_(*conditions)


def _approval(viewer: Viewer) -> ColumnElement[bool]:
    return sa.or_(
        _agreement_visible(viewer, APPROVAL.c.agreement_id),
        _in_scope(viewer, APPROVAL.c.approver_id),
        _in_scope(viewer, APPROVAL.c.organization_id),
        _program_partner_in_scope(viewer, APPROVAL.c.program_id),
    )


Rule = Callable[[Viewer, sa.Table], ColumnElement[bool]]

_RULES: dict[str, Rule] = {
    "agreement": lambda v, tb: _agreement_visible(v, tb.c.id),
    "agreement_party": lambda v, tb: _agreement_visible(v, tb.c.agreement_id),
    "organization_agreement": lambda v, tb: _agreement_visible(v, tb.c.agreement_id),
    "agreement_mode": lambda v, tb: _agreement_visible(v, tb.c.agreement_id),
    "commitment": lambda v, tb: _agreement_visible(v, tb.c.agreement_id),
    "mobility_condition": lambda v, tb: _agreement_visible(v, tb.c.agreement_id),
    "document": _document,
    "document_version": lambda v, tb: tb.c.document_id.in_(
        _ids_where(DOCUMENT, _document(v, DOCUMENT))
    ),
    "history_entry": lambda v, tb: sa.or_(
        _agreement_visible(v, tb.c.agreement_id),
        tb.c.subject_type.in_(("membership", "program_requirement")),
        proposal_history_visible(v, tb),
        sa.and_(
            tb.c.subject_type == "approval",
            tb.c.subject_id.in_(_ids_where(APPROVAL, _approval(v))),
        ),
        sa.and_(
            tb.c.subject_type == "recognition_application",
            tb.c.subject_id.in_(_ids_where(APPLICATION, _application(v, APPLICATION))),
        ),
    ),
    "approval": lambda v, tb: _approval(v),
    "activity": lambda v, tb: _activity(v),
    "activity_participant": lambda v, tb: tb.c.activity_id.in_(_ids_where(ACTIVITY, _activity(v))),
    "activity_agreement": lambda v, tb: tb.c.activity_id.in_(_ids_where(ACTIVITY, _activity(v))),
    "activity_program": lambda v, tb: tb.c.activity_id.in_(_ids_where(ACTIVITY, _activity(v))),
    "resource_share": lambda v, tb: sa.or_(
        _agreement_visible(v, tb.c.agreement_id),
        _in_scope(v, tb.c.organization_id),
        tb.c.resource_id.in_(_ids_where(RESOURCE, _in_scope(v, RESOURCE.c.owner_id))),
    ),
    "recognition_rule": _rule,
    "recognition_rule_course": lambda v, tb: tb.c.rule_id.in_(_ids_where(RULE, _rule(v, RULE))),
    "recognition_application": _application,
    "application_outcome": lambda v, tb: tb.c.application_id.in_(
        _ids_where(APPLICATION, _application(v, APPLICATION))
    ),
    "credit_entry": lambda v, tb: tb.c.account_id.in_(_ids_where(ACCOUNT, _account(v))),
    "program_completion": lambda v, tb: sa.or_(
        tb.c.learner_id.in_(_ids_where(LEARNER, _learner(v))),
        _program_partner_in_scope(v, tb.c.program_id),
    ),
    "issued_credential": lambda v, tb: sa.or_(
        tb.c.learner_id.in_(_ids_where(LEARNER, _learner(v))),
        _in_scope(v, tb.c.issuer_id),
    ),
    "funding": lambda v, tb: sa.or_(
        _agreement_visible(v, tb.c.agreement_id),
        _in_scope(v, tb.c.funder_id),
        _program_partner_in_scope(v, tb.c.program_id),
    ),
    "evaluation": lambda v, tb: _evaluation(v),
    "evaluation_measure": lambda v, tb: tb.c.evaluation_id.in_(
        _ids_where(EVALUATION, _evaluation(v))
    ),
    "person": lambda v, tb: _person(v),
    "position": lambda v, tb: _in_scope(v, tb.c.organization_id),
    "course_instructor": lambda v, tb: tb.c.person_id.in_(_ids_where(PERSON, _person(v))),
    "learner": lambda v, tb: _learner(v),
    "credit_account": lambda v, tb: _account(v),
    "enrolment": lambda v, tb: tb.c.learner_id.in_(_ids_where(LEARNER, _learner(v))),
    "learning_outcome": lambda v, tb: _outcome(v),
    "credit_recognition": lambda v, tb: tb.c.outcome_id.in_(_ids_where(OUTCOME, _outcome(v))),
    "proposal": proposal_visible,
}


_PUBLIC_ROWS: dict[str, Callable[[sa.Table], ColumnElement[bool]]] = {
    "document": _public_document,
    "document_version": _public_version,
}
"""The rows of a table that every caller sees, whatever its other rules."""


def visible(viewer: Viewer, table: sa.Table) -> ColumnElement[bool]:
    """The rows of `table` that `viewer` may see; a table without a rule is admins' only."""
    if viewer.is_admin or table.name in PUBLIC_TABLES:
        return sa.true()
    rule = _RULES.get(table.name)
    public = _PUBLIC_ROWS.get(table.name)
    if rule is None or not viewer.sees_records:
        return sa.false() if public is None else public(table)
    return rule(viewer, table) if public is None else sa.or_(public(table), rule(viewer, table))
