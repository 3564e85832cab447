from django.urls import path

from inspections.views import applicant, desk, inspector

app_name = "inspections"

urlpatterns = [
    # The inspector's workspace.
    path("", inspector.schedule, name="schedule"),
    path("<int:pk>/", inspector.detail, name="detail"),
    path("<int:pk>/findings/", inspector.findings, name="findings"),
    path("<int:pk>/evidence/", inspector.evidence, name="evidence"),
    path("evidence/<int:photo_pk>/", inspector.evidence_download, name="evidence_download"),
    path("<int:pk>/submit/", inspector.submit, name="submit"),
    path("<int:pk>/report/", inspector.report, name="report"),
    # The ministry desk.
    path("for-application/<int:application_pk>/new/", desk.create, name="create"),
    path("<int:pk>/reschedule/", desk.reschedule, name="reschedule"),
    path("<int:pk>/cancel/", desk.cancel, name="cancel"),
    path("calendar/", desk.calendar, name="calendar"),
    path("overdue/", desk.overdue, name="overdue"),
    # The applicant, after a failed inspection.
    path("for-application/<int:application_pk>/resubmit/", applicant.resubmit, name="resubmit"),
]
