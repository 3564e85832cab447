"""The audit log stays append-only on PostgreSQL, with one exception the retention rule needs:
an UPDATE that only sets a present `ip_address` to NULL (registrasi.accounts.retention.
blank_ip_addresses). Every other UPDATE, and every DELETE, is still refused by the trigger."""

from django.db import migrations

ALLOW_BLANKING = """
CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE'
        AND OLD.ip_address IS NOT NULL
        AND NEW.ip_address IS NULL
        AND (to_jsonb(NEW) - 'ip_address') = (to_jsonb(OLD) - 'ip_address') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit_auditevent is append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
"""

APPEND_ONLY = """
CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_auditevent is append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ALLOW_BLANKING, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(APPEND_ONLY, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_email_receipt_status")]

    operations = [migrations.RunPython(forwards, backwards)]
