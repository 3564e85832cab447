"""The certificate's signed PDF: rendering it (the task certificates.tasks.render_certificate_pdf
calls certificate_render_pdf), finding and rendering again the missing ones, the download.

No row lock and no transaction is held while WeasyPrint and pyHanko work (seconds): a run
claims the render with a compare-and-set UPDATE (`render_claimed_until`, a lease longer than
the task's time limit), renders and stores the file outside any transaction, then records it
in a short transaction that checks the claim is still its own. Staff suspending or revoking
the certificate meanwhile are not kept waiting.
"""

import datetime
import hashlib
import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from certificates import signing
from certificates.constants import ISSUE_CERTIFICATE
from certificates.models import Certificate
from certificates.public_cache import public_pages_changed
from registrasi import outbox
from registrasi.accounts.models import User
from registrasi.audit.services import audit_record
from registrasi.services import NotAllowed, lock, refuse_unless_perm

logger = logging.getLogger(__name__)
RENDER_TASK = "certificates.tasks.render_certificate_pdf"
# The render task's first run plus its retries (certificates.tasks, max_retries=5).
RENDER_MAX_ATTEMPTS = 6
BATCH_SIZE = 500
UNFINISHED = "The previous render attempt did not finish (its worker stopped)."


def _claim_lease() -> datetime.timedelta:
    """How long a claim holds: longer than a render task may run (CELERY_TASK_TIME_LIMIT),
    so a claim that lapsed belongs to a run that died."""
    return datetime.timedelta(seconds=getattr(settings, "CELERY_TASK_TIME_LIMIT", 300) + 60)


def certificate_render_pdf(*, certificate_id: int) -> str:
    """Render, sign and store the certificate's PDF unless it exists. Returns what happened:
    "rendered", "exists", "busy" (another run holds the claim), "failed" (no attempts left)
    or "missing".

    The claim counts the attempt and names the file it will write, committed at once: a run
    whose process dies while rendering still used up an attempt (after RENDER_MAX_ATTEMPTS
    staff see "render failed"), and the file it may have stored is known; its claim lapses
    after the lease and the next run removes that file. The render runs outside any
    transaction; the store records the file only if the claim is still this run's.
    """
    name = _claim(certificate_id)
    if name in ("busy", "missing", "exists", "failed"):
        return name
    stored = None
    try:
        certificate = Certificate.objects.get(pk=certificate_id)
        signed = signing.render_certificate(certificate).signed_pdf
        stored = default_storage.save(name, ContentFile(signed))
        outcome = _store(certificate_id, name, stored, signed)
    except Exception as exc:  # recorded for staff, then re-raised for the retry
        if stored:  # nothing points at it: remove it rather than leave an orphan
            default_storage.delete(stored)
        _release(certificate_id, name, exc)
        logger.warning("Certificate %s PDF failed: %s", certificate_id, exc)
        raise
    if outcome != "rendered":  # the claim was taken over meanwhile: not ours to record
        default_storage.delete(stored)
    return outcome


def _claim(certificate_id: int) -> str:
    """Take the render (compare-and-set on the state just read); returns the file name this
    run writes, or the outcome when it may not render."""
    now = timezone.now()
    row = (
        Certificate.objects.filter(pk=certificate_id)
        .values("pdf", "pdf_pending_name", "render_attempts", "render_claimed_until")
        .first()
    )
    if row is None:
        return "missing"
    if row["pdf"]:
        return "exists"
    if row["render_claimed_until"] is not None and row["render_claimed_until"] > now:
        return "busy"
    if row["render_attempts"] >= RENDER_MAX_ATTEMPTS:
        return "failed"
    name = Certificate.pdf.field.generate_filename(Certificate(pk=certificate_id), "c.pdf")
    free = Q(render_claimed_until__isnull=True) | Q(render_claimed_until__lte=now)
    taken = (
        Certificate.objects.filter(free, pk=certificate_id, pdf="")
        .filter(pdf_pending_name=row["pdf_pending_name"], render_attempts=row["render_attempts"])
        .update(
            render_claimed_until=now + _claim_lease(),
            render_attempts=F("render_attempts") + 1,
            pdf_pending_name=name,
            # Stays as the error if this attempt's process dies before it records another.
            render_error=UNFINISHED,
            updated_at=now,
        )
    )
    if not taken:
        return "busy"  # another run claimed it between the read and the update
    public_pages_changed()  # update() sends no post_save
    _delete_orphan(certificate_id, row["pdf_pending_name"])
    return name


