"""The command line: serve the API, migrate the database, load data, manage tokens, export the
schema.

Each command imports what it works with when it runs (the app, the schema, SQLAlchemy, the
loaders), so that `partnergraph --help` answers at once; the modules here import only typer and
the standard library at the top. A failure a person can fix (a database out of reach, a wrong
DATABASE_URL, a port in use, a bad registry file) is one line on standard error and a non-zero
exit code (`cli.failures`); `--debug` shows the traceback instead.
"""

from pathlib import Path
from typing import Annotated

import typer

from cli.backups import backup, restore
from cli.changes import changes_app
from cli.credentials import credentials_app
from cli.failures import DEBUG
from cli.loads import load_app
from cli.migrations import db_app
from cli.reminders import reminders_app
from cli.serve import serve
from cli.tokens import token_app
from cli.webhooks import webhooks_app, worker

__all__ = ["app", "main"]

app = typer.Typer(
    help="partnergraph: a GraphQL API over institutional partnerships.",
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)
"""Help as plain text (rendering it with rich takes most of the time `--help` takes), and
tracebacks (`--debug`) as Python prints them, every frame."""
schema_app = typer.Typer(help="The GraphQL schema.", rich_markup_mode=None)
app.add_typer(db_app, name="db")
app.add_typer(token_app, name="token")
app.add_typer(load_app, name="load")
app.add_typer(changes_app, name="changes")
app.add_typer(schema_app, name="schema")
app.add_typer(webhooks_app, name="webhooks")
app.add_typer(reminders_app, name="reminders")
app.add_typer(credentials_app, name="credentials")
app.command()(serve)
app.command()(worker)
app.command()(backup)
app.command()(restore)


@app.callback()
def options(
    debug: Annotated[
        bool, typer.Option("--debug", help="Show the traceback of a failure, not one line.")
    ] = False,
) -> None:
    """Options for every command."""
    DEBUG.set(debug)


@schema_app.command("export")
def schema_export(path: Path = Path("schema.graphql")) -> None:
    """Write the GraphQL schema in SDL to PATH."""
    from schema import schema_sdl

    path.write_text(schema_sdl(), encoding="utf-8")
    typer.echo(f"wrote {path}")


def main() -> None:
    app()
