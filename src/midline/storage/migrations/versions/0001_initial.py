"""Initial schema: users, instructor grants, profiles, plans, performed sessions and their sets.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def _owner() -> sa.Column[int]:
    return sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False)


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.CheckConstraint("role IN ('client', 'instructor')", name="ck_users_role"),
        sa.UniqueConstraint("username", name="uq_users_username"),
    )
    op.create_table(
        "instructor_grants",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("client_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("instructor_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("granted_at", TS, nullable=False),
        sa.Column("revoked_at", TS, nullable=True),
        sa.UniqueConstraint("client_id", "instructor_id", name="uq_instructor_grants_client_id"),
    )
    op.create_index("ix_instructor_grants_client_id", "instructor_grants", ["client_id"])
    op.create_index("ix_instructor_grants_instructor_id", "instructor_grants", ["instructor_id"])
    op.create_table(
        "profiles",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("uid", sa.String(36), nullable=False),
        _owner(),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.UniqueConstraint("user_id", "uid", name="uq_profiles_user_id"),
    )
    op.create_index("ix_profiles_user_id", "profiles", ["user_id"])
    op.create_table(
        "plans",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("uid", sa.String(36), nullable=False),
        _owner(),
        sa.Column("profile_id", sa.Integer, sa.ForeignKey("profiles.id", ondelete="SET NULL"), nullable=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("start_date", sa.Date, nullable=True),
        sa.Column("data", sa.JSON, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.UniqueConstraint("user_id", "uid", name="uq_plans_user_id"),
    )
    op.create_index("ix_plans_user_id", "plans", ["user_id"])
    op.create_table(
        "performed_sessions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("uid", sa.String(36), nullable=False),
        _owner(),
        sa.Column("date", sa.Date, nullable=False),
        sa.Column("notes", sa.Text, nullable=False),
        sa.Column("plan_id", sa.Integer, sa.ForeignKey("plans.id", ondelete="SET NULL"), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.UniqueConstraint("user_id", "uid", name="uq_performed_sessions_user_id"),
    )
    op.create_index("ix_performed_sessions_user_id", "performed_sessions", ["user_id"])
    op.create_index("ix_performed_sessions_date", "performed_sessions", ["date"])
    op.create_table(
        "sets",
        sa.Column("id", sa.Integer, primary_key=True),
        _owner(),
        sa.Column(
            "session_id",
            sa.Integer,
            sa.ForeignKey("performed_sessions.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("ordinal", sa.Integer, nullable=False),
        sa.Column("exercise", sa.String(64), nullable=False),
        sa.Column("set_number", sa.Integer, nullable=False),
        sa.Column("side", sa.String(5), nullable=False),
        sa.Column("reps", sa.Integer, nullable=False),
        sa.Column("prop", sa.String(64), nullable=False),
        sa.Column("placement", sa.String(64), nullable=False),
        sa.Column("position", sa.String(64), nullable=False),
        sa.Column("tempo", sa.String(32), nullable=True),
        sa.Column("rpe", sa.Integer, nullable=True),
        sa.Column("pain", sa.Integer, nullable=False),
        sa.Column("notes", sa.Text, nullable=False),
        sa.CheckConstraint("side IN ('both', 'left', 'right')", name="ck_sets_side"),
        sa.CheckConstraint("pain BETWEEN 0 AND 10", name="ck_sets_pain"),
        sa.CheckConstraint("rpe IS NULL OR rpe BETWEEN 1 AND 10", name="ck_sets_rpe"),
        sa.CheckConstraint("reps >= 0", name="ck_sets_reps"),
    )
    op.create_index("ix_sets_user_id", "sets", ["user_id"])
    op.create_index("ix_sets_session_id", "sets", ["session_id"])
    op.create_index("ix_sets_exercise", "sets", ["exercise"])


def downgrade() -> None:
    for table in ("sets", "performed_sessions", "plans", "profiles", "instructor_grants", "users"):
        op.drop_table(table)
