"""order pipeline and hub jobs: channel edits, job runs, channel sync state, channel outbox

Revision ID: 0009_pipeline_jobs
Revises: 0003_waiting_index
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_pipeline_jobs"
down_revision: str | None = "0004_sign_in_throttle"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
AT = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("orders") as batch:
        batch.add_column(sa.Column("channel_updated_at", AT, nullable=True))
    op.create_table(
        "order_changes",
        sa.Column("id", ID, nullable=False),
        sa.Column("order_id", ID, nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("at", AT, nullable=False),
        sa.Column("diff", sa.JSON(), nullable=False),
        sa.Column("proposed", sa.JSON(), nullable=False),
        sa.Column("outcome", sa.String(length=12), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name="fk_order_changes_order_id_orders", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_order_changes"),
    )
    op.create_index("ix_order_changes_order_id", "order_changes", ["order_id"])
    op.create_table(
        "job_runs",
        sa.Column("id", ID, nullable=False),
        sa.Column("job", sa.String(length=80), nullable=False),
        sa.Column("scheduled_for", AT, nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("owner", sa.String(length=80), nullable=False),
        sa.Column("started_at", AT, nullable=False),
        sa.Column("lease_until", AT, nullable=False),
        sa.Column("finished_at", AT, nullable=True),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_job_runs"),
        sa.UniqueConstraint("job", "scheduled_for", name="uq_job_runs_job_slot"),
    )
    op.create_index("ix_job_runs_open", "job_runs", ["status", "lease_until"])
    op.create_table(
        "channel_state",
        sa.Column("channel", sa.String(length=40), nullable=False),
        sa.Column("updated_since", AT, nullable=True),
        sa.Column("pulled_at", AT, nullable=True),
        sa.Column("stock_digest", sa.String(length=64), nullable=False),
        sa.Column("stock_pushed_at", AT, nullable=True),
        sa.PrimaryKeyConstraint("channel", name="pk_channel_state"),
    )
    op.create_table(
        "channel_outbox",
        sa.Column("id", ID, nullable=False),
        sa.Column("key", sa.String(length=160), nullable=False),
        sa.Column("channel", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("order_id", ID, nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", AT, nullable=False),
        sa.Column("claimed_until", AT, nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("created_at", AT, nullable=False),
        sa.Column("sent_at", AT, nullable=True),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name="fk_channel_outbox_order_id_orders", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_channel_outbox"),
        sa.UniqueConstraint("key", name="uq_channel_outbox_key"),
    )
    op.create_index("ix_channel_outbox_order_id", "channel_outbox", ["order_id"])
    op.create_index("ix_channel_outbox_due", "channel_outbox", ["status", "next_attempt_at"])


def downgrade() -> None:
    op.drop_table("channel_outbox")
    op.drop_table("channel_state")
    op.drop_table("job_runs")
    op.drop_table("order_changes")
    with op.batch_alter_table("orders") as batch:
        batch.drop_column("channel_updated_at")
