"""Indexes of the public register (certificates.verification.registry):

- its order (legal_name, -issued_on, id) over the states it lists, so a page reads 25 rows
  instead of sorting every certificate (both databases accept this partial index);
- on PostgreSQL, pg_trgm GIN indexes on UPPER(legal_name) and UPPER(number): Django's
  icontains is UPPER(col) LIKE UPPER('%q%'), which these serve instead of a sequential scan.
  SQLite has no trigram indexes: there the search stays a scan (development data is small).

Kept out of the model state on purpose (expression and vendor-specific indexes)."""

from django.db import migrations

REGISTRY_STATES = ("active", "suspended", "revoked", "expired")
CREATE_ORDER = (
    "CREATE INDEX IF NOT EXISTS certificates_registry_order ON certificates_certificate "
    "(legal_name, issued_on DESC, id) WHERE state IN ({})".format(
        ", ".join(f"'{s}'" for s in REGISTRY_STATES)
    )
)
DROP_ORDER = "DROP INDEX IF EXISTS certificates_registry_order"
CREATE_TRIGRAM = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS certificates_name_trgm ON certificates_certificate "
    "USING gin (UPPER(legal_name) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS certificates_number_trgm ON certificates_certificate "
    "USING gin (UPPER(number) gin_trgm_ops)",
)
DROP_TRIGRAM = (
    "DROP INDEX IF EXISTS certificates_name_trgm",
    "DROP INDEX IF EXISTS certificates_number_trgm",
)


def create_trigram(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in CREATE_TRIGRAM:
            schema_editor.execute(sql)


def drop_trigram(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in DROP_TRIGRAM:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("certificates", "0006_email_receipts_render_pending")]

    operations = [
        migrations.RunSQL(CREATE_ORDER, DROP_ORDER, elidable=False),
        migrations.RunPython(create_trigram, drop_trigram, elidable=False),
    ]
