"""channels and shipping: labels, webhook receipts, carrier sequences

Revision ID: 0002_shipping
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_shipping"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "shipping_labels",
        sa.Column("id", ID, nullable=False),
        sa.Column("parcel_ref", sa.String(length=80), nullable=False),
        sa.Column("order_id", ID, nullable=False),
        sa.Column("parcel_no", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("carrier", sa.String(length=40), nullable=False),
        sa.Column("service", sa.String(length=80), nullable=False),
        sa.Column("rate", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("tracking_number", sa.String(length=64), nullable=True),
        sa.Column("tracking_url", sa.String(length=300), nullable=False),
        sa.Column("shipment_id", sa.String(length=80), nullable=False),
        sa.Column("zpl", sa.Text(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("void_reason", sa.Text(), nullable=True),
        sa.Column("manifest_id", sa.String(length=80), nullable=True),
        sa.Column("tracking_status", sa.String(length=24), nullable=True),
        sa.Column("tracking_detail", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_shipping_labels_order_id_orders"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shipping_labels")),
        sa.UniqueConstraint("parcel_ref", name=op.f("uq_shipping_labels_parcel_ref")),
    )
    op.create_index(op.f("ix_shipping_labels_order_id"), "shipping_labels", ["order_id"])
    op.create_index("ix_shipping_labels_tracking", "shipping_labels", ["tracking_number"])
    op.create_table(
        "webhook_receipts",
        sa.Column("channel", sa.String(length=40), nullable=False),
        sa.Column("delivery_id", sa.String(length=100), nullable=False),
        sa.Column("topic", sa.String(length=60), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("channel", "delivery_id", name=op.f("pk_webhook_receipts")),
    )
    op.create_table(
        "carrier_sequences",
        sa.Column("carrier", sa.String(length=40), nullable=False),
        sa.Column("next_value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("carrier", name=op.f("pk_carrier_sequences")),
    )


def downgrade() -> None:
    op.drop_table("carrier_sequences")
    op.drop_table("webhook_receipts")
    op.drop_index("ix_shipping_labels_tracking", table_name="shipping_labels")
    op.drop_index(op.f("ix_shipping_labels_order_id"), table_name="shipping_labels")
    op.drop_table("shipping_labels")
