from django.urls import path

from certificates.views import decisions, desk, follow_ups, pages, public

app_name = "certificates"

urlpatterns = [
    # Public: no login.
    path("verify/", public.verify_form, name="verify_form"),
    path("verify/<str:number>/", public.verify, name="verify"),
    path("registry/", public.registry, name="registry"),
    # Organization and staff.
    path("certificates/", pages.staff_list, name="staff_list"),
    path("certificates/export/", desk.certificate_export, name="certificate_export"),
    # The ministry desk's overview (certificates.desk: it reads all three apps).
    path("desk/", desk.queues, name="desk"),
    path("desk/search/", desk.search_page, name="search"),
    path("desk/dashboard/", desk.dashboard_page, name="dashboard"),
    path("desk/dashboard/export/", desk.dashboard_export, name="dashboard_export"),
    # Beside the billing payments page it exports (applications may not import certificates).
    path("billing/payments/export/", desk.payments_export, name="payments_export"),
    path("desk/<slug:key>/export/", desk.queue_export, name="queue_export"),
    path("certificates/mine/", pages.mine, name="mine"),
    path("certificates/<int:pk>/", pages.detail, name="detail"),
    path("certificates/<int:pk>/pdf-status/", pages.pdf_status, name="pdf_status"),
    path("certificates/<int:pk>/download/", pages.download, name="download"),
    path("certificates/<int:pk>/poster/", pages.poster, name="poster"),
    path("certificates/<int:pk>/render-again/", pages.render_again, name="render_again"),
    path(
        "certificates/<int:pk>/start/<slug:kind>/",
        follow_ups.start_follow_up,
        name="start_follow_up",
    ),
    # Staff decisions.
    path("applications/<int:application_pk>/approve/", decisions.approve, name="approve"),
    path("certificates/<int:pk>/suspend/", decisions.suspend, name="suspend"),
    path("certificates/<int:pk>/reinstate/", decisions.reinstate, name="reinstate"),
    path("certificates/<int:pk>/revoke/", decisions.revoke, name="revoke"),
    path("certificates/<int:pk>/fine/", decisions.fine, name="fine"),
    path(
        "certificates/<int:pk>/fines/<int:sanction_pk>/paid/", decisions.fine_paid, name="fine_paid"
    ),
]
