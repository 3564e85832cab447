"""A default fee schedule so a fresh installation can quote fees; staff edit it in the admin."""

from decimal import Decimal

from django.db import migrations

TIERS = [(50, 5_000_000), (200, 10_000_000), (500, 20_000_000), (None, 35_000_000)]


def create_default_schedule(apps, schema_editor):
    FeeSchedule = apps.get_model("applications", "FeeSchedule")
    FeeTier = apps.get_model("applications", "FeeTier")
    if FeeSchedule.objects.filter(is_active=True).exists():
        return
    schedule = FeeSchedule.objects.create(
        name="Default fee schedule",
        is_active=True,
        amount_per_extra_site=2_500_000,
        outbound_factor=Decimal("1.25"),
        outsourced_factor=Decimal("1.10"),
    )
    for max_seats, amount in TIERS:
        FeeTier.objects.create(schedule=schedule, max_seats=max_seats, amount=amount)


class Migration(migrations.Migration):
    dependencies = [("applications", "0002_documents_fees_invoices")]

    operations = [migrations.RunPython(create_default_schedule, migrations.RunPython.noop)]
