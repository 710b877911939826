"""What a role should get for a write matrix case, derived from the declarations (the oracle),
and what it gets from the API."""

import re
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from resolvers import write_declarations, write_scope
from resolvers.nodes import NODE_TABLES
from resolvers.tokens import authenticate
from resolvers.viewer import Viewer
from resolvers.write_declarations import Needs, Ref
from schema import build_schema
from tests.graphql import post
from tests.resolvers.write_matrix_cases import CREATE, Case, R, case_input, given_references
from tests.resolvers.write_matrix_targets import MISSING, Known

ACCESS = {"NOT_FOUND", "FORBIDDEN", "CONSENT_REQUIRED"}


OK = "accepted"


class Oracle:
    """What the declarations say a role gets for a case."""

    def __init__(
        self, engine: AsyncEngine, viewer: Viewer, client: httpx.AsyncClient, known: Known
    ):
        self.engine, self.viewer, self.client, self.known = engine, viewer, client, known
        self.seen: dict[str, bool] = {}

    async def sees(self, type_name: str, label: str) -> bool:
        if label == MISSING:
            return False
        gid = self.known.gid(type_name, label)
        if gid not in self.seen:
            body = await post(self.client, "query ($id: ID!) { node(id: $id) { id } }", {"id": gid})
            self.seen[gid] = body["data"]["node"] is not None
        return self.seen[gid]

    async def _row(self, c: AsyncConnection, type_name: str, key: int) -> Any:
        table = NODE_TABLES[type_name]
        return (await c.execute(sa.select(table).where(table.c.id == key))).mappings().one()

    async def one(self, ref: Ref, target: R) -> str:
        if not await self.sees(target.type_name, target.label):
            return "NOT_FOUND"
        if ref.needs in (Needs.SEES, Needs.EITHER) or self.viewer.is_admin:
            return OK
        async with self.engine.connect() as c:
            type_name, row = (
                ref.type_name,
                await self._row(
                    c, ref.type_name, self.known.keys[(target.type_name, target.label)]
                ),
            )
            if ref.of is not None:
                column, type_name = ref.of
                row = await self._row(c, type_name, row[column])
            every, answers = ref.needs is Needs.EVERY, ref.needs is Needs.ANSWERS
            changes = await write_scope.may_change(
                c, self.viewer, type_name, row, every=every, answers=answers
            )
        if changes:
            return OK
        if ref.needs is Needs.CONSENT and self.viewer.role in write_scope.PROPOSERS:
            return "CONSENT_REQUIRED"
        return "FORBIDDEN"

    async def expect(self, case: Case) -> tuple[str, str | None]:
        present = given_references(case)
        either = [(ref, target) for ref, target in present if ref.needs is Needs.EITHER]
        for ref, target in present:
            outcome = await self.one(ref, target)
            if outcome != OK:
                return outcome, ref.field
            if either and (ref, target) == either[-1] and not await self.either(either):
                return "FORBIDDEN", ref.field
        return await self.after(case)

    async def either(self, given: list[tuple[Ref, R]]) -> bool:
        """Whether the caller may change one of the records of an `EITHER` group."""
        if self.viewer.is_admin:
            return True
        async with self.engine.connect() as c:
            for ref, target in given:
                key = self.known.keys[(target.type_name, target.label)]
                row = await self._row(c, ref.type_name, key)
                if await write_scope.may_change(c, self.viewer, ref.type_name, row):
                    return True
        return False

    async def after(self, case: Case) -> tuple[str, str | None]:
        """A generic create or update must leave a row its caller may still change."""
        found = re.fullmatch(r"(create|update)(.*)", case.mutation)
        if found is None or self.viewer.is_admin or found.group(2) not in CREATE:
            return OK, None
        verb, name = found.groups()
        record = write_declarations.RECORDS[name]
        given = case_input(case)
        async with self.engine.connect() as c:
            row: dict[str, Any] = {}
            if verb == "update":
                current = given["id"]
                row = dict(await self._row(c, name, self.known.keys[(name, current.label)]))
            for ref in record.references:
                value = given.get(ref.field)
                if isinstance(value, R) and ref.column is not None:
                    row[ref.column] = self.known.keys[(value.type_name, value.label)]
            owners = await write_scope.owners_of(c, name, row)
        first = record.first_owner
        if verb == "create" and first is not None and isinstance(given.get(first.field), dict):
            owner = given[first.field]["organization"]
            key = self.known.keys[(owner.type_name, owner.label)]
            owners = owners | write_scope.Owners(frozenset({key}))
        if owners.admit(self.viewer):
            return OK, None
        return "FORBIDDEN", first.field if first is not None else None


INPUT_TYPES: dict[str, str] = {
    name: str(field.args["input"].type) if "input" in field.args else ""
    for name, field in build_schema()._schema.mutation_type.fields.items()  # type: ignore[union-attr]
}


async def send(
    client: httpx.AsyncClient, mutation: str, given: dict[str, Any]
) -> tuple[str, str | None, str]:
    """The outcome of a mutation: `OK` or an access code, with the field and message."""
    body = await post(
        client,
        f"mutation ($input: {INPUT_TYPES[mutation]}) {{ {mutation}(input: $input) "
        "{ userErrors { message code field } } }",
        {"input": given},
    )
    if "errors" in body:
        return "INVALID_INPUT", None, str(body["errors"])
    errors = body["data"][mutation]["userErrors"]
    if not errors or errors[0]["code"] not in ACCESS:
        return OK, None, ""
    error = errors[0]
    field = re.sub(r"\.\d+", "", error["field"]) if error["field"] else None
    return error["code"], field, re.sub(r"\.\d+", ".N", error["message"])


async def viewer_of(engine: AsyncEngine, token: str | None) -> Viewer:
    return Viewer.anonymous() if token is None else await authenticate(engine, token)
