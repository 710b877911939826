"""the change feed: change_event written by triggers on every traced table, updated_at everywhere

Revision ID: 0008_feed
Revises: 0007_proposals
Create Date: 2026-12-01 21:20:00

`change_event` and `change_context` (db/tables/changes.py); the triggers of `db.change_feed`
on every traced table, on both databases; `updated_at` on the two node tables that had none
(`activity_participant`, backfilled from its activity, and `history_entry`, from `changed_at`),
with a server default, since loaders COPY rows into both without it.
Events start at this migration: rows already stored have none (a mirror starts from a full read).
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from db import change_feed, change_triggers


# revision identifiers, used by Alembic.
revision: str = '0008_feed'
down_revision: Union[str, Sequence[str], None] = '0007_proposals'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

_IDS = sa.JSON().with_variant(postgresql.ARRAY(sa.Integer()), 'postgresql')
_NAMES = sa.JSON().with_variant(postgresql.ARRAY(sa.Text()), 'postgresql')
_BACKFILL = {
    'activity_participant': (
        'SELECT a.updated_at FROM activity a WHERE a.id = activity_participant.activity_id'
    ),
    'history_entry': 'SELECT history_entry.changed_at',
}


def upgrade() -> None:
    op.create_table(
        'change_event',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column('xid', sa.BigInteger(), nullable=False),
        sa.Column('entity_type', sa.String(length=40), nullable=False),
        sa.Column('entity_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('actor_token_id', sa.Integer(), nullable=True),
        sa.Column('actor', sa.String(length=200), nullable=True),
        sa.Column('fields', _NAMES, nullable=False),
        sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('organization_ids', _IDS, nullable=False),
        sa.Column('alliance_ids', _IDS, nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_change_event')),
        sqlite_autoincrement=True,
    )
    op.create_index('ix_change_event_position', 'change_event', ['xid', 'id'])
    op.create_index('ix_change_event_entity', 'change_event', ['entity_type', 'entity_id', 'id'])
    context = op.create_table(
        'change_context',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('actor_token_id', sa.Integer(), nullable=True),
        sa.Column('actor', sa.String(length=200), nullable=True),
        sa.Column('pruned_through', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_change_context')),
    )
    op.bulk_insert(context, [{'id': 1, 'pruned_through': 0}])
    for table, source in _BACKFILL.items():
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True))
        op.execute(f'UPDATE {table} SET updated_at = ({source})')
        with op.batch_alter_table(table) as batch_op:
            batch_op.alter_column(
                'updated_at',
                existing_type=sa.DateTime(timezone=True),
                nullable=False,
                server_default=sa.text('CURRENT_TIMESTAMP'),
            )
    change_triggers.install(op.get_bind())


def downgrade() -> None:
    bind = op.get_bind()
    change_triggers.uninstall(bind, [e.table for e in change_feed.ENTITIES] + [p.table for p in change_feed.PARTS])
    for table in _BACKFILL:
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column('updated_at')
    op.drop_table('change_context')
    op.drop_index('ix_change_event_entity', table_name='change_event')
    op.drop_index('ix_change_event_position', table_name='change_event')
    op.drop_table('change_event')
