"""Read-only admin: certificates change only through the services (state, sanctions, PDF)."""

from django.contrib import admin

from certificates.models import Certificate, ExpiryReminder, NumberSequence, Sanction
from registrasi.admin import ReadOnlyAdminMixin


class SanctionInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Sanction
    fk_name = "certificate"
    extra = 0
    fields = [
        "kind",
        "reason",
        "amount",
        "due_date",
        "paid_at",
        "starts_on",
        "ends_on",
        "carried_from",
    ]
    readonly_fields = fields


@admin.register(Certificate)
class CertificateAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "number",
        "legal_name",
        "province",
        "state",
        "issued_on",
        "valid_from",
        "expires_on",
        "render_attempts",
    ]
    list_filter = ["state", "province"]
    search_fields = ["number", "legal_name", "nib"]
    date_hierarchy = "issued_on"
    list_select_related = ["organization"]
    inlines = [SanctionInline]
    exclude = ["pdf"]  # the file leaves only through the permission-checked download view


@admin.register(Sanction)
class SanctionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["certificate", "kind", "amount", "due_date", "paid_at", "created_at"]
    list_filter = ["kind"]
    search_fields = ["certificate__number", "reason"]
    list_select_related = ["certificate"]


@admin.register(NumberSequence)
class NumberSequenceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["year", "last_serial"]


@admin.register(ExpiryReminder)
class ExpiryReminderAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["certificate", "milestone", "skipped", "due_on", "sent_at"]
    list_filter = ["milestone", "skipped"]
    search_fields = ["certificate__number"]
    list_select_related = ["certificate"]
