"""Application.has_documents_to_review (a current document version awaits the ministry's
review), set for existing rows from their documents, and the staff queue's partial index on
(submitted_at, id) with the queue's own condition (applications.querysets.STAFF_QUEUE)."""

from django.db import migrations, models

PENDING = "pending"


def set_documents_to_review(apps, schema_editor):
    """The same rule as ApplicationQuerySet.refresh_documents_to_review, on the historical
    models (a migration cannot call the manager's methods)."""
    application = apps.get_model("applications", "Application")
    version = apps.get_model("applications", "DocumentVersion")
    newer = version.objects.filter(
        document=models.OuterRef("document"), number__gt=models.OuterRef("number")
    )
    pending = version.objects.filter(
        document__application=models.OuterRef("pk"), review_status=PENDING
    ).exclude(models.Exists(newer))
    application.objects.update(has_documents_to_review=models.Exists(pending))


class Migration(migrations.Migration):
    dependencies = [("applications", "0012_billing_void_pending")]

    operations = [
        migrations.AddField(
            model_name="application",
            name="has_documents_to_review",
            field=models.BooleanField(
                default=False, editable=False, verbose_name="documents to review"
            ),
        ),
        migrations.RunPython(set_documents_to_review, migrations.RunPython.noop, elidable=False),
        migrations.AddIndex(
            model_name="application",
            index=models.Index(
                condition=models.Q(
                    ("state__in", ("submitted", "under_review")),
                    models.Q(
                        ("has_documents_to_review", True),
                        (
                            "state__in",
                            (
                                "under_review",
                                "awaiting_inspection",
                                "inspection_scheduled",
                                "inspection_passed",
                                "inspection_failed",
                            ),
                        ),
                    ),
                    _connector="OR",
                ),
                fields=["submitted_at", "id"],
                name="applications_app_staff_queue",
            ),
        ),
    ]
