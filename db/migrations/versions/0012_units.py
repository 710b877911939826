"""units roll up, approvals on record, declared role counts, three collaboration modes

Revision ID: 0012_units
Revises: 0011_intl
Create Date: 2026-12-01 20:42:49

- `organization_unit`: the closure of the unit tree (db/tables/organizations.py), filled from
  `organization.parent_id` by a recursive walk and kept by triggers on `organization` (on
  PostgreSQL a PL/pgSQL function, on SQLite the same statements inline). A parent that would
  make a cycle breaks its primary key, so the database refuses it whatever writes it.
- `approval`, `approval_policy` (db/tables/approvals.py), `alliance_role_count`.
- `agreement_mode.mode` accepts customised_talent_cultivation, results_conversion and
  employment_services.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel  # noqa: F401

from db import change_feed, change_triggers


MODES = (
    'credit_recognition', 'vocational_training', 'micro_specialty', 'joint_course_development',
    'shared_faculty', 'student_exchange', 'staff_exchange', 'joint_research', 'internship_base',
    'resource_sharing', 'joint_degree', 'funding', 'other',
    'customised_talent_cultivation', 'results_conversion', 'employment_services',
)
NEW_MODES = MODES[-3:]


def _modes(modes: tuple[str, ...]) -> None:
    values = ", ".join(f"'{m}'" for m in modes)
    with op.batch_alter_table('agreement_mode', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_agreement_mode_mode_valid'), type_='check')
        batch_op.create_check_constraint(op.f('ck_agreement_mode_mode_valid'), f"mode IN ({values})")


FILL = """
INSERT INTO organization_unit (ancestor_id, unit_id, depth)
WITH RECURSIVE tree (ancestor_id, unit_id, depth) AS (
    SELECT id, id, 0 FROM organization
    UNION ALL
    SELECT tree.ancestor_id, organization.id, tree.depth + 1
    FROM tree JOIN organization ON organization.parent_id = tree.unit_id
)
SELECT ancestor_id, unit_id, depth FROM tree
"""

# The statements both databases run: a new organization under its parent's ancestors; a moved
# one, with every unit below it, cut from its old ancestors and joined to its new parent's.
_INSERTED = """
    INSERT INTO organization_unit (ancestor_id, unit_id, depth)
    SELECT NEW.id, NEW.id, 0
    UNION ALL
    SELECT ancestor_id, NEW.id, depth + 1 FROM organization_unit WHERE unit_id = NEW.parent_id;
"""
_MOVED = """
    DELETE FROM organization_unit
    WHERE unit_id IN (SELECT unit_id FROM organization_unit WHERE ancestor_id = NEW.id)
      AND ancestor_id IN (
        SELECT ancestor_id FROM organization_unit WHERE unit_id = NEW.id AND ancestor_id <> NEW.id
      );
    INSERT INTO organization_unit (ancestor_id, unit_id, depth)
    SELECT above.ancestor_id, below.unit_id, above.depth + below.depth + 1
    FROM organization_unit above, organization_unit below
    WHERE above.unit_id = NEW.parent_id AND below.ancestor_id = NEW.id;
