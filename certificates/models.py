import uuid

from django.conf import settings
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from certificates.constants import (
    ISSUE_CERTIFICATE,
    SANCTION_CERTIFICATE,
    CertificateState,
    SanctionKind,
)
from certificates.querysets import CertificateQuerySet, SanctionQuerySet
from registrasi.accounts.constants import Province
from registrasi.audit.models import AuditEvent, EmailDelivery, EmailStatus
from registrasi.dates import today

S = CertificateState


def certificate_pdf_upload_to(instance, filename):
    """A random name: the number never appears in the storage path."""
    return f"certificates/{uuid.uuid4().hex}.pdf"


class NumberSequence(models.Model):
    """The last serial handed out per year. Locked while a number is taken, so two approvals
    at the same moment get consecutive numbers, never the same one."""

    year = models.PositiveIntegerField(primary_key=True)
    last_serial = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("certificate number sequence")
        verbose_name_plural = _("certificate number sequences")

    def __str__(self):
        return f"{self.year}: {self.last_serial}"


def _issuer_or_daily_scan(instance, user) -> bool:
    """The staff member approving the successor, or the daily scan (no person) handing over
    to a renewal."""
    return user is None or user.has_perm(ISSUE_CERTIFICATE)


class Certificate(ConcurrentTransitionMixin, models.Model):
    """The registration certificate issued when an application is approved.

    The company details are copied when it is issued (what was certified stays what it
    was, whatever the organization edits later). The state moves only through the
    transitions below, called from certificates.services inside transaction.atomic().
    """

    application = models.ForeignKey(
        "applications.Application",
        on_delete=models.PROTECT,
        related_name="certificates",
        verbose_name=_("application"),
    )
    organization = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.PROTECT,
        related_name="certificates",
        verbose_name=_("organization"),
    )
    number = models.CharField(_("certificate number"), max_length=40, unique=True)

    # Snapshot of the company when the certificate was issued.
    legal_name = models.CharField(_("legal name"), max_length=255)
    nib = models.CharField(_("NIB"), max_length=13)
    address = models.TextField(_("registered address"))
    province = models.CharField(_("province"), max_length=32, choices=Province.choices)
    agent_seats = models.PositiveIntegerField(_("agent seats"), null=True, blank=True)
    sites = models.TextField(_("sites"), blank=True)

    issued_on = models.DateField(_("issued on"), db_index=True)
    # A renewal approved before the old certificate ended takes effect the day after it ends;
    # empty means "from the issue date".
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    expires_on = models.DateField(_("valid until"), db_index=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("issued by"),
    )
    state = FSMField(_("state"), default=S.ACTIVE, choices=S.choices, protected=True, db_index=True)
    state_changed_at = models.DateTimeField(_("state changed"), auto_now_add=True)
    supersedes = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
        verbose_name=_("supersedes"),
    )

    # The signed PDF, rendered after the approval commits (certificates.tasks).
    pdf = models.FileField(
        _("PDF"), upload_to=certificate_pdf_upload_to, max_length=255, blank=True
    )
    pdf_sha256 = models.CharField(_("PDF SHA-256"), max_length=64, blank=True, db_index=True)
    pdf_rendered_at = models.DateTimeField(_("PDF rendered"), null=True, blank=True)
    render_attempts = models.PositiveIntegerField(_("render attempts"), default=0)
    render_error = models.TextField(_("last render error"), blank=True)
    # The file the current render attempt writes: known before rendering, so a file stored
    # by an attempt that died before its commit is found and removed (rendering).
    pdf_pending_name = models.CharField(max_length=255, blank=True)
    # Until when a render run holds the render (certificates.rendering): a compare-and-set
    # claim instead of a row lock held while WeasyPrint and pyHanko work.
    render_claimed_until = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = CertificateQuerySet.as_manager()

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_on", "-id"]
        # The daily scans read only the certificates due: by state and expiry date.
        indexes = [
            models.Index(fields=["state", "expires_on"], name="certificates_state_expiry"),
            # ... and the reminder scan the ones issued since its checkpoint.
            models.Index(fields=["created_at"], name="certificates_created"),
        ]
        permissions = [
            ("issue_certificate", _("Can approve applications and issue certificates")),
            ("sanction_certificate", _("Can fine, suspend, reinstate and revoke certificates")),
        ]
        constraints = [
            # An approval issues exactly one certificate, whatever races the request.
            models.UniqueConstraint(
                fields=["application"], name="certificates_one_per_application"
            ),
            # A change report approved on the basis's last day keeps that expiry date.
            models.CheckConstraint(
                condition=models.Q(expires_on__gte=models.F("issued_on")),
                name="certificates_expires_on_or_after_issue",
            ),
            models.CheckConstraint(
                condition=models.Q(valid_from__isnull=True)
                | models.Q(valid_from__gte=models.F("issued_on")),
                name="certificates_valid_from_on_or_after_issue",
            ),
            models.CheckConstraint(
                condition=models.Q(pdf="") | models.Q(pdf_sha256__regex=r"^[0-9a-f]{64}$"),
                name="certificates_pdf_has_sha256",
            ),
        ]

    def __str__(self):
        return self.number

    @property
    def has_pdf(self):
        return bool(self.pdf)

    @property
    def effective_from(self):
        """The first day of validity (a renewal may start after it was issued)."""
        return self.valid_from or self.issued_on

    def in_effect_on(self, day) -> bool:
        return self.effective_from <= day <= self.expires_on

    @cached_property
    def decision(self):
        """The suspension or revocation behind the state (its reason and dates), or None."""
        from certificates.sanctions import latest_decision

        return latest_decision(self)

    @cached_property
    def sanctions_in_force(self):
        """The open suspension and the unpaid fines (certificates.sanctions)."""
        from certificates.sanctions import sanctions_in_force

        return sanctions_in_force(self)

    @property
    def starts_later(self) -> bool:
        """A renewal approved ahead of time: issued, not in effect yet."""
        return self.effective_from > today()

    # Transitions: staff sanctions ---------------------------------------------------------
    @transition(state, source=S.ACTIVE, target=S.SUSPENDED, permission=SANCTION_CERTIFICATE)
    def suspend(self):
        pass

    @transition(state, source=S.SUSPENDED, target=S.ACTIVE, permission=SANCTION_CERTIFICATE)
    def reinstate(self):
        pass

    # Revocation is final: no transition leaves `revoked`.
    @transition(
        state, source=[S.ACTIVE, S.SUSPENDED], target=S.REVOKED, permission=SANCTION_CERTIFICATE
    )
    def revoke(self):
        pass

    # Lifecycle ----------------------------------------------------------------------------
    @transition(state, source=S.SUSPENDED, target=S.ACTIVE)
    def lift_suspension(self):
        """Run by the daily scan (no person) when a suspension's planned end has passed."""

    @transition(state, source=S.ACTIVE, target=S.SUSPENDED, permission=_issuer_or_daily_scan)
    def carry_suspension(self):
        """Issued to succeed a suspended certificate (change report, renewal): suspended as
        its predecessor was, until staff reinstate it or the suspension's end date."""

    @transition(
        state, source=[S.ACTIVE, S.SUSPENDED], target=S.SUPERSEDED, permission=ISSUE_CERTIFICATE
    )
    def supersede(self):
        """A renewal or a change report was approved: the new certificate replaces this one.
        Also from `suspended`: the follow-up was inspected anew and staff approved it."""

    @transition(state, source=[S.ACTIVE, S.SUSPENDED], target=S.SUPERSEDED)
    def hand_over(self):
        """Run by the daily scan (no person): the renewal approved earlier took effect the
        day after this certificate's last day."""

    @transition(state, source=[S.ACTIVE, S.SUSPENDED], target=S.EXPIRED)
    def expire(self):
        """Run by the daily scan (no person, no permission) once the validity has passed; a
        suspended certificate expires too (a suspension does not extend the validity)."""


