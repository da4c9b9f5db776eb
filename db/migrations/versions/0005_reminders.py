"""reminders, escalations, digests and unit group chats

Revision ID: 0005_reminders
Revises: 0004_rule_drafts
Create Date: 2026-11-22 02:44:32.302807
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.types

revision: str = '0005_reminders'
down_revision: str | None = '0004_rule_drafts'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table('item_reminders',
    sa.Column('id', ID, nullable=False),
    sa.Column('item_id', ID, nullable=False),
    sa.Column('threshold', sa.String(length=60), nullable=False),
    sa.Column('created_at', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_item_reminders_item_id_items')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_item_reminders')),
    sa.UniqueConstraint('item_id', 'threshold', name=op.f('uq_item_reminders_item_id'))
    )
    op.create_table('digest_runs',
    sa.Column('id', ID, nullable=False),
    sa.Column('recipient', sa.String(length=60), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('created_at', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_digest_runs')),
    sa.UniqueConstraint('recipient', 'day', name=op.f('uq_digest_runs_recipient'))
    )
    op.create_table('unit_group_chats',
    sa.Column('id', ID, nullable=False),
    sa.Column('unit_code', sa.String(length=40), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('chat_id', sa.String(length=64), nullable=False),
    sa.Column('linked_by', sa.String(length=64), nullable=True),
    sa.Column('linked_at', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unit_group_chats')),
    sa.UniqueConstraint('channel', 'chat_id', name=op.f('uq_unit_group_chats_channel'))
    )
    with op.batch_alter_table('unit_group_chats', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unit_group_chats_unit_code'), ['unit_code'], unique=False)
    op.create_table('group_invites',
    sa.Column('id', ID, nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('unit_code', sa.String(length=40), nullable=False),
    sa.Column('created_at', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('used_at', db.types.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_group_invites')),
    sa.UniqueConstraint('code_hash', name=op.f('uq_group_invites_code_hash'))
    )
    op.create_table('job_leases',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('holder', sa.String(length=100), nullable=False),
    sa.Column('expires_at', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_job_leases'))
    )
    # The sweep's query (status IN open statuses AND running deadline <= a day) as a range
    # scan; the expression is the one db.queries.current_due() renders.
    op.create_index('ix_items_status_current_due', 'items',
                    ['status', sa.text('coalesce(resolution_due, processing_due)')])


def downgrade() -> None:
    op.drop_index('ix_items_status_current_due', table_name='items')
    op.drop_table('job_leases')
    op.drop_table('group_invites')
    with op.batch_alter_table('unit_group_chats', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_unit_group_chats_unit_code'))
    op.drop_table('unit_group_chats')
    op.drop_table('digest_runs')
    op.drop_table('item_reminders')
