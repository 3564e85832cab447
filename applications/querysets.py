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


class ThroughApplicationQuerySet(models.QuerySet):
    """For rows that belong to an application: visible when their application is."""

    application_path = "application"

    def visible_to(self, user):
        if user.is_authenticated and user.is_ministry_staff:
            return self
        application = apps.get_model("applications", "Application")
        visible = application.objects.visible_to(user).values("pk")
        return self.filter(**{f"{self.application_path}__in": visible})


class DocumentVersionQuerySet(ThroughApplicationQuerySet):
    application_path = "document__application"


class PaymentQuerySet(ThroughApplicationQuerySet):
    application_path = "invoice__application"
