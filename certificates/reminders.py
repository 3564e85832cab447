"""Expiry reminders: the organization's members are emailed 180, 90, 30 and 7 days before
a certificate's last day and on that day, each milestone exactly once per certificate.

How "exactly once" holds:
- the scan first INSERTs the ExpiryReminder row (unique certificate + milestone); only the
  run that inserted it writes the milestone's audit event ("expiry_reminder", data
  {"milestone": …}) and enqueues its email, after its transaction commits. A second scan, a
  concurrent one, or a retried task finds the row and writes and sends nothing;
- the email is the audit event's, sent by the one email task of every app
  (registrasi.audit.tasks.send_event_emails, certificates.notifications): one receipt
  (EmailDelivery) per (event, member), so a retried email task sends nothing twice;
- the reminder counts as delivered once every member's receipt is sent. The email is
  enqueued through the outbox (handed to Celery even if the broker was down at the commit),
  and every later scan enqueues again the reminders not delivered yet (mail server down for
  longer than the task's retries, a lost message), for a week (RESEND_WITHIN): the receipts
  keep that to one email per member. Emails that failed for good, or were still not
  delivered after that week, wait for staff ("send again").

After downtime only the LATEST milestone due is sent; the older ones that passed unsent are
recorded as skipped, so they never fire later.

The scan reads only the certificates due: active or suspended ones whose last day lies in one
of the milestone ranges and that have no row yet for that range's milestone (index on
state + expires_on). From its checkpoint (ReminderCheckpoint: the last day scanned) it reads
only those whose milestone date fell after that day (a day's worth after a daily run, all the
days missed after downtime) and those issued since that run (index on created_at), not the
whole 180-day window. A certificate already replaced by an approved renewal gets no reminder.
The rows, the audit events and the outbox messages are written a batch at a time: a few
queries per batch of BATCH_SIZE reminders, whatever the number due.
"""

import datetime
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from certificates.constants import EXPIRY_REMINDER, CertificateState
from certificates.models import Certificate, ExpiryReminder, ReminderCheckpoint
from registrasi import dates, notifications, outbox
from registrasi.audit.models import EmailDelivery, EmailStatus
from registrasi.audit.services import audit_record_many

S = CertificateState
MILESTONES = (180, 90, 30, 7, 0)  # days before the last day of validity
BATCH_SIZE = 200
RESEND_AFTER = datetime.timedelta(hours=12)
# Reminders recorded within this long are enqueued again while undelivered: the scan reads a
# week of reminders (index on sent_at), not every one ever recorded; an email that still
# failed after a week waits for staff ("send again"), as one that failed for good does.
RESEND_WITHIN = datetime.timedelta(days=7)
CHECKPOINT = "expiry_reminders"
# Certificates created this long before the last scan started are read again: one saved
# (created_at set) before that scan started may have committed after its query.
COMMIT_MARGIN = datetime.timedelta(hours=1)


@dataclass(frozen=True)
class DueReminder:
    certificate: Certificate
    milestone: int


def latest_milestone(days_left: int) -> int | None:
    """The latest milestone reached with `days_left` days to go (None: not yet, or past)."""
    if days_left < 0:
        return None
    reached = [m for m in MILESTONES if m >= days_left]
    return min(reached) if reached else None


def _ranges(on: datetime.date):
    """(milestone, first day, last day) of expiry dates for which `milestone` is the latest
    one due on `on`: 0 → today; 7 → 1..7 days ahead; 30 → 8..30; 90 → 31..90; 180 → 91..180."""
    lower = -1
    for milestone in sorted(MILESTONES):
        yield (
            milestone,
            on + datetime.timedelta(days=lower + 1),
            on + datetime.timedelta(days=milestone),
        )
        lower = milestone


def _valid_not_renewed():
    renewed = Certificate.objects.filter(supersedes=OuterRef("pk"))
    return (
        Certificate.objects.filter(state__in=(S.ACTIVE, S.SUSPENDED))
        .exclude(Exists(renewed))
        .order_by()
    )


