"""organisations

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 03:46:11.689524
"""

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('course_organisation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('seat_limit', sa.Integer(), nullable=True),
    sa.Column('template', sa.String(length=64), nullable=False),
    sa.Column('logo', sa.LargeBinary(), nullable=True),
    sa.Column('logo_type', sa.String(length=20), nullable=True),
    sa.Column('primary_colour', sa.String(length=7), nullable=True),
    sa.Column('signatory', sa.String(length=120), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course_organisation')),
    sa.UniqueConstraint('slug', name=op.f('uq_course_organisation_slug'))
    )
    op.create_table('course_assignment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('course', sa.String(length=64), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['org_id'], ['course_organisation.id'], name=op.f('fk_course_assignment_org_id_course_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course_assignment')),
    sa.UniqueConstraint('org_id', 'course', name=op.f('uq_course_assignment_org_id_course'))
    )
    op.create_table('course_audit_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=True),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('subject', sa.String(length=254), nullable=True),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['course_organisation.id'], name=op.f('fk_course_audit_event_org_id_course_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course_audit_event'))
    )
    with op.batch_alter_table('course_audit_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_course_audit_event_org_id'), ['org_id'], unique=False)

    op.create_table('course_bulk_job',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('course', sa.String(length=64), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=True),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('backend', sa.String(length=10), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('done', sa.Integer(), nullable=False),
    sa.Column('issued', sa.Integer(), nullable=False),
    sa.Column('error', sa.String(length=500), nullable=True),
    sa.Column('created_by', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['org_id'], ['course_organisation.id'], name=op.f('fk_course_bulk_job_org_id_course_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course_bulk_job'))
    )
    with op.batch_alter_table('course_bulk_job', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_course_bulk_job_org_id'), ['org_id'], unique=False)

    op.create_table('course_invitation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=True),
    sa.Column('team', sa.String(length=80), nullable=True),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('invited_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('accepted_by', sa.String(length=64), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['org_id'], ['course_organisation.id'], name=op.f('fk_course_invitation_org_id_course_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course_invitation')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_course_invitation_token_hash'))
    )
    with op.batch_alter_table('course_invitation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_course_invitation_email'), ['email'], unique=False)
        batch_op.create_index(batch_op.f('ix_course_invitation_org_id'), ['org_id'], unique=False)

    op.create_table('course_membership',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.String(length=64), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('team', sa.String(length=80), nullable=True),
    sa.Column('optional_reminders', sa.Boolean(), nullable=False),
    sa.Column('joined_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['course_organisation.id'], name=op.f('fk_course_membership_org_id_course_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course_membership')),
    sa.UniqueConstraint('user_id', name=op.f('uq_course_membership_user_id'))
    )
    with op.batch_alter_table('course_membership', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_course_membership_org_id'), ['org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_course_membership_team'), ['team'], unique=False)

    op.create_table('course_reminder_sent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('event', sa.String(length=120), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['course_organisation.id'], name=op.f('fk_course_reminder_sent_org_id_course_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course_reminder_sent')),
    sa.UniqueConstraint('user_id', 'kind', 'event', name=op.f('uq_course_reminder_sent_user_id_kind_event'))
    )
    with op.batch_alter_table('course_reminder_sent', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_course_reminder_sent_org_id'), ['org_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('course_reminder_sent', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_course_reminder_sent_org_id'))

    op.drop_table('course_reminder_sent')
    with op.batch_alter_table('course_membership', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_course_membership_team'))
        batch_op.drop_index(batch_op.f('ix_course_membership_org_id'))

    op.drop_table('course_membership')
    with op.batch_alter_table('course_invitation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_course_invitation_org_id'))
        batch_op.drop_index(batch_op.f('ix_course_invitation_email'))

    op.drop_table('course_invitation')
    with op.batch_alter_table('course_bulk_job', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_course_bulk_job_org_id'))

    op.drop_table('course_bulk_job')
    with op.batch_alter_table('course_audit_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_course_audit_event_org_id'))

    op.drop_table('course_audit_event')
    op.drop_table('course_assignment')
    op.drop_table('course_organisation')
