"""The committed `schema.graphql` is the schema the code serves."""

from pathlib import Path

from schema import schema_sdl

SNAPSHOT = Path(__file__).resolve().parents[2] / "schema.graphql"


def test_committed_schema_matches_the_code() -> None:
    assert SNAPSHOT.read_text(encoding="utf-8") == schema_sdl(), (
        "schema.graphql is stale: run `uv run partnergraph schema export`"
    )
