import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("certificates", "0004_keeping"),
    ]

    operations = [
        migrations.AddField(
            model_name="sanction",
            name="carried_from",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="certificates.certificate",
                verbose_name="carried over from",
            ),
        ),
    ]
