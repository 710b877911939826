"""intl: names in every language and stored documents

Two tables: `localized_name` (db/tables/names.py: a name, short name or title of an
organization, alliance, program, course or agreement in one BCP 47 language) and
`document_version` (db/tables/documents.py: the uploaded content of a document, by SHA-256);
`document` gains `visibility` and `owner_id`. On PostgreSQL the `pg_trgm` extension is
created and the names (`localized_name.value`, organization name, local name, short name) get
trigram GIN indexes for the text search; SQLite gets plain indexes there.

Revision ID: 0011_intl
Revises: 0010_ewp
Create Date: 2026-12-01 20:43:02.833424

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel  # noqa: F401

from db import change_feed, change_triggers


# revision identifiers, used by Alembic.
revision: str = '0011_intl'
down_revision: Union[str, Sequence[str], None] = '0010_ewp'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with change_triggers.triggers_off(op.get_bind()):
        _upgrade()


def downgrade() -> None:
    with change_triggers.triggers_off(op.get_bind()):
        _downgrade()


def _upgrade() -> None:
    """Upgrade schema."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_table('document_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('media_type', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('file_name', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
    sa.Column('storage', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('uploaded_by', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.CheckConstraint('size >= 0', name=op.f('ck_document_version_size_non_negative')),
    sa.ForeignKeyConstraint(['document_id'], ['document.id'], name=op.f('fk_document_version_document_id_document'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document_version')),
    sa.UniqueConstraint('document_id', 'number', name=op.f('uq_document_version_document_id_number'))
    )
    with op.batch_alter_table('document_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_version_document_id'), ['document_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_document_version_sha256'), ['sha256'], unique=False)

    op.create_table('localized_name',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('alliance_id', sa.Integer(), nullable=True),
    sa.Column('program_id', sa.Integer(), nullable=True),
    sa.Column('course_id', sa.Integer(), nullable=True),
    sa.Column('agreement_id', sa.Integer(), nullable=True),
    sa.Column('field', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('lang', sqlmodel.sql.sqltypes.AutoString(length=35), nullable=False),
    sa.Column('value', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('is_local', sa.Boolean(), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    sa.CheckConstraint('(CASE WHEN organization_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN alliance_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN program_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN course_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN agreement_id IS NULL THEN 0 ELSE 1 END) = 1', name=op.f('ck_localized_name_one_owner')),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreement.id'], name=op.f('fk_localized_name_agreement_id_agreement'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['alliance_id'], ['alliance.id'], name=op.f('fk_localized_name_alliance_id_alliance'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_localized_name_course_id_course'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_localized_name_organization_id_organization'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['program_id'], ['program.id'], name=op.f('fk_localized_name_program_id_program'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_localized_name'))
    )
    with op.batch_alter_table('localized_name', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_localized_name_agreement_id'), ['agreement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_localized_name_alliance_id'), ['alliance_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_localized_name_course_id'), ['course_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_localized_name_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_localized_name_program_id'), ['program_id'], unique=False)
        batch_op.create_index('ix_localized_name_value_trgm', ['value'], unique=False, postgresql_using='gin', postgresql_ops={'value': 'gin_trgm_ops'})
        batch_op.create_index('uq_localized_name_agreement_id_field_lang', ['agreement_id', 'field', 'lang'], unique=True, postgresql_where=sa.text('agreement_id IS NOT NULL'), sqlite_where=sa.text('agreement_id IS NOT NULL'))
        batch_op.create_index('uq_localized_name_alliance_id_field_lang', ['alliance_id', 'field', 'lang'], unique=True, postgresql_where=sa.text('alliance_id IS NOT NULL'), sqlite_where=sa.text('alliance_id IS NOT NULL'))
        batch_op.create_index('uq_localized_name_course_id_field_lang', ['course_id', 'field', 'lang'], unique=True, postgresql_where=sa.text('course_id IS NOT NULL'), sqlite_where=sa.text('course_id IS NOT NULL'))
        batch_op.create_index('uq_localized_name_organization_id_field_lang', ['organization_id', 'field', 'lang'], unique=True, postgresql_where=sa.text('organization_id IS NOT NULL'), sqlite_where=sa.text('organization_id IS NOT NULL'))
        batch_op.create_index('uq_localized_name_program_id_field_lang', ['program_id', 'field', 'lang'], unique=True, postgresql_where=sa.text('program_id IS NOT NULL'), sqlite_where=sa.text('program_id IS NOT NULL'))

    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.add_column(sa.Column('visibility', sqlmodel.sql.sqltypes.AutoString(), server_default='parties', nullable=False))
        batch_op.add_column(sa.Column('owner_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_document_owner_id'), ['owner_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_document_owner_id_organization'), 'organization', ['owner_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('organization', schema=None) as batch_op:
        batch_op.create_index('ix_organization_local_name_trgm', ['local_name'], unique=False, postgresql_using='gin', postgresql_ops={'local_name': 'gin_trgm_ops'})
        batch_op.create_index('ix_organization_name_trgm', ['name'], unique=False, postgresql_using='gin', postgresql_ops={'name': 'gin_trgm_ops'})
        batch_op.create_index('ix_organization_short_name_trgm', ['short_name'], unique=False, postgresql_using='gin', postgresql_ops={'short_name': 'gin_trgm_ops'})



def _downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('organization', schema=None) as batch_op:
        batch_op.drop_index('ix_organization_short_name_trgm', postgresql_using='gin', postgresql_ops={'short_name': 'gin_trgm_ops'})
        batch_op.drop_index('ix_organization_name_trgm', postgresql_using='gin', postgresql_ops={'name': 'gin_trgm_ops'})
        batch_op.drop_index('ix_organization_local_name_trgm', postgresql_using='gin', postgresql_ops={'local_name': 'gin_trgm_ops'})

    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_document_owner_id_organization'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_document_owner_id'))
        batch_op.drop_column('owner_id')
        batch_op.drop_column('visibility')

    with op.batch_alter_table('localized_name', schema=None) as batch_op:
        batch_op.drop_index('uq_localized_name_program_id_field_lang', postgresql_where=sa.text('program_id IS NOT NULL'), sqlite_where=sa.text('program_id IS NOT NULL'))
        batch_op.drop_index('uq_localized_name_organization_id_field_lang', postgresql_where=sa.text('organization_id IS NOT NULL'), sqlite_where=sa.text('organization_id IS NOT NULL'))
        batch_op.drop_index('uq_localized_name_course_id_field_lang', postgresql_where=sa.text('course_id IS NOT NULL'), sqlite_where=sa.text('course_id IS NOT NULL'))
        batch_op.drop_index('uq_localized_name_alliance_id_field_lang', postgresql_where=sa.text('alliance_id IS NOT NULL'), sqlite_where=sa.text('alliance_id IS NOT NULL'))
        batch_op.drop_index('uq_localized_name_agreement_id_field_lang', postgresql_where=sa.text('agreement_id IS NOT NULL'), sqlite_where=sa.text('agreement_id IS NOT NULL'))
        batch_op.drop_index('ix_localized_name_value_trgm', postgresql_using='gin', postgresql_ops={'value': 'gin_trgm_ops'})
        batch_op.drop_index(batch_op.f('ix_localized_name_program_id'))
        batch_op.drop_index(batch_op.f('ix_localized_name_organization_id'))
        batch_op.drop_index(batch_op.f('ix_localized_name_course_id'))
        batch_op.drop_index(batch_op.f('ix_localized_name_alliance_id'))
        batch_op.drop_index(batch_op.f('ix_localized_name_agreement_id'))

    op.drop_table('localized_name')
    with op.batch_alter_table('document_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_version_sha256'))
        batch_op.drop_index(batch_op.f('ix_document_version_document_id'))

    op.drop_table('document_version')
