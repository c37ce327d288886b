"""order desk lookups: orders by channel order id alone, by customer e-mail and name (any case)

Revision ID: 0013_order_desk_lookups
Revises: 0012_operator_event_flags
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_order_desk_lookups"
down_revision: str | None = "0012_operator_event_flags"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The same expressions as app.hub.models.CUSTOMER_NAME_KEY (the search's, so the index is used).
NAME_KEY = {
    "postgresql": "lower(ship_to ->> 'name')",
    "sqlite": "lower(json_extract(ship_to, '$.name'))",
}


def upgrade() -> None:
    op.create_index("ix_orders_channel_order_id", "orders", ["channel_order_id"])
    op.create_index("ix_orders_customer_email_lower", "orders", [sa.text("lower(customer_email)")])
    dialect = op.get_bind().dialect.name
    if dialect in NAME_KEY:
        op.create_index(f"ix_orders_customer_name_{dialect}", "orders", [sa.text(NAME_KEY[dialect])])


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect in NAME_KEY:
        op.drop_index(f"ix_orders_customer_name_{dialect}", table_name="orders")
    op.drop_index("ix_orders_customer_email_lower", table_name="orders")
    op.drop_index("ix_orders_channel_order_id", table_name="orders")
