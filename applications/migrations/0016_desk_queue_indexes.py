"""Partial indexes for the ministry desk's queues (certificates/desk.py) and the staff queue's
documents filter, each with its queue's own condition, so a count capped at 1,001 and a page
read only their rows instead of every application or invoice (issue 14):

- applications_app_to_review: (submitted_at, id) over applications with a document to review
  in a state where staff review documents (querysets.DOCUMENTS_TO_REVIEW; the staff queue's
  ?state=to_review, in submission order);
- applications_app_awaiting: (id) over applications awaiting inspection (the desk's "to
  schedule": merged in id order with the open-invoice index, then a paid invoice looked up);
- applications_invoice_paid: (application_id) over paid, not cancelled invoices (the "to
  schedule" queue's paid check, by index instead of hashing every paid invoice);
- applications_app_open_changes: (submitted_at, id) over change reports open with the
  ministry (desk.OPEN_CHANGE_STATES; the desk's "changes reported", in submission order).

Plain SQL that SQLite and PostgreSQL both accept, kept out of the model state like 0008's
applications_app_open_queue (partial indexes the ORM does not need to know about)."""

from django.db import migrations

DOCUMENT_REVIEW_STATES = (
    "under_review",
    "awaiting_inspection",
    "inspection_scheduled",
    "inspection_passed",
    "inspection_failed",
)
OPEN_CHANGE_STATES = (
    "submitted",
    "under_review",
    "returned",
    "awaiting_inspection",
    "inspection_scheduled",
    "inspection_passed",
    "inspection_failed",
)


def _in(states):
    return ", ".join(f"'{s}'" for s in states)


INDEXES = {
    "applications_app_to_review": (
        "applications_application (submitted_at, id) WHERE has_documents_to_review "
        f"AND state IN ({_in(DOCUMENT_REVIEW_STATES)})"
    ),
    "applications_app_awaiting": (
        "applications_application (id) WHERE state = 'awaiting_inspection'"
    ),
    "applications_invoice_paid": (
        "applications_invoice (application_id) WHERE paid_at IS NOT NULL AND cancelled_at IS NULL"
    ),
    "applications_app_open_changes": (
        "applications_application (submitted_at, id) WHERE kind = 'change' "
        f"AND state IN ({_in(OPEN_CHANGE_STATES)})"
    ),
}


class Migration(migrations.Migration):
    dependencies = [("applications", "0015_confirmed_steps")]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {name} ON {definition}",
            f"DROP INDEX IF EXISTS {name}",
            elidable=False,
        )
        for name, definition in INDEXES.items()
    ]
