"""zalo token pair

Revision ID: 0002_zalo_tokens
Revises: 0001
Create Date: 2026-11-23 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.types

revision: str = '0002_zalo_tokens'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('zalo_tokens',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('access_token', sa.Text(), nullable=False),
    sa.Column('refresh_token', sa.Text(), nullable=False),
    sa.Column('expires_at', db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('updated_at', db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('refreshes', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_zalo_tokens'))
    )


def downgrade() -> None:
    op.drop_table('zalo_tokens')
