from django.urls import path

from applications.views import applicant, desk, page

app_name = "applications"

urlpatterns = [
    path("", applicant.dashboard, name="dashboard"),
    path("queue/", desk.staff_queue, name="staff_queue"),
    path("walk-in/", desk.walk_in, name="walk_in"),
    path("new/", applicant.new, name="new"),
    path("<int:pk>/", page.detail, name="detail"),
    path("<int:pk>/continue/", applicant.resume, name="resume"),
    path("<int:pk>/step/<slug:step>/", applicant.step, name="step"),
    path("<int:pk>/documents/upload/", applicant.upload, name="upload"),
    path(
        "documents/<int:version_pk>/download/",
        applicant.document_download,
        name="document_download",
    ),
    path("<int:pk>/submit/", applicant.submit, name="submit"),
    path("<int:pk>/withdraw/", applicant.withdraw, name="withdraw"),
    # Ministry desk
    path("<int:pk>/start-review/", desk.start_review, name="start_review"),
    path("<int:pk>/return/", desk.return_for_changes, name="return"),
    path("<int:pk>/accept/", desk.accept, name="accept"),
    path("<int:pk>/reject/", desk.reject, name="reject"),
    path(
        "<int:pk>/documents/<int:version_pk>/review/",
        desk.review_document,
        name="review_document",
    ),
]
