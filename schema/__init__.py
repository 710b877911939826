"""The assembled GraphQL schema: one small query class per domain, merged into `Query`."""

import strawberry
from strawberry.extensions import MaxTokensLimiter
from strawberry.tools import merge_types

from schema import (
    activities,
    agreement_mutations,
    agreements,
    alliances,
    credits,
    crud,
    evaluations,
    funding,
    network,
    node,
    organizations,
    people,
    programs,
    proposals,
    reports,
    resources,
    tokens,
)
from schema.document_caches import ParsedDocuments, ValidatedDocuments
from schema.execution import FastExecutionContext
from schema.guard import Guard
from schema.input_hygiene import InputHygiene
from schema.scalars import SCALAR_OVERRIDES
from settings import Settings

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
        tokens.TokenQuery,
        reports.ReportQuery,
        network.NetworkQuery,
        proposals.ProposalQuery,
    ),
)

Mutation = merge_types(
    "Mutation",
    (
        agreement_mutations.AgreementMutation,
        crud.EntityMutation,
        tokens.TokenMutation,
        proposals.ProposalMutation,
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
    tokens.ApiToken,
    proposals.Proposal,
]


def build_schema(settings: Settings | None = None) -> strawberry.Schema:
    max_tokens = (settings or Settings()).max_tokens
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        types=NODE_TYPES,
        execution_context_class=FastExecutionContext,
        scalar_overrides=SCALAR_OVERRIDES,
        extensions=[
            lambda: MaxTokensLimiter(max_token_count=max_tokens),
            ParsedDocuments,  # the caches live at module level, shared by every request
            ValidatedDocuments,
            Guard,
            InputHygiene,
        ],
    )


def schema_sdl() -> str:
    """The schema in SDL, as committed in `schema.graphql`."""
    return build_schema().as_str() + "\n"
