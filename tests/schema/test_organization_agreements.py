"""`organization_agreement`, the list of each organization's agreements with its units rolled up
(db/tables/listings.py), stays exact whatever writes it: after every step of a random sequence
of writes (organizations made, moved under another or to the top, deleted; agreements made,
their parties replaced, deleted, through the API; parties removed, organizations moved and
agreements dated by plain SQL, as a loader or a bulk COPY writes them), its rows equal the
join of the parties with the unit tree computed live; at the end every organization's
`agreements` list, read through the API, equals the live computation in both orders the
table keeps. On both databases, with hypothesis.

`organization_agreement_total` (each organization's count of those rows) is checked against the
live count after every step too; organizations join and leave an alliance by plain SQL, and at
the end the alliance's secretariat reads every organization's agreements with a party in the
alliance (`partyAlliance`: a member's total read from the kept count, another's counted), alone
and nested under the alliance's current members, against the live computation."""

import asyncio
import contextlib
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncEngine

from db.engine import create_engine
from db.enums import TokenRole
from resolvers.ids import decode_id, encode_id
from tests.conftest import Databases, api_client, make_token
from tests.graphql import mutate, query

ORGANIZATIONS = 4
"""Made before the operations: two top-level organizations, each with one unit."""


@dataclass(frozen=True)
class NewOrganization:
    parent: int | None


@dataclass(frozen=True)
class Move:
    organization: int
    parent: int | None
    by_sql: bool


@dataclass(frozen=True)
class DeleteOrganization:
    organization: int


@dataclass(frozen=True)
class NewAgreement:
    parties: frozenset[int]


@dataclass(frozen=True)
class SetParties:
    agreement: int
    parties: frozenset[int]


@dataclass(frozen=True)
class RemoveParty:
    agreement: int
    party: int


@dataclass(frozen=True)
class Date:
    agreement: int
    signed_on: date | None


@dataclass(frozen=True)
class DeleteAgreement:
    agreement: int


@dataclass(frozen=True)
class Join:
    organization: int


@dataclass(frozen=True)
class Leave:
    organization: int


Operation = (
    NewOrganization
    | Move
    | DeleteOrganization
    | NewAgreement
    | SetParties
    | RemoveParty
    | Date
    | DeleteAgreement
    | Join
    | Leave
)

_pick = st.integers(min_value=0, max_value=7)
_parties = st.frozensets(_pick, min_size=1, max_size=3)
OPERATIONS = st.one_of(
    st.builds(NewOrganization, st.none() | _pick),
    st.builds(Move, _pick, st.none() | _pick, st.booleans()),
    st.builds(DeleteOrganization, _pick),
    st.builds(NewAgreement, _parties),
    st.builds(SetParties, _pick, _parties),
    st.builds(RemoveParty, _pick, _pick),
    st.builds(Date, _pick, st.none() | st.dates(date(2020, 1, 1), date(2020, 1, 5))),
    st.builds(DeleteAgreement, _pick),
    st.builds(Join, _pick),
    st.builds(Leave, _pick),
)

LIVE = sa.text(
    """SELECT DISTINCT u.ancestor_id, a.id, a.created_at, a.signed_on
    FROM agreement_party p
    JOIN organization_unit u ON u.unit_id = p.organization_id
    JOIN agreement a ON a.id = p.agreement_id"""
)
KEPT = sa.text(
    "SELECT organization_id, agreement_id, created_at, signed_on FROM organization_agreement"
)
LIVE_TOTALS = sa.text(
    """SELECT u.ancestor_id, count(DISTINCT p.agreement_id)
    FROM agreement_party p JOIN organization_unit u ON u.unit_id = p.organization_id
    GROUP BY u.ancestor_id"""
)
KEPT_TOTALS = sa.text(
    "SELECT organization_id, agreements FROM organization_agreement_total WHERE agreements <> 0"
)
ALLIANCE = "Alliance of the test"
LIVE_ALLIED = sa.text(
    """SELECT DISTINCT u.ancestor_id, p.agreement_id
    FROM agreement_party p JOIN organization_unit u ON u.unit_id = p.organization_id
    WHERE p.agreement_id IN (
        SELECT q.agreement_id FROM agreement_party q
        JOIN organization_unit w ON w.unit_id = q.organization_id
        JOIN membership m ON m.organization_id = w.ancestor_id
        JOIN alliance a ON a.id = m.alliance_id
        WHERE a.name = :name AND m.left_on IS NULL)"""
).bindparams(name=ALLIANCE)


