from django.apps import apps
from django.db import models


class ApplicationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Staff see every application; an applicant their organization's; an inspector the
        applications of inspections assigned to them. Everyone else: nothing."""
        if not user.is_authenticated:
            return self.none()
        if user.is_ministry_staff:
            return self
        if user.is_inspector:
            inspection = apps.get_model("inspections", "Inspection")
            assigned = inspection.objects.filter(application=models.OuterRef("pk"), inspector=user)
            return self.filter(models.Exists(assigned))
        membership = user.membership
        if membership is None:
            return self.none()
        return self.filter(organization_id=membership.organization_id)
