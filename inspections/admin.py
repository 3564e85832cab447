"""Read-only admin: inspections change only through the services (state, findings and
files are records), so the admin shows them and lets nobody edit or delete."""

from django.contrib import admin

from inspections.models import (
    EvidencePhoto,
    Finding,
    Inspection,
    InspectionReport,
    InspectorArea,
    Interview,
    ScheduleChange,
)
from inspections.selectors import active_inspectors
from registrasi.admin import ReadOnlyAdminMixin


class FindingInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Finding
    fields = ["requirement", "result", "note"]
    readonly_fields = fields
    extra = 0


class InterviewInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Interview
    fields = ["role", "number_interviewed", "notes"]
    readonly_fields = fields
    extra = 0


class ScheduleChangeInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ScheduleChange
    fields = ["old_start", "old_end", "new_start", "new_end", "reason", "changed_by", "changed_at"]
    readonly_fields = fields
    extra = 0


class EvidencePhotoInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = EvidencePhoto
    fields = ["original_name", "requirement", "caption", "size", "sha256", "uploaded_at"]
    readonly_fields = fields
    extra = 0


@admin.register(Inspection)
class InspectionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["pk", "application", "inspector", "state", "window_start", "window_end"]
    list_filter = ["state"]
    search_fields = ["application__reference", "inspector__email", "inspector__full_name"]
    date_hierarchy = "window_start"
    list_select_related = ["application", "inspector"]
    readonly_fields = [
        "application",
        "inspector",
        "state",
        "window_start",
        "window_end",
        "contact_name",
        "contact_phone",
        "scheduled_by",
        "created_at",
        "updated_at",
        "started_at",
        "submitted_at",
        "corrective_actions",
        "cancel_reason",
    ]
    fields = readonly_fields
    inlines = [FindingInline, InterviewInline, ScheduleChangeInline, EvidencePhotoInline]


@admin.register(InspectionReport)
class InspectionReportAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["inspection", "rendered_at", "size", "sha256"]
    readonly_fields = ["inspection", "file", "sha256", "size", "rendered_at"]
    fields = readonly_fields


@admin.register(InspectorArea)
class InspectorAreaAdmin(admin.ModelAdmin):
    """The provinces each inspector covers: scheduling lists those inspectors first."""

    list_display = ["inspector", "province"]
    list_filter = ["province"]
    search_fields = ["inspector__full_name", "inspector__email"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "inspector":
            kwargs["queryset"] = active_inspectors()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
