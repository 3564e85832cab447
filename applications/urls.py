from django.urls import path

from applications import views

app_name = "applications"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("queue/", views.staff_queue, name="staff_queue"),
]
