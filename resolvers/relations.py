"""The plain one-to-many and many-to-many lists between objects, paged per parent in one batch.

Lists that take a filter (an organization's agreements, say) live with their domain; the
rest are declared here once, and the schema asks for them by name.
"""

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from db import tables as t
from db.base import table_of
from resolvers.context import Context
from resolvers.nodes import NODE_TABLES
from resolvers.paging import Page, PageRequest

__all__ = ["RELATIONS", "Relation", "related_page", "relation_statement"]

T = NODE_TABLES


ACTIVITY_AGREEMENT = table_of(t.ActivityAgreement)
ACTIVITY_PROGRAM = table_of(t.ActivityProgram)
COURSE_INSTRUCTOR = table_of(t.CourseInstructor)
APPLICATION_OUTCOME = table_of(t.ApplicationOutcome)
_position = T["Position"]
ORGANIZATION_PERSON = (
    sa.select(_position.c.person_id, _position.c.organization_id)
    .distinct()
    .subquery("organization_person")
)
"""A person is listed once at an organization, however many positions they held there."""


@dataclass(frozen=True)
class Relation:
    """Rows of `node` whose `key` equals the parent's id, joined through `through` if given."""

    node: str
    key: ColumnElement[Any]
    order_by: tuple[Any, ...] = ()
    through: sa.FromClause | None = None
    on: ColumnElement[bool] | None = None
    only: ColumnElement[bool] | None = None
    """A further condition on the rows (e.g. the subject type of history entries)."""


def _by(node: str, column: str, *order: str) -> Relation:
    table = T[node]
    return Relation(node, table.c[column], tuple(table.c[o] for o in order))


def _via(
    node: str, link: sa.FromClause, node_column: str, key_column: str, *order: str
) -> Relation:
    table = T[node]
    return Relation(
        node,
        link.c[key_column],
        tuple(table.c[o] for o in order),
        through=link,
        on=link.c[node_column] == table.c.id,
    )


def _history_of(subject_type: str) -> Relation:
    table = T["HistoryEntry"]
    return Relation(
        "HistoryEntry",
        table.c.subject_id,
        (table.c.id,),
        only=table.c.subject_type == subject_type,
    )


