"""indicators: an alliance's or program's indicators with targets per period; evaluations of alliances

Revision ID: 0016_indicators
Revises: 0015_reminders
Create Date: 2026-12-02 00:50:00

Indicators (`indicator`) and their targets per period (`indicator_target`). The five indicators
evaluations measured before (the `EvaluationIndicator` enum, a text column of
`evaluation_measure`) become five standard indicators with their old value as `code`, and
every measure names its indicator by key (`indicator_id`), so every existing measure keeps its
meaning. An evaluation may now be of an alliance (`alliance_id`). The new tables are traced by
the change feed (`db.change_feed`), and so is `localized_name` (as a part of the record it
names): `triggers_off` remakes the triggers of every traced table that exists at the end.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel  # noqa: F401

from db import change_triggers


# revision identifiers, used by Alembic.
revision: str = '0016_indicators'
down_revision: Union[str, Sequence[str], None] = '0015_reminders'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

STANDARD = (
    ('enrolments', 'Enrolments', 'learners'),
    ('credits_recognised', 'Credits recognised', 'credits'),
    ('internships_placed', 'Internships placed', 'interns'),
    ('funds_spent', 'Funds spent', 'currency of the funding evaluated'),
    ('publications', 'Publications', 'publications'),
)
"""The five indicators of the old enum, as they were documented (`schema.enum_docs`)."""

CODES = ", ".join(f"'{code}'" for code, _, _ in STANDARD)


def upgrade() -> None:
    """Upgrade schema."""
    with change_triggers.triggers_off(op.get_bind()):
        _upgrade()


def downgrade() -> None:
    """Downgrade schema."""
    with change_triggers.triggers_off(op.get_bind()):
        _downgrade()


def _upgrade() -> None:
    indicator = op.create_table('indicator',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('alliance_id', sa.Integer(), nullable=True),
    sa.Column('program_id', sa.Integer(), nullable=True),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('unit', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('direction', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('computation', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.CheckConstraint("direction IN ('higher_is_better', 'lower_is_better')", name=op.f('ck_indicator_direction_valid')),
    sa.CheckConstraint("computation IN ('manual', 'agreements_signed', 'credits_recognised', 'enrolments', 'activities', 'participants')", name=op.f('ck_indicator_computation_valid')),
    sa.CheckConstraint(f"code IN ({CODES})", name=op.f('ck_indicator_code_valid')),
    sa.CheckConstraint('alliance_id IS NULL OR program_id IS NULL', name=op.f('ck_indicator_one_owner')),
    sa.CheckConstraint('code IS NOT NULL OR alliance_id IS NOT NULL OR program_id IS NOT NULL', name=op.f('ck_indicator_owned_or_standard')),
    sa.ForeignKeyConstraint(['alliance_id'], ['alliance.id'], name=op.f('fk_indicator_alliance_id_alliance'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['program_id'], ['program.id'], name=op.f('fk_indicator_program_id_program'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicator')),
    sa.UniqueConstraint('code', name=op.f('uq_indicator_code'))
    )
    op.create_index(op.f('ix_indicator_alliance_id'), 'indicator', ['alliance_id'], unique=False)
    op.create_index(op.f('ix_indicator_program_id'), 'indicator', ['program_id'], unique=False)
    op.create_table('indicator_target',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.Integer(), nullable=False),
    sa.Column('period', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('target', sa.Numeric(precision=18, scale=2), nullable=True),
    sa.Column('notes', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.CheckConstraint('target IS NULL OR target >= 0', name=op.f('ck_indicator_target_target_non_negative')),
    sa.ForeignKeyConstraint(['indicator_id'], ['indicator.id'], name=op.f('fk_indicator_target_indicator_id_indicator'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicator_target')),
    sa.UniqueConstraint('indicator_id', 'period', name=op.f('uq_indicator_target_indicator_id_period'))
    )
    op.create_index(op.f('ix_indicator_target_indicator_id'), 'indicator_target', ['indicator_id'], unique=False)

    now = sa.func.current_timestamp()
    op.execute(
        indicator.insert().values(
            [
                {
                    'created_at': now, 'updated_at': now, 'version': 1, 'code': code,
                    'name': name, 'unit': unit, 'direction': 'higher_is_better',
                    'computation': 'manual',
                    'description': 'A standard indicator: one of the five every evaluation '
                    'could measure before indicators were defined by alliances and programs.',
                }
                for code, name, unit in STANDARD
            ]
        )
    )

    with op.batch_alter_table('evaluation_measure', schema=None) as batch_op:
        batch_op.add_column(sa.Column('indicator_id', sa.Integer(), nullable=True))
    op.execute(
        'UPDATE evaluation_measure SET indicator_id = '
        '(SELECT id FROM indicator WHERE indicator.code = evaluation_measure.indicator)'
    )
    with op.batch_alter_table('evaluation_measure', schema=None) as batch_op:
        batch_op.alter_column('indicator_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_constraint(batch_op.f('uq_evaluation_measure_evaluation_id_indicator'), type_='unique')
        batch_op.drop_constraint(batch_op.f('ck_evaluation_measure_indicator_valid'), type_='check')
        batch_op.drop_column('indicator')
        batch_op.create_unique_constraint(batch_op.f('uq_evaluation_measure_evaluation_id_indicator_id'), ['evaluation_id', 'indicator_id'])
        batch_op.create_index(batch_op.f('ix_evaluation_measure_indicator_id'), ['indicator_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_evaluation_measure_indicator_id_indicator'), 'indicator', ['indicator_id'], ['id'], ondelete='CASCADE')

    with op.batch_alter_table('evaluation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('alliance_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_evaluation_alliance_id'), ['alliance_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_evaluation_alliance_id_alliance'), 'alliance', ['alliance_id'], ['id'], ondelete='CASCADE')
        batch_op.drop_constraint(batch_op.f('ck_evaluation_has_subject'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_evaluation_has_subject'), 'agreement_id IS NOT NULL OR program_id IS NOT NULL OR alliance_id IS NOT NULL')


def _downgrade() -> None:
    op.execute('DELETE FROM evaluation WHERE agreement_id IS NULL AND program_id IS NULL')
    with op.batch_alter_table('evaluation', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_evaluation_has_subject'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_evaluation_has_subject'), 'agreement_id IS NOT NULL OR program_id IS NOT NULL')
        batch_op.drop_constraint(batch_op.f('fk_evaluation_alliance_id_alliance'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_evaluation_alliance_id'))
        batch_op.drop_column('alliance_id')

    op.execute(
        'DELETE FROM evaluation_measure WHERE indicator_id IN '
        '(SELECT id FROM indicator WHERE code IS NULL)'
    )
    with op.batch_alter_table('evaluation_measure', schema=None) as batch_op:
        batch_op.add_column(sa.Column('indicator', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
    op.execute(
        'UPDATE evaluation_measure SET indicator = '
        '(SELECT code FROM indicator WHERE indicator.id = evaluation_measure.indicator_id)'
    )
    with op.batch_alter_table('evaluation_measure', schema=None) as batch_op:
        batch_op.alter_column('indicator', existing_type=sqlmodel.sql.sqltypes.AutoString(), nullable=False)
        batch_op.drop_constraint(batch_op.f('fk_evaluation_measure_indicator_id_indicator'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_evaluation_measure_indicator_id'))
        batch_op.drop_constraint(batch_op.f('uq_evaluation_measure_evaluation_id_indicator_id'), type_='unique')
        batch_op.drop_column('indicator_id')
        batch_op.create_unique_constraint(batch_op.f('uq_evaluation_measure_evaluation_id_indicator'), ['evaluation_id', 'indicator'])
        batch_op.create_check_constraint(batch_op.f('ck_evaluation_measure_indicator_valid'), f"indicator IN ({CODES})")

    op.drop_index(op.f('ix_indicator_target_indicator_id'), table_name='indicator_target')
    op.drop_table('indicator_target')
    op.drop_index(op.f('ix_indicator_program_id'), table_name='indicator')
    op.drop_index(op.f('ix_indicator_alliance_id'), table_name='indicator')
    op.drop_table('indicator')
