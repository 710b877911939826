"""Every field is compiled or says why not, and every compiled field answers as the ordinary road.

The first test walks every field of every object type of the schema: a field the planner does
not compile (`schema.compiled.planner.compiled_fields`) must be on `ORDINARY_ROAD` below, with
the reason it takes graphql-core's road. A new plain column, a DateTime, a declared reference or
list is compiled and needs nothing here; a new field with its own resolver fails this test until
it is declared (`schema.compiled.declare`) or listed.

The second test is generated from the same declarations: for each node type it asks for every
compiled field (through `node(id:)` for a few rows, and through the root lists), as each kind of
caller, with the compiled road on and off, and the answers must be the same bytes, the compiled
one from one statement.
"""

from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from graphql import GraphQLObjectType, GraphQLSchema, get_named_type, is_leaf_type
from sqlalchemy.ext.asyncio import AsyncEngine

from resolvers.ids import encode_id
from resolvers.nodes import NODE_TABLES
from schema import build_schema
from schema.compiled.planner import compiled_fields
from tests.factories import add_network
from tests.schema.test_compiled_reads import _callers, _same, _subjects
from tests.statements import StatementCounter

pytestmark = pytest.mark.anyio

_MONEY = "a Decimal: str(Decimal) and PostgreSQL's numeric text are not proven the same"
_NO_TABLE = "a type without a table of its own: answered by resolvers, never compiled"
_WRITES = "mutations and their payloads: writes always take the ordinary road"
_NETWORK = "network analytics: computed in Python over the graph (graph/)"
_REPORTS = "reports: money, means and trends computed in Python (resolvers/report_*)"
_CODES = "a code's label, looked up in the official list kept as data (db/codes), in Python"
_UNITS = "the credit unit table, a reference table read by code through a loader"

