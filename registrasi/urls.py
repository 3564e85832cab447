from django.contrib import admin
from django.urls import include, path

from registrasi import pages, views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("emails/failed/", views.failed_emails, name="failed_emails"),
    path(
        "emails/failed/<str:kind>/<int:pk>/send-again/",
        views.email_send_again,
        name="email_send_again",
    ),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("terms/", pages.terms, name="terms"),
    path("accessibility/", pages.accessibility, name="accessibility"),
    path("accounts/", include("registrasi.accounts.urls")),
    path("applications/", include("applications.urls")),
    path("billing/", include("applications.billing.urls")),
    path("inspections/", include("inspections.urls")),
    path("api/", include("certificates.api.urls")),
    path("", include("certificates.urls")),
    path("admin/", admin.site.urls),
]

handler403 = "registrasi.ratelimits.permission_denied"

admin.site.site_header = "Registrasi"
admin.site.site_title = "Registrasi"
