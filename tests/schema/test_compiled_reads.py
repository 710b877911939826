"""Plain-data reads answered by one SQL statement give the ordinary road's answer, exactly.

Each document is sent twice for each kind of caller, once with `compiled_reads` on and once
off, and the two response bodies must be equal once parsed (the compiled road passes
PostgreSQL's JSON text through, spaces and all): the same data, the same errors, the same
order of keys. On SQLite both take the ordinary road (the compiled one is PostgreSQL's), so
there the comparison holds trivially; the tests that the compiled road was really taken run
on PostgreSQL only.
"""

import base64
import dataclasses
import logging
from typing import Any

import httpx
import orjson
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.scenarios import SCENARIOS
from db.enums import TokenRole
from resolvers.ids import encode_id
from resolvers.token_cache import token_cache
from tests.conftest import TEST_SETTINGS, api_client, make_token
from tests.factories import add_network
from tests.statements import StatementCounter

pytestmark = pytest.mark.anyio

ORDINARY = dataclasses.replace(TEST_SETTINGS, compiled_reads=False)

EVERY_RELATION_OF_AN_ORGANIZATION = """
query ($id: ID!) {
  node(id: $id) {
    __typename id
    ... on Organization {
      name localName shortName kind country region city website rorId latitude longitude
      description status isIllustrative version
      parent { id name }
      units(first: 3) { totalCount edges { node { id name } } }
      memberships { totalCount edges { node { id role joinedOn leftOn
        alliance { id name } organization { id } } } }
      agreementParties { totalCount edges { node { id role signedOn
        agreement { id title status } organization { name } signatory { id name } } } }
      positions { totalCount edges { node { id title } } }
      people { totalCount edges { node { id name } } }
      programPartners { totalCount edges { node { id } } }
      programs { totalCount edges { node { id name } } }
      courses { totalCount edges { node { id title } } }
      resources { totalCount edges { node { id name } } }
      resourceShares { totalCount edges { node { id } } }
      fundingGiven { totalCount edges { node { id } } }
      activities { totalCount edges { node { id title } } }
      learners { totalCount edges { node { id name } } }
      agreements(first: 4, orderBy: {field: TITLE, direction: ASC}) {
        totalCount
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor __typename }
        edges { cursor node { id title status kind signedOn effectiveFrom effectiveTo
          renewalRule renewalTermMonths termsHash version
          parent { id } predecessor { id }
          parties(first: 5) { edges { node { role organization { id name } } } }
          commitments { totalCount nodes { id } }
          documents { totalCount nodes { id } }
          history { totalCount nodes { id } }
          programs { totalCount nodes { id } }
          resourceShares { totalCount nodes { id } }
          funding { totalCount nodes { id } }
          recognitionRules { totalCount nodes { id } }
          evaluations { totalCount nodes { id } }
          activities { totalCount nodes { id } }
          children { totalCount nodes { id } }
        } }
      }
    }
  }
}
"""

ALLIANCE = """
query ($id: ID!) {
  node(id: $id) {
    ... on Alliance {
      id name
      memberships(first: 50, filter: {current: true}) {
        totalCount
        edges { node {
          role
          organization {
            id name country
            agreements(first: 5, filter: {partyAlliance: $id}) {
              totalCount
              edges { node { id title status parties { nodes { role organization { name } } } } }
            }
          }
        } }
      }
      activities { totalCount edges { node { id } } }
    }
  }
}
"""

LISTS = """
query ($after: String) {
  organizations(first: 3, after: $after, orderBy: {field: NAME, direction: DESC}) {
    __typename totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { __typename cursor node { id name kind } }
    nodes { name }
  }
  alliances(first: 2) { totalCount nodes { id name } }
  agreements(first: 5, filter: {status: [ACTIVE, SIGNED, EXPIRED]}) {
    totalCount edges { node { id title status } }
  }
  past: organizations(first: 2, after: "b2Zmc2V0Ojk5OTk=") {
    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } nodes { id }
  }
  none: organizations(first: 0) { totalCount pageInfo { startCursor endCursor } nodes { id } }
}
"""

