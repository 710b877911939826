"""Fixtures: every API test runs on SQLite and on PostgreSQL, each on a database of its own.

A template database per backend is migrated and loaded with the demo data once per run (per
xdist worker); each test gets a fresh copy (a file copy on SQLite, `CREATE DATABASE ... TEMPLATE`
on PostgreSQL), so no test sees another's writes, and the copies are dropped as tests end. The
template holds one admin token, which `client` sends; `make_token` makes tokens for other roles
(through the library, not the API). The loader tests copy a second template, migrated but empty.

PostgreSQL is at `PARTNERGRAPH_TEST_POSTGRES` (default: the local server, user postgres). When
it cannot be reached the PostgreSQL half is skipped, unless `PARTNERGRAPH_REQUIRE_POSTGRES=1`
(CI sets it), in which case the run fails.
"""

import asyncio
import functools
import gc
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path

import asyncpg
import httpx
import pytest
import sqlalchemy as sa
import strawberry
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

import web.graphql_view
from app import create_app
from db import tables
from db.base import table_of
from db.engine import create_engine
from db.enums import TokenRole
from db.loaders.demo import load_demo
from db.migrate import upgrade
from resolvers.tokens import create_token
from schema import build_schema as _build_schema
from settings import Settings
from tests.dropper import Dropper
from tests.statements import StatementCounter

POSTGRES = os.environ.get(
    "PARTNERGRAPH_TEST_POSTGRES", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)
REQUIRE_POSTGRES = os.environ.get("PARTNERGRAPH_REQUIRE_POSTGRES") == "1"
BACKENDS = ["sqlite", "postgresql"]
RUN_ID = uuid.uuid4().hex[:8]
ORGANIZATION = table_of(tables.Organization)
ALLIANCE = table_of(tables.Alliance)


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


@functools.cache
def _schema_for(settings: Settings) -> strawberry.Schema:
    return _build_schema(settings)


