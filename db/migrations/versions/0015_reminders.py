"""reminders: notice periods, reminder lead times, and the log of reminders sent

Revision ID: 0015_reminders
Revises: 0014_credits
Create Date: 2026-12-02 00:50:00.000000

`agreement.notice_period_days` (the notice deadline is derived from it and `effective_to`),
`organization.reminder_lead_days` and `alliance.reminder_lead_days` (null: the server's
default), and `reminder_sent`, whose unique key makes each reminder go out once
(`resolvers.reminders`). Three traced tables get a column: `triggers_off` drops every trigger
around the changes and installs them again at the end, reading the new columns (and keeps a
SQLite batch rebuild of the downgrade from writing events).

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel  # noqa: F401
from sqlalchemy.dialects import postgresql

from db import change_triggers


revision: str = '0015_reminders'
down_revision: Union[str, Sequence[str], None] = '0014_credits'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

ID_LIST = sa.JSON().with_variant(postgresql.ARRAY(sa.Integer()), "postgresql")


def upgrade() -> None:
    """Upgrade schema."""
    with change_triggers.triggers_off(op.get_bind()):
        op.add_column('agreement', sa.Column('notice_period_days', sa.Integer(), nullable=True))
        op.add_column('organization', sa.Column('reminder_lead_days', ID_LIST, nullable=True))
        op.add_column('alliance', sa.Column('reminder_lead_days', ID_LIST, nullable=True))
        op.create_table('reminder_sent',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('entity_type', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column('entity_id', sa.Integer(), nullable=False),
        sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column('deadline', sa.Date(), nullable=False),
        sa.Column('lead_days', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.BigInteger(), nullable=True),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_reminder_sent')),
        sa.UniqueConstraint('entity_type', 'entity_id', 'kind', 'deadline', 'lead_days', name=op.f('uq_reminder_sent_entity_type_entity_id_kind_deadline_lead_days'))
        )


def downgrade() -> None:
    """Downgrade schema."""
    with change_triggers.triggers_off(op.get_bind()):
        op.drop_table('reminder_sent')
        with op.batch_alter_table('alliance') as batch:
            batch.drop_column('reminder_lead_days')
        with op.batch_alter_table('organization') as batch:
            batch.drop_column('reminder_lead_days')
        with op.batch_alter_table('agreement') as batch:
            batch.drop_column('notice_period_days')
