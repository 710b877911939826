"""Writers no longer queue on shared rows: a sharded change counter, rollups kept at commit

Revision ID: 0025_commit_contention
Revises: 0024_agreement_totals
Create Date: 2026-12-02 07:40:00

Two things made every write wait for the others at 100,000 organizations:

- `network_change` had one row, raised by every write transaction and locked until its commit;
  it now has 16 (`db.network_counter.SHARDS`), a write raises one chosen at random, and readers sum
  them (the sum moves as the one value did).
- The rollups' triggers (`db.summary_rollup`, `db.party_rollup`, `db.trend_rollup`) locked
  their shared group, month and organization rows when the statement ran, until the commit; on
  PostgreSQL they are now constraint triggers deferred to the commit
  (`db.refresh_triggers.create`). SQLite is unchanged (one writer at a time).
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel  # noqa: F401

from db import party_rollup, summary_rollup, trend_rollup


# revision identifiers, used by Alembic.
revision: str = '0025_commit_contention'
down_revision: Union[str, Sequence[str], None] = '0024_agreement_totals'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def _rollups(deferred: bool) -> None:
    bind = op.get_bind()
    if bind.dialect.name != 'postgresql':
        return
    if summary_rollup.installed(bind):
        summary_rollup.install(bind, deferred=deferred)
    if party_rollup.installed(bind):
        party_rollup.install(bind, deferred=deferred)
        trend_rollup.install(bind, deferred=deferred)


def upgrade() -> None:
    op.execute(
        sa.text(
            "INSERT INTO network_change (id, value) SELECT n, 0 FROM ("
            + " UNION ALL ".join(f"SELECT {n} AS n" for n in range(2, 17))
            + ") s WHERE NOT EXISTS (SELECT 1 FROM network_change c WHERE c.id = s.n)"
        )
    )
    _rollups(deferred=True)


def downgrade() -> None:
    op.execute(
        "UPDATE network_change SET value = (SELECT sum(value) FROM network_change) WHERE id = 1"
    )
    op.execute("DELETE FROM network_change WHERE id > 1")
    _rollups(deferred=False)
