"""Who sees what, for every role, entity and path, on the demo data: generated from one table.

Each probe is one demo object, found as an admin; for each role the test asks for it through
every path that reaches it (`node(id:)`, `nodes(ids:)`, its root list with `totalCount`, a
nested list under a public parent, and filters that could give a hidden row away) and checks
that it is there exactly when the role may see it, and that hidden rows read as missing ones.

The subjects: an editor of Jiangsu Open University (whose School of Art is a party to the
agreement under negotiation), a viewer of Nanjing University's School of Lifelong Education (the
other party), the secretariat of the Jiangxi alliance (whose members JUFE and Nanchang Hangkong
University signed agreements), a reporter, an anonymous caller and an admin.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from db.base import table_of, utcnow
from db.enums import TokenRole
from db.tables import Agreement, Document, HistoryEntry
from tests.conftest import Databases, api_client, make_token
from tests.graphql import post, query
from tests.resolvers.matrix_subjects import ADMIN, EDITOR, ROLES, SECRETARIAT, VIEWER, token_for

pytestmark = pytest.mark.anyio


EVERYONE = frozenset(ROLES)


@dataclass(frozen=True)
class Probe:
    name: str
    locate: str
    """An admin query whose response holds the probe's ID as its only `id`."""
    seen_by: frozenset[str]
    root: str | None = None
    nested: tuple[str, str, str] | None = None
    """(root list of a public parent, the parent's `text` filter, the nested field)."""


def _seen(*roles: str) -> frozenset[str]:
    return frozenset({ADMIN, *roles})


SOCIAL = '{ agreements(filter: {text: "social education"}) { nodes { id } } }'
PARTIES = "agreementParties"

