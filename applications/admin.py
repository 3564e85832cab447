"""Staff maintain the fee schedule here. Applications, invoices and payments are shown
read-only: they change only through the services (which lock, check and audit)."""

from django import forms
from django.contrib import admin
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from applications.models import (
    Application,
    ApplicationSite,
    Document,
    DocumentVersion,
    FeeSchedule,
    FeeTier,
    Invoice,
    Payment,
)
from registrasi.admin import ReadOnlyAdminMixin
from registrasi.money import format_rupiah


class SiteInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ApplicationSite
    extra = 0


class DocumentInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Document
    extra = 0
    show_change_link = True


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "__str__",
        "organization",
        "kind",
        "basis_certificate",
        "state",
        "submitted_at",
        "created_at",
    ]
    list_filter = ["state", "kind", "company_province"]
    search_fields = ["reference", "company_legal_name", "organization__legal_name"]
    list_select_related = ["organization", "basis_certificate"]
    date_hierarchy = "created_at"
    inlines = [SiteInline, DocumentInline]


class VersionInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = DocumentVersion
    extra = 0
    fields = [
        "number",
        "original_name",
        "size",
        "sha256",
        "review_status",
        "uploaded_at",
        "carried_from",
    ]


@admin.register(Document)
class DocumentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["application", "document_type", "created_at"]
    list_filter = ["document_type"]
    list_select_related = ["application"]
    inlines = [VersionInline]


class FeeScheduleForm(forms.ModelForm):
    class Meta:
        model = FeeSchedule
        fields = [
            "name",
            "is_active",
            "amount_per_extra_site",
            "outbound_factor",
            "outsourced_factor",
            "change_report_fee",
        ]

    def _get_validation_exclusions(self):
        # Activating this schedule deactivates the current one on save (save_model below), so
        # the "one active schedule" constraint must not refuse the form beforehand.
        exclude = super()._get_validation_exclusions()
        exclude.add("is_active")
        return exclude


class FeeTierInline(admin.TabularInline):
    model = FeeTier
    extra = 1


@admin.register(FeeSchedule)
class FeeScheduleAdmin(admin.ModelAdmin):
    form = FeeScheduleForm
    list_display = [
        "name",
        "is_active",
        "per_extra_site",
        "outbound_factor",
        "outsourced_factor",
        "updated_at",
    ]
    inlines = [FeeTierInline]

    @admin.display(description=_("amount per extra site"))
    def per_extra_site(self, obj):
        return format_rupiah(obj.amount_per_extra_site)

    def save_model(self, request, obj, form, change):
        # Activating a schedule deactivates the previous one (the database allows one).
        with transaction.atomic():
            if obj.is_active:
                FeeSchedule.objects.filter(is_active=True).exclude(pk=obj.pk).update(
                    is_active=False
                )
            super().save_model(request, obj, form, change)


class PaymentInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Payment
    extra = 0


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "number",
        "application",
        "kind",
        "amount_display",
        "issued_at",
        "due_date",
        "paid_at",
        "cancelled_at",
    ]
    search_fields = ["number", "application__reference"]
    list_select_related = ["application"]
    inlines = [PaymentInline]

    @admin.display(description=_("amount"))
    def amount_display(self, obj):
        return format_rupiah(obj.amount)


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["invoice", "paid_on", "reference", "amount", "recorded_by", "recorded_at"]
    search_fields = ["reference", "invoice__number"]
    list_select_related = ["invoice", "recorded_by"]
