"""The fee rules staff maintain (FeeSchedule, FeeTier), the invoices an application is asked to
pay and the payments staff record. Imported by applications.models (the app's models module),
so they belong to the `applications` app."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from applications.constants import InvoiceKind
from applications.querysets import PaymentQuerySet, ThroughApplicationQuerySet


class FeeSchedule(models.Model):
    """The fee rules staff maintain in the admin. Exactly one schedule is active; see
    applications.fees.compute_fee for how the amount follows from it."""

    name = models.CharField(_("name"), max_length=100)
    is_active = models.BooleanField(_("active"), default=False)
    amount_per_extra_site = models.PositiveBigIntegerField(
        _("amount per extra site (Rp)"),
        help_text=_("Charged for every site beyond the first."),
    )
    outbound_factor = models.DecimalField(
        _("outbound factor"),
        max_digits=5,
        decimal_places=2,
        default=1,
        help_text=_("Multiplies the fee when outbound calls are made (outbound or both)."),
    )
    outsourced_factor = models.DecimalField(
        _("outsourced factor"),
        max_digits=5,
        decimal_places=2,
        default=1,
        help_text=_("Multiplies the fee when the operation is outsourced."),
    )
    change_report_fee = models.PositiveBigIntegerField(
        _("change report fee (Rp)"),
        default=1_000_000,
        help_text=_("The flat administrative fee for reporting a change to a certificate."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("fee schedule")
        verbose_name_plural = _("fee schedules")
        ordering = ["-is_active", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"],
                condition=models.Q(is_active=True),
                name="applications_feeschedule_one_active",
            ),
            models.CheckConstraint(
                condition=models.Q(outbound_factor__gte=1) & models.Q(outsourced_factor__gte=1),
                name="applications_feeschedule_factors_at_least_one",
            ),
        ]

    def __str__(self):
        return self.name


class FeeTier(models.Model):
    """Base fee for applications with up to `max_seats` agent seats (empty: no upper limit)."""

    schedule = models.ForeignKey(FeeSchedule, on_delete=models.CASCADE, related_name="tiers")
    max_seats = models.PositiveIntegerField(
        _("up to agent seats"),
        null=True,
        blank=True,
        help_text=_("Leave empty for the top tier (no upper limit)."),
    )
    amount = models.PositiveBigIntegerField(_("amount (Rp)"))

    class Meta:
        verbose_name = _("fee tier")
        verbose_name_plural = _("fee tiers")
        ordering = [models.F("max_seats").asc(nulls_last=True)]
        constraints = [
            models.UniqueConstraint(
                fields=["schedule", "max_seats"], name="applications_feetier_unique_limit"
            ),
            models.UniqueConstraint(
                fields=["schedule"],
                condition=models.Q(max_seats__isnull=True),
                name="applications_feetier_one_open_tier",
            ),
            models.CheckConstraint(
                condition=models.Q(max_seats__isnull=True) | models.Q(max_seats__gte=1),
                name="applications_feetier_limit_positive",
            ),
        ]

    def __str__(self):
        return f"≤ {self.max_seats}" if self.max_seats else "∞"


class Invoice(models.Model):
    """A fee invoice. The first submission issues the registration fee; a resubmission whose
    fee changed cancels an unpaid invoice and issues a new one (the old one stays, cancelled,
    in the history), or, when the fee was already paid, adds a supplementary invoice for the
    difference (see applications.fees.fee_change). The fee is paid when every invoice
    not cancelled is paid; at most one invoice is open (neither paid nor cancelled) at a time.
    """

    application = models.ForeignKey(
        "applications.Application", on_delete=models.PROTECT, related_name="invoices"
    )
    kind = models.CharField(
        _("kind"), max_length=16, choices=InvoiceKind.choices, default=InvoiceKind.FEE
    )
    number = models.CharField(_("invoice number"), max_length=32, unique=True)
    amount = models.PositiveBigIntegerField(_("amount (Rp)"))
    issued_at = models.DateTimeField(_("issued"))
    due_date = models.DateField(_("due date"))
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    replaces = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("replaces invoice"),
    )

    objects = ThroughApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="applications_invoice_amount_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(number__startswith="INV-"),
                name="applications_invoice_number_format",
            ),
            models.CheckConstraint(
                condition=models.Q(paid_at__isnull=True) | models.Q(cancelled_at__isnull=True),
                name="applications_invoice_paid_or_cancelled",
            ),
            # Two submissions at once cannot leave two invoices to pay.
            models.UniqueConstraint(
                fields=["application"],
                condition=models.Q(paid_at__isnull=True, cancelled_at__isnull=True),
                name="applications_invoice_one_open",
            ),
        ]
        indexes = [
            # The desk's payment problems: open invoices past their due date, oldest first.
            models.Index(
                fields=["due_date", "application"],
                condition=models.Q(paid_at__isnull=True, cancelled_at__isnull=True),
                name="applications_invoice_open_due",
            ),
        ]

    def __str__(self):
        return self.number

    @property
    def is_paid(self):
        return self.paid_at is not None

    @property
    def is_cancelled(self):
        return self.cancelled_at is not None

    @property
    def is_open(self):
        return not self.is_paid and not self.is_cancelled


class Payment(models.Model):
    """A payment staff recorded against an invoice. One per invoice: the fee is paid in full."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="payments")
    paid_on = models.DateField(_("paid on"))
    reference = models.CharField(_("payment reference"), max_length=100)
    amount = models.PositiveBigIntegerField(_("amount (Rp)"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    objects = PaymentQuerySet.as_manager()

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-recorded_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["invoice"], name="applications_payment_one_per_invoice"
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="applications_payment_amount_positive"
            ),
            models.CheckConstraint(
                condition=~models.Q(reference=""), name="applications_payment_reference_required"
            ),
        ]

    def __str__(self):
        return f"{self.invoice} {self.reference}"
