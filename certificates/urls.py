from django.urls import path

from certificates import views, views_desk

app_name = "certificates"

urlpatterns = [
    # Public: no login.
    path("verify/", views.verify_form, name="verify_form"),
    path("verify/<str:number>/", views.verify, name="verify"),
    path("registry/", views.registry, name="registry"),
    # Organization and staff.
    path("certificates/", views.staff_list, name="staff_list"),
    path("certificates/export/", views_desk.certificate_export, name="certificate_export"),
    # The ministry desk's overview (certificates.desk: it reads all three apps).
    path("desk/", views_desk.queues, name="desk"),
    path("desk/search/", views_desk.search_page, name="search"),
    path("desk/dashboard/", views_desk.dashboard_page, name="dashboard"),
    path("desk/dashboard/export/", views_desk.dashboard_export, name="dashboard_export"),
    # Beside the billing payments page it exports (applications may not import certificates).
    path("billing/payments/export/", views_desk.payments_export, name="payments_export"),
    path("desk/<slug:key>/export/", views_desk.queue_export, name="queue_export"),
    path("certificates/mine/", views.mine, name="mine"),
    path("certificates/<int:pk>/", views.detail, name="detail"),
    path("certificates/<int:pk>/pdf-status/", views.pdf_status, name="pdf_status"),
    path("certificates/<int:pk>/download/", views.download, name="download"),
    path("certificates/<int:pk>/poster/", views.poster, name="poster"),
    path("certificates/<int:pk>/render-again/", views.render_again, name="render_again"),
    path("certificates/<int:pk>/start/<slug:kind>/", views.start_follow_up, name="start_follow_up"),
    # Staff decisions.
    path("applications/<int:application_pk>/approve/", views.approve, name="approve"),
    path("certificates/<int:pk>/suspend/", views.suspend, name="suspend"),
    path("certificates/<int:pk>/reinstate/", views.reinstate, name="reinstate"),
    path("certificates/<int:pk>/revoke/", views.revoke, name="revoke"),
    path("certificates/<int:pk>/fine/", views.fine, name="fine"),
    path("certificates/<int:pk>/fines/<int:sanction_pk>/paid/", views.fine_paid, name="fine_paid"),
]
