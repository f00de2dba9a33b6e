"""index evaluation results by subject

One subject's results over the years (the citizen's status page, explanations) were read by
scanning every result: the unique index starts with the year.

Revision ID: 3c1d2e4f5a6b
Revises: 8e7bc9de7f2b
Create Date: 2026-11-27 07:00:00

"""

from alembic import op

revision = "3c1d2e4f5a6b"
down_revision = "8e7bc9de7f2b"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("evaluation_results", schema=None) as batch_op:
        batch_op.create_index(
            "ix_evaluation_results_subject", ["subject_type", "subject_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("evaluation_results", schema=None) as batch_op:
        batch_op.drop_index("ix_evaluation_results_subject")
