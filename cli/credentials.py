"""`partnergraph credentials rotate-key --issuer ID`: retire an issuer's signing key and make a
new one, as the `rotateIssuerKey` mutation does (`resolvers.credential_keys.rotate_key`, in one
transaction, as an admin), for an operator on the server (a suspected leak, a changed
`PARTNERGRAPH_CREDENTIALS_KEY_SECRET`, a routine rotation). Credentials signed before stay
verifiable: the retired key stays published (docs/credentials.md)."""

from typing import Annotated

import typer

from cli.database import configured, database
from cli.failures import Failure, run

__all__ = ["credentials_app"]

credentials_app = typer.Typer(
    help="Open Badges credentials: the issuers' signing keys.", rich_markup_mode=None
)


@credentials_app.command("rotate-key")
def rotate_key(
    issuer: Annotated[
        str,
        typer.Option(
            help="The issuing organization: its global ID (as in the API) or its numeric key."
        ),
    ],
) -> None:
    """Retire the issuer's current signing key and make a new one; prints the new key's kid."""
    settings = configured()

    async def work() -> str:
        from resolvers.change_actor import Actor
        from resolvers.credential_keys import rotate_key as rotate
        from resolvers.errors import ApiError
        from resolvers.ids import decode_id_of
        from resolvers.transactions import in_transaction
        from resolvers.viewer import Role, Viewer

        try:
            key = int(issuer) if issuer.isdigit() else decode_id_of(issuer, "Organization")
        except ApiError as error:
            raise Failure(f"--issuer: {error.message}") from error
        async with database() as engine:
            try:
                row = await in_transaction(
                    engine,
                    lambda connection: rotate(
                        connection, Viewer(role=Role.ADMIN), settings, organization_id=key
                    ),
                    actor=Actor.system("credentials"),
                )
            except ApiError as error:
                raise Failure(f"the key was not rotated: {error.message}") from error
        return f"rotated: the new key is {row['kid']}"

    typer.echo(run(work))
