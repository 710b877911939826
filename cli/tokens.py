"""`partnergraph token ...`: create (the secret is shown once), list, revoke."""

from datetime import timedelta
from typing import TYPE_CHECKING, Annotated

import typer

from cli.database import database
from cli.failures import run
from db.enums import TokenRole

if TYPE_CHECKING:
    import sqlalchemy as sa
    from sqlalchemy.ext.asyncio import AsyncConnection

__all__ = ["key_of", "token_app"]

token_app = typer.Typer(
    help="API tokens: create (the secret is shown once), list, revoke.", rich_markup_mode=None
)


async def key_of(connection: "AsyncConnection", table: "sa.Table", text: str | None) -> int | None:
    """A row's key from its number, its global ID, or its exact name."""
    import sqlalchemy as sa

    from resolvers.errors import ApiError
    from resolvers.ids import decode_id

    if text is None:
        return None
    if text.isdigit():
        return int(text)
    try:
        return decode_id(text)[1]
    except ApiError:
        pass
    keys: list[int] = list(
        await connection.scalars(sa.select(table.c.id).where(table.c.name == text))
    )
    if len(keys) != 1:
        raise typer.BadParameter(f"{len(keys)} rows of {table.name} are named {text!r}")
    return keys[0]


@token_app.command("create")
def token_create(
    role: Annotated[TokenRole, typer.Option(help="What the token may do.")],
    name: Annotated[str, typer.Option(help="What the token is for.")] = "",
    org: Annotated[
        str | None, typer.Option(help="Organization (name, ID or number): editor, viewer.")
    ] = None,
    alliance: Annotated[
        str | None, typer.Option(help="Alliance (name, ID or number): secretariat.")
    ] = None,
    expires_in_days: Annotated[int | None, typer.Option(help="Days until it expires.")] = 365,
) -> None:
    """Make an API token and print its secret (shown only now)."""

    async def work() -> str:
        from db.base import table_of, utcnow
        from db.tables import Alliance, Organization
        from resolvers.errors import ApiError
        from resolvers.tokens import create_token

        async with database() as engine:
            try:
                async with engine.begin() as connection:
                    made = await create_token(
                        connection,
                        name=name or f"{role.value} token",
                        role=role,
                        organization_id=await key_of(connection, table_of(Organization), org),
                        alliance_id=await key_of(connection, table_of(Alliance), alliance),
                        expires_at=utcnow() + timedelta(days=expires_in_days)
                        if expires_in_days
                        else None,
                    )
            except ApiError as error:
                raise typer.BadParameter(error.message) from None
        header = "send it as 'Authorization: Bearer <token>'; it is not shown again"
        return f"token {made.id} ({role.value}); {header}:\n{made.secret}"

    typer.echo(run(work))


@token_app.command("list")
def token_list() -> None:
    """Every token: number, role, subjects, expiry, whether revoked (never the secrets)."""

    async def work() -> list[str]:
        from resolvers.tokens import list_tokens

        async with database() as engine:
            rows = await list_tokens(engine)
        return [
            f"{r['id']}\t{r['role']}\torg={r['organization_id']}\talliance={r['alliance_id']}"
            f"\texpires={r['expires_at']}\trevoked={r['revoked_at']}\t{r['name']}"
            for r in rows
        ]

    for line in run(work):
        typer.echo(line)


@token_app.command("revoke")
def token_revoke(number: int) -> None:
    """Revoke token NUMBER; it is refused from its next request on, on every worker."""

    async def work() -> None:
        from resolvers.errors import ApiError
        from resolvers.tokens import revoke_token

        async with database() as engine:
            try:
                async with engine.begin() as connection:
                    await revoke_token(connection, number)
            except ApiError as error:
                raise typer.BadParameter(error.message) from None

    run(work)
    typer.echo(f"revoked token {number}")
