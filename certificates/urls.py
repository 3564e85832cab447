from django.urls import path

from certificates import views

app_name = "certificates"

urlpatterns = [
    path("verify/", views.verify_form, name="verify_form"),
    path("registry/", views.registry, name="registry"),
]