BACKWARDS = """
query ($before: String, $after: String) {
  organizations(last: 3, before: $before, orderBy: {field: NAME, direction: DESC}) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id name
      units(last: 1) { totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } }
      agreements(last: 1, before: $before, orderBy: {field: TITLE, direction: ASC}) {
        totalCount
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
        edges { cursor node { id title
          parties(last: 1) { totalCount pageInfo { hasPreviousPage endCursor } nodes { role } }
        } }
      }
      agreementParties(first: 2, last: 1) { totalCount nodes { id } }
      memberships(before: $before) { totalCount edges { cursor node { id } } }
    } }
  }
  alliances(last: 2) { totalCount pageInfo { hasNextPage hasPreviousPage } nodes { id name } }
  between: agreements(after: $after, before: $before) {
    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } nodes { id }
  }
  both: agreements(first: 6, last: 2, after: $after) {
    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } nodes { id }
  }
  tail: agreements(last: 4, after: $after) { pageInfo { startCursor endCursor } nodes { id } }
  pastEnd: organizations(last: 2, before: "b2Zmc2V0Ojk5OTk=") {
    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } nodes { id }
  }
  none: organizations(last: 0) { totalCount pageInfo { startCursor endCursor } nodes { id } }
}
"""

REFUSED = [
    ("{ organizations(first: 500) { totalCount } }", None),
    ('{ organizations(after: "nonsense") { totalCount } }', None),
    ("{ organizations(last: 500) { totalCount } }", None),
    ("{ organizations(last: -2) { totalCount } }", None),
    ('{ organizations(before: "nonsense") { totalCount } }', None),
    (
        "query ($p: ID!) { agreements(filter: {party: $p}) { totalCount } }",
        {"p": encode_id("Organization", 999_999)},
    ),
    ('{ node(id: "not an id") { id } }', None),
]


