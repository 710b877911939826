"""What `serve` and `load demo` put into an empty database: the demo data or the real
registries, and API tokens for them (printed once; only their hashes are kept)."""

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from db.enums import TokenRole

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

    from cli.progress import Progress
    from db.loaders import LoadReport

__all__ = ["DATA_DIR", "Data", "load_real", "prepare"]


class Data(StrEnum):
    DEMO = "demo"
    REAL = "real"
    NONE = "none"


DATA_DIR = Path("../shared/data")
"""Where `serve --data real` and `load real` look for the registries (relative to the working
directory; see docs/registries.md)."""

DEMO_TOKENS = [
    ("demo admin", TokenRole.ADMIN, None, None),
    (
        "demo secretariat of the Jiangxi alliance",
        TokenRole.SECRETARIAT,
        None,
        "Jiangxi Provincial Alliance for Sino-Foreign Cooperative Education",
    ),
    (
        "demo partner portal of Jiangsu Open University",
        TokenRole.EDITOR,
        "Jiangsu Open University",
        None,
    ),
    ("demo reporting tool", TokenRole.REPORTER, None, None),
]

REAL_TOKENS = [
    ("admin (real data)", TokenRole.ADMIN),
    ("reporting tool (real data)", TokenRole.REPORTER),
]

TOKENS_HEADER = "API tokens (send as 'Authorization: Bearer <token>'; shown only now):"


async def _demo_tokens(engine: "AsyncEngine") -> list[str]:
    """One token per kind of user for the fresh demo."""
    from cli.tokens import key_of
    from db.base import table_of
    from db.tables import Alliance, Organization
    from resolvers.tokens import create_token

    lines = []
    async with engine.begin() as connection:
        for name, role, org, alliance in DEMO_TOKENS:
            made = await create_token(
                connection,
                name=name,
                role=role,
                organization_id=await key_of(connection, table_of(Organization), org),
                alliance_id=await key_of(connection, table_of(Alliance), alliance),
            )
            lines.append(f"  {name}: {made.secret}")
    return lines


async def prepare(engine: "AsyncEngine", *, data: Data, data_dir: Path = DATA_DIR) -> str:
    """Load `data` into the (migrated) database if it is empty; what was done, as text."""
    from db.loaders.demo import database_is_empty, load_demo
    from resolvers.tokens import create_token

    if data is Data.NONE or not await database_is_empty(engine):
        return "database is up to date"
    if data is Data.REAL:
        reports = await load_real(engine, data_dir)
        lines = [report.summary() for report in reports]
        lines.append(TOKENS_HEADER)
        async with engine.begin() as connection:
            for name, role in REAL_TOKENS:
                made = await create_token(connection, name=name, role=role)
                lines.append(f"  {name}: {made.secret}")
        return "\n".join(lines)
    counts = await load_demo(engine)
    tokens = await _demo_tokens(engine)
    return "\n".join([f"loaded the demo data: {counts}", f"demo {TOKENS_HEADER}", *tokens])


async def load_real(
    engine: "AsyncEngine", data_dir: Path, progress: "Progress | None" = None
) -> "list[LoadReport]":
    """ROR first (it ranks highest, so the others merge into its organizations), then CORDIS,
    then the universities list; each in a transaction of its own, after all three files are
    read and checked."""
    from db.loaders import load_registries
    from resolvers.network_changes import note_load

    reports = await load_registries(
        engine,
        data_dir / "ror" / "ror_v2_records_union.json.gz",
        data_dir / "cordis_horizon",
        data_dir / "hipo" / "world_universities_and_domains.json",
        progress=progress,
    )
    await note_load(engine)
    return reports
