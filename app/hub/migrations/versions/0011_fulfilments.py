"""split shipments: an order's fulfilments are order rows of their own (``parent_id``)

A fulfilment's ``channel_order_id`` is its own number (``PB0000012-1``), so the unique
(channel, channel order id) constraint stays as it is: on SQLite changing it would copy the table,
and the copy's DROP TABLE would cascade to every order's lines.

Revision ID: 0011_fulfilments
Revises: 0010_bins_picking
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_fulfilments"
down_revision: str | None = "0010_bins_picking"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # A plain ADD COLUMN (no table copy): SQLite takes the reference as part of the column.
        op.execute("ALTER TABLE orders ADD COLUMN parent_id INTEGER REFERENCES orders (id) ON DELETE CASCADE")
    else:
        op.add_column("orders", sa.Column("parent_id", ID, nullable=True))
        op.create_foreign_key(
            "fk_orders_parent_id_orders", "orders", "orders", ["parent_id"], ["id"], ondelete="CASCADE"
        )
    op.create_index("ix_orders_parent_id", "orders", ["parent_id"])


def downgrade() -> None:
    op.drop_index("ix_orders_parent_id", table_name="orders")
    op.execute("DELETE FROM orders WHERE parent_id IS NOT NULL")
    with op.batch_alter_table("orders") as batch:
        batch.drop_column("parent_id")
