"""On PostgreSQL, a trigger refuses to add, change or remove findings, interviews and
evidence photos of an inspection that is passed, failed or cancelled, whatever the client:
submitting locks the record (the services refuse first, with a message)."""

from django.db import migrations

TABLES = ("inspections_finding", "inspections_interview", "inspections_evidencephoto")

FUNCTION = """
CREATE OR REPLACE FUNCTION inspections_refuse_locked_change() RETURNS trigger AS $$
DECLARE
    parent bigint;
    parent_state varchar;
BEGIN
    IF TG_OP = 'DELETE' THEN
        parent := OLD.inspection_id;
    ELSE
        parent := NEW.inspection_id;
    END IF;
    SELECT state INTO parent_state FROM inspections_inspection WHERE id = parent;
    IF parent_state IN ('passed', 'failed', 'cancelled') THEN
        RAISE EXCEPTION 'inspection % is %: its record is locked (% on % refused)',
            parent, parent_state, TG_OP, TG_TABLE_NAME
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""
TRIGGER = """
CREATE TRIGGER {table}_locked_after_submission
    BEFORE INSERT OR UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION inspections_refuse_locked_change();
"""
DROP_TRIGGER = "DROP TRIGGER IF EXISTS {table}_locked_after_submission ON {table};"
DROP_FUNCTION = "DROP FUNCTION IF EXISTS inspections_refuse_locked_change();"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION, params=None)
    for table in TABLES:
        schema_editor.execute(TRIGGER.format(table=table), params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(DROP_TRIGGER.format(table=table), params=None)
    schema_editor.execute(DROP_FUNCTION, params=None)


class Migration(migrations.Migration):
    dependencies = [("inspections", "0002_no_overlap_on_postgresql")]

    operations = [migrations.RunPython(forwards, backwards)]
