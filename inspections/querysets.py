from django.db import models

from inspections.constants import ACTIVE_STATES


class InspectionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Staff see every inspection; an inspector only those assigned to them; an applicant
        their organization's. Everyone else (another inspector, another organization, a user
        without a role): nothing."""
        if not user.is_authenticated:
            return self.none()
        if user.is_ministry_staff:
            return self
        if user.is_inspector:
            return self.filter(inspector=user)
        membership = user.membership
        if membership is None:
            return self.none()
        return self.filter(application__organization_id=membership.organization_id)

    def active(self):
        return self.filter(state__in=ACTIVE_STATES)

    def overlapping(self, start, end):
        """Windows sharing some time with [start, end); touching ends do not overlap."""
        return self.filter(window_start__lt=end, window_end__gt=start)


class ThroughInspectionQuerySet(models.QuerySet):
    """Rows that belong to an inspection (findings, photos, reports): visible with it."""

    inspection_path = "inspection"

    def visible_to(self, user):
        if user.is_authenticated and user.is_ministry_staff:
            return self
        # The Inspection model, reached through the relation (models imports this module).
        inspection_model = self.model._meta.get_field(self.inspection_path).related_model
        visible = inspection_model.objects.visible_to(user).values("pk")
        return self.filter(**{f"{self.inspection_path}__in": visible})