ORDINARY_ROAD: dict[str, str] = {
    # Whole types (every field).
    "Mutation": _WRITES,
    "UserError": _WRITES,
    "DeletePayload": _WRITES,
    "DeletedPayload": _WRITES,
    "CreateApiTokenPayload": _WRITES,
    "RevokeApiTokenPayload": _WRITES,
    "ViewerInfo": "the caller's own token, read from the request, not a table",
    "Change": "the change feed: events cut by position and visibility (resolvers/changes.py)",
    "ChangeEdge": "the change feed: events cut by position and visibility (resolvers/changes.py)",
    "ChangeConnection": "the change feed: its own cursor past events the caller may not see",
    "Webhook": "Query.webhooks: endpoints of the caller's organizations, resolvers/webhooks",
    "WebhookDelivery": "a webhook endpoint's delivery log, read through resolvers/webhooks",
    "CreateWebhookPayload": _WRITES,
    "UpdateWebhookPayload": _WRITES,
    "DeleteWebhookPayload": _WRITES,
    "RedeliverWebhookPayload": _WRITES,
    "SavedView": "Query.views and Query.view: a catalogue read through resolvers/saved_views",
    "SavedViewConnection": "Query.views: a catalogue read through resolvers/saved_views",
    "SavedViewEdge": "Query.views: a catalogue read through resolvers/saved_views",
    "LocalizedName": "the names list of a named type: a plain list from one DataLoader per "
    "type (resolvers/names.names_of), not yet written as SQL JSON",
    "DocumentVersion": "a document's versions: downloadUrl is signed in Python at read time "
    "(an HMAC or an S3 presigned URL), which SQL cannot write",
    "CalendarFeed": "Query.calendarFeed: the caller's calendar token, derived in Python (an "
    "HMAC of its API token's stored hash, resolvers/calendar_tokens)",
    "Query.calendarFeed": "the caller's own token, read from the request, not a table",
    "Organization.reminderLeadDays": "a list of integers (an array on PostgreSQL): the planner "
    "writes scalars only; rarely asked, by an organization's own settings page",
    "Alliance.reminderLeadDays": "a list of integers (see Organization.reminderLeadDays)",
    "Organization.names": "a plain list of LocalizedName (see LocalizedName)",
    "Alliance.names": "a plain list of LocalizedName (see LocalizedName)",
    "Agreement.names": "a plain list of LocalizedName (see LocalizedName)",
    "Program.names": "a plain list of LocalizedName (see LocalizedName)",
    "Course.names": "a plain list of LocalizedName (see LocalizedName)",
    "Document.versions": "a plain list of DocumentVersion (see DocumentVersion)",
    "ApiTokenConnection": "Query.apiTokens: an admin's list, read through the token service",
    "ApiTokenEdge": "Query.apiTokens: an admin's list, read through the token service",
    "ProposalConnection": "Query.proposals: filtered by the caller's side, in resolvers/proposals",
    "ProposalEdge": "Query.proposals: filtered by the caller's side, in resolvers/proposals",
    "ProposalSide": "a proposal's parties as the caller sees them (resolvers/proposal_links)",
    "ProposalSubject": "a union of the agreement or membership a proposal is about",
    "ProgramRequirements": "a program's requirements with their courses, read by a loader "
    "in resolvers/credits",
    "CompletionStatus": "a learner's standing in a program, computed from the ledger in "
    "resolvers/completion",
    "Money": _MONEY,
    "RoleCount": "an alliance's declared and named members per role, merged in Python "
    "(resolvers/alliances.role_counts_of)",
    "ApprovalPolicyEntry": "Query.approvalPolicy: the policy table as a plain list",
    "EvaluationMeasure": "an evaluation's indicators, kept as JSON and shaped in Python",
    "IndicatorProgress": "progress(period:): values counted per computation, gap and met in Python",
    "IndicatorTarget": "an indicator's targets, a short list read by resolvers/indicators",
    "AllianceReport": _REPORTS,
    "AllianceMemberReport": _REPORTS,
    "AllianceTotals": _REPORTS,
    "CooperationTrend": _REPORTS,
    "TrendPoint": _REPORTS,
    "DensityPoint": _REPORTS,
    "ExpiringAgreement": _REPORTS,
    "Network": _NETWORK,
    "NetworkCommunity": _NETWORK,
    "NetworkLink": _NETWORK,
    "NetworkTie": _NETWORK,
    "AllianceNetwork": _NETWORK,
    "BetweennessRanking": _NETWORK,
    "RankedOrganization": _NETWORK,
    "CooperationPath": _NETWORK,
    "IndirectPair": _NETWORK,
    "Partner": _NETWORK,
    "PartnerConnection": _NETWORK,
    "PartnerEdge": _NETWORK,
    "FieldOfStudy": _CODES,
    "BroaderField": _CODES,
    "EqfLevel": _CODES,
    "CreditUnit": _UNITS,
    "EwpIia": "the EWP IIA XML and its hash, built with lxml in resolvers/ewp",
    "LanguageSkill": "a mobility condition's language skills, kept as JSON and shaped in Python",
    # Root fields.
    "Query.changes": "the change feed, read by resolvers/changes.py with its own positions",
    "Subscription": "subscriptions are pushed over a WebSocket, never answered by the fast lane",
    "Query.nodes": "a list of global IDs of any types, each fetched by the node loader",
    "Query.people": "a root list without a compiled source (resolvers.compiled.lists)",
    "Query.views": "saved views: a catalogue read through resolvers/saved_views",
    "Query.view": "saved views: one version, read through resolvers/saved_views",
    "Query.webhooks": "webhook endpoints of the caller's organizations (resolvers/webhooks)",
    "Query.programs": "a root list without a compiled source (resolvers.compiled.lists)",
    "Query.courses": "a root list without a compiled source (resolvers.compiled.lists)",
    "Query.resources": "a root list without a compiled source (resolvers.compiled.lists)",
    "Query.activities": "a root list without a compiled source (resolvers.compiled.lists)",
    "Query.evaluations": "a root list without a compiled source (resolvers.compiled.lists)",
    "Query.viewer": "the caller's own token, read from the request",
    "Query.apiTokens": "an admin's list, read through the token service",
    "Query.cooperationTrend": _REPORTS,
    "Query.allianceReport": _REPORTS,
    "Query.expiringAgreements": _REPORTS,
    "Query.network": _NETWORK,
    "Query.cooperationPaths": _NETWORK,
    "Query.fieldsOfStudy": _CODES,
    "Query.eqfLevels": _CODES,
    "Query.creditUnits": _UNITS,
    "Query.proposals": "filtered by the caller's side of each proposal, in resolvers/proposals",
    "Query.approvalPolicy": "the approval policy, a short public list read by resolvers/approvals",
    "Query.standardIndicators": "the five standard indicators, a short public list",
    "Query.indicatorProgress": "a report by indicator: progress per computation (one statement)",
    "ReportMeasures.parties": _REPORTS,
    "ReportMeasures.programs": _REPORTS,
    "ReportMeasures.enrolments": _REPORTS,
    "ReportMeasures.creditsEarned": _REPORTS,
    "ReportMeasures.creditsRecognised": _REPORTS,
    "ReportMeasures.resourcesShared": _REPORTS,
    "ReportMeasures.activities": _REPORTS,
    "ReportMeasures.meanEvaluationScore": _REPORTS,
    "ReportMeasures.funding": _REPORTS,
    # Fields of node types.
    "Agreement.modes": "a list of enums from a link table, loaded per agreement",
    "Agreement.ewpIia": "the EWP IIA XML and its hash, built with lxml in resolvers/ewp",
    "MobilityCondition.totalMonthsPerYear": _MONEY,
    "MobilityCondition.totalDaysPerYear": _MONEY,
    "MobilityCondition.languageSkills": "kept as JSON and shaped in Python",
    "Agreement.successor": "the first of a relation, not a connection",
    "Alliance.network": _NETWORK,
    "Alliance.roleCounts": "declared counts and named members merged per role in Python",
    "Alliance.progress": "indicators' progress: a period parsed, values counted per computation",
    "Program.progress": "indicators' progress: a period parsed, values counted per computation",
    "Indicator.progress": "a period parsed, the value counted per computation, gap in Python",
    "Indicator.targets": "an indicator's targets, a short list read by resolvers/indicators",
    "Indicator.standard": "the standard code as the old enum, null for an alliance's or program's",
    "Organization.partners": _NETWORK,
    "Commitment.status": "OVERDUE computed from the due date in Python, no SQL expression yet",
    "Course.credits": _MONEY,
    "Course.fieldOfStudy": _CODES,
    "Course.eqf": _CODES,
    "Course.creditUnit": _UNITS,
    "Course.ectsCredits": _MONEY,
    "CreditAccount.creditsEarned": "a sum over the ledger, computed by resolvers/credits",
    "CreditAccount.balance": "a sum over the ledger, computed by resolvers/credits",
    "CreditAccount.creditsRecognised": "a sum over the ledger, computed by resolvers/credits",
    "CreditAccount.balances": "sums per unit over the ledger, computed by resolvers/credits",
    "CreditBalance": "a sum per unit over the ledger, computed by resolvers/credits",
    "CreditEntry.credits": _MONEY,
    "RecognitionApplication.creditsRequested": _MONEY,
    "RecognitionApplication.creditsGranted": _MONEY,
    "ProgramCompletion.creditsCounted": _MONEY,
    "IssuedCredential.credits": _MONEY,
    "IssuedCredential.statusListCredential": "a URL made in Python from the setting "
    "PARTNERGRAPH_CREDENTIALS_BASE_URL (resolvers/badges)",
    "IssuerKey": "a signing key's public half, answered only by rotateIssuerKey",
    "Program.requirements": "read by a loader with its courses (resolvers/credits)",
    "Program.completion": "computed from the learner's ledger (resolvers/completion): a few "
    "statements per program asked, so ask it of one program at a time",
    "CreditRecognition.credits": _MONEY,
    "Evaluation.score": _MONEY,
    "Evaluation.measures": "an evaluation's indicators, kept as JSON and shaped in Python",
    "Funding.amount": _MONEY,
    "HistoryEntry.changes": "a JSON scalar, written by strawberry's JSON serializer",
    "LearningOutcome.credits": _MONEY,
    "Program.credits": _MONEY,
    "Program.fieldOfStudy": _CODES,
    "Program.eqf": _CODES,
    "Program.creditUnit": _UNITS,
    "Program.ectsCredits": _MONEY,
    "Program.targetGroups": "a list of enums from a link table, loaded per program",
    "Proposal.subject": "a union of the agreement or membership a proposal is about",
    "Proposal.proposedBy": "the proposing side as the caller may see it (resolvers/proposal_links)",
    "Proposal.addressedTo": "the answering side as the caller may see it",
    "Proposal.proposerToken": "shown to the proposer only",
    "Proposal.status": "the stored status read through the proposal's rules in Python",
    "Proposal.role": "a role named by the enum of the proposal's kind, in Python",
    "RecognitionRule.ratio": _MONEY,
    "RecognitionRule.maxCredits": _MONEY,
}
"""Fields (`Type.field`) and whole types (`Type`) that take graphql-core's road, and why."""