class Sanction(models.Model):
    """A penalty or its lifting, as decided by staff: the record behind the state changes
    (suspension, reinstatement, revocation) and the fines, which change no state."""

    certificate = models.ForeignKey(Certificate, on_delete=models.PROTECT, related_name="sanctions")
    kind = models.CharField(_("kind"), max_length=16, choices=SanctionKind.choices)
    reason = models.TextField(_("reason"))
    amount = models.PositiveBigIntegerField(_("amount (Rp)"), null=True, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    starts_on = models.DateField(_("from"), null=True, blank=True)
    ends_on = models.DateField(_("until"), null=True, blank=True)
    # Empty only for what the daily scan records (a suspension that ended on its date).
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("decided by"),
    )
    # Set when a successor inherited it (a fine moved, a suspension copied): the certificate
    # it was decided on.
    carried_from = models.ForeignKey(
        Certificate,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("carried over from"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = SanctionQuerySet.as_manager()

    class Meta:
        verbose_name = _("sanction")
        verbose_name_plural = _("sanctions")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(reason=""), name="certificates_sanction_has_reason"
            ),
            models.CheckConstraint(
                condition=~models.Q(kind=SanctionKind.FINE)
                | (models.Q(amount__gt=0) & models.Q(due_date__isnull=False)),
                name="certificates_fine_has_amount_and_due_date",
            ),
            models.CheckConstraint(
                condition=models.Q(kind=SanctionKind.FINE)
                | (models.Q(amount__isnull=True) & models.Q(paid_at__isnull=True)),
                name="certificates_only_fines_have_amounts",
            ),
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(starts_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="certificates_sanction_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.certificate.number}"

    @property
    def reason_text(self) -> str:
        """The reason in the reader's language. What the daily scan records (no author) is
        stored as its English source sentence and translated when shown; a person's reason
        is shown as typed (as is a scan's reason stored translated before this)."""
        if self.created_by_id is None:
            return gettext(self.reason)
        return self.reason

    @property
    def is_fine(self):
        return self.kind == SanctionKind.FINE

    @property
    def is_paid(self):
        return self.paid_at is not None


class ReminderMilestone(models.IntegerChoices):
    DAYS_180 = 180, _("180 days before expiry")
    DAYS_90 = 90, _("90 days before expiry")
    DAYS_30 = 30, _("30 days before expiry")
    DAYS_7 = 7, _("7 days before expiry")
    EXPIRY_DAY = 0, _("On the day of expiry")


class ExpiryReminder(models.Model):
    """One expiry milestone of one certificate, recorded BEFORE its email is enqueued: the
    unique (certificate, milestone) row is the guard that makes every milestone fire once,
    whatever scans run twice or at once. The run that inserted the row also writes the audit
    event ("expiry_reminder") whose email the members get (certificates.notifications).
    `skipped`: an older milestone passed while no scan ran (downtime); only the latest one
    due is sent, the older ones are recorded as skipped (no event) so they never fire later."""

    certificate = models.ForeignKey(
        Certificate, on_delete=models.CASCADE, related_name="expiry_reminders"
    )
    milestone = models.PositiveSmallIntegerField(_("milestone"), choices=ReminderMilestone.choices)
    skipped = models.BooleanField(_("skipped"), default=False)
    due_on = models.DateField(_("due on"))
    sent_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    event = models.OneToOneField(
        AuditEvent, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("expiry reminder")
        verbose_name_plural = _("expiry reminders")
        ordering = ["certificate_id", "-milestone"]
        constraints = [
            models.UniqueConstraint(
                fields=["certificate", "milestone"], name="certificates_reminder_once"
            )
        ]
        # The daily scan enqueues again the reminders of the last week not delivered yet.
        indexes = [
            models.Index(
                fields=["sent_at"],
                name="certificates_reminder_recent",
                condition=models.Q(skipped=False),
            )
        ]

    def __str__(self):
        return f"{self.certificate_id}: {self.milestone}"

    @property
    def delivered_at(self):
        """When the last member's email went out, once every one did (their receipts are
        the event's EmailDelivery rows); None until then. Until then the daily scan
        enqueues the email again (certificates.reminders.resend_undelivered)."""
        if self.event_id is None:
            return None
        receipts = list(
            EmailDelivery.objects.filter(event_id=self.event_id).values_list("status", "sent_at")
        )
        if not receipts or any(status != EmailStatus.SENT for status, _sent in receipts):
            return None
        return max(sent for _status, sent in receipts)


class ReminderCheckpoint(models.Model):
    """How far the expiry-reminder scan got (one row): the last day it scanned and when
    that run started. The next scan reads only the certificates whose milestone date fell
    after that day, and those issued since (a change report's successor keeps its basis's
    near expiry date), instead of every certificate in the 180-day window."""

    name = models.CharField(max_length=32, primary_key=True)
    scanned_on = models.DateField()
    started_at = models.DateTimeField()

    def __str__(self):
        return f"{self.name}: {self.scanned_on}"
