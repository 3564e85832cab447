"""Billing codes and the payments the billing system reports. Imported by applications.models
(the app's models module), so they belong to the `applications` app."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications.querysets import ThroughApplicationQuerySet


class CodeStatus(models.TextChoices):
    PENDING = "pending", _("Code pending")
    ACTIVE = "active", _("Waiting for payment")
    PAID = "paid", _("Paid")
    VOIDED = "voided", _("Voided")


class BillingCodeQuerySet(ThroughApplicationQuerySet):
    application_path = "invoice__application"

    def visible_to(self, user):
        """An invoice's code through its application; a fine's through its certificate's
        application (the organization holding the certificate)."""
        if user.is_authenticated and user.is_ministry_staff:
            return self
        from django.apps import apps

        application = apps.get_model("applications", "Application")
        visible = application.objects.visible_to(user).values("pk")
        return self.filter(
            models.Q(invoice__application__in=visible)
            | models.Q(sanction__certificate__application__in=visible)
        )


class BillingCode(models.Model):
    """A billing code the billing system issued for one invoice. `code` stays empty while the
    request is pending (the gateway did not answer yet). A code is never deleted: an expired
    one is voided and a new one issued, both kept."""

    # What is paid: an invoice (the fee) or a fine (a certificate's sanction).
    invoice = models.ForeignKey(
        "applications.Invoice",
        on_delete=models.PROTECT,
        related_name="billing_codes",
        null=True,
        blank=True,
    )
    sanction = models.ForeignKey(
        "certificates.Sanction",
        on_delete=models.PROTECT,
        related_name="billing_codes",
        null=True,
        blank=True,
        verbose_name=_("fine"),
    )
    code = models.CharField(_("billing code"), max_length=15, unique=True, null=True, blank=True)
    amount = models.PositiveBigIntegerField(_("amount (Rp)"))
    payer_name = models.CharField(_("payer"), max_length=255)
    status = models.CharField(
        _("status"), max_length=16, choices=CodeStatus.choices, default=CodeStatus.PENDING
    )
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    issued_at = models.DateTimeField(_("issued"), null=True, blank=True)
    voided_at = models.DateTimeField(_("voided"), null=True, blank=True)
    request_attempts = models.PositiveIntegerField(_("request attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    slip_pdf = models.FileField(_("billing slip"), upload_to="billing/slips/", blank=True)

    objects = BillingCodeQuerySet.as_manager()

    class Meta:
        verbose_name = _("billing code")
        verbose_name_plural = _("billing codes")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="applications_billingcode_amount_positive"
            ),
            # Pending codes have no number yet; a pending one may be voided before it came.
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "voided"]) | models.Q(code__isnull=False),
                name="applications_billingcode_issued_has_code",
            ),
            # One live code per invoice: the old one is voided before a new one is asked for.
            models.UniqueConstraint(
                fields=["invoice"],
                condition=models.Q(status__in=["pending", "active"]),
                name="applications_billingcode_one_live",
            ),
            models.UniqueConstraint(
                fields=["sanction"],
                condition=models.Q(status__in=["pending", "active"]),
                name="applications_billingcode_one_live_per_fine",
            ),
            models.CheckConstraint(
                condition=models.Q(invoice__isnull=False, sanction__isnull=True)
                | models.Q(invoice__isnull=True, sanction__isnull=False),
                name="applications_billingcode_invoice_or_fine",
            ),
        ]

    def __str__(self):
        return self.code or str(_("Code pending"))

    @property
    def reference(self) -> str:
        """What the code pays, as printed: the invoice number or the fine's reference."""
        return self.invoice.number if self.invoice_id else f"FINE-{self.sanction_id}"

    @property
    def application(self):
        """The application the payment concerns (a fine: its certificate's)."""
        if self.invoice_id:
            return self.invoice.application
        return self.sanction.certificate.application

    @property
    def is_expired(self):
        return (
            self.status == CodeStatus.ACTIVE
            and self.expires_at is not None
            and self.expires_at <= timezone.now()
        )

    @property
    def is_payable(self):
        return self.status == CodeStatus.ACTIVE and not self.is_expired


class PaymentSource(models.TextChoices):
    CALLBACK = "callback", _("Billing system callback")
    SETTLEMENT = "settlement", _("Settlement file")
    OFFICE = "office", _("Recorded at the office")


class PaymentOutcome(models.TextChoices):
    APPLIED = "applied", _("Applied to the invoice")
    DISCREPANCY = "discrepancy", _("Discrepancy")
    RESOLVED_APPLIED = "resolved_applied", _("Discrepancy applied to the invoice")
    RESOLVED_REFUND = "resolved_refund", _("Discrepancy marked for refund")


class BillingPaymentQuerySet(models.QuerySet):
    def visible_to(self, user):
        codes = BillingCode.objects.visible_to(user).values("pk")
        return self.filter(billing_code__in=codes)


class BillingPayment(models.Model):
    """Money the billing system (or the office) says arrived for a billing code, proved by
    its NTPN (state treasury) and NTB (bank). Unique on the NTPN: the same payment reported
    twice is one row. A payment that cannot be applied (wrong amount, voided or expired code,
    invoice no longer open) is a discrepancy until staff resolve it."""

    billing_code = models.ForeignKey(BillingCode, on_delete=models.PROTECT, related_name="payments")
    ntpn = models.CharField(_("NTPN"), max_length=16, unique=True)
    ntb = models.CharField(_("NTB"), max_length=32)
    channel = models.CharField(_("channel"), max_length=32)
    amount = models.PositiveBigIntegerField(_("amount (Rp)"))
    paid_at = models.DateTimeField(_("paid"))
    received_at = models.DateTimeField(_("received"), auto_now_add=True)
    source = models.CharField(_("source"), max_length=16, choices=PaymentSource.choices)
    outcome = models.CharField(_("outcome"), max_length=20, choices=PaymentOutcome.choices)
    discrepancy_reason = models.CharField(_("discrepancy"), max_length=64, blank=True)
    settled_at = models.DateTimeField(_("confirmed by settlement"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    receipt_scan = models.FileField(_("receipt scan"), upload_to="billing/scans/", blank=True)
    receipt_pdf = models.FileField(_("official receipt"), upload_to="billing/receipts/", blank=True)

    objects = BillingPaymentQuerySet.as_manager()

    class Meta:
        verbose_name = _("billing payment")
        verbose_name_plural = _("billing payments")
        ordering = ["-paid_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ntpn__regex=r"^[0-9A-Z]{16}$"),
                name="applications_billingpayment_ntpn_format",
            ),
            models.CheckConstraint(
                condition=~models.Q(outcome="discrepancy") | ~models.Q(discrepancy_reason=""),
                name="applications_billingpayment_discrepancy_has_reason",
            ),
        ]

    def __str__(self):
        return self.ntpn

    @property
    def is_discrepancy(self):
        return self.outcome == PaymentOutcome.DISCREPANCY


class CallbackReceipt(models.Model):
    """Each signed callback accepted once: a second request with the same signature within
    the timestamp window is a replay."""

    signature = models.CharField(max_length=64, unique=True)
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("callback receipt")
        verbose_name_plural = _("callback receipts")

    def __str__(self):
        return self.signature[:12]
