"""Mark a planned session done (plan week and session on a performed session); video analyses with
their landmarks.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN (nullable, no table rebuild): existing sessions keep every value and read as
    # not tied to a planned session.
    op.add_column("performed_sessions", sa.Column("plan_week", sa.Integer, nullable=True))
    op.add_column("performed_sessions", sa.Column("plan_session", sa.Integer, nullable=True))
    op.create_table(
        "analyses",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("uid", sa.String(36), nullable=False),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column(
            "session_id",
            sa.Integer,
            sa.ForeignKey("performed_sessions.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("exercise", sa.String(64), nullable=False),
        sa.Column("report", sa.JSON, nullable=False),
        sa.Column("metrics", sa.JSON, nullable=False),
        sa.Column("files", sa.JSON, nullable=False),
        sa.Column("midline_version", sa.String(32), nullable=False),
        sa.Column("analysis_version", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("user_id", "uid", name="uq_analyses_user_id"),
    )
    op.create_index("ix_analyses_user_id", "analyses", ["user_id"])
    op.create_index("ix_analyses_exercise", "analyses", ["exercise"])
    op.create_table(
        "analysis_landmarks",
        sa.Column(
            "analysis_id",
            sa.Integer,
            sa.ForeignKey("analyses.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("encoding", sa.String(16), nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
    )
    op.create_index("ix_analysis_landmarks_user_id", "analysis_landmarks", ["user_id"])


def downgrade() -> None:
    op.drop_table("analysis_landmarks")
    op.drop_table("analyses")
    op.drop_column("performed_sessions", "plan_session")
    op.drop_column("performed_sessions", "plan_week")
