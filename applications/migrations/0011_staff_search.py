"""Indexes of the staff search box (certificates.search):

- a function `registrasi_unaccent(text)`: on PostgreSQL an IMMUTABLE wrapper of the unaccent
  extension (unaccent itself is only STABLE, so an index cannot use it); on SQLite the same
  name is registered on every connection in Python (registrasi.search_functions);
- on PostgreSQL, pg_trgm GIN indexes on UPPER(registrasi_unaccent(company_legal_name)) and
  UPPER(reference): a search for any part of a name, without accents or case, is an index
  scan at 100,000 applications. The pg_trgm extension is the one the register's migration
  (certificates 0007) creates; IF NOT EXISTS makes the order of the two irrelevant.
  SQLite has no trigram indexes: there the search is a plain scan.

Kept out of the model state on purpose (vendor-specific expression indexes)."""

from django.db import migrations

CREATE = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE OR REPLACE FUNCTION registrasi_unaccent(text) RETURNS text "
    "LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT "
    "AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$",
    "CREATE INDEX IF NOT EXISTS applications_app_name_search ON applications_application "
    "USING gin (UPPER(registrasi_unaccent(company_legal_name)) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS applications_app_reference_search ON applications_application "
    "USING gin (UPPER(reference) gin_trgm_ops)",
)
DROP = (
    "DROP INDEX IF EXISTS applications_app_name_search",
    "DROP INDEX IF EXISTS applications_app_reference_search",
    "DROP FUNCTION IF EXISTS registrasi_unaccent(text)",
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in CREATE:
            schema_editor.execute(sql)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in DROP:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("applications", "0010_billing_fines")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