def due_certificates(on: datetime.date, since: ReminderCheckpoint | None = None):
    """Certificates with a reminder to send on `on`, in one query: a UNION of one range of
    the (state, expires_on) index per milestone, each with its own NOT EXISTS (inside an OR
    PostgreSQL could only scan the reminder table once per milestone). Only the certificates
    in the milestone ranges are read, none outside them.

    With a checkpoint (`since`), a range keeps only the days whose milestone date fell after
    `since.scanned_on` (the scan on that day recorded the others), and one more part adds
    the certificates created since that scan started. Rows may then repeat (due_reminders
    drops the repeats); a reminder already recorded is never recorded twice (the INSERT)."""
    parts = []
    for milestone, first, last in _ranges(on):
        if since is not None:
            first = max(first, since.scanned_on + datetime.timedelta(days=milestone + 1))
            if first > last:
                continue
        sent = ExpiryReminder.objects.filter(certificate=OuterRef("pk"), milestone=milestone)
        parts.append(
            _valid_not_renewed().filter(expires_on__range=(first, last)).exclude(Exists(sent))
        )
    if since is not None:
        window = (on, on + datetime.timedelta(days=max(MILESTONES)))
        created = since.started_at - COMMIT_MARGIN
        parts.append(_valid_not_renewed().filter(created_at__gte=created, expires_on__range=window))
    first_part, *others = parts
    return first_part.union(*others, all=True).order_by("pk")


def due_reminders(on: datetime.date, since: ReminderCheckpoint | None = None) -> list[DueReminder]:
    """What a scan on `on` would send (for the --dry-run of the command): from the
    checkpoint `since`, or over the whole window without one."""
    found = {}
    # Not .iterator(): a server-side cursor is planned for its first rows (whole indexes).
    for certificate in due_certificates(on, since):
        found.setdefault(certificate.pk, certificate)
    return [
        DueReminder(certificate, latest_milestone((certificate.expires_on - on).days))
        for certificate in found.values()
    ]


INSERT_REMINDERS = """
INSERT INTO {table} (certificate_id, milestone, skipped, due_on, sent_at)
VALUES {values}
ON CONFLICT (certificate_id, milestone) DO NOTHING
RETURNING certificate_id, id
"""


def record_reminders(due: list[DueReminder]) -> list[DueReminder]:
    """Insert each reminder's row (and the older milestones as skipped); for the rows THIS
    call inserted (another scan may have got there first) write the audit event and enqueue
    its email. Returns the reminders this call recorded."""
    if not due:
        return []
    with transaction.atomic():
        # Older milestones that passed unsent (downtime): never to fire later.
        ExpiryReminder.objects.bulk_create(
            [
                ExpiryReminder(
                    certificate_id=d.certificate.pk,
                    milestone=older,
                    skipped=True,
                    due_on=d.certificate.expires_on - datetime.timedelta(days=older),
                )
                for d in due
                for older in MILESTONES
                if older > d.milestone
            ],
            ignore_conflicts=True,
            batch_size=BATCH_SIZE,
        )
        inserted = _insert_returning(due)
        recorded = [d for d in due if d.certificate.pk in inserted]
        events = _record_events(recorded, inserted)
        outbox.enqueue_many(notifications.SEND_TASK, [(event.pk,) for event in events])
    return recorded


def _record_events(recorded: list[DueReminder], row_ids: dict[int, int]) -> list:
    """Each milestone's audit event on its certificate, linked from its row: one INSERT of
    the events and one UPDATE of the rows for the whole batch."""
    events = audit_record_many(
        action=EXPIRY_REMINDER,
        items=[(d.certificate, {"milestone": d.milestone}) for d in recorded],
    )
    links = [
        ExpiryReminder(pk=row_ids[d.certificate.pk], event=event)
        for d, event in zip(recorded, events, strict=True)
    ]
    ExpiryReminder.objects.bulk_update(links, ["event"])
    return events


