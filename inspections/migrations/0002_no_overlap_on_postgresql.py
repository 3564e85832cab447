"""On PostgreSQL, the database itself refuses two live inspections of one inspector whose
windows overlap (the services check first, under a row lock; this is the last line).
SQLite has no exclusion constraints: there the services' check is the only one."""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE inspections_inspection ADD CONSTRAINT inspections_no_overlap
    EXCLUDE USING gist (
        inspector_id WITH =,
        tstzrange(window_start, window_end, '[)') WITH &&
    ) WHERE (state IN ('scheduled', 'in_progress'));
"""
DROP = "ALTER TABLE inspections_inspection DROP CONSTRAINT IF EXISTS inspections_no_overlap;"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("inspections", "0001_initial")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