class World:
    def __init__(self, engine: AsyncEngine, client: httpx.AsyncClient) -> None:
        self.engine = engine
        self.client = client

    async def ids(self, table: str) -> list[int]:
        async with self.engine.connect() as c:
            return list(await c.scalars(sa.text(f"SELECT id FROM {table} ORDER BY id")))

    async def pick(self, table: str, index: int | None) -> int | None:
        found = await self.ids(table)
        return None if index is None or not found else found[index % len(found)]

    async def version(self, table: str, key: int) -> int:
        async with self.engine.connect() as c:
            found = await c.scalar(sa.text(f"SELECT version FROM {table} WHERE id = {key}"))
        return int(found or 1)

    async def sql(self, statement: str, **values: Any) -> None:
        with contextlib.suppress(sa.exc.IntegrityError):  # a loop in the unit tree is refused
            async with self.engine.begin() as c:
                await c.execute(sa.text(statement), values)

    async def organization(self, parent: int | None, number: int) -> None:
        given: dict[str, Any] = {"name": f"Organization {number}", "kind": "UNIVERSITY"}
        if parent is not None:
            given["parent"] = encode_id("Organization", parent)
        await mutate(self.client, "createOrganization", given, "organization { id }")

    async def parties(self, picks: frozenset[int]) -> list[dict[str, str]]:
        found = await self.ids("organization")
        keys = sorted({found[p % len(found)] for p in picks})
        return [{"organization": encode_id("Organization", k)} for k in keys]

    async def run(self, operation: Operation, number: int) -> None:
        match operation:
            case NewOrganization(parent):
                await self.organization(await self.pick("organization", parent), number)
            case Move(organization, parent, by_sql):
                key = await self.pick("organization", organization)
                above = await self.pick("organization", parent)
                if by_sql:
                    await self.sql(
                        "UPDATE organization SET parent_id = :p WHERE id = :o", p=above, o=key
                    )
                elif key is not None:
                    given = {
                        "id": encode_id("Organization", key),
                        "version": await self.version("organization", key),
                        "parent": None if above is None else encode_id("Organization", above),
                    }
                    await mutate(self.client, "updateOrganization", given, "organization { id }")
            case DeleteOrganization(organization):
                key = await self.pick("organization", organization)
                if key is not None:
                    given = {
                        "id": encode_id("Organization", key),
                        "version": await self.version("organization", key),
                    }
                    await mutate(self.client, "deleteOrganization", given)
            case NewAgreement(parties):
                given = {
                    "title": f"Agreement {number}",
                    "kind": "MEMORANDUM_OF_UNDERSTANDING",
                    "parties": await self.parties(parties),
                }
                await mutate(self.client, "createAgreement", given, "agreement { id }")
            case SetParties(agreement, parties):
                key = await self.pick("agreement", agreement)
                if key is not None:
                    given = {
                        "id": encode_id("Agreement", key),
                        "version": await self.version("agreement", key),
                        "parties": await self.parties(parties),
                    }
                    await mutate(self.client, "updateAgreement", given, "agreement { id }")
            case RemoveParty(agreement, party):
                key = await self.pick("agreement", agreement)
                async with self.engine.connect() as c:
                    rows = list(
                        await c.scalars(
                            sa.text(
                                "SELECT id FROM agreement_party WHERE agreement_id = :a ORDER BY id"
                            ),
                            {"a": key},
                        )
                    )
                if rows:
                    await self.sql(
                        "DELETE FROM agreement_party WHERE id = :p", p=rows[party % len(rows)]
                    )
            case Date(agreement, signed_on):
                key = await self.pick("agreement", agreement)
                await self.sql(
                    "UPDATE agreement SET signed_on = :d WHERE id = :a", d=signed_on, a=key
                )
            case Join(organization):
                key = await self.pick("organization", organization)
                await self.sql(
                    """INSERT INTO membership (created_at, updated_at, version, alliance_id,
                        organization_id, role, joined_on)
                    SELECT CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 1, id, :o, 'member', :d
                    FROM alliance WHERE name = :n""",
                    o=key,
                    d=date(2020, 1, 1),
                    n=ALLIANCE,
                )
            case Leave(organization):
                key = await self.pick("organization", organization)
                await self.sql(
                    "UPDATE membership SET left_on = :d WHERE organization_id = :o "
                    "AND left_on IS NULL",
                    d=date(2021, 1, 1),
                    o=key,
                )
            case DeleteAgreement(agreement):
                key = await self.pick("agreement", agreement)
                if key is not None:
                    given = {
                        "id": encode_id("Agreement", key),
                        "version": await self.version("agreement", key),
                    }
                    await query(
                        self.client,
                        "mutation ($input: AgreementVersionInput!) { deleteAgreement(input: "
                        "$input) { deletedId userErrors { code } } }",
                        {"input": given},
                    )

    async def rows(self, statement: sa.TextClause) -> set[tuple[Any, ...]]:
        async with self.engine.connect() as c:
            return {tuple(row) for row in await c.execute(statement)}

    async def listed_through_the_api(self, organization: int, order: str) -> list[int]:
        data = await query(
            self.client,
            """query ($id: ID!, $order: AgreementOrderField!) { node(id: $id) {
              ... on Organization { agreements(first: 100, orderBy: {field: $order}) {
                totalCount edges { node { id } } } } } }""",
            {"id": encode_id("Organization", organization), "order": order},
        )
        listed = data["node"]["agreements"]
        keys = [int(decode_id(e["node"]["id"])[1]) for e in listed["edges"]]
        assert listed["totalCount"] == len(keys)
        return keys


