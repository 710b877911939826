"""Who may write what: every mutation x reference argument x target x role, generated from the
declarations of `resolvers/write_declarations.py`, on the demo data.

For each mutation, a base input that the editor of Jiangsu Open University may send (every
reference naming one of its own records); each case replaces one reference argument by one
target of its type: the editor's own record, one it sees but does not own, one it cannot see
(several of these are owned by the secretariat or seen by the viewer), or a missing ID. The
expected answer is derived, not written per case: the arguments are checked in their declared
order, and the first that fails decides: a missing or invisible record `NOT_FOUND` (with the
same message and field for both), a visible one the caller may not change `FORBIDDEN`, an
organization named where consent is needed `CONSENT_REQUIRED` (for roles that may propose),
and otherwise the write goes through (other codes, such as `INVALID_TRANSITION` or
`ALREADY_EXISTS`, come after every access check and count as such). Whether a role sees a
target is asked through the API (`node(id:)`); whether it may change it, from
`write_scope.may_change`.

Accepted writes are rolled back (`note_change`, the last step of every mutation's transaction,
raises), so every case starts from the same data. The editor and the secretariat run every
case; admin, viewer, reporter and anonymous callers one target per argument, in rotation.
"""

import pytest
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from resolvers.errors import ApiError
from resolvers.write_declarations import MUTATIONS
from tests.conftest import Databases, api_client
from tests.resolvers.matrix_subjects import ROLES, token_for
from tests.resolvers.write_matrix_cases import cases_for, request
from tests.resolvers.write_matrix_oracle import INPUT_TYPES, OK, Oracle, send, viewer_of
from tests.resolvers.write_matrix_targets import TARGETS, prepare

pytestmark = pytest.mark.anyio

ADMIN_ONLY = {
    "createApiToken",
    "revokeApiToken",
    "setApprovalPolicy",
    "clearApprovalPolicy",
}


class RolledBack(ApiError):
    code = "ROLLED_BACK"


@pytest.fixture
def rolled_back(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every mutation that gets through its checks is rolled back at its last step."""

    async def refuse(_: AsyncConnection) -> None:
        raise RolledBack("every check passed; rolled back by the test")

    monkeypatch.setattr("resolvers.transactions.note_change", refuse)


def test_every_mutation_is_declared() -> None:
    assert set(INPUT_TYPES) == set(MUTATIONS) | ADMIN_ONLY
    for refs in MUTATIONS.values():
        for ref in refs:
            assert ref.type_name in TARGETS, ref


@pytest.mark.parametrize("role", ROLES)
async def test_each_role_writes_exactly_what_the_declarations_allow(
    role: str, demo_engine: AsyncEngine, databases: Databases, rolled_back: None
) -> None:
    known = await prepare(demo_engine)
    token = await token_for(role, demo_engine, databases)
    viewer = await viewer_of(demo_engine, token)
    wrong: list[str] = []
    not_found: dict[tuple[str, str | None], set[str]] = {}
    """The messages of `NOT_FOUND`, by mutation and the field that answered it."""
    cases = cases_for(role)
    async with api_client(demo_engine, token) as client:
        oracle = Oracle(demo_engine, viewer, client, known)
        for case in cases:
            expected, at = await oracle.expect(case)
            code, field, message = await send(client, case.mutation, request(case, known))
            if (code, field) != (expected, at if expected != OK else None):
                wrong.append(f"{role} {case}: expected {expected} at {at}, got {code} at {field}")
            if code == "NOT_FOUND":
                not_found.setdefault((case.mutation, field), set()).add(message)
    assert not wrong, f"{len(wrong)} of {len(cases)} cases:\n" + "\n".join(wrong)
    differing = {k: v for k, v in not_found.items() if len(v) > 1}
    assert not differing, f"an invisible record answers unlike a missing one: {differing}"