PROBES = [
    Probe(
        "the School of Art",
        '{ organizations(filter: {text: "School of Art"}) { nodes { id } } }',
        EVERYONE,
        root="organizations",
    ),
    Probe(
        "the Jiangxi alliance",
        '{ alliances(filter: {text: "Sino-Foreign"}) { nodes { id } } }',
        EVERYONE,
        root="alliances",
    ),
    Probe(
        "JUFE's chair membership",
        "{ alliances { nodes { memberships(filter: {role: [CHAIR]}) { nodes { id } } } } }",
        EVERYONE,
        nested=("alliances", "Sino-Foreign", "memberships"),
    ),
    Probe(
        "the micro-specialty program",
        '{ programs(filter: {text: "Micro-specialties"}) { nodes { id } } }',
        EVERYONE,
        root="programs",
        nested=("organizations", "School of Art", "programs"),
    ),
    Probe(
        "the illustrative course",
        '{ courses(filter: {text: "community education"}) { nodes { id } } }',
        EVERYONE,
        root="courses",
        nested=("organizations", "School of Art", "courses"),
    ),
    Probe(
        "the credit banking system",
        '{ resources(filter: {text: "credit banking"}) { nodes { id } } }',
        EVERYONE,
        root="resources",
        nested=("organizations", "Jiangsu Open University", "resources"),
    ),
    Probe(
        "the agreement under negotiation",
        SOCIAL,
        _seen(EDITOR, VIEWER),
        root="agreements",
        nested=("organizations", "School of Lifelong Education", "agreements"),
    ),
    Probe(
        "the JUFE-UTS agreement",
        '{ agreements(filter: {text: "Sydney"}) { nodes { id } } }',
        _seen(SECRETARIAT),
        root="agreements",
        nested=("organizations", "University of Technology Sydney", "agreements"),
    ),
    Probe(
        "the School of Art's party to it",
        '{ agreements(filter: {text: "social education"}) { nodes { parties(first: 1) '
        "{ nodes { id } } } } }",
        _seen(EDITOR, VIEWER),
        nested=("organizations", "School of Art", PARTIES),
    ),
    Probe(
        "a commitment under it",
        '{ agreements(filter: {text: "social education"}) { nodes { commitments(first: 1) '
        "{ nodes { id } } } } }",
        _seen(EDITOR, VIEWER),
    ),
    Probe(
        "the April 14 meeting",
        "{ activities(filter: {kind: [MEETING]}) { nodes { id } } }",
        _seen(EDITOR, VIEWER),
        root="activities",
        nested=("organizations", "School of Lifelong Education", "activities"),
    ),
    Probe(
        "the inauguration",
        "{ activities(filter: {kind: [INAUGURATION]}) { nodes { id } } }",
        _seen(SECRETARIAT),
        root="activities",
        nested=("alliances", "Sino-Foreign", "activities"),
    ),
    Probe(
        "the meeting's first participant",
        "{ activities(filter: {kind: [MEETING]}) { nodes { participants(first: 1) "
        "{ nodes { id } } } } }",
        _seen(EDITOR, VIEWER),
    ),
    Probe(
        "Xia Xuemin (School of Art)",
        '{ people(filter: {text: "Xia Xuemin"}) { nodes { id } } }',
        _seen(EDITOR),
        root="people",
        nested=("organizations", "School of Art", "people"),
    ),
    Probe(
        "Chen Fangyi (School of Lifelong Education)",
        '{ people(filter: {text: "Chen Fangyi"}) { nodes { id } } }',
        _seen(VIEWER),
        root="people",
        nested=("organizations", "School of Lifelong Education", "people"),
    ),
    Probe(
        "Xia Xuemin's position",
        '{ people(filter: {text: "Xia Xuemin"}) { nodes { positions { nodes { id } } } } }',
        _seen(EDITOR),
        nested=("organizations", "School of Art", "positions"),
    ),
    Probe(
        "the illustrative learner (home: School of Lifelong Education; applied for "
        "recognition of a School of Art course, so the School of Art's university sees them)",
        '{ organizations(filter: {text: "School of Lifelong Education"}) { nodes { '
        "learners { nodes { id } } } } }",
        _seen(EDITOR, VIEWER),
        nested=("organizations", "School of Lifelong Education", "learners"),
    ),
    Probe(
        "the learner's enrolment",
        '{ programs(filter: {text: "Micro-specialties"}) { nodes { enrolments '
        "{ nodes { id } } } } }",
        _seen(EDITOR, VIEWER),
        nested=("programs", "Micro-specialties", "enrolments"),
    ),
    Probe(
        "the learner's outcome (banked at Jiangsu Open University)",
        '{ courses(filter: {text: "community education"}) { nodes { learningOutcomes '
        "{ nodes { id } } } } }",
        _seen(EDITOR, VIEWER),
        nested=("courses", "community education", "learningOutcomes"),
    ),
    Probe(
        "the recognition rule under the agreement",
        '{ agreements(filter: {text: "social education"}) { nodes { recognitionRules(first: 1) '
        "{ nodes { id } } } } }",
        _seen(EDITOR, VIEWER),
    ),
    Probe(
        "the learner's waiting recognition application",
        '{ agreements(filter: {text: "social education"}) { nodes { '
        "recognitionRules(first: 1) { nodes { applications(last: 1) { nodes { id } } } } } } }",
        _seen(EDITOR, VIEWER),
    ),
    Probe(
        "the learner's earned credits (a ledger entry, banked at Jiangsu Open University)",
        '{ organizations(filter: {text: "School of Lifelong Education"}) { nodes { '
        "learners { nodes { accounts { nodes { entries(first: 1) { nodes { id } } } } } } } } }",
        _seen(EDITOR, VIEWER),
    ),
    Probe(
        "the grant from Jiangsu Open University",
        '{ programs(filter: {text: "Micro-specialties"}) { nodes { funding { nodes { id } } } } }',
        _seen(EDITOR, VIEWER),
        nested=("organizations", "Jiangsu Open University", "fundingGiven"),
    ),
    Probe(
        "the evaluation",
        "{ evaluations { nodes { id } } }",
        _seen(EDITOR, VIEWER),
        root="evaluations",
        nested=("programs", "Micro-specialties", "evaluations"),
    ),
    Probe(
        "the resource share",
        '{ resources(filter: {text: "credit banking"}) { nodes { shares { nodes { id } } } } }',
        _seen(EDITOR, VIEWER),
        nested=("organizations", "School of Lifelong Education", "resourceShares"),
    ),
    Probe(
        "a document of the agreement under negotiation",
        '{ agreements(filter: {text: "social education"}) { nodes { documents '
        "{ nodes { id } } } } }",
        _seen(EDITOR, VIEWER),
    ),
    Probe(
        "a history entry of it",
        '{ agreements(filter: {text: "social education"}) { nodes { history { nodes { id } } } } }',
        _seen(EDITOR, VIEWER),
    ),
    Probe("the tests' admin token", "{ apiTokens(first: 1) { nodes { id } } }", _seen()),
]


async def _add_document_and_history(engine: AsyncEngine) -> None:
    """The demo has no documents or history yet (writes come later): add one of each."""
    agreement = table_of(Agreement)
    async with engine.begin() as connection:
        key = await connection.scalar(
            sa.select(agreement.c.id).where(agreement.c.title.contains("social education"))
        )
        now = utcnow()
        stamps = {"created_at": now, "updated_at": now, "version": 1}
        await connection.execute(
            sa.insert(table_of(Document)).values(agreement_id=key, title="Draft terms", **stamps)
        )
        await connection.execute(
            sa.insert(table_of(HistoryEntry)).values(
                subject_type="agreement",
                subject_id=key,
                agreement_id=key,
                action="created",
                changed_at=now,
                changes={},
            )
        )


