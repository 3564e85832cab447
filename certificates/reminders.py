"""Expiry reminders: the organization's members are emailed 180, 90, 30 and 7 days before
a certificate's last day and on that day, each milestone exactly once per certificate.

How "exactly once" holds:
- the scan first INSERTs the ExpiryReminder row (unique certificate + milestone) and only the
  run that inserted it enqueues the email, after its transaction commits. A second scan, a
  concurrent one, or a retried task finds the row and sends nothing;
- the email task sends one email per member guarded by a CertificateNotification receipt
  (certificates.tasks.send_certificate_emails), so a retried email task sends nothing twice;
- the row counts as delivered (`delivered_at`) only once every member's email went out. The
  email is enqueued through the outbox (handed to Celery even if the broker was down at the
  commit), and every later scan enqueues again the reminders not delivered yet (mail server
  down for longer than the task's retries, a lost message): the receipts keep that to one
  email per member. Emails that failed for good wait for staff ("send again").

After downtime only the LATEST milestone due is sent; the older ones that passed unsent are
recorded as skipped, so they never fire later.

The scan reads only the certificates due: active or suspended ones whose last day lies in one
of the milestone ranges and that have no row yet for that range's milestone (index on
state + expires_on). A certificate already replaced by an approved renewal gets no reminder.
"""

import datetime
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import CharField, Exists, OuterRef, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from certificates.constants import CertificateState
from certificates.models import Certificate, CertificateNotification, ExpiryReminder
from registrasi import outbox

S = CertificateState
MILESTONES = (180, 90, 30, 7, 0)  # days before the last day of validity
BATCH_SIZE = 200
RESEND_AFTER = datetime.timedelta(hours=12)


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


def due_certificates(on: datetime.date):
    """Certificates with a reminder to send on `on`, in one query: a UNION of one range of
    the (state, expires_on) index per milestone, each with its own NOT EXISTS (inside an OR
    PostgreSQL could only scan the reminder table once per milestone). Only the certificates
    in the milestone ranges are read, none outside them."""
    renewed = Certificate.objects.filter(supersedes=OuterRef("pk"))
    parts = []
    for milestone, first, last in _ranges(on):
        sent = ExpiryReminder.objects.filter(certificate=OuterRef("pk"), milestone=milestone)
        parts.append(
            Certificate.objects.filter(
                state__in=(S.ACTIVE, S.SUSPENDED), expires_on__range=(first, last)
            )
            .exclude(Exists(sent))
            .exclude(Exists(renewed))
            .order_by()
        )
    first_part, *others = parts
    # The ranges do not overlap: UNION ALL, no duplicate to remove.
    return first_part.union(*others, all=True).order_by("pk")


def due_reminders(on: datetime.date) -> list[DueReminder]:
    """What a scan on `on` would send (for the --dry-run of the command)."""
    return [
        DueReminder(certificate, latest_milestone((certificate.expires_on - on).days))
        # Not .iterator(): a server-side cursor is planned for its first rows (whole indexes).
        for certificate in due_certificates(on)
    ]


INSERT_REMINDERS = """
INSERT INTO {table} (certificate_id, milestone, skipped, due_on, sent_at, delivered_at)
VALUES {values}
ON CONFLICT (certificate_id, milestone) DO NOTHING
RETURNING certificate_id
"""


def record_reminders(due: list[DueReminder]) -> list[DueReminder]:
    """Insert each reminder's row (and the older milestones as skipped) and enqueue the
    emails of the rows THIS call inserted (another scan may have got there first): a fixed
    number of queries for the whole batch. Returns the reminders this call recorded."""
    from certificates.tasks import send_expiry_reminder

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
        outbox.enqueue_many(
            send_expiry_reminder.name, [(d.certificate.pk, d.milestone) for d in recorded]
        )
    return recorded


def _insert_returning(due: list[DueReminder]) -> set[int]:
    """INSERT … ON CONFLICT DO NOTHING RETURNING (PostgreSQL and SQLite ≥ 3.35): the ids of
    the certificates whose row this statement inserted (bulk_create cannot tell them)."""
    now = timezone.now()
    params = []
    for d in due:
        due_on = d.certificate.expires_on - datetime.timedelta(days=d.milestone)
        params += [d.certificate.pk, d.milestone, False, due_on, now, None]
    table = connection.ops.quote_name(ExpiryReminder._meta.db_table)
    values = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(due))
    with connection.cursor() as cursor:
        cursor.execute(INSERT_REMINDERS.format(table=table, values=values), params)
        return {row[0] for row in cursor.fetchall()}


def _receipt_key(milestone: int) -> str:
    return f"expiry_{milestone}:0"


def mark_delivered(certificate_id: int, milestone: int) -> bool:
    """Record the milestone as delivered when no member's email is left unsent."""
    from registrasi.audit.models import EmailStatus

    unsent = CertificateNotification.objects.filter(
        certificate_id=certificate_id, key=_receipt_key(milestone)
    ).exclude(status=EmailStatus.SENT)
    if unsent.exists():
        return False
    return bool(
        ExpiryReminder.objects.filter(
            certificate_id=certificate_id, milestone=milestone, delivered_at__isnull=True
        ).update(delivered_at=timezone.now())
    )


def undelivered_reminders(*, recorded_before):
    """Reminders recorded but not delivered, of certificates still valid, none of whose
    emails failed for good (those wait for staff)."""
    from registrasi.audit.models import EmailStatus

    failed = CertificateNotification.objects.filter(
        certificate=OuterRef("certificate"), status=EmailStatus.FAILED
    ).filter(key=Concat(Value("expiry_"), Cast(OuterRef("milestone"), CharField()), Value(":0")))
    return (
        ExpiryReminder.objects.filter(
            skipped=False,
            delivered_at__isnull=True,
            sent_at__lt=recorded_before,
            certificate__state__in=(S.ACTIVE, S.SUSPENDED),
        )
        .exclude(Exists(failed))
        .order_by("pk")
    )


def resend_undelivered(*, recorded_before) -> int:
    """Enqueue again the email of every reminder not delivered yet; returns how many."""
    from certificates.tasks import send_expiry_reminder

    rows = list(undelivered_reminders(recorded_before=recorded_before)[:BATCH_SIZE])
    if not rows:
        return 0
    with transaction.atomic():
        for row in rows:
            outbox.enqueue(send_expiry_reminder.name, row.certificate_id, row.milestone)
    return len(rows)


def send_due_reminders(*, on: datetime.date | None = None) -> list[DueReminder]:
    """The scan: record and enqueue every reminder due on `on`; returns those this run sent
    (a concurrent scan that got there first sends them, not this one). Reminders recorded
    by earlier scans and not delivered yet are enqueued again."""
    from certificates.services import today

    # Recorded by an earlier scan (the emails of this scan's reminders are still on their way).
    resend_undelivered(recorded_before=timezone.now() - RESEND_AFTER)
    on = on or today()
    due = [d for d in due_reminders(on) if d.milestone is not None]
    sent = []
    for start in range(0, len(due), BATCH_SIZE):
        sent += record_reminders(due[start : start + BATCH_SIZE])
    return sent


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
