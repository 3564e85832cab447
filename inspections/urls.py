from django.urls import path

from inspections import views

app_name = "inspections"

urlpatterns = [
    # The inspector's workspace.
    path("", views.schedule, name="schedule"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/findings/", views.findings, name="findings"),
    path("<int:pk>/evidence/", views.evidence, name="evidence"),
    path("evidence/<int:photo_pk>/", views.evidence_download, name="evidence_download"),
    path("<int:pk>/submit/", views.submit, name="submit"),
    path("<int:pk>/report/", views.report, name="report"),
    # The ministry desk.
    path("for-application/<int:application_pk>/new/", views.create, name="create"),
    path("<int:pk>/reschedule/", views.reschedule, name="reschedule"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("calendar/", views.calendar, name="calendar"),
    path("overdue/", views.overdue, name="overdue"),
    # The applicant, after a failed inspection.
    path("for-application/<int:application_pk>/resubmit/", views.resubmit, name="resubmit"),
]
