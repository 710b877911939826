"""summary rollups: cooperation summaries kept per group of agreements in the writing transaction

Revision ID: 0019_summary_rollup
Revises: 0018_membership_index
Create Date: 2026-12-02 00:45:00

Five tables (db/tables/rollups.py), not traced by the change feed: derived figures, not
partnership records. The triggers of `db.summary_rollup` keep them; the upgrade fills them from
the data already there (`rebuild`, with today's window). `change_triggers.triggers_off` drops and
remakes these triggers too, so a later migration that rebuilds a table on SQLite keeps them.
"""
from datetime import date
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel  # noqa: F401

from db import summary_rollup


revision: str = '0019_summary_rollup'
down_revision: Union[str, Sequence[str], None] = '0018_membership_index'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

SUM = sa.Numeric(precision=20, scale=2)
MEASURES = [
    ('programs', sa.Integer()),
    ('enrolments', sa.Integer()),
    ('credits_earned', SUM),
    ('credits_recognised', SUM),
    ('resources_shared', sa.Integer()),
    ('activities', sa.Integer()),
    ('score_sum', SUM),
    ('scores', sa.Integer()),
]


def _measures() -> list[sa.Column]:
    return [sa.Column(name, kind, nullable=False) for name, kind in MEASURES]


def upgrade() -> None:
    op.create_table('summary_rollup_state',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pivot', sa.Date(), nullable=False),
    sa.Column('before_pivot', sa.Date(), nullable=False),
    sa.Column('horizon', sa.Date(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_summary_rollup_state'))
    )
    op.create_table('summary_rollup',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('signed_q', sa.Integer(), nullable=False),
    sa.Column('start_q', sa.Integer(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('agreements', sa.Integer(), nullable=False),
    *_measures(),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_summary_rollup')),
    sa.UniqueConstraint('kind', 'status', 'signed_q', 'start_q', 'ends_on', 'starts_on', name=op.f('uq_summary_rollup_kind_status_signed_q_start_q_ends_on_starts_on'))
    )
    op.create_table('agreement_rollup',
    sa.Column('agreement_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('rollup_id', sa.Integer(), nullable=False),
    *_measures(),
    sa.PrimaryKeyConstraint('agreement_id', name=op.f('pk_agreement_rollup'))
    )
    op.create_index(op.f('ix_agreement_rollup_rollup_id'), 'agreement_rollup', ['rollup_id'], unique=False)
    for table, key in (('summary_rollup_funding', 'rollup_id'), ('agreement_rollup_funding', 'agreement_id')):
        op.create_table(table,
        sa.Column(key, sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('currency', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
        sa.Column('amount', SUM, nullable=False),
        sa.Column('entries', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(key, 'currency', name=op.f(f'pk_{table}'))
        )
    connection = op.get_bind()
    summary_rollup.rebuild(connection, date.today())
    summary_rollup.install(connection)


def downgrade() -> None:
    summary_rollup.uninstall(op.get_bind())
    op.drop_table('agreement_rollup_funding')
    op.drop_table('summary_rollup_funding')
    op.drop_index(op.f('ix_agreement_rollup_rollup_id'), table_name='agreement_rollup')
    op.drop_table('agreement_rollup')
    op.drop_table('summary_rollup')
    op.drop_table('summary_rollup_state')
