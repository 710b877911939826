"""The assembled GraphQL schema: one small query class per domain, merged into `Query`."""

from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaxTokensLimiter
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from schema import (  # noqa: F401  (their node types register on import)
    activities,
    agreement_mutations,
    agreements,
    alliances,
    approvals,
    calendar,
    changes,
    codes,
    completion,
    credentials,
    credits,
    crud,
    documents,
    evaluations,
    funding,
    indicators,
    ledger,
    mobility,
    names,
    network,
    node,
    organizations,
    people,
    programs,
    proposals,
    recognition,
    reports,
    resources,
    saved_views,
    tokens,
    webhooks,
)
from schema.compiled.execution import FastExecutionContext
from schema.document_caches import ParsedDocuments, ValidatedDocuments
from schema.guard import Guard
from schema.input_hygiene import InputHygiene
from schema.node_types import node_types
from schema.relay import describe_modified_since, describe_paging_arguments
from schema.scalars import SCALAR_OVERRIDES
from schema.subscriptions import Subscription
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
        codes.CodeQuery,
        resources.ResourceQuery,
        activities.ActivityQuery,
        evaluations.EvaluationQuery,
        tokens.TokenQuery,
        reports.ReportQuery,
        network.NetworkQuery,
        proposals.ProposalQuery,
        changes.ChangeQuery,
        saved_views.SavedViewQuery,
        approvals.ApprovalQuery,
        indicators.IndicatorQuery,
        webhooks.WebhookQuery,
        calendar.CalendarQuery,
    ),
)

Mutation = merge_types(
    "Mutation",
    (
        agreement_mutations.AgreementMutation,
        crud.EntityMutation,
        mobility.MobilityConditionMutation,
        tokens.TokenMutation,
        proposals.ProposalMutation,
        saved_views.SavedViewMutation,
        names.NameMutation,
        documents.DocumentMutation,
        webhooks.WebhookMutation,
        ledger.LedgerMutation,
        recognition.RecognitionMutation,
        completion.CompletionMutation,
        indicators.IndicatorMutation,
        approvals.ApprovalMutation,
        credentials.CredentialMutation,
    ),
)

Query.__strawberry_definition__.description = (  # type: ignore[attr-defined]
    "Everything a caller may read: any object by its ID, the root lists, reports and the "
    "cooperation network. Every answer holds only what the caller's token may see "
    "(docs/access.md): a hidden object reads as a missing one."
)
Mutation.__strawberry_definition__.description = (  # type: ignore[attr-defined]
    "Every change. A mutation runs in one transaction and answers a payload whose "
    "`userErrors` say why nothing changed (a refusal, a stale version, a bad value); the "
    "caller's token decides what it may change (docs/access.md)."
)

NODE_TYPES: list[type] = node_types()


class _Schema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Nothing: strawberry would log every error with its traceback, the caller's mistakes
        included. `schema.errors.coded` logs the unexpected ones, with a traceback, a reference
        and the request's id, and the others are counted in the request's log line."""


def build_schema(settings: Settings | None = None) -> strawberry.Schema:
    settings = settings or Settings()
    max_tokens = settings.max_tokens
    tracing: list[Any] = []
    if settings.otlp_endpoint:
        from telemetry.tracing import GraphQLSpans

        tracing.append(GraphQLSpans)
    schema = _Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=NODE_TYPES,
        execution_context_class=FastExecutionContext,
        scalar_overrides=SCALAR_OVERRIDES,
        extensions=[
            lambda: MaxTokensLimiter(max_token_count=max_tokens),
            ParsedDocuments,  # the caches live at module level, shared by every request
            ValidatedDocuments,
            Guard,
            InputHygiene,
            *tracing,
        ],
    )
    describe_paging_arguments(schema._schema)
    describe_modified_since(schema._schema)
    return schema


def schema_sdl() -> str:
    """The schema in SDL, as committed in `schema.graphql`."""
    return build_schema().as_str() + "\n"