async def _allied_through_the_api(
    client: httpx.AsyncClient, alliance: int, organizations: list[int]
) -> dict[int, set[int]]:
    """Each organization's agreements with a party in the alliance, as its secretariat reads
    them: every organization alone, then the current members nested under the alliance (the
    secretariat's page), which must agree with the first reading."""
    arguments = "first: 100, filter: {partyAlliance: $alliance}"
    allied = encode_id("Alliance", alliance)
    found: dict[int, set[int]] = {}
    for organization in organizations:
        data = await query(
            client,
            f"""query ($id: ID!, $alliance: ID!) {{ node(id: $id) {{ ... on Organization {{
              agreements({arguments}) {{ totalCount edges {{ node {{ id }} }} }} }} }} }}""",
            {"id": encode_id("Organization", organization), "alliance": allied},
        )
        listed = data["node"]["agreements"]
        keys = {int(decode_id(e["node"]["id"])[1]) for e in listed["edges"]}
        assert listed["totalCount"] == len(keys), (organization, listed)
        found[organization] = keys
    data = await query(
        client,
        f"""query ($alliance: ID!) {{ node(id: $alliance) {{ ... on Alliance {{
          memberships(first: 100, filter: {{current: true}}) {{ edges {{ node {{
            organization {{ id agreements({arguments}) {{ totalCount edges {{ node {{ id }} }} }} }}
          }} }} }} }} }} }}""",
        {"alliance": allied},
    )
    for edge in data["node"]["memberships"]["edges"]:
        member = edge["node"]["organization"]
        listed = member["agreements"]
        keys = {int(decode_id(e["node"]["id"])[1]) for e in listed["edges"]}
        key = int(decode_id(member["id"])[1])
        assert (listed["totalCount"], keys) == (len(found[key]), found[key]), (key, listed)
    return found


def _live_order(rows: set[tuple[Any, ...]], organization: int, column: int) -> list[int]:
    """The agreements of `organization`, newest first, undated last, then by id."""
    mine = [row for row in rows if row[0] == organization]
    dated = sorted((row for row in mine if row[column] is not None), key=lambda r: r[1])
    dated.sort(key=lambda r: r[column], reverse=True)
    undated = sorted((row for row in mine if row[column] is None), key=lambda r: r[1])
    return [row[1] for row in [*dated, *undated]]


async def _sequence(databases: Databases, operations: list[Operation]) -> list[str]:
    url = await databases.migrated()
    engine = create_engine(url)
    broken: list[str] = []
    try:
        token = await make_token(engine, TokenRole.ADMIN)
        async with api_client(engine, token) as client:
            world = World(engine, client)
            for number in range(ORGANIZATIONS):
                parent = None if number % 2 == 0 else await world.pick("organization", -1)
                await world.organization(parent, number)
            await mutate(
                client,
                "createAlliance",
                {"name": ALLIANCE, "scope": "PROVINCIAL"},
                "alliance { id }",
            )
            for number, operation in enumerate(operations):
                await world.run(operation, number)
                live, kept = await world.rows(LIVE), await world.rows(KEPT)
                if live != kept:
                    broken.append(
                        f"after step {number} {operation}: missing {live - kept}, "
                        f"extra {kept - live}"
                    )
                    return broken
                live, kept = await world.rows(LIVE_TOTALS), await world.rows(KEPT_TOTALS)
                if live != kept:
                    broken.append(f"after step {number} {operation}: totals {kept} != {live}")
                    return broken
            live = await world.rows(LIVE)
            for organization in await world.ids("organization"):
                for order, column in (("CREATED_AT", 2), ("SIGNED_ON", 3)):
                    through_api = await world.listed_through_the_api(organization, order)
                    expected = _live_order(live, organization, column)
                    if through_api != expected:
                        broken.append(f"{organization} by {order}: {through_api} != {expected}")
            (alliance,) = await world.ids("alliance")
            allied: dict[int, set[int]] = {}
            for organization, agreement in await world.rows(LIVE_ALLIED):
                allied.setdefault(organization, set()).add(agreement)
            secretariat = await make_token(engine, TokenRole.SECRETARIAT, alliance=ALLIANCE)
            async with api_client(engine, secretariat) as as_secretariat:
                organizations = await world.ids("organization")
                read = await _allied_through_the_api(as_secretariat, alliance, organizations)
            for organization in organizations:
                if read[organization] != allied.get(organization, set()):
                    broken.append(
                        f"{organization} with a party in the alliance: {read[organization]} "
                        f"!= {allied.get(organization, set())}"
                    )
    finally:
        await engine.dispose()
        databases.release(url)
    return broken


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(operations=st.lists(OPERATIONS, min_size=1, max_size=12))
def test_the_rolled_up_list_equals_the_live_join_after_any_writes(
    databases: Databases, operations: list[Operation]
) -> None:
    assert asyncio.run(_sequence(databases, operations)) == []
