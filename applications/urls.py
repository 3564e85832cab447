from django.urls import path

from applications import views

app_name = "applications"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("queue/", views.staff_queue, name="staff_queue"),
    path("walk-in/", views.walk_in, name="walk_in"),
    path("new/", views.new, name="new"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/continue/", views.resume, name="resume"),
    path("<int:pk>/step/<slug:step>/", views.step, name="step"),
    path("<int:pk>/documents/upload/", views.upload, name="upload"),
    path(
        "documents/<int:version_pk>/download/",
        views.document_download,
        name="document_download",
    ),
    path("<int:pk>/submit/", views.submit, name="submit"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    # Ministry desk
    path("<int:pk>/start-review/", views.start_review, name="start_review"),
    path("<int:pk>/return/", views.return_for_changes, name="return"),
    path("<int:pk>/accept/", views.accept, name="accept"),
    path("<int:pk>/reject/", views.reject, name="reject"),
    path(
        "<int:pk>/documents/<int:version_pk>/review/",
        views.review_document,
        name="review_document",
    ),
]
