from django.urls import path

from applications.billing import views

app_name = "billing"

urlpatterns = [
    path("callback/", views.callback, name="callback"),
    path("invoices/<int:pk>/", views.panel, name="panel"),
    path("invoices/<int:pk>/renew/", views.renew, name="renew"),
    path("invoices/<int:pk>/office-payment/", views.office_payment, name="office_payment"),
    path("codes/<int:pk>/slip/", views.slip, name="slip"),
    path("codes/<int:pk>/simulator/", views.simulator_pay, name="simulator"),
    path("payments/", views.payments, name="payments"),
    path("settlement/", views.settlement, name="settlement"),
    path("payments/<int:pk>/receipt/", views.receipt, name="receipt"),
    path("payments/<int:pk>/resolve/", views.resolve, name="resolve"),
]
