"""picking: bins and stock per bin, pick batches, totes, picks, count tasks; old stock moves into a
default bin ``STOCK`` per location (so a location's figure is the sum of its bins from the start)

Revision ID: 0010_bins_picking
Revises: 0009_pipeline_jobs
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_bins_picking"
down_revision: str | None = "0009_pipeline_jobs"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
AT = sa.DateTime(timezone=True)
DEFAULT_BIN = "STOCK"
DEFAULT_WALK_SEQ = 2_000_000_000


def _fk(table: str, col: str, other: str, ondelete: str | None = None) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([col], [f"{other}.id"], name=f"fk_{table}_{col}_{other}", ondelete=ondelete)


def upgrade() -> None:
    op.create_table(
        "bins",
        sa.Column("id", ID, nullable=False),
        sa.Column("location_id", ID, nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("zone", sa.String(length=20), nullable=False),
        sa.Column("aisle", sa.String(length=20), nullable=False),
        sa.Column("bay", sa.Integer(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("walk_seq", sa.Integer(), nullable=False),
        sa.Column("pickable", sa.Boolean(), nullable=False),
        _fk("bins", "location_id", "locations"),
        sa.PrimaryKeyConstraint("id", name="pk_bins"),
        sa.UniqueConstraint("location_id", "code", name="uq_bins_location_code"),
    )
    op.create_table(
        "bin_stock",
        sa.Column("bin_id", ID, nullable=False),
        sa.Column("product_id", ID, nullable=False),
        sa.Column("on_hand", sa.Integer(), nullable=False),
        sa.CheckConstraint("on_hand >= 0", name=op.f("ck_bin_stock_on_hand_nonneg")),
        _fk("bin_stock", "bin_id", "bins", "CASCADE"),
        _fk("bin_stock", "product_id", "products"),
        sa.PrimaryKeyConstraint("bin_id", "product_id", name="pk_bin_stock"),
    )
    op.create_index("ix_bin_stock_product", "bin_stock", ["product_id"])
    op.create_table(
        "pick_batches",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("lease_id", sa.String(length=36), nullable=False),
        sa.Column("location_id", ID, nullable=False),
        sa.Column("station_id", ID, nullable=False),
        sa.Column("mode", sa.String(length=10), nullable=False),
        sa.Column("created_at", AT, nullable=False),
        sa.Column("plan", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["lease_id"], ["leases.id"], name="fk_pick_batches_lease_id_leases"),
        _fk("pick_batches", "location_id", "locations"),
        _fk("pick_batches", "station_id", "stations"),
        sa.PrimaryKeyConstraint("id", name="pk_pick_batches"),
    )
    op.create_index("ix_pick_batches_lease_id", "pick_batches", ["lease_id"])
    op.create_table(
        "totes",
        sa.Column("id", ID, nullable=False),
        sa.Column("location_id", ID, nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("batch_id", sa.String(length=36), nullable=True),
        sa.Column("order_id", ID, nullable=True),
        sa.Column("slot", sa.Integer(), nullable=True),
        sa.Column("assigned_at", AT, nullable=True),
        _fk("totes", "location_id", "locations"),
        sa.ForeignKeyConstraint(["batch_id"], ["pick_batches.id"], name="fk_totes_batch_id_pick_batches"),
        _fk("totes", "order_id", "orders"),
        sa.PrimaryKeyConstraint("id", name="pk_totes"),
        sa.UniqueConstraint("location_id", "code", name="uq_totes_location_code"),
    )
    op.create_index("ix_totes_order_id", "totes", ["order_id"])
    op.create_table(
        "tote_items",
        sa.Column("tote_id", ID, nullable=False),
        sa.Column("product_id", ID, nullable=False),
        sa.Column("bin_id", ID, nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.CheckConstraint("quantity >= 0", name=op.f("ck_tote_items_quantity_nonneg")),
        _fk("tote_items", "tote_id", "totes", "CASCADE"),
        _fk("tote_items", "product_id", "products"),
        _fk("tote_items", "bin_id", "bins"),
        sa.PrimaryKeyConstraint("tote_id", "product_id", name="pk_tote_items"),
    )
    op.create_table(
        "picks",
        sa.Column("id", ID, nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("batch_id", sa.String(length=36), nullable=False),
        sa.Column("location_id", ID, nullable=False),
        sa.Column("order_id", ID, nullable=True),
        sa.Column("bin_id", ID, nullable=False),
        sa.Column("product_id", ID, nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("tote", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("station_id", ID, nullable=True),
        sa.Column("operator_id", ID, nullable=True),
        sa.Column("at", AT, nullable=False),
        sa.ForeignKeyConstraint(["batch_id"], ["pick_batches.id"], name="fk_picks_batch_id_pick_batches"),
        _fk("picks", "location_id", "locations"),
        _fk("picks", "order_id", "orders"),
        _fk("picks", "bin_id", "bins"),
        _fk("picks", "product_id", "products"),
        _fk("picks", "station_id", "stations"),
        _fk("picks", "operator_id", "operators"),
        sa.PrimaryKeyConstraint("id", name="pk_picks"),
    )
    op.create_index("ix_picks_event_id", "picks", ["event_id"])
    op.create_index("ix_picks_batch_id", "picks", ["batch_id"])
    op.create_index("ix_picks_at", "picks", ["at"])
    op.create_table(
        "count_tasks",
        sa.Column("id", ID, nullable=False),
        sa.Column("location_id", ID, nullable=False),
        sa.Column("bin_id", ID, nullable=True),
        sa.Column("product_id", ID, nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("raised_at", AT, nullable=False),
        sa.Column("done_at", AT, nullable=True),
        _fk("count_tasks", "location_id", "locations"),
        _fk("count_tasks", "bin_id", "bins"),
        _fk("count_tasks", "product_id", "products"),
        sa.PrimaryKeyConstraint("id", name="pk_count_tasks"),
    )
    op.create_index("ix_count_tasks_location_id", "count_tasks", ["location_id"])
    # Old data: each location's stock moves into its default bin.
    op.execute(
        sa.text(
            "INSERT INTO bins (location_id, code, zone, aisle, bay, level, walk_seq, pickable) "
            "SELECT DISTINCT location_id, :code, '', '', 0, 0, :seq, :yes FROM stock_levels"
        ).bindparams(code=DEFAULT_BIN, seq=DEFAULT_WALK_SEQ, yes=True)
    )
    op.execute(
        sa.text(
            "INSERT INTO bin_stock (bin_id, product_id, on_hand) "
            "SELECT b.id, s.product_id, s.on_hand FROM stock_levels s "
            "JOIN bins b ON b.location_id = s.location_id AND b.code = :code"
        ).bindparams(code=DEFAULT_BIN)
    )


def downgrade() -> None:
    for name in ("count_tasks", "picks", "tote_items", "totes", "pick_batches", "bin_stock", "bins"):
        op.drop_table(name)