"""

TRIGGERS = {
    'sqlite': [
        f"CREATE TRIGGER organization_unit_inserted AFTER INSERT ON organization "
        f"BEGIN {_INSERTED} END",
        f"CREATE TRIGGER organization_unit_moved AFTER UPDATE OF parent_id ON organization "
        f"WHEN OLD.parent_id IS NOT NEW.parent_id BEGIN {_MOVED} END",
    ],
    'postgresql': [
        f"CREATE FUNCTION organization_unit_inserted() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN {_INSERTED} RETURN NULL; END $$",
        f"CREATE FUNCTION organization_unit_moved() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN {_MOVED} RETURN NULL; END $$",
        "CREATE TRIGGER organization_unit_inserted AFTER INSERT ON organization "
        "FOR EACH ROW EXECUTE FUNCTION organization_unit_inserted()",
        "CREATE TRIGGER organization_unit_moved AFTER UPDATE OF parent_id ON organization "
        "FOR EACH ROW WHEN (OLD.parent_id IS DISTINCT FROM NEW.parent_id) "
        "EXECUTE FUNCTION organization_unit_moved()",
    ],
}
DROP_TRIGGERS = {
    'sqlite': [
        "DROP TRIGGER IF EXISTS organization_unit_inserted",
        "DROP TRIGGER IF EXISTS organization_unit_moved",
    ],
    'postgresql': [
        "DROP TRIGGER IF EXISTS organization_unit_inserted ON organization",
        "DROP TRIGGER IF EXISTS organization_unit_moved ON organization",
        "DROP FUNCTION IF EXISTS organization_unit_inserted()",
        "DROP FUNCTION IF EXISTS organization_unit_moved()",
    ],
}


def _closure_triggers() -> None:
    for statement in TRIGGERS[op.get_bind().dialect.name]:
        op.execute(statement)


# revision identifiers, used by Alembic.
revision: str = '0012_units'
down_revision: Union[str, Sequence[str], None] = '0011_intl'
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
    # ### commands auto generated by Alembic - please adjust! ###
    op.create_table('approval_policy',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agreement_kind', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('approver_id', sa.Integer(), nullable=False),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.CheckConstraint("agreement_kind IN ('memorandum_of_understanding', 'framework', 'joint_program', 'research_collaboration', 'internship_and_training_base', 'student_exchange', 'staff_exchange', 'credit_recognition', 'resource_sharing', 'funding', 'sino_foreign_cooperative_education', 'other')", name=op.f('ck_approval_policy_agreement_kind_valid')),
    sa.ForeignKeyConstraint(['approver_id'], ['organization.id'], name=op.f('fk_approval_policy_approver_id_organization'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_approval_policy')),
    sa.UniqueConstraint('agreement_kind', 'approver_id', name=op.f('uq_approval_policy_agreement_kind_approver_id'))
    )
    with op.batch_alter_table('approval_policy', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_approval_policy_agreement_kind'), ['agreement_kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_approval_policy_approver_id'), ['approver_id'], unique=False)

    op.create_table('organization_unit',
    sa.Column('ancestor_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('depth', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['ancestor_id'], ['organization.id'], name=op.f('fk_organization_unit_ancestor_id_organization'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['organization.id'], name=op.f('fk_organization_unit_unit_id_organization'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('ancestor_id', 'unit_id', name=op.f('pk_organization_unit'))
    )
    with op.batch_alter_table('organization_unit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organization_unit_unit_id'), ['unit_id'], unique=False)

    op.create_table('alliance_role_count',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('alliance_id', sa.Integer(), nullable=False),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('declared', sa.Integer(), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.CheckConstraint("role IN ('chair', 'vice_chair', 'director', 'member', 'observer')", name=op.f('ck_alliance_role_count_role_valid')),
    sa.CheckConstraint('declared >= 0', name=op.f('ck_alliance_role_count_declared_non_negative')),
    sa.ForeignKeyConstraint(['alliance_id'], ['alliance.id'], name=op.f('fk_alliance_role_count_alliance_id_alliance'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alliance_role_count')),
    sa.UniqueConstraint('alliance_id', 'role', name=op.f('uq_alliance_role_count_alliance_id_role'))
    )
    with op.batch_alter_table('alliance_role_count', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alliance_role_count_alliance_id'), ['alliance_id'], unique=False)

    op.create_table('approval',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=True),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('program_id', sa.Integer(), nullable=True),
    sa.Column('approver_id', sa.Integer(), nullable=False),
    sa.Column('approver_person_id', sa.Integer(), nullable=True),
    sa.Column('decision', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=True),
    sa.Column('reference_number', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('conditions', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('document_url', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.CheckConstraint("decision IN ('approved', 'rejected', 'conditional')", name=op.f('ck_approval_decision_valid')),
    sa.CheckConstraint('(CASE WHEN agreement_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN organization_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN program_id IS NULL THEN 0 ELSE 1 END) = 1', name=op.f('ck_approval_one_subject')),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreement.id'], name=op.f('fk_approval_agreement_id_agreement'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['approver_id'], ['organization.id'], name=op.f('fk_approval_approver_id_organization'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['approver_person_id'], ['person.id'], name=op.f('fk_approval_approver_person_id_person'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_approval_organization_id_organization'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['program_id'], ['program.id'], name=op.f('fk_approval_program_id_program'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_approval'))
    )
    with op.batch_alter_table('approval', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_approval_agreement_id'), ['agreement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_approval_approver_id'), ['approver_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_approval_approver_person_id'), ['approver_person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_approval_decision'), ['decision'], unique=False)
        batch_op.create_index(batch_op.f('ix_approval_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_approval_program_id'), ['program_id'], unique=False)

    # ### end Alembic commands ###
    _modes(MODES)
    _closure_triggers()
    op.execute(FILL)


def _downgrade() -> None:
    """Downgrade schema."""
    _modes(MODES[: -len(NEW_MODES)])
    for statement in DROP_TRIGGERS[op.get_bind().dialect.name]:
        op.execute(statement)
    # ### commands auto generated by Alembic - please adjust! ###
    with op.batch_alter_table('approval', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_approval_program_id'))
        batch_op.drop_index(batch_op.f('ix_approval_organization_id'))
        batch_op.drop_index(batch_op.f('ix_approval_decision'))
        batch_op.drop_index(batch_op.f('ix_approval_approver_person_id'))
        batch_op.drop_index(batch_op.f('ix_approval_approver_id'))
        batch_op.drop_index(batch_op.f('ix_approval_agreement_id'))

    op.drop_table('approval')
    with op.batch_alter_table('alliance_role_count', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alliance_role_count_alliance_id'))

    op.drop_table('alliance_role_count')
    with op.batch_alter_table('organization_unit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organization_unit_unit_id'))

    op.drop_table('organization_unit')
    with op.batch_alter_table('approval_policy', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_approval_policy_approver_id'))
        batch_op.drop_index(batch_op.f('ix_approval_policy_agreement_kind'))

    op.drop_table('approval_policy')
    # ### end Alembic commands ###
