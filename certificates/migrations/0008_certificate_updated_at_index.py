"""The public pages' cache key reads the latest certificates.updated_at on every request
(certificates.public_cache): an index makes that one index read, not a scan. Plain SQL both
databases accept, kept out of the model state like 0007's indexes."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("certificates", "0007_registry_indexes")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS certificates_updated_at ON certificates_certificate "
            "(updated_at)",
            "DROP INDEX IF EXISTS certificates_updated_at",
            elidable=False,
        )
    ]
