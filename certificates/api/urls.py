from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from certificates.api import organization, pages, public

app_name = "api"

PK = r"(?P<pk>[0-9]{1,18})"


def v1(route: str, view, name: str):
    """An API route under /api/v1/ (the version is a path argument for DRF)."""
    return re_path(rf"^(?P<version>v1)/{route}$", view.as_view(), name=name)


# The owner's pages (HTML).
pages_urls = [
    path("tokens/", pages.tokens, name="tokens"),
    path("tokens/<int:pk>/revoke/", pages.revoke, name="token_revoke"),
    path("webhooks/", pages.webhook_list, name="webhooks"),
    path("webhooks/<int:pk>/", pages.webhook_detail, name="webhook"),
    path("webhooks/<int:pk>/enable/", pages.webhook_enable, name="webhook_enable"),
    path("webhooks/<int:pk>/delete/", pages.webhook_delete, name="webhook_delete"),
    path(
        "webhooks/deliveries/<int:pk>/send-again/",
        pages.delivery_send_again,
        name="delivery_send_again",
    ),
]
public_urls = [
    v1(r"verify/(?P<number>[^/]{1,100})/", public.VerifyView, "verify"),
    v1(r"verify-bulk/", public.BulkVerifyView, "verify_bulk"),
    v1(r"register/", public.RegisterView, "register"),
    v1(r"open-data/register\.json", public.OpenDataJsonView, "open_json"),
    v1(r"open-data/register\.csv", public.OpenDataCsvView, "open_csv"),
]
token_urls = [
    v1(r"applications/", organization.ApplicationListView, "applications"),
    v1(rf"applications/{PK}/", organization.ApplicationDetailView, "application"),
    v1(rf"applications/{PK}/documents/", organization.DocumentUploadView, "documents"),
    v1(rf"applications/{PK}/submit/", organization.SubmitView, "submit"),
    v1(rf"applications/{PK}/invoices/", organization.InvoiceListView, "invoices"),
    v1(rf"applications/{PK}/inspections/", organization.InspectionOutcomeListView, "inspections"),
    v1(r"invoices/", organization.OrganizationInvoiceListView, "organization_invoices"),
    v1(r"certificates/", organization.CertificateListView, "certificates"),
    v1(rf"certificates/{PK}/", organization.CertificateDetailView, "certificate"),
    v1(rf"certificates/{PK}/pdf/", organization.CertificatePdfView, "certificate_pdf"),
    v1(r"webhooks/", organization.WebhookEndpointListView, "webhook_endpoints"),
    v1(rf"webhooks/{PK}/deliveries/", organization.WebhookDeliveryListView, "webhook_deliveries"),
]
urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(api_version="v1"), name="schema"),
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api:schema", template_name="api/swagger_ui.html"
        ),
        name="docs",
    ),
    *pages_urls,
    *public_urls,
    *token_urls,
    # Anything else under /api/ is a JSON 404, not the site's HTML page.
    re_path(r"^", public.not_found, name="not_found"),
]
