"""The staff queues walk open applications in submission order: a partial index on
(submitted_at, id) over the states a queue lists (selectors.staff_queue filters by them), so
a page reads its 25 rows instead of filtering every application ever submitted. Plain SQL
that SQLite and PostgreSQL both accept; kept out of the model state on purpose (a partial
index the ORM does not need to know about)."""

from django.db import migrations

QUEUE_STATES = (
    "submitted",
    "under_review",
    "returned",
    "awaiting_inspection",
    "inspection_scheduled",
    "inspection_passed",
    "inspection_failed",
)
CREATE = (
    "CREATE INDEX IF NOT EXISTS applications_app_open_queue ON applications_application "
    "(submitted_at, id) WHERE state IN ({})".format(", ".join(f"'{s}'" for s in QUEUE_STATES))
)
DROP = "DROP INDEX IF EXISTS applications_app_open_queue"


class Migration(migrations.Migration):
    dependencies = [("applications", "0007_billing_codes")]

    operations = [migrations.RunSQL(CREATE, DROP, elidable=False)]
