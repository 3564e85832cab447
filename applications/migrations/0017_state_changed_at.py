"""Application.state_changed_at: when the application entered its current state, kept by
run_transition from now on and filled here from the audit log (its last event into the
current state, else its submission, else its creation), so that the desk's "to schedule" and
"to decide" sort by an index (state, state_changed_at, id) instead of looking up the audit
events of every application in the state (issue 14). With the open invoices' due-date index
for the desk's payment problems."""

import django.utils.timezone
from django.conf import settings
from django.db import migrations, models
from django.db.models import CharField, F, OuterRef, Subquery
from django.db.models.functions import Cast, Coalesce


def fill_state_changed_at(apps, schema_editor):
    Application = apps.get_model("applications", "Application")
    AuditEvent = apps.get_model("audit", "AuditEvent")
    ContentType = apps.get_model("contenttypes", "ContentType")
    application_type = ContentType.objects.filter(
        app_label="applications", model="application"
    ).values("pk")[:1]
    entered = AuditEvent.objects.filter(
        content_type=Subquery(application_type),
        object_id=Cast(OuterRef("pk"), CharField()),
        to_state=OuterRef("state"),
    ).order_by("-created_at", "-pk")
    Application.objects.update(
        state_changed_at=Coalesce(
            Subquery(entered.values("created_at")[:1]), F("submitted_at"), F("created_at")
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_read_events"),
        ("audit", "0005_allow_blanking_ip_addresses"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("applications", "0016_desk_queue_indexes"),
        ("certificates", "0014_reminder_recent_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="application",
            name="state_changed_at",
            field=models.DateTimeField(
                default=django.utils.timezone.now, editable=False, verbose_name="state changed"
            ),
        ),
        migrations.RunPython(fill_state_changed_at, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="application",
            index=models.Index(
                fields=["state", "state_changed_at", "id"], name="applications_app_state_since"
            ),
        ),
        migrations.AddIndex(
            model_name="invoice",
            index=models.Index(
                condition=models.Q(("cancelled_at__isnull", True), ("paid_at__isnull", True)),
                fields=["due_date", "application"],
                name="applications_invoice_open_due",
            ),
        ),
    ]