@pytest.fixture(scope="session", autouse=True)
def _one_schema_per_settings() -> Iterator[None]:
    """Every app the run starts with the same settings shares one schema: a server builds one
    per process, the suite starts an app for nearly every request it sends, and a build takes
    50-250 ms. The schema keeps nothing between requests (their caches are module-level,
    `schema.document_caches`)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(web.graphql_view, "build_schema", _schema_for)
        yield


def _pg_dsn(database: str) -> str:
    url = make_url(POSTGRES).set(drivername="postgresql", database=database)
    return url.render_as_string(hide_password=False)


def _pg_url(database: str) -> str:
    return make_url(POSTGRES).set(database=database).render_as_string(hide_password=False)


async def _pg_admin(sql: str) -> None:
    connection = await asyncpg.connect(_pg_dsn(make_url(POSTGRES).database or "postgres"))
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


def _postgres_available() -> str | None:
    try:
        asyncio.run(_pg_admin("SELECT 1"))
    except (OSError, asyncpg.PostgresError) as error:
        return str(error)
    return None


class Databases:
    """Makes empty, migrated or demo-loaded databases of one backend, and drops them. A migrated
    or demo database is a copy of a template made once per run (per worker)."""

    def __init__(self, backend: str, workdir: Path) -> None:
        self.backend = backend
        self.workdir = workdir
        self.created: list[str] = []
        self._dropper: Dropper | None = None
        self.template: str | None = None
        self.migrated_template: str | None = None
        self.admin_token = ""
        self.made = 0

    def _name(self) -> str:
        self.made += 1
        return f"pg_test_{RUN_ID}_{self.made}"

    async def empty(self) -> str:
        if self.backend == "sqlite":
            path = self.workdir / f"{uuid.uuid4().hex}.db"
            return f"sqlite+aiosqlite:///{path}"
        name = self._name()
        await _pg_admin(f'CREATE DATABASE "{name}"')
        self.created.append(name)
        return _pg_url(name)

    async def demo(self) -> str:
        """A fresh copy of the demo database (with the admin token of `admin_token`)."""
        if self.template is None:
            self.template = await self._fill(self._load_demo)
        return await self._copy(self.template)

    async def migrated(self) -> str:
        """A fresh copy of a database with every migration applied and no rows."""
        if self.migrated_template is None:
            self.migrated_template = await self._fill(upgrade)
        return await self._copy(self.migrated_template)

    async def _load_demo(self, engine: AsyncEngine) -> None:
        await upgrade(engine)
        await load_demo(engine)
        async with engine.begin() as connection:
            made = await create_token(connection, name="tests", role=TokenRole.ADMIN)
        self.admin_token = made.secret

    async def _fill(self, fill: Callable[[AsyncEngine], Awaitable[None]]) -> str:
        """A new database, filled once by `fill`, to be copied by `_copy`."""
        url = await self.empty()
        engine = create_engine(url)
        try:
            await fill(engine)
        finally:
            await engine.dispose()
        return url

    async def _copy(self, template_url: str) -> str:
        if self.backend == "sqlite":
            source = Path(make_url(template_url).database or "")
            target = self.workdir / f"{uuid.uuid4().hex}.db"
            shutil.copyfile(source, target)
            return f"sqlite+aiosqlite:///{target}"
        name = self._name()
        template = make_url(template_url).database
        await _pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        self.created.append(name)
        return _pg_url(name)

    def release(self, url: str) -> None:
        """`url`'s database is no longer used: on PostgreSQL it is dropped, on a thread of its
        own (`tests.dropper`), while the tests go on."""
        name = make_url(url).database
        if self.backend == "postgresql" and name in self.created:
            self.created.remove(name)
            self.dropper().drop(name)

    def dropper(self) -> Dropper:
        if self._dropper is None:
            self._dropper = Dropper(_pg_admin)
        return self._dropper

    def drop_all(self) -> None:
        """Drops every database made and not yet dropped, and waits for the drops to end."""
        if self.backend != "postgresql":
            return
        for name in reversed(self.created):
            self.dropper().drop(name)
        self.created.clear()
        self.dropper().close()


@pytest.fixture(scope="session")
def _postgres_problem() -> str | None:
    return _postgres_available()


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest, _postgres_problem: str | None) -> str:
    name: str = request.param
    if name == "postgresql" and _postgres_problem is not None:
        if REQUIRE_POSTGRES:
            pytest.fail(f"PostgreSQL is required but unreachable: {_postgres_problem}")
        pytest.skip(f"PostgreSQL unreachable: {_postgres_problem}")
    return name


class Backends:
    """The `Databases` of each backend, made on first use and shared by every test of the run
    (so a test that needs both backends at once reuses the templates of the others)."""

    def __init__(self, tmp_path_factory: pytest.TempPathFactory) -> None:
        self.tmp_path_factory = tmp_path_factory
        self.made: dict[str, Databases] = {}

    def of(self, backend: str) -> Databases:
        if backend not in self.made:
            self.made[backend] = Databases(backend, self.tmp_path_factory.mktemp(backend))
        return self.made[backend]


@pytest.fixture(scope="session")
def backends(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backends]:
    made = Backends(tmp_path_factory)
    yield made
    if "postgresql" in made.made:
        made.made["postgresql"].drop_all()


@pytest.fixture(scope="session")
def databases(backend: str, backends: Backends) -> Databases:
    return backends.of(backend)


@pytest.fixture
def both_databases(backends: Backends, _postgres_problem: str | None) -> dict[str, Databases]:
    """The `Databases` of every backend, for a test that compares their answers."""
    if _postgres_problem is not None:
        if REQUIRE_POSTGRES:
            pytest.fail(f"PostgreSQL is required but unreachable: {_postgres_problem}")
        pytest.skip(f"PostgreSQL unreachable: {_postgres_problem}")
    return {name: backends.of(name) for name in BACKENDS}


@asynccontextmanager
async def _engine_on(databases: Databases, url: str) -> AsyncIterator[AsyncEngine]:
    """An engine on `url`, disposed at the end, and its database released."""
    engine = create_engine(url)
    try:
        yield engine
    finally:
        await engine.dispose()
        databases.release(url)


@pytest.fixture
async def demo_engine(databases: Databases) -> AsyncIterator[AsyncEngine]:
    """An engine on a fresh copy of the demo database."""
    async with _engine_on(databases, await databases.demo()) as engine:
        yield engine


@pytest.fixture
async def migrated_engine(databases: Databases) -> AsyncIterator[AsyncEngine]:
    """An engine on a fresh database with every migration applied and no rows."""
    async with _engine_on(databases, await databases.migrated()) as engine:
        yield engine


@pytest.fixture
async def empty_engine(databases: Databases) -> AsyncIterator[AsyncEngine]:
    """An engine on a fresh database with no tables at all."""
    async with _engine_on(databases, await databases.empty()) as engine:
        yield engine


TEST_SETTINGS = Settings(rate_limit_per_minute=0, credentials_key_secret="test-" + "k" * 40)
"""The API as served, without the rate limiter (tested on its own, on a key of its own)."""


@asynccontextmanager
async def api_client(
    engine: AsyncEngine, token: str | None, settings: Settings = TEST_SETTINGS
) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client for the ASGI app on `engine`, sending `token` as its bearer token."""
    app = create_app(settings, engine=engine)
    transport = httpx.ASGITransport(app=app)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        async with httpx.AsyncClient(
            transport=transport, base_url="http://testserver", headers=headers
        ) as http:
            yield http
    finally:
        await app.state.limiter.close()  # the transport runs no lifespan to close them
        await app.state.persisted.close()


