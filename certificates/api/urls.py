from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from certificates.api import organization, pages, public

app_name = "api"

V = r"^(?P<version>v1)/"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(api_version="v1"), name="schema"),
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api:schema", template_name="api/swagger_ui.html"
        ),
        name="docs",
    ),
    path("tokens/", pages.tokens, name="tokens"),
    path("tokens/<int:pk>/revoke/", pages.revoke, name="token_revoke"),
    # Public.
    re_path(V + r"verify/(?P<number>[^/]{1,100})/$", public.VerifyView.as_view(), name="verify"),
    re_path(V + r"verify-bulk/$", public.BulkVerifyView.as_view(), name="verify_bulk"),
    re_path(V + r"register/$", public.RegisterView.as_view(), name="register"),
    re_path(V + r"open-data/register\.json$", public.OpenDataJsonView.as_view(), name="open_json"),
    re_path(V + r"open-data/register\.csv$", public.OpenDataCsvView.as_view(), name="open_csv"),
    # Organization token.
    re_path(V + r"applications/$", organization.ApplicationListView.as_view(), name="applications"),
    re_path(
        V + r"applications/(?P<pk>[0-9]{1,18})/$",
        organization.ApplicationDetailView.as_view(),
        name="application",
    ),
    re_path(
        V + r"applications/(?P<pk>[0-9]{1,18})/documents/$",
        organization.DocumentUploadView.as_view(),
        name="documents",
    ),
    re_path(
        V + r"applications/(?P<pk>[0-9]{1,18})/submit/$",
        organization.SubmitView.as_view(),
        name="submit",
    ),
    re_path(
        V + r"applications/(?P<pk>[0-9]{1,18})/invoices/$",
        organization.InvoiceListView.as_view(),
        name="invoices",
    ),
    re_path(
        V + r"applications/(?P<pk>[0-9]{1,18})/inspections/$",
        organization.InspectionOutcomeListView.as_view(),
        name="inspections",
    ),
    re_path(V + r"certificates/$", organization.CertificateListView.as_view(), name="certificates"),
    re_path(
        V + r"certificates/(?P<pk>[0-9]{1,18})/$",
        organization.CertificateDetailView.as_view(),
        name="certificate",
    ),
    re_path(
        V + r"certificates/(?P<pk>[0-9]{1,18})/pdf/$",
        organization.CertificatePdfView.as_view(),
        name="certificate_pdf",
    ),
    # Anything else under /api/ is a JSON 404, not the site's HTML page.
    re_path(r"^", public.not_found, name="not_found"),
]