RELATIONS: dict[str, Relation] = {
    "Membership.history": _history_of("membership"),
    "Commitment.history": _history_of("commitment"),
    "Proposal.history": _history_of("proposal"),
    "Approval.history": _history_of("approval"),
    "Alliance.indicators": _by("Indicator", "alliance_id", "name"),
    "Program.indicators": _by("Indicator", "program_id", "name"),
    "Alliance.evaluations": _by("Evaluation", "alliance_id", "period_end"),
    "Agreement.approvals": _by("Approval", "agreement_id", "decided_on"),
    "Program.approvals": _by("Approval", "program_id", "decided_on"),
    "Organization.approvals": _by("Approval", "organization_id", "decided_on"),
    "Organization.approvalsGiven": _by("Approval", "approver_id", "decided_on"),
    "RecognitionApplication.history": _history_of("recognition_application"),
    "RecognitionApplication.outcomes": _via(
        "LearningOutcome", APPLICATION_OUTCOME, "outcome_id", "application_id", "earned_on"
    ),
    "RecognitionApplication.entries": _by("CreditEntry", "application_id", "id"),
    "CreditAccount.entries": _by("CreditEntry", "account_id", "id"),
    "CreditEntry.corrections": _by("CreditEntry", "corrects_id", "id"),
    "Learner.recognitionApplications": _by("RecognitionApplication", "learner_id", "applied_on"),
    "Learner.completions": _by("ProgramCompletion", "learner_id", "completed_on"),
    "RecognitionRule.eligibleCourses": _by("RecognitionRuleCourse", "rule_id"),
    "RecognitionRule.applications": _by("RecognitionApplication", "rule_id", "applied_on"),
    "Program.completions": _by("ProgramCompletion", "program_id", "completed_on"),
    "Learner.credentials": _by("IssuedCredential", "learner_id", "valid_from"),
    "ProgramCompletion.credentials": _by("IssuedCredential", "completion_id", "valid_from"),
    "RecognitionApplication.credentials": _by("IssuedCredential", "application_id", "valid_from"),
    "Organization.memberships": _by("Membership", "organization_id", "joined_on"),
    "Organization.agreementParties": _by("AgreementParty", "organization_id"),
    "Organization.positions": _by("Position", "organization_id", "title"),
    "Organization.people": _via(
        "Person", ORGANIZATION_PERSON, "person_id", "organization_id", "name"
    ),
    "Organization.programPartners": _by("ProgramPartner", "organization_id"),
    "Organization.courses": _by("Course", "organization_id", "title"),
    "Organization.resources": _by("Resource", "owner_id", "name"),
    "Organization.resourceShares": _by("ResourceShare", "organization_id", "starts_on"),
    "Organization.fundingGiven": _by("Funding", "funder_id", "awarded_on"),
    "Organization.learners": _by("Learner", "home_organization_id", "name"),
    "Person.positions": _by("Position", "person_id", "started_on"),
    "Alliance.memberships": _by("Membership", "alliance_id", "joined_on"),
    "Alliance.activities": _by("Activity", "alliance_id", "held_on"),
    "Agreement.parties": _by("AgreementParty", "agreement_id"),
    "Agreement.children": _by("Agreement", "parent_id", "effective_from"),
    "Agreement.successors": _by("Agreement", "predecessor_id", "effective_from"),
    "Agreement.commitments": _by("Commitment", "agreement_id", "due_on"),
    "Agreement.mobilityConditions": _by("MobilityCondition", "agreement_id"),
    "Agreement.documents": _by("Document", "agreement_id", "issued_on"),
    "Agreement.history": _by("HistoryEntry", "agreement_id"),
    "Agreement.programs": _by("Program", "agreement_id", "name"),
    "Agreement.resourceShares": _by("ResourceShare", "agreement_id", "starts_on"),
    "Agreement.funding": _by("Funding", "agreement_id", "awarded_on"),
    "Agreement.recognitionRules": _by("RecognitionRule", "agreement_id"),
    "Agreement.evaluations": _by("Evaluation", "agreement_id", "period_end"),
    "Agreement.activities": _via(
        "Activity", ACTIVITY_AGREEMENT, "activity_id", "agreement_id", "held_on"
    ),
    "Program.partners": _by("ProgramPartner", "program_id"),
    "Program.courses": _by("Course", "program_id", "title"),
    "Program.enrolments": _by("Enrolment", "program_id", "enrolled_on"),
    "Program.funding": _by("Funding", "program_id", "awarded_on"),
    "Program.evaluations": _by("Evaluation", "program_id", "period_end"),
    "Program.activities": _via(
        "Activity", ACTIVITY_PROGRAM, "activity_id", "program_id", "held_on"
    ),
    "Course.instructors": _via("Person", COURSE_INSTRUCTOR, "person_id", "course_id", "name"),
    "Course.learningOutcomes": _by("LearningOutcome", "course_id", "earned_on"),
    "Learner.accounts": _by("CreditAccount", "learner_id"),
    "Learner.enrolments": _by("Enrolment", "learner_id", "enrolled_on"),
    "CreditAccount.outcomes": _by("LearningOutcome", "account_id", "earned_on"),
    "LearningOutcome.recognitions": _by("CreditRecognition", "outcome_id", "recognised_on"),
    "RecognitionRule.recognitions": _by("CreditRecognition", "rule_id", "recognised_on"),
    "Resource.shares": _by("ResourceShare", "resource_id", "starts_on"),
    "Activity.participants": _by("ActivityParticipant", "activity_id"),
    "Activity.agreements": _via(
        "Agreement", ACTIVITY_AGREEMENT, "agreement_id", "activity_id", "title"
    ),
    "Activity.programs": _via("Program", ACTIVITY_PROGRAM, "program_id", "activity_id", "name"),
}


def relation_statement(ctx: Context, rel: Relation) -> sa.Select[Any] | None:
    """The visible rows of a relation when it needs more than its table (a link, a condition)."""
    table = T[rel.node]
    made = None
    if rel.through is not None and rel.on is not None:
        made = ctx.reader.select(table).join(rel.through, rel.on)
    if rel.only is not None:
        made = (ctx.reader.select(table) if made is None else made).where(rel.only)
    return made


async def related_page(ctx: Context, relation: str, parent_id: int, request: PageRequest) -> Page:
    """One page of the named relation for one parent; batched with every other parent."""
    rel = RELATIONS[relation]
    table = T[rel.node]
    loader = ctx.loaders.children(
        table,
        key=rel.key,
        statement=lambda: relation_statement(ctx, rel),
        order_by=rel.order_by,
        request=request,
        args=relation,
    )
    return await loader.load(parent_id)
