"""The subjects of the access and write matrices, one per role, and a token for each."""

from sqlalchemy.ext.asyncio import AsyncEngine

from db.enums import TokenRole
from tests.conftest import Databases, make_token

JIANGXI = "Jiangxi Provincial Alliance for Sino-Foreign Cooperative Education"


ADMIN, EDITOR, VIEWER, SECRETARIAT, REPORTER, ANONYMOUS = (
    "admin",
    "editor",
    "viewer",
    "secretariat",
    "reporter",
    "anonymous",
)


ROLES = [ADMIN, EDITOR, VIEWER, SECRETARIAT, REPORTER, ANONYMOUS]


async def token_for(role: str, engine: AsyncEngine, databases: Databases) -> str | None:
    """A token of the matrix's subject for `role` (none for anonymous)."""
    if role == ADMIN:
        return databases.admin_token
    if role == EDITOR:
        return await make_token(engine, TokenRole.EDITOR, organization="Jiangsu Open University")
    if role == VIEWER:
        return await make_token(
            engine, TokenRole.VIEWER, organization="School of Lifelong Education"
        )
    if role == SECRETARIAT:
        return await make_token(engine, TokenRole.SECRETARIAT, alliance=JIANGXI)
    if role == REPORTER:
        return await make_token(engine, TokenRole.REPORTER)
    return None
