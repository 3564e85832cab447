"""Certificate emails go through audit events and audit.EmailDelivery like every other app's;
the CertificateNotification receipts are removed (0011, in its own transaction: PostgreSQL
refuses to alter a table with the row changes of this one pending).

What is copied before the table goes:
- every expiry reminder that was sent (not skipped) gets its "expiry_reminder" audit event,
  dated when the reminder was recorded, and is linked to it;
- each CertificateNotification receipt becomes the EmailDelivery of the audit event it was
  about, where that event can be told: the certificate's "issue" event, the fine's
  "fine_impose"/"fine_paid" event (they name the sanction), the only "revoke" event, the
  suspend/reinstate event (or the daily scan's lift, or a carried suspension) closest in
  time to the sanction's record, the reminder's new event. A receipt whose event cannot be
  told is dropped (logged);
- the old email tasks still waiting in the outbox are rewritten to the one email task of
  audit events when their event can be told (else dropped, logged). Tasks already handed to
  the broker under the old names are not: deploy with the queues drained.
- (0011) `delivered_at` of the reminders is dropped: whether a reminder was delivered is now read
  from its event's receipts (ExpiryReminder.delivered_at).
"""

import logging

import django.db.models.deletion
from django.db import migrations, models

logger = logging.getLogger(__name__)
SEND_TASK = "registrasi.audit.tasks.send_event_emails"
OLD_NOTIFY = "certificates.tasks.notify_certificate_event"
OLD_REMINDER = "certificates.tasks.send_expiry_reminder"
# The old email's event name -> the audit actions that could have caused it.
ACTIONS = {
    "issued": ["issue"],
    "suspended": ["suspend", "carry_suspension"],
    "reinstated": ["reinstate", "lift_suspension"],
    "revoked": ["revoke"],
    "fined": ["fine_impose"],
    "fine_paid": ["fine_paid"],
}


class Finder:
    def __init__(self, apps):
        ContentType = apps.get_model("contenttypes", "ContentType")
        self.AuditEvent = apps.get_model("audit", "AuditEvent")
        self.Sanction = apps.get_model("certificates", "Sanction")
        self.ExpiryReminder = apps.get_model("certificates", "ExpiryReminder")
        self.content_type = ContentType.objects.filter(
            app_label="certificates", model="certificate"
        ).first()

    def events(self, certificate_id, actions):
        return self.AuditEvent.objects.filter(
            content_type=self.content_type, object_id=str(certificate_id), action__in=actions
        )

    def event_for(self, certificate_id, name, sanction_id):
        """The audit event an old email (certificate, event name, sanction) was about."""
        if name.startswith("expiry_"):
            milestone = int(name.removeprefix("expiry_"))
            row = self.ExpiryReminder.objects.filter(
                certificate_id=certificate_id, milestone=milestone, skipped=False
            ).first()
            return row.event if row is not None else None
        candidates = list(self.events(certificate_id, ACTIONS.get(name, [])).order_by("id"))
        if sanction_id:
            naming = [e for e in candidates if (e.data or {}).get("sanction") == sanction_id]
            if naming:
                return naming[0]
            sanction = self.Sanction.objects.filter(pk=sanction_id).first()
            if sanction is not None and candidates:
                return min(candidates, key=lambda e: abs(e.created_at - sanction.created_at))
        return candidates[0] if len(candidates) == 1 else None


def _reminder_events(apps, finder):
    """An "expiry_reminder" event for every reminder sent before events existed, dated then."""
    created_at = finder.AuditEvent._meta.get_field("created_at")
    created_at.auto_now_add = False  # this historical model only: keep the original date
    try:
        rows = finder.ExpiryReminder.objects.filter(skipped=False, event__isnull=True)
        for row in rows.select_related("certificate").iterator():
            event = finder.AuditEvent.objects.create(
                action="expiry_reminder",
                content_type=finder.content_type,
                object_id=str(row.certificate_id),
                object_repr=row.certificate.number[:255],
                data={"milestone": row.milestone},
                created_at=row.sent_at,
            )
            finder.ExpiryReminder.objects.filter(pk=row.pk).update(event=event)
    finally:
        created_at.auto_now_add = True


def _receipts(apps, finder):
    CertificateNotification = apps.get_model("certificates", "CertificateNotification")
    EmailDelivery = apps.get_model("audit", "EmailDelivery")
    dropped = 0
    for old in CertificateNotification.objects.order_by("pk").iterator():
        name, _sep, sanction = old.key.partition(":")
        event = finder.event_for(old.certificate_id, name, int(sanction or 0) or None)
        if event is None:
            dropped += 1
            continue
        EmailDelivery.objects.get_or_create(
            event=event,
            recipient_id=old.recipient_id,
            defaults={
                "status": old.status,
                "created_at": old.created_at,
                "sent_at": old.sent_at,
                "attempts": old.attempts,
                "last_error": old.last_error,
            },
        )
    if dropped:
        logger.warning("certificates 0010: %s receipts without a known event dropped", dropped)


def _outbox(apps, finder):
    OutboxMessage = apps.get_model("outbox", "OutboxMessage")
    dropped = 0
    for message in OutboxMessage.objects.filter(task_name__in=[OLD_NOTIFY, OLD_REMINDER]):
        args = list(message.args) + [None, None, None]
        if message.task_name == OLD_REMINDER:
            event = finder.event_for(args[0], f"expiry_{args[1]}", None)
        else:
            event = finder.event_for(args[0], args[1], args[2])
        if event is None:
            dropped += 1
            message.delete()
            continue
        message.task_name, message.args = SEND_TASK, [event.pk]
        message.save(update_fields=["task_name", "args"])
    if dropped:
        logger.warning(
            "certificates 0010: %s old email tasks without a known event dropped", dropped
        )


def copy_history(apps, schema_editor):
    finder = Finder(apps)
    if finder.content_type is None:  # a new database: nothing was ever sent
        return
    _reminder_events(apps, finder)
    _receipts(apps, finder)
    _outbox(apps, finder)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0005_allow_blanking_ip_addresses"),
        ("outbox", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("certificates", "0009_valid_from_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="expiryreminder",
            name="event",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="audit.auditevent",
            ),
        ),
        migrations.RunPython(copy_history, migrations.RunPython.noop, elidable=True),
    ]
