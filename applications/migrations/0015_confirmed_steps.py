"""Application.confirmed_steps (issue 15, point 6): the guided flow ticks a step off only once
the applicant went through it. Nothing existing regresses: every application that was ever
submitted or left the draft state, and every draft whose facts and sites are all declared,
gets every step confirmed (a step still shows as done only when complete). Other drafts start
with none confirmed: their applicant confirms each step as they go on."""

from django.db import migrations, models
from django.db.models import Exists, OuterRef, Q

ALL_STEPS = ["company", "operation", "documents", "fee"]


def confirm_existing(apps, schema_editor):
    Application = apps.get_model("applications", "Application")
    ApplicationSite = apps.get_model("applications", "ApplicationSite")
    complete_draft = (
        Q(state="draft", agent_seats__gte=1, submitted_at__isnull=True)
        & ~Q(company_legal_name="")
        & ~Q(company_address="")
        & ~Q(company_province="")
        & ~Q(direction="")
        & ~Q(sourcing="")
        & Q(Exists(ApplicationSite.objects.filter(application=OuterRef("pk"))))
    )
    Application.objects.filter(
        ~Q(state="draft") | Q(submitted_at__isnull=False) | complete_draft
    ).update(confirmed_steps=ALL_STEPS)


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0014_split_business_registration"),
    ]

    operations = [
        migrations.AddField(
            model_name="application",
            name="confirmed_steps",
            field=models.JSONField(
                blank=True, default=list, editable=False, verbose_name="steps confirmed"
            ),
        ),
        migrations.RunPython(confirm_existing, migrations.RunPython.noop, elidable=True),
    ]
