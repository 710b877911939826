"""`engine`, the database the loader tests load into: migrated, with no rows (a copy of a
template migrated once per run, `tests.conftest.Databases.migrated`)."""

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine


@pytest.fixture
def engine(migrated_engine: AsyncEngine) -> AsyncEngine:
    return migrated_engine