@pytest.fixture
async def client(
    demo_engine: AsyncEngine, databases: Databases
) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client for the ASGI app, on the demo data, as an admin."""
    async with api_client(demo_engine, databases.admin_token) as http:
        yield http


@pytest.fixture
async def anonymous_client(demo_engine: AsyncEngine) -> AsyncIterator[httpx.AsyncClient]:
    async with api_client(demo_engine, None) as http:
        yield http


async def make_token(
    engine: AsyncEngine,
    role: TokenRole,
    *,
    organization: str | None = None,
    alliance: str | None = None,
    expires_at: datetime | None = None,
) -> str:
    """A token of `role` over the organization or alliance with this name."""
    async with engine.begin() as connection:
        organization_id = alliance_id = None
        if organization is not None:
            organization_id = await connection.scalar(
                sa.select(ORGANIZATION.c.id).where(ORGANIZATION.c.name == organization)
            )
            assert organization_id is not None, organization
        if alliance is not None:
            alliance_id = await connection.scalar(
                sa.select(ALLIANCE.c.id).where(ALLIANCE.c.name == alliance)
            )
            assert alliance_id is not None, alliance
        made = await create_token(
            connection,
            name=f"{role.value} test token",
            role=role,
            organization_id=organization_id,
            alliance_id=alliance_id,
            expires_at=expires_at,
        )
    return made.secret


@pytest.fixture
def statements(demo_engine: AsyncEngine) -> Iterator[StatementCounter]:
    """Counts the SQL statements sent on the demo engine after `reset()`."""
    counter = StatementCounter(demo_engine)
    yield counter
    counter.close()


def pytest_unconfigure() -> None:
    """Freeze the heap once the run is over: the interpreter's collections at exit then skip it
    instead of walking every object the suite left alive (seconds on a large run)."""
    gc.freeze()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The screenshots tests saved (their `screenshot` property), for CI to keep as artifacts."""
    saved = [
        f"{report.nodeid}: {value}"
        for outcome in ("passed", "failed")
        for report in terminalreporter.stats.get(outcome, [])
        for name, value in getattr(report, "user_properties", [])
        if name == "screenshot"
    ]
    if saved:
        terminalreporter.write_sep("-", "screenshots")
        for line in saved:
            terminalreporter.write_line(line)
