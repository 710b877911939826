"""the network change counter

Revision ID: 0005_network
Revises: 0004_registries
Create Date: 2026-11-23 03:50:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0005_network'
down_revision: Union[str, Sequence[str], None] = '0004_registries'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    change = op.create_table(
        'network_change',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('value', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_network_change')),
    )
    op.bulk_insert(change, [{'id': 1, 'value': 0}])


def downgrade() -> None:
    op.drop_table('network_change')
