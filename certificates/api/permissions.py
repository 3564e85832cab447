from django.utils.translation import gettext_lazy as _
from rest_framework import permissions

from certificates.api.models import ApiToken


class HasOrganizationToken(permissions.BasePermission):
    """A usable organization token; writes need the read-and-write scope."""

    message = _("This token may only read.")

    def has_permission(self, request, view):
        token = request.auth
        if not isinstance(token, ApiToken):
            return False
        return request.method in permissions.SAFE_METHODS or token.can_write
