from django.db import models


class CertificateQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Staff see every certificate; an applicant their organization's; others none.
        (The public sees certificates only through verification and the register.)"""
        if not user.is_authenticated:
            return self.none()
        if user.is_ministry_staff:
            return self
        membership = user.membership
        if membership is None:
            return self.none()
        return self.filter(organization_id=membership.organization_id)


class SanctionQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        if user.is_ministry_staff:
            return self
        membership = user.membership
        if membership is None:
            return self.none()
        return self.filter(certificate__organization_id=membership.organization_id)
