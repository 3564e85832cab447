"""What the inspection pages share: one access helper per audience (each a 404 for everyone
else), the inspection's checklist, a moment in Jakarta time."""

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.formats import date_format

from inspections.forms import JAKARTA
from inspections.models import Inspection
from registrasi.access import refuse_role

# --- Access helpers: one per audience, each a 404 for everyone else -------------------------


def require_staff(user):
    refuse_role(user.is_ministry_staff)


def for_ministry(request, pk):
    """Staff, or the inspector assigned (applicants see inspections on their application)."""
    user = request.user
    refuse_role(user.is_ministry_staff or user.is_inspector)
    queryset = Inspection.objects.visible_to(user).select_related(
        "application__organization", "inspector"
    )
    return get_object_or_404(queryset, pk=pk)


def for_assigned_inspector(request, pk):
    """Only the inspector assigned records findings; for anyone else the page does not exist."""
    queryset = Inspection.objects.visible_to(request.user).filter(inspector_id=request.user.pk)
    return get_object_or_404(queryset.select_related("application__organization"), pk=pk)


def for_staff(request, pk):
    require_staff(request.user)
    queryset = Inspection.objects.select_related("application__organization", "inspector")
    return get_object_or_404(queryset, pk=pk)


def is_htmx(request):
    return request.headers.get("HX-Request") == "true"


def requirements(inspection):
    """The inspection's own checklist (fixed when it was scheduled) as (value, label)."""
    return [(f.requirement, f.get_requirement_display()) for f in inspection.checklist]


def when(moment):
    if moment is None:
        return "—"
    return date_format(timezone.localtime(moment, JAKARTA), "DATETIME_FORMAT")