def _store(certificate_id: int, name: str, stored: str, signed: bytes) -> str:
    """Record the stored file, if the claim is still this run's (a short transaction)."""
    with transaction.atomic():
        certificate = Certificate.objects.select_for_update().get(pk=certificate_id)
        if certificate.pdf:
            return "exists"
        if certificate.pdf_pending_name != name:
            return "busy"  # a newer attempt took over after this one's claim lapsed
        certificate.pdf.name = stored
        certificate.pdf_sha256 = hashlib.sha256(signed).hexdigest()
        certificate.pdf_rendered_at = timezone.now()
        certificate.render_error = ""
        certificate.pdf_pending_name = ""
        certificate.render_claimed_until = None
        certificate.save(
            update_fields=[
                "pdf",
                "pdf_sha256",
                "pdf_rendered_at",
                "render_error",
                "pdf_pending_name",
                "render_claimed_until",
                "updated_at",
            ]
        )
    return "rendered"


def _release(certificate_id: int, name: str, error: Exception) -> None:
    """After a failed attempt: the error for staff, the claim free for the retry."""
    Certificate.objects.filter(pk=certificate_id, pdf_pending_name=name).update(
        render_error=f"{type(error).__name__}: {error}"[:2000],
        pdf_pending_name="",
        render_claimed_until=None,
        updated_at=timezone.now(),
    )
    public_pages_changed()  # update() sends no post_save


def _delete_orphan(certificate_id: int, name: str) -> bool:
    """Delete the file a dead attempt may have stored but never recorded."""
    if not name or not default_storage.exists(name):
        return False
    default_storage.delete(name)
    logger.warning("Certificate %s: removed the orphan PDF %s", certificate_id, name)
    return True


# Reconciliation --------------------------------------------------------------------------
def render_failed(certificate: Certificate) -> bool:
    """The render gave up after all its attempts: staff must look (and may render again)."""
    return (
        not certificate.pdf
        and certificate.render_attempts >= RENDER_MAX_ATTEMPTS
        and bool(certificate.render_error)
    )


def _quiet_since(now) -> datetime.datetime:
    return now - datetime.timedelta(minutes=settings.CERTIFICATE_RECONCILE_AFTER_MINUTES)


def missing_pdfs(*, now: datetime.datetime | None = None) -> QuerySet:
    """Certificates without a stored PDF, untouched for a few minutes (a lost task, a crashed
    worker), that still have attempts left; the failed ones wait for staff."""
    now = now or timezone.now()
    return (
        Certificate.objects.filter(pdf="", updated_at__lt=_quiet_since(now))
        .filter(render_attempts__lt=RENDER_MAX_ATTEMPTS)
        .order_by("pk")
    )


def orphans_remove(*, now: datetime.datetime | None = None) -> int:
    """Remove the files of render attempts that died between storing the PDF and recording
    it (quiet for a few minutes, their claim lapsed: no render is still running); returns
    how many. Each is let go with a compare-and-set, as a claim is taken."""
    now = now or timezone.now()
    free = Q(render_claimed_until__isnull=True) | Q(render_claimed_until__lte=now)
    rows = (
        Certificate.objects.filter(free, pdf="", updated_at__lt=_quiet_since(now))
        .exclude(pdf_pending_name="")
        .values_list("pk", "pdf_pending_name")
    )
    removed = 0
    for pk, name in rows[:BATCH_SIZE]:
        released = Certificate.objects.filter(free, pk=pk, pdf="", pdf_pending_name=name)
        if released.update(pdf_pending_name="") and _delete_orphan(pk, name):
            removed += 1
    return removed


def certificates_reconcile(
    *, now: datetime.datetime | None = None, dry_run: bool = False
) -> list[int]:
    """Enqueue render_certificate_pdf again for every certificate missing its PDF; returns
    their ids. The task is idempotent, so enqueuing one that is running does no harm. First,
    PDFs stored by renders that died before recording them are removed."""
    ids = list(missing_pdfs(now=now).values_list("pk", flat=True).iterator(chunk_size=BATCH_SIZE))
    if not dry_run:
        orphans_remove(now=now)
        _enqueue_renders(ids)
    return ids


def _enqueue_renders(ids: list[int]) -> None:
    """Hand the renders to Celery now, by the task's name (this module is what the task
    calls, so it does not import the task). Not through the outbox: there is nothing to
    commit, and the next reconciliation enqueues again whatever is lost."""
    from registrasi.celery import app

    if ids and RENDER_TASK not in app.tasks:
        app.loader.import_default_modules()  # every app's tasks module (autodiscovery)
    for pk in ids:
        app.tasks[RENDER_TASK].delay(pk)  # .delay: eager mode in development and tests


def certificate_render_again(*, certificate: Certificate, actor: User) -> Certificate:
    """Staff: start the PDF render again after it failed (attempts counted from zero)."""
    refuse_unless_perm(actor, ISSUE_CERTIFICATE)
    with transaction.atomic():
        certificate = lock(certificate)
        if certificate.pdf:
            raise NotAllowed(_("The certificate PDF exists already."))
        previous = {"attempts": certificate.render_attempts, "error": certificate.render_error}
        certificate.render_attempts = 0
        certificate.save(update_fields=["render_attempts", "updated_at"])
        audit_record(actor=actor, action="render_again", obj=certificate, data=previous)
        outbox.enqueue(RENDER_TASK, certificate.pk)
    return certificate
