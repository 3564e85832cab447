"""What the API reads and writes. Input serializers refuse unknown fields."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from applications.billing.models import CodeStatus
from applications.constants import ApplicationKind, Direction, DocumentType, Sourcing
from certificates.constants import VerificationStatus
from registrasi.accounts.constants import Province
from registrasi.validators import validate_no_hidden_characters

MAX_BULK = 100


class StrictSerializer(serializers.Serializer):
    """Refuses fields it does not know (a typo must not be silently ignored)."""

    def validate(self, attrs):
        unknown = set(getattr(self, "initial_data", {}) or {}) - set(self.fields)
        if unknown:
            raise serializers.ValidationError(
                {name: _("Unknown field.") for name in sorted(unknown)}, code="unknown_field"
            )
        return attrs


# Public ----------------------------------------------------------------------------------
class CertificateStepSerializer(serializers.Serializer):
    number = serializers.CharField()
    status = serializers.ChoiceField(choices=VerificationStatus.choices)
    status_label = serializers.CharField()
    status_since = serializers.DateField(allow_null=True)
    holder = serializers.CharField()
    province = serializers.ChoiceField(choices=Province.choices)
    province_name = serializers.CharField()
    issued_on = serializers.DateField()
    valid_from = serializers.DateField()
    expires_on = serializers.DateField()


class VerificationSerializer(serializers.Serializer):
    number = serializers.CharField()
    found = serializers.BooleanField()
    status = serializers.ChoiceField(choices=VerificationStatus.choices)
    status_label = serializers.CharField()
    certificate = CertificateStepSerializer(allow_null=True)
    in_force = CertificateStepSerializer(
        allow_null=True,
        help_text=_("The latest certificate that replaced this one, when it was replaced."),
    )


class BulkVerifyRequestSerializer(StrictSerializer):
    numbers = serializers.ListField(
        child=serializers.CharField(max_length=60, allow_blank=True),
        min_length=1,
        max_length=MAX_BULK,
    )


class BulkVerifyResponseSerializer(serializers.Serializer):
    results = VerificationSerializer(many=True)


class RegisterEntrySerializer(serializers.Serializer):
    number = serializers.CharField()
    holder = serializers.CharField(source="legal_name")
    province = serializers.CharField()
    province_name = serializers.CharField(source="get_province_display")
    status = serializers.CharField(source="public_status")
    issued_on = serializers.DateField()
    expires_on = serializers.DateField()


# Organization ----------------------------------------------------------------------------
class SiteSerializer(StrictSerializer):
    address = serializers.CharField(max_length=1000)
    province = serializers.ChoiceField(choices=Province.choices)
    agent_seats = serializers.IntegerField(min_value=0, max_value=100000)


class DetailsSerializer(StrictSerializer):
    """The facts an applicant declares (applications.constants.COMPANY_FIELDS) and sites."""

    company_legal_name = serializers.CharField(
        max_length=255, required=False, validators=[validate_no_hidden_characters]
    )
    company_address = serializers.CharField(max_length=1000, required=False)
    company_province = serializers.ChoiceField(choices=Province.choices, required=False)
    agent_seats = serializers.IntegerField(min_value=1, max_value=100000, required=False)
    direction = serializers.ChoiceField(choices=Direction.choices, required=False)
    sourcing = serializers.ChoiceField(choices=Sourcing.choices, required=False)
    foreign_owned = serializers.BooleanField(required=False)
    sites = SiteSerializer(many=True, required=False, max_length=50)


class CreateApplicationSerializer(DetailsSerializer):
    kind = serializers.ChoiceField(
        choices=[(ApplicationKind.NEW.value, ApplicationKind.NEW.label)],
        default=ApplicationKind.NEW.value,
    )


class SubmitSerializer(StrictSerializer):
    expected_fee = serializers.IntegerField(
        min_value=0,
        required=False,
        help_text=_("The fee the client showed its user; refused as stale when it changed."),
    )


class UploadSerializer(StrictSerializer):
    document_type = serializers.ChoiceField(choices=DocumentType.choices)
    file = serializers.FileField()


class TimelineEntrySerializer(serializers.Serializer):
    at = serializers.DateTimeField(source="created_at")
    action = serializers.CharField()
    from_state = serializers.CharField()
    to_state = serializers.CharField()
    note = serializers.CharField()


class BillingCodeSerializer(serializers.Serializer):
    code = serializers.CharField(
        allow_null=True, help_text=_("Empty while the billing system has not issued it yet.")
    )
    amount = serializers.IntegerField(help_text=_("Rupiah"))
    status = serializers.ChoiceField(choices=CodeStatus.choices)
    status_label = serializers.CharField(source="get_status_display")
    issued_at = serializers.DateTimeField(allow_null=True)
    expires_at = serializers.DateTimeField(allow_null=True)
    payable = serializers.BooleanField(
        source="is_payable", help_text=_("Issued, not paid, voided or expired.")
    )


class InvoiceSerializer(serializers.Serializer):
    application = serializers.IntegerField(source="application_id")
    number = serializers.CharField()
    kind = serializers.CharField()
    amount = serializers.IntegerField()
    issued_at = serializers.DateTimeField()
    due_date = serializers.DateField()
    paid_at = serializers.DateTimeField(allow_null=True)
    cancelled_at = serializers.DateTimeField(allow_null=True)
    billing_codes = BillingCodeSerializer(
        many=True,
        source="billing_codes.all",
        help_text=_("The billing codes to pay it with, newest first (expired ones voided)."),
    )


class DocumentVersionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    document_type = serializers.CharField(source="document.document_type")
    number = serializers.IntegerField()
    original_name = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    review_status = serializers.CharField()
    uploaded_at = serializers.DateTimeField()


class ApplicationSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField(allow_null=True)
    kind = serializers.CharField()
    state = serializers.CharField()
    state_label = serializers.CharField(source="get_state_display")
    created_at = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField(allow_null=True)


class ApplicationSerializer(ApplicationSummarySerializer):
    next_step = serializers.CharField()
    missing = serializers.ListField(child=serializers.CharField())
    company_legal_name = serializers.CharField()
    company_address = serializers.CharField()
    company_province = serializers.CharField()
    agent_seats = serializers.IntegerField(allow_null=True)
    direction = serializers.CharField()
    sourcing = serializers.CharField()
    foreign_owned = serializers.BooleanField()
    sites = SiteSerializer(many=True)
    documents = DocumentVersionSerializer(many=True)
    invoices = InvoiceSerializer(many=True)
    timeline = TimelineEntrySerializer(many=True)


class FindingSerializer(serializers.Serializer):
    requirement = serializers.CharField()
    result = serializers.CharField()
    note = serializers.CharField()


class InspectionOutcomeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    state = serializers.CharField()
    state_label = serializers.CharField(source="get_state_display")
    window_start = serializers.DateTimeField()
    window_end = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    corrective_actions = serializers.CharField()
    findings = FindingSerializer(many=True)


class OrganizationCertificateSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    state = serializers.CharField()
    state_label = serializers.CharField(source="get_state_display")
    legal_name = serializers.CharField()
    province = serializers.CharField()
    issued_on = serializers.DateField()
    expires_on = serializers.DateField()
    application = serializers.IntegerField(source="application_id")
    pdf_ready = serializers.SerializerMethodField()

    def get_pdf_ready(self, certificate) -> bool:
        return bool(certificate.pdf)


# Webhooks (read-only: the owner manages them on the Webhooks page) -------------------------
class WebhookEndpointSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.CharField()
    events = serializers.ListField(child=serializers.CharField())
    created_at = serializers.DateTimeField()
    enabled = serializers.BooleanField(source="is_enabled")
    failing_since = serializers.DateTimeField(allow_null=True)
    disabled_at = serializers.DateTimeField(allow_null=True)


class WebhookAttemptSerializer(serializers.Serializer):
    started_at = serializers.DateTimeField()
    duration_ms = serializers.IntegerField()
    status_code = serializers.IntegerField(allow_null=True)
    error = serializers.CharField()
    succeeded = serializers.BooleanField()
    manual = serializers.BooleanField(help_text=_("Sent again by the owner."))


class WebhookDeliverySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    event_type = serializers.CharField()
    status = serializers.CharField()
    created_at = serializers.DateTimeField()
    next_attempt_at = serializers.DateTimeField(allow_null=True)
    delivered_at = serializers.DateTimeField(allow_null=True)
    attempts = WebhookAttemptSerializer(many=True, source="attempts.all")
