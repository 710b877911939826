"""The assembled GraphQL schema: one small query class per domain, merged into `Query`."""

import strawberry
from strawberry.extensions import ParserCache, ValidationCache
from strawberry.tools import merge_types

from schema import (
    activities,
    agreements,
    alliances,
    credits,
    evaluations,
    funding,
    node,
    organizations,
    people,
    programs,
    resources,
)

__all__ = ["build_schema", "schema_sdl"]

Query = merge_types(
    "Query",
    (
        node.NodeQuery,
        organizations.OrganizationQuery,
        people.PersonQuery,
        alliances.AllianceQuery,
        agreements.AgreementQuery,
        programs.ProgramQuery,
        programs.CourseQuery,
        resources.ResourceQuery,
        activities.ActivityQuery,
        evaluations.EvaluationQuery,
    ),
)

NODE_TYPES: list[type] = [
    organizations.Organization,
    people.Person,
    people.Position,
    alliances.Alliance,
    alliances.Membership,
    agreements.Agreement,
    agreements.AgreementParty,
    agreements.Commitment,
    agreements.Document,
    agreements.HistoryEntry,
    programs.Program,
    programs.ProgramPartner,
    programs.Course,
    credits.Learner,
    credits.CreditAccount,
    credits.Enrolment,
    credits.LearningOutcome,
    credits.RecognitionRule,
    credits.CreditRecognition,
    resources.Resource,
    resources.ResourceShare,
    funding.Funding,
    activities.Activity,
    activities.ActivityParticipant,
    evaluations.Evaluation,
]


def build_schema() -> strawberry.Schema:
    return strawberry.Schema(
        query=Query,
        types=NODE_TYPES,
        extensions=[
            # Factories: the caches themselves live at module level, shared by every request.
            lambda: ParserCache(maxsize=256),
            lambda: ValidationCache(maxsize=256),
        ],
    )


def schema_sdl() -> str:
    """The schema in SDL, as committed in `schema.graphql`."""
    return build_schema().as_str() + "\n"
