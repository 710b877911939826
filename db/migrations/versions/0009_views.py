"""saved views: named, versioned GraphQL queries a portal registers

Revision ID: 0009_views
Revises: 0008_feed
Create Date: 2026-12-01 20:43:22

One table, `saved_view` (db/tables/saved_views.py), one row per version of a view.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel  # noqa: F401


# revision identifiers, used by Alembic.
revision: str = '0009_views'
down_revision: Union[str, Sequence[str], None] = '0008_feed'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('saved_view',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('document', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('operation_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('cost', sa.Integer(), nullable=False),
    sa.Column('saved_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('saved_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('version >= 1', name=op.f('ck_saved_view_version_positive')),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_saved_view_organization_id_organization'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_saved_view')),
    sa.UniqueConstraint('name', 'version', name=op.f('uq_saved_view_name_version'))
    )
    with op.batch_alter_table('saved_view', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_saved_view_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_saved_view_sha256'), ['sha256'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('saved_view', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_saved_view_sha256'))
        batch_op.drop_index(batch_op.f('ix_saved_view_organization_id'))

    op.drop_table('saved_view')
