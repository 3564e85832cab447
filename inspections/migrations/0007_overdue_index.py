"""The desk's "inspections overdue" queue (inspections.selectors.overdue_inspections: scheduled
or in progress, window ended, by window_end): a partial index on (window_end, id) over the
active inspections, so its count and page read only the overdue rows instead of every active
inspection (issue 14). Plain SQL for SQLite and PostgreSQL, kept out of the model state."""

from django.db import migrations

CREATE = (
    "CREATE INDEX IF NOT EXISTS inspections_overdue ON inspections_inspection "
    "(window_end, id) WHERE state IN ('scheduled', 'in_progress')"
)
DROP = "DROP INDEX IF EXISTS inspections_overdue"


class Migration(migrations.Migration):
    dependencies = [("inspections", "0006_inspector_areas")]

    operations = [migrations.RunSQL(CREATE, DROP, elidable=False)]
