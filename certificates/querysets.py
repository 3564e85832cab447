from django.db import models


def _visible_by_organization(queryset, user, organization_field):
    """Staff see every row; an applicant their organization's; others none."""
    if not user.is_authenticated:
        return queryset.none()
    if user.is_ministry_staff:
        return queryset
    membership = user.membership
    if membership is None:
        return queryset.none()
    return queryset.filter(**{organization_field: membership.organization_id})


class CertificateQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Staff see every certificate; an applicant their organization's; others none.
        (The public sees certificates only through verification and the register.)"""
        return _visible_by_organization(self, user, "organization_id")


class SanctionQuerySet(models.QuerySet):
    def visible_to(self, user):
        return _visible_by_organization(self, user, "certificate__organization_id")
