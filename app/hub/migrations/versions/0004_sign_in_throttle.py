"""sign-in throttling: failed sign-ins and lock state per badge and per station

Revision ID: 0004_sign_in_throttle
Revises: 0003_waiting_index
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_sign_in_throttle"
down_revision: str | None = "0003_waiting_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "sign_in_failures",
        sa.Column("id", ID, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("badge", sa.String(length=64), nullable=False),
        sa.Column("station_id", ID, nullable=True),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("locked", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["station_id"],
            ["stations.id"],
            name=op.f("fk_sign_in_failures_station_id_stations"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_failures")),
    )
    op.create_index("ix_sign_in_failures_badge_at", "sign_in_failures", ["badge", "at"])
    op.create_index("ix_sign_in_failures_station_at", "sign_in_failures", ["station_id", "at"])
    op.create_table(
        "sign_in_throttles",
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("subject", sa.String(length=100), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lockouts", sa.Integer(), nullable=False),
        sa.Column("last_lockout_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("counted_from", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("kind", "subject", name=op.f("pk_sign_in_throttles")),
    )


def downgrade() -> None:
    op.drop_table("sign_in_throttles")
    op.drop_index("ix_sign_in_failures_station_at", table_name="sign_in_failures")
    op.drop_index("ix_sign_in_failures_badge_at", table_name="sign_in_failures")
    op.drop_table("sign_in_failures")
