"""`partnergraph credentials rotate-key`: the mutation's rotation from the command line (the
same `resolvers.credential_keys.rotate_key`); the old key retired and still published, the
private half never printed; a bad or unknown issuer refused with one line."""

import asyncio
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from cli import app
from db import tables as t
from db.base import table_of
from db.engine import create_engine
from db.enums import OrganizationKind
from resolvers.ids import encode_id

KEY = table_of(t.IssuerKey)


@pytest.fixture
def url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    found = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DATABASE_URL", found)
    monkeypatch.setenv("PARTNERGRAPH_CREDENTIALS_KEY_SECRET", "cli-test-" + "s" * 40)
    return found


async def _organization(url: str) -> int:
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            now = sa.func.current_timestamp()
            organization = table_of(t.Organization)
            key = await connection.scalar(
                sa.insert(organization)
                .values(
                    kind=OrganizationKind.UNIVERSITY.value,
                    name="Rotating University",
                    created_at=now,
                    updated_at=now,
                    version=1,
                )
                .returning(organization.c.id)
            )
    finally:
        await engine.dispose()
    assert isinstance(key, int)
    return key


async def _keys(url: str) -> list[tuple[str, bool, str]]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(
                sa.select(KEY.c.kid, KEY.c.retired_at.is_not(None), KEY.c.private_key).order_by(
                    KEY.c.id
                )
            )
            return [(str(kid), bool(retired), str(sealed)) for kid, retired, sealed in rows.all()]
    finally:
        await engine.dispose()


def test_rotate_key_retires_the_current_key_and_makes_a_new_one(url: str) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    organization = asyncio.run(_organization(url))
    gid = encode_id("Organization", organization)
    first = runner.invoke(app, ["credentials", "rotate-key", "--issuer", gid])
    assert first.exit_code == 0, first.output
    second = runner.invoke(app, ["credentials", "rotate-key", "--issuer", str(organization)])
    assert second.exit_code == 0, second.output
    keys = asyncio.run(_keys(url))
    assert [retired for _, retired, _ in keys] == [True, False]
    assert first.output.strip() == f"rotated: the new key is {keys[0][0]}"
    assert second.output.strip() == f"rotated: the new key is {keys[1][0]}"
    assert all(kid.split("#")[0].endswith(f"/credentials/issuers/{gid}") for kid, _, _ in keys)
    printed = first.output + second.output
    assert not any(sealed.removeprefix("v1.") in printed for _, _, sealed in keys)


def test_rotate_key_refuses_a_bad_or_unknown_issuer(url: str) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    for issuer in ("not-an-id", "987654", encode_id("Program", 1)):
        refused = runner.invoke(app, ["credentials", "rotate-key", "--issuer", issuer])
        assert refused.exit_code != 0, (issuer, refused.output)
        assert refused.output.startswith("error: "), refused.output
    assert asyncio.run(_keys(url)) == []
