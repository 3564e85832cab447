from django.contrib import admin
from django.urls import include, path

from registrasi import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("registrasi.accounts.urls")),
    path("applications/", include("applications.urls")),
    path("inspections/", include("inspections.urls")),
    path("", include("certificates.urls")),
    path("admin/", admin.site.urls),
]

admin.site.site_header = "Registrasi"
admin.site.site_title = "Registrasi"