_PAYLOAD = "Payload"
"""Every `...Payload` type is a mutation's answer (`_WRITES`)."""


def _object_types(schema: GraphQLSchema) -> list[GraphQLObjectType]:
    return [
        t
        for t in schema.type_map.values()
        if isinstance(t, GraphQLObjectType) and not t.name.startswith("__")
    ]


def test_every_field_is_compiled_or_says_why_not() -> None:
    schema = build_schema()._schema
    compiled = compiled_fields(schema)
    silent = []
    for object_type in _object_types(schema):
        whole = object_type.name in ORDINARY_ROAD or object_type.name.endswith(_PAYLOAD)
        for name in object_type.fields:
            key = f"{object_type.name}.{name}"
            if key not in compiled and not whole and key not in ORDINARY_ROAD:
                silent.append(key)
    assert not silent, (
        "these fields would send their whole root field down the ordinary road: declare how "
        f"they read in SQL (schema.compiled.declare) or add them to ORDINARY_ROAD: {silent}"
    )


def test_the_allow_list_names_only_fields_that_are_not_compiled() -> None:
    schema = build_schema()._schema
    compiled = compiled_fields(schema)
    stale = [key for key in ORDINARY_ROAD if key in compiled]
    missing = [key for key in ORDINARY_ROAD if key.split(".")[0] not in schema.type_map]
    assert not stale, f"compiled now, take them off ORDINARY_ROAD: {stale}"
    assert not missing, f"no such types: {missing}"


