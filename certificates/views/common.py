"""What the certificate pages share: the certificate for this person, who may decide, the
state the page showed, pagination."""

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404

from certificates import services
from certificates.constants import CertificateState
from certificates.models import Certificate
from registrasi.access import refuse_role
from registrasi.pagination import CappedPaginator  # noqa: F401  (shared, re-exported)

PAGE_SIZE = 25
# The render task's first run plus its retries: after that many failed attempts the page stops
# polling and says so (staff may render again).
MAX_RENDER_ATTEMPTS = services.RENDER_MAX_ATTEMPTS


def certificate_for(request, pk):
    """The certificate if the requesting person may see it (its organization, staff); else 404."""
    return get_object_or_404(Certificate.objects.visible_to(request.user), pk=pk)


def require_staff(request):
    """Decisions are the ministry's: anyone else gets the 404 of a missing page."""
    refuse_role(request.user.is_ministry_staff)


def expected_state(request):
    """The state the page showed, sent back in a hidden input (None if absent)."""
    return request.POST.get("expected_state") or None


def paginate(request, queryset, paginator_class=Paginator):
    return paginator_class(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def state_choices(states=None):
    states = states or list(CertificateState)
    return [(state.value, state.label) for state in states]