def _cursor(position: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{position}".encode()).decode()


async def _body(
    engine: AsyncEngine,
    token: str | None,
    compiled: bool,
    document: str,
    variables: Any,
    statements: StatementCounter | None = None,
) -> bytes:
    settings = TEST_SETTINGS if compiled else ORDINARY
    async with api_client(engine, token, settings) as http:
        if statements is not None:
            token_cache(engine).forget_all()  # counted with the token read (see test_fast_lane)
            statements.reset()
        response = await http.post("/graphql", json={"query": document, "variables": variables})
        if statements is not None:
            statements.active = False
    assert response.status_code == 200, response.text
    body = orjson.loads(response.content)
    body.pop("extensions", None)
    return orjson.dumps(body)


def _differences(left: Any, right: Any, path: str = "") -> list[str]:
    """Where two JSON values differ, as `path: left != right` lines."""
    if isinstance(left, dict) and isinstance(right, dict):
        found = []
        for key in dict.fromkeys([*left, *right]):
            found += _differences(left.get(key), right.get(key), f"{path}.{key}")
        return found
    if isinstance(left, list) and isinstance(right, list) and len(left) == len(right):
        return [
            d
            for i, pair in enumerate(zip(left, right, strict=True))
            for d in _differences(*pair, f"{path}[{i}]")
        ]
    return [] if left == right else [f"{path}: {left!r} != {right!r}"]


async def _same(
    engine: AsyncEngine,
    token: str | None,
    document: str,
    variables: Any,
    statements: StatementCounter | None = None,
    expected: int | None = None,
) -> dict[str, Any]:
    """The answer, the same both ways; with `statements` on PostgreSQL, the compiled road's
    statements must number `expected` (the proof that it was taken)."""
    compiled = await _body(engine, token, True, document, variables, statements)
    if statements is not None and engine.dialect.name == "postgresql":
        assert statements.count == expected, document
    ordinary = await _body(engine, token, False, document, variables)
    differences = _differences(orjson.loads(compiled), orjson.loads(ordinary))
    assert not differences, differences[:10]
    assert compiled == ordinary, "the same keys in the same order"
    answer: dict[str, Any] = orjson.loads(compiled)
    return answer


async def _subjects(engine: AsyncEngine) -> tuple[int, str, int, str]:
    """The organization with the most agreements, and the alliance with the most members."""
    async with engine.connect() as connection:
        organization = (
            await connection.execute(
                sa.text(
                    "SELECT o.id, o.name FROM organization o JOIN agreement_party p "
                    "ON p.organization_id = o.id GROUP BY o.id, o.name "
                    "ORDER BY count(*) DESC, o.id LIMIT 1"
                )
            )
        ).one()
        alliance = (
            await connection.execute(
                sa.text(
                    "SELECT a.id, a.name FROM alliance a JOIN membership m ON m.alliance_id = a.id "
                    "GROUP BY a.id, a.name ORDER BY count(*) DESC, a.id LIMIT 1"
                )
            )
        ).one()
    return organization[0], organization[1], alliance[0], alliance[1]


async def _callers(
    engine: AsyncEngine, organization: str, alliance: str, admin: str
) -> dict[str, Any]:
    return {
        "admin": admin,
        "anonymous": None,
        "editor": await make_token(engine, TokenRole.EDITOR, organization=organization),
        "secretariat": await make_token(engine, TokenRole.SECRETARIAT, alliance=alliance),
        "reporter": await make_token(engine, TokenRole.REPORTER),
    }


async def test_every_caller_gets_the_same_answer_either_way(
    demo_engine: AsyncEngine, databases: Any, statements: StatementCounter
) -> None:
    await add_network(demo_engine, organizations=12, prefix="Compiled")
    org_id, org_name, alliance_id, alliance_name = await _subjects(demo_engine)
    callers = await _callers(demo_engine, org_name, alliance_name, databases.admin_token)
    organization = {"id": encode_id("Organization", org_id)}
    alliance = {"id": encode_id("Alliance", alliance_id)}
    for role, token in callers.items():
        # The caller's token (none when anonymous), the partyAlliance filter's reference, the
        # answer.
        token_lookup = 0 if token is None else 1
        answer = await _same(
            demo_engine,
            token,
            EVERY_RELATION_OF_AN_ORGANIZATION,
            organization,
            statements,
            token_lookup + 1,
        )
        assert answer["data"]["node"]["name"] == org_name, role
        answer = await _same(demo_engine, token, ALLIANCE, alliance, statements, token_lookup + 2)
        assert answer["data"]["node"]["name"] == alliance_name, role
        first = await _same(
            demo_engine, token, LISTS, {"after": None}, statements, token_lookup + 1
        )
        cursor = first["data"]["organizations"]["pageInfo"]["endCursor"]
        await _same(demo_engine, token, LISTS, {"after": cursor}, statements, token_lookup + 1)
        for after, before in [(None, None), (1, 6), (3, 2), (0, 99), (None, 4)]:
            cursors = {
                "after": None if after is None else _cursor(after),
                "before": None if before is None else _cursor(before),
            }
            await _same(demo_engine, token, BACKWARDS, cursors, statements, token_lookup + 1)
    visible = await _same(demo_engine, callers["editor"], ALLIANCE, alliance)
    hidden = await _same(demo_engine, None, ALLIANCE, alliance)
    assert visible != hidden, "an anonymous caller must not see the members' agreements"


async def test_the_benchmark_scenarios_get_the_same_answer_either_way(
    demo_engine: AsyncEngine,
) -> None:
    await add_network(demo_engine, organizations=30, prefix="Bench")
    org_id, org_name, alliance_id, alliance_name = await _subjects(demo_engine)
    subjects: dict[str, tuple[TokenRole | None, dict[str, str], dict[str, str]]] = {
        "portal": (
            TokenRole.EDITOR,
            {"organization": org_name},
            {"id": encode_id("Organization", org_id)},
        ),
        "secretariat": (
            TokenRole.SECRETARIAT,
            {"alliance": alliance_name},
            {"id": encode_id("Alliance", alliance_id)},
        ),
        "directory": (None, {}, {"country": "NL"}),
    }
    for scenario in SCENARIOS:
        if scenario.name not in subjects:
            continue
        role, over, variables = subjects[scenario.name]
        token = (
            None
            if role is None
            else await make_token(
                demo_engine,
                role,
                organization=over.get("organization"),
                alliance=over.get("alliance"),
            )
        )
        answer = await _same(demo_engine, token, scenario.document, variables)
        assert "errors" not in answer, answer


async def test_refusals_are_the_same_either_way(demo_engine: AsyncEngine, databases: Any) -> None:
    for document, variables in REFUSED:
        answer = await _same(demo_engine, databases.admin_token, document, variables)
        assert answer["errors"], document


async def test_a_plain_read_is_one_statement_on_postgresql(
    backend: str, demo_engine: AsyncEngine, statements: StatementCounter, databases: Any
) -> None:
    if backend != "postgresql":
        pytest.skip("the compiled road is PostgreSQL's; SQLite takes the ordinary one")
    org_id, *_ = await _subjects(demo_engine)
    document = next(s.document for s in SCENARIOS if s.name == "portal")
    variables = {"id": encode_id("Organization", org_id)}
    counts = {}
    for compiled in (True, False):
        settings = TEST_SETTINGS if compiled else ORDINARY
        async with api_client(demo_engine, databases.admin_token, settings) as http:
            token_cache(demo_engine).forget_all()
            statements.reset()
            response = await http.post("/graphql", json={"query": document, "variables": variables})
            assert "errors" not in response.json()
            counts[compiled] = statements.count
    assert counts[True] == 2, "the caller's token, then the whole answer"
    assert counts[False] == 5


async def test_a_field_that_is_not_plain_data_takes_the_ordinary_road(
    backend: str, demo_engine: AsyncEngine, statements: StatementCounter, client: httpx.AsyncClient
) -> None:
    if backend != "postgresql":
        pytest.skip("the compiled road is PostgreSQL's")
    statements.reset()
    response = await client.post(
        "/graphql", json={"query": "{ agreements(first: 3) { nodes { id createdAt modes } } }"}
    )
    body = response.json()
    assert "errors" not in body
    assert statements.count == 3, "token, the page, the modes: no compiled statement first"


async def test_introspection_beside_a_plain_read_is_declined_quietly(
    backend: str,
    demo_engine: AsyncEngine,
    client: httpx.AsyncClient,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A meta field (`__type`, `__schema`) is not in the root type's fields: the planner
    declines it (the ordinary road answers it) instead of failing the whole plan with a
    logged traceback."""
    if backend != "postgresql":
        pytest.skip("the compiled road is PostgreSQL's")
    document = '{ __type(name: "Alliance") { name } alliances(first: 1) { totalCount } }'
    with caplog.at_level(logging.WARNING):
        body = (await client.post("/graphql", json={"query": document})).json()
    assert "errors" not in body
    assert body["data"]["__type"] == {"name": "Alliance"}
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []


async def test_a_cursor_a_list_cannot_take_is_refused_quietly_on_both_roads(
    backend: str,
    demo_engine: AsyncEngine,
    databases: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A key cursor given to a list ordered by a computed rank (memberships) is the caller's
    mistake: both roads answer the same BAD_USER_INPUT, and the compiled road declines it
    without logging a failure."""
    if backend != "postgresql":
        pytest.skip("the compiled road is PostgreSQL's")
    key_cursor = base64.b64encode(b"key:1").decode()
    document = (
        "{ alliances { nodes { memberships(first: 2, after: "
        f'"{key_cursor}") {{ edges {{ cursor }} }} }} }} }}'
    )
    with caplog.at_level(logging.WARNING, logger="schema.compiled.execution"):
        answer = await _same(demo_engine, databases.admin_token, document, None)
    assert [e["extensions"]["code"] for e in answer["errors"]] == ["BAD_USER_INPUT"]
    assert not [r for r in caplog.records if r.name == "schema.compiled.execution"]


SUMMARIES = [
    # (document, variables, compiled: whether the summary is written in SQL)
    (
        """query ($by: [ReportDimension!]) { cooperationSummary(groupBy: $by) {
          __typename asOf groupBy
          total { agreements active byStatus { status count } }
          groups { keys { dimension value label } measures { agreements active
            byStatus { count status __typename } } } } }""",
        {"by": ["AGREEMENT_KIND", "SIGNED_YEAR"]},
        True,
    ),
    (
        """{ s: cooperationSummary(groupBy: [STATUS, SIGNED_QUARTER, START_YEAR, START_QUARTER],
              asOf: "2024-06-30") {
          groups { k: keys { v: value d: dimension } m: measures { n: agreements
            a: byStatus { count } b: byStatus { status } } }
          total { byStatus { status } agreements } } }""",
        None,
        True,
    ),
    (
        """query ($f: AgreementFilter) { cooperationSummary(filter: $f) {
          total { agreements active byStatus { status count } } groups { keys { value } } } }""",
        {
            "f": {
                "kind": ["MEMORANDUM_OF_UNDERSTANDING", "JOINT_PROGRAM"],
                "status": ["ACTIVE", "SIGNED", "EXPIRED"],
            }
        },
        True,
    ),
    (
        """{ cooperationSummary(groupBy: [AGREEMENT_KIND], filter: {text: "no such title"}) {
          total { agreements active byStatus { status count } }
          groups { keys { value } measures { agreements } } } }""",
        None,
        True,
    ),
    (  # a dimension with several values per agreement: the resolver
        """{ cooperationSummary(groupBy: [PARTY_COUNTRY]) {
          total { agreements } groups { keys { value } measures { agreements } } } }""",
        None,
        False,
    ),
    (  # a measure other than counts: the resolver
        """{ cooperationSummary(groupBy: [AGREEMENT_KIND]) {
          groups { keys { value } measures { agreements parties } } } }""",
        None,
        False,
    ),
]


async def test_summaries_of_counts_get_the_same_answer_either_way(
    demo_engine: AsyncEngine, databases: Any, statements: StatementCounter
) -> None:
    await add_network(demo_engine, organizations=12, prefix="Summary")
    _, org_name, _, alliance_name = await _subjects(demo_engine)
    callers = await _callers(demo_engine, org_name, alliance_name, databases.admin_token)
    for role, token in callers.items():
        token_lookup = 0 if token is None else 1
        for document, variables, compiled in SUMMARIES:
            # the token, the report settings, the answer (the resolver: its own statements)
            expected = token_lookup + 2 if compiled else None
            answer = await _same(
                demo_engine,
                token,
                document,
                variables,
                statements if compiled else None,
                expected,
            )
            assert "errors" not in answer, (role, answer)
            if role == "reporter" and document is SUMMARIES[0][0]:
                assert len(answer["data"]["cooperationSummary"]["groups"]) > 3


LEDGER = """query ($id: ID!) { node(id: $id) { ... on CreditAccount { entries { nodes {
  id kind unitCode reason recordedOn corrects { id unitCode } convertedFrom { id unitCode }
  corrections { nodes { id kind unitCode } } } } } } }"""
"""Plain data only (`credits` is a decimal, shaped in Python): the compiled road on PostgreSQL."""


async def test_ledger_entries_with_units_and_conversions_get_the_same_answer_either_way(
    demo_engine: AsyncEngine, databases: Any, statements: StatementCounter
) -> None:
    from resolvers import ledger
    from resolvers.transactions import in_transaction
    from resolvers.viewer import Role, Viewer

    async with demo_engine.begin() as connection:
        first = await connection.scalar(
            sa.text("SELECT min(id) FROM credit_entry WHERE kind = 'earned' AND account_id = 1")
        )
        await connection.execute(
            sa.text("UPDATE credit_entry SET unit_code = 'UK_CREDIT' WHERE id = :id"), {"id": first}
        )

    async def convert(connection: Any) -> Any:
        return await ledger.convert_entry(
            connection, Viewer(role=Role.ADMIN), entry_id=first, to_unit="ECTS", credits=None
        )

    await in_transaction(demo_engine, convert)
    account = {"id": encode_id("CreditAccount", 1)}
    answer = await _same(demo_engine, databases.admin_token, LEDGER, account, statements, 2)
    entries = answer["data"]["node"]["entries"]["nodes"]
    [put_in] = [e for e in entries if e["convertedFrom"] is not None]
    assert (put_in["unitCode"], put_in["convertedFrom"]["unitCode"]) == ("ECTS", "UK_CREDIT")