def _selection(schema: GraphQLSchema, compiled: set[str], type_name: str) -> str:
    """Every compiled field of a node type; a reference or a list with ids below it."""
    object_type = schema.type_map[type_name]
    assert isinstance(object_type, GraphQLObjectType)
    parts = ["__typename"]
    for name, field in object_type.fields.items():
        if f"{type_name}.{name}" not in compiled:
            continue
        named = get_named_type(field.type)
        if is_leaf_type(named):
            parts.append(name)
        elif named.name.endswith("Connection"):
            parts.append(
                f"{name}(first: 2) {{ totalCount nodes {{ id }} edges {{ cursor node {{ id }} }} "
                "pageInfo { hasNextPage hasPreviousPage startCursor endCursor } }"
            )
        else:
            parts.append(f"{name} {{ __typename id }}")
    return " ".join(parts)


def _documents(schema: GraphQLSchema, keys: dict[str, list[int]]) -> list[tuple[str, str]]:
    """For each node type, a document asking for each compiled field of a few rows; for each
    root list, one asking for each compiled field of its first page."""
    compiled = compiled_fields(schema)
    documents = []
    for type_name, ids in keys.items():
        selection = _selection(schema, compiled, type_name)
        fragment = f"... on {type_name} {{ {selection} }}"
        aliases = " ".join(
            f'n{i}: node(id: "{encode_id(type_name, key)}") {{ {fragment} }}'
            for i, key in enumerate(ids)
        )
        documents.append((type_name, "{ " + aliases + " }"))
    query = schema.query_type
    assert query is not None
    for name, field in query.fields.items():
        named = get_named_type(field.type)
        if f"{query.name}.{name}" not in compiled or not named.name.endswith("Connection"):
            continue
        assert isinstance(named, GraphQLObjectType)
        node = get_named_type(named.fields["nodes"].type).name
        selection = _selection(schema, compiled, node)
        documents.append((name, f"{{ {name}(first: 7) {{ totalCount nodes {{ {selection} }} }} }}"))
    return documents


async def _keys(engine: AsyncEngine) -> dict[str, list[int]]:
    """Up to three keys of each node type's table: the first, one in the middle, the last."""
    found = {}
    async with engine.connect() as connection:
        for type_name, table in NODE_TABLES.items():
            ids = (await connection.execute(sa.select(table.c.id).order_by(table.c.id))).scalars()
            every = list(ids)
            found[type_name] = sorted(
                {every[0], every[len(every) // 2], every[-1]} if every else {1}
            )
    return found


async def test_every_compiled_field_gets_the_same_answer_either_way(
    demo_engine: AsyncEngine, databases: Any, statements: StatementCounter
) -> None:
    await add_network(demo_engine, organizations=8, prefix="Declared")
    _, org_name, _, alliance_name = await _subjects(demo_engine)
    callers = await _callers(demo_engine, org_name, alliance_name, databases.admin_token)
    documents = _documents(build_schema()._schema, await _keys(demo_engine))
    for role, token in callers.items():
        expected = 1 if token is None else 2  # the caller's token, then the whole answer
        for subject, document in documents:
            answer = await _same(demo_engine, token, document, None, statements, expected)
            assert "errors" not in answer, (role, subject, answer["errors"])


async def test_a_datetime_is_written_as_isoformat_gives_it(
    demo_engine: AsyncEngine, databases: Any, statements: StatementCounter
) -> None:
    """Whole seconds (no fraction), a fraction with leading zeros, and a full one."""
    agreement = NODE_TABLES["Agreement"]
    key = await _keys(demo_engine)
    first = key["Agreement"][0]
    document = (
        f'{{ node(id: "{encode_id("Agreement", first)}") {{ ... on Agreement {{ createdAt }} }} }}'
    )
    moments = [
        datetime(2024, 2, 29, 23, 59, 59, tzinfo=UTC),
        datetime(2024, 3, 1, 0, 0, 0, 123, tzinfo=UTC),
        datetime(1999, 12, 31, 8, 7, 6, 500000, tzinfo=UTC),
    ]
    written = []
    for moment in moments:
        async with demo_engine.begin() as connection:
            await connection.execute(
                agreement.update().where(agreement.c.id == first).values(created_at=moment)
            )
        answer = await _same(demo_engine, databases.admin_token, document, None, statements, 2)
        written.append(answer["data"]["node"]["createdAt"])
    assert written == [
        "2024-02-29T23:59:59+00:00",
        "2024-03-01T00:00:00.000123+00:00",
        "1999-12-31T08:07:06.500000+00:00",
    ]