def _ids(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, inner in value.items():
            if key == "id" and isinstance(inner, str):
                yield inner
            else:
                yield from _ids(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _ids(inner)


async def _locate(admin: httpx.AsyncClient, probe: Probe) -> str:
    ids = list(_ids(await query(admin, probe.locate)))
    assert len(ids) == 1, f"{probe.name}: the locating query found {ids}"
    return ids[0]


async def _paths(client: httpx.AsyncClient, probe: Probe, probe_id: str) -> dict[str, bool]:
    """Whether each path shows the object (and raises nothing while at it)."""
    found: dict[str, bool] = {}
    data = await query(client, "query ($id: ID!) { node(id: $id) { id } }", {"id": probe_id})
    found["node"] = data["node"] is not None
    data = await query(client, "query ($id: ID!) { nodes(ids: [$id]) { id } }", {"id": probe_id})
    found["nodes"] = data["nodes"] != [None]
    if probe.root is not None:
        data = await query(
            client, f"{{ {probe.root}(first: 100) {{ totalCount nodes {{ id }} }} }}"
        )
        listed = [n["id"] for n in data[probe.root]["nodes"]]
        assert data[probe.root]["totalCount"] == len(listed), "totalCount counts hidden rows"
        found["root list"] = probe_id in listed
    if probe.nested is not None:
        root, text, field = probe.nested
        data = await query(
            client,
            f"query ($text: String!) {{ {root}(filter: {{text: $text}}) {{ nodes {{ "
            f"{field}(first: 100) {{ totalCount nodes {{ id }} }} }} }} }}",
            {"text": text},
        )
        parents = data[root]["nodes"]
        assert parents, f"{probe.name}: the public parent must be visible to every role"
        listed = [n["id"] for p in parents for n in p[field]["nodes"]]
        assert sum(p[field]["totalCount"] for p in parents) == len(listed)
        found["nested list"] = probe_id in listed
    return found


@pytest.mark.parametrize("role", ROLES)
async def test_each_role_sees_exactly_what_it_may(
    role: str, demo_engine: AsyncEngine, databases: Databases
) -> None:
    token = await token_for(role, demo_engine, databases)
    await _add_document_and_history(demo_engine)
    wrong: list[str] = []
    async with (
        api_client(demo_engine, databases.admin_token) as admin,
        api_client(demo_engine, token) as client,
    ):
        for probe in PROBES:
            probe_id = await _locate(admin, probe)
            expected = role in probe.seen_by
            for path, shown in (await _paths(client, probe, probe_id)).items():
                if shown != expected:
                    seen = "sees" if shown else "does not see"
                    wrong.append(f"{role} {seen} {probe.name} through {path}")
    assert not wrong, "\n".join(wrong)


REVEALING_FILTERS = [
    # (query, variables' probe, who may see a non-empty answer)
    (
        "query ($id: ID!) { people(filter: {organization: $id}) { totalCount } }",
        '{ organizations(filter: {text: "School of Art"}) { nodes { id } } }',
        _seen(EDITOR),
    ),
    (
        "query ($id: ID!) { activities(filter: {participant: $id}) { totalCount } }",
        '{ organizations(filter: {text: "School of Lifelong Education"}) { nodes { id } } }',
        _seen(EDITOR, VIEWER),
    ),
    (
        "query ($id: ID!) { agreements(filter: {party: $id}) { totalCount } }",
        '{ organizations(filter: {text: "Belarusian State University"}) { nodes { id } } }',
        _seen(SECRETARIAT),
    ),
]


@pytest.mark.parametrize("role", ROLES)
async def test_filters_give_no_hidden_row_away(
    role: str, demo_engine: AsyncEngine, databases: Databases
) -> None:
    token = await token_for(role, demo_engine, databases)
    async with (
        api_client(demo_engine, databases.admin_token) as admin,
        api_client(demo_engine, token) as client,
    ):
        for document, locate, seen_by in REVEALING_FILTERS:
            [subject] = list(_ids(await query(admin, locate)))
            data = await query(client, document, {"id": subject})
            [answer] = data.values()
            assert (answer["totalCount"] > 0) == (role in seen_by), (role, document)


async def test_a_filter_naming_a_hidden_agreement_reads_as_not_found(
    demo_engine: AsyncEngine, databases: Databases
) -> None:
    viewer = await make_token(
        demo_engine, TokenRole.VIEWER, organization="School of Lifelong Education"
    )
    async with (
        api_client(demo_engine, databases.admin_token) as admin,
        api_client(demo_engine, viewer) as client,
    ):
        [hidden] = list(_ids(await query(admin, PROBES[7].locate)))
        body = await post(
            client,
            "query ($id: ID!) { activities(filter: {agreement: $id}) { totalCount } }",
            {"id": hidden},
        )
        missing = await post(
            client,
            "query ($id: ID!) { activities(filter: {agreement: $id}) { totalCount } }",
            {"id": "QWdyZWVtZW50Ojk5OTk"},
        )
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert missing["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert body["errors"][0]["message"].replace(hidden, "X") == missing["errors"][0][
        "message"
    ].replace("QWdyZWVtZW50Ojk5OTk", "X")
