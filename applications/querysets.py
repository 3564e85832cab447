from django.apps import apps
from django.db import models

from applications.constants import DOCUMENT_REVIEW_STATES, STAFF_QUEUE_STATES, ReviewStatus

# A current document version waits for the ministry, in a state where staff review documents.
DOCUMENTS_TO_REVIEW = models.Q(has_documents_to_review=True, state__in=DOCUMENT_REVIEW_STATES)
# The staff desk's default queue: submitted and under review, and every application with a
# document to review. The partial index applications_app_staff_queue has this condition, so
# the queue walks it in submission order and reads only the rows of its page.
STAFF_QUEUE = models.Q(state__in=STAFF_QUEUE_STATES) | DOCUMENTS_TO_REVIEW


def pending_current_versions():
    """The current (newest) versions of an application's (OuterRef "pk") documents that the
    ministry has not reviewed yet."""
    version = apps.get_model("applications", "DocumentVersion")
    newer = version.objects.filter(
        document=models.OuterRef("document"), number__gt=models.OuterRef("number")
    )
    return version.objects.filter(
        document__application=models.OuterRef("pk"), review_status=ReviewStatus.PENDING
    ).exclude(models.Exists(newer))


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

    def refresh_documents_to_review(self) -> int:
        """Store has_documents_to_review for these applications from their documents: one
        UPDATE. The document services call it after every upload and review."""
        return self.update(has_documents_to_review=models.Exists(pending_current_versions()))


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
