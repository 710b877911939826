"""rollup parties and trends: distinct organizations per group of agreements, and the trends'
flows per month, kept in the writing transaction

Revision ID: 0023_rollup_parties
Revises: 0022_ledger_units
Create Date: 2026-12-02 04:10:00

Six tables (db/tables/rollups.py), not traced by the change feed: derived figures. The
triggers of `db.party_rollup` and `db.trend_rollup` keep them; the upgrade fills them from the
data already there.
`change_triggers.triggers_off` drops and remakes these triggers too.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel  # noqa: F401

from db import party_rollup, trend_rollup


revision: str = '0023_rollup_parties'
down_revision: Union[str, Sequence[str], None] = '0022_ledger_units'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('party_rollup_set',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('by_kind', sa.Integer(), nullable=False),
    sa.Column('by_signed', sa.Integer(), nullable=False),
    sa.Column('by_start', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_party_rollup_set'))
    )
    op.create_table('party_rollup',
    sa.Column('set_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('signed_k', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('start_k', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('parties', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('set_id', 'kind', 'signed_k', 'start_k', name=op.f('pk_party_rollup'))
    )
    op.create_table('agreement_party_rollup',
    sa.Column('agreement_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('organization_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('signed_q', sa.Integer(), nullable=False),
    sa.Column('start_q', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('agreement_id', 'organization_id', name=op.f('pk_agreement_party_rollup'))
    )
    op.create_index('ix_agreement_party_rollup_organization', 'agreement_party_rollup', ['organization_id', 'kind', 'signed_q', 'start_q', 'agreement_id'], unique=False)
    for table, key in (('trend_rollup', []), ('agreement_trend', ['agreement_id'])):
        op.create_table(table,
        *[sa.Column(k, sa.Integer(), autoincrement=False, nullable=False) for k in key],
        sa.Column('measure', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column('month', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('value', sa.Numeric(precision=20, scale=2), nullable=False),
        sa.Column('entries', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(*key, 'measure', 'month', name=op.f(f'pk_{table}'))
        )
    op.create_table('activity_trend',
    sa.Column('activity_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('month', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('activity_id', name=op.f('pk_activity_trend'))
    )
    connection = op.get_bind()
    party_rollup.rebuild(connection)
    party_rollup.install(connection)
    trend_rollup.rebuild(connection)
    trend_rollup.install(connection)


def downgrade() -> None:
    trend_rollup.uninstall(op.get_bind())
    party_rollup.uninstall(op.get_bind())
    op.drop_table('activity_trend')
    op.drop_table('agreement_trend')
    op.drop_table('trend_rollup')
    op.drop_index('ix_agreement_party_rollup_organization', table_name='agreement_party_rollup')
    op.drop_table('agreement_party_rollup')
    op.drop_table('party_rollup')
    op.drop_table('party_rollup_set')