def _insert_returning(due: list[DueReminder]) -> dict[int, int]:
    """INSERT … ON CONFLICT DO NOTHING RETURNING (PostgreSQL and SQLite ≥ 3.35): {certificate
    id: row id} of the rows this statement inserted (bulk_create cannot tell them)."""
    now = timezone.now()
    params = []
    for d in due:
        due_on = d.certificate.expires_on - datetime.timedelta(days=d.milestone)
        params += [d.certificate.pk, d.milestone, False, due_on, now]
    table = connection.ops.quote_name(ExpiryReminder._meta.db_table)
    values = ", ".join(["(%s, %s, %s, %s, %s)"] * len(due))
    with connection.cursor() as cursor:
        cursor.execute(INSERT_REMINDERS.format(table=table, values=values), params)
        return {certificate_id: row_id for certificate_id, row_id in cursor.fetchall()}


def undelivered_reminders(*, recorded_before):
    """Reminders recorded but not delivered (no receipt yet, or one not sent yet), of
    certificates still valid, none of whose emails failed for good (those wait for staff)."""
    receipts = EmailDelivery.objects.filter(event=OuterRef("event"))
    return (
        ExpiryReminder.objects.filter(
            skipped=False,
            event__isnull=False,
            sent_at__range=(recorded_before - RESEND_WITHIN, recorded_before),
            certificate__state__in=(S.ACTIVE, S.SUSPENDED),
        )
        .exclude(Exists(receipts.filter(status=EmailStatus.FAILED)))
        .exclude(Exists(receipts) & ~Exists(receipts.exclude(status=EmailStatus.SENT)))
        .order_by("pk")
    )


def resend_undelivered(*, recorded_before) -> int:
    """Enqueue again the email of every reminder not delivered yet; returns how many."""
    rows = list(undelivered_reminders(recorded_before=recorded_before)[:BATCH_SIZE])
    if not rows:
        return 0
    with transaction.atomic():
        outbox.enqueue_many(notifications.SEND_TASK, [(row.event_id,) for row in rows])
    return len(rows)


def send_due_reminders(*, on: datetime.date | None = None) -> list[DueReminder]:
    """The scan: record and enqueue every reminder due on `on`; returns those this run sent
    (a concurrent scan that got there first sends them, not this one). Reminders recorded
    by earlier scans and not delivered yet are enqueued again."""
    # Recorded by an earlier scan (the emails of this scan's reminders are still on their way).
    started = timezone.now()
    resend_undelivered(recorded_before=started - RESEND_AFTER)
    on = on or dates.today()
    since = ReminderCheckpoint.objects.filter(pk=CHECKPOINT).first()
    if since is not None and since.scanned_on > on:  # a scan of an earlier day: whole window
        since = None
    due = [d for d in due_reminders(on, since) if d.milestone is not None]
    sent = []
    for start in range(0, len(due), BATCH_SIZE):
        sent += record_reminders(due[start : start + BATCH_SIZE])
    _advance_checkpoint(on, started)
    return sent


def _advance_checkpoint(on: datetime.date, started) -> None:
    """Every reminder due up to `on` is recorded: later scans start from here (never moved
    back by a scan of an earlier day)."""
    moved = ReminderCheckpoint.objects.filter(pk=CHECKPOINT, scanned_on__lte=on).update(
        scanned_on=on, started_at=started
    )
    if not moved:
        ReminderCheckpoint.objects.get_or_create(
            pk=CHECKPOINT, defaults={"scanned_on": on, "started_at": started}
        )


def open_renewal(certificate):
    """The renewal application in progress for `certificate`, or None."""
    from applications.constants import FINAL_STATES
    from applications.kinds import RENEWING
    from applications.models import Application

    return (
        Application.objects.filter(basis_certificate_id=certificate.pk, kind__in=RENEWING)
        .exclude(state__in=FINAL_STATES)
        .order_by("-pk")
        .first()
    )
