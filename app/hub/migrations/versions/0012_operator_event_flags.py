"""operator event flags: applied bench events whose operator was deactivated or unknown at drain

Revision ID: 0012_operator_event_flags
Revises: 0011_fulfilments
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_operator_event_flags"
down_revision: str | None = "0011_fulfilments"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "operator_event_flags",
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("type", sa.String(length=40), nullable=False),
        sa.Column("station_id", ID, nullable=True),
        sa.Column("operator_badge", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("subject", sa.String(length=100), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("flagged_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["station_id"],
            ["stations.id"],
            name=op.f("fk_operator_event_flags_station_id_stations"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_operator_event_flags")),
    )
    op.create_index(op.f("ix_operator_event_flags_flagged_at"), "operator_event_flags", ["flagged_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_operator_event_flags_flagged_at"), table_name="operator_event_flags")
    op.drop_table("operator_event_flags")
