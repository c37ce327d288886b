"""index waiting orders in lease order

Revision ID: 0003_waiting_index
Revises: 0002_shipping
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_waiting_index"
down_revision: str | None = "0002_shipping"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WAITING = "status IN ('queued', 'leased')"


def upgrade() -> None:
    # Partial: only orders a bench may lease; ordered as the lease query takes them.
    op.create_index(
        "ix_orders_waiting",
        "orders",
        ["location_id", sa.text("priority DESC"), "ship_by", "id"],
        postgresql_where=sa.text(WAITING),
        sqlite_where=sa.text(WAITING),
    )


def downgrade() -> None:
    op.drop_index("ix_orders_waiting", table_name="orders")
