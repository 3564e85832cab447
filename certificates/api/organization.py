"""Endpoints for an organization's own systems, with an organization token.

Every object is fetched through `visible_to(request.user)` (the token's owner): another
organization's object is a 404. Every write goes through the services the pages use.
"""

from django.db import transaction
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from applications import selectors as application_selectors
from applications import services as application_services
from applications.models import Application, DocumentVersion, Invoice
from certificates.api import webhooks
from certificates.api.authentication import TokenAuthentication
from certificates.api.errors import error_response
from certificates.api.models import WebhookEndpoint
from certificates.api.parsers import LimitedJSONParser, LimitedMultiPartParser
from certificates.api.permissions import HasOrganizationToken
from certificates.api.serializers import (
    ApplicationSerializer,
    ApplicationSummarySerializer,
    CreateApplicationSerializer,
    DetailsSerializer,
    DocumentVersionSerializer,
    InspectionOutcomeSerializer,
    InvoiceSerializer,
    OrganizationCertificateSerializer,
    SubmitSerializer,
    UploadSerializer,
    WebhookDeliverySerializer,
    WebhookEndpointSerializer,
)
from certificates.api.throttling import TokenThrottle
from certificates.downloads import certificate_pdf_response
from certificates.models import Certificate
from inspections.constants import SUBMITTED_STATES
from inspections.models import Inspection
from registrasi.accounts.reads import ReadKind, record_read

ERRORS = {
    400: OpenApiResponse(description="Bad input"),
    401: OpenApiResponse(description="No usable token"),
    403: OpenApiResponse(description="The token's scope does not allow it"),
    404: OpenApiResponse(description="Not found (or another organization's)"),
}


class OrganizationView(APIView):
    authentication_classes = [TokenAuthentication]
    permission_classes = [HasOrganizationToken]
    throttle_classes = [TokenThrottle]
    parser_classes = [LimitedJSONParser]


def _application(request, pk):
    return get_object_or_404(Application.objects.visible_to(request.user), pk=pk)


def application_data(application):
    detail = application_selectors.application_detail(application=application)
    versions = [version for slot in detail.documents for version in slot.versions]
    return {
        **ApplicationSummarySerializer(application).data,
        "next_step": detail.next_step,
        "missing": detail.missing,
        "company_legal_name": application.company_legal_name,
        "company_address": application.company_address,
        "company_province": application.company_province,
        "agent_seats": application.agent_seats,
        "direction": application.direction,
        "sourcing": application.sourcing,
        "foreign_owned": application.foreign_owned,
        "sites": [
            {"address": s.address, "province": s.province, "agent_seats": s.agent_seats}
            for s in detail.sites
        ],
        "documents": DocumentVersionSerializer(versions, many=True).data,
        "invoices": InvoiceSerializer(detail.invoices, many=True).data,
        "timeline": [
            {
                "at": event.created_at,
                "action": event.action,
                "from_state": event.from_state,
                "to_state": event.to_state,
                "note": event.note,
            }
            for event in detail.timeline
        ],
    }


def _save_details(application, actor, data):
    """Declared facts and sites, through the page's services, in one transaction."""
    sites = data.pop("sites", None)
    with transaction.atomic():
        if data:
            application = application_services.application_update_details(
                application=application, actor=actor, data=data
            )
        if sites is not None:
            application_services.application_set_sites(
                application=application, actor=actor, sites=sites
            )
    return application


class ApplicationListView(OrganizationView):
    @extend_schema(responses={200: ApplicationSummarySerializer(many=True), **ERRORS})
    def get(self, request, version=None):
        applications = Application.objects.visible_to(request.user).order_by("-created_at")
        return Response(ApplicationSummarySerializer(applications, many=True).data)

    @extend_schema(
        request=CreateApplicationSerializer,
        responses={
            201: ApplicationSerializer,
            409: OpenApiResponse(description="Refused"),
            **ERRORS,
        },
        summary="Create a draft application (and fill it)",
    )
    def post(self, request, version=None):
        serializer = CreateApplicationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        kind = data.pop("kind")
        with transaction.atomic():
            application = application_services.application_create(
                organization=request.auth.organization, actor=request.user, kind=kind
            )
            application = _save_details(application, request.user, data)
        application.refresh_from_db()
        return Response(application_data(application), status=status.HTTP_201_CREATED)


class ApplicationDetailView(OrganizationView):
    @extend_schema(responses={200: ApplicationSerializer, **ERRORS})
    def get(self, request, pk, version=None):
        return Response(application_data(_application(request, pk)))

    @extend_schema(
        request=DetailsSerializer,
        responses={
            200: ApplicationSerializer,
            409: OpenApiResponse(description="Refused"),
            **ERRORS,
        },
        summary="Fill in a draft (or a returned application)",
    )
    def patch(self, request, pk, version=None):
        application = _application(request, pk)
        serializer = DetailsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        _save_details(application, request.user, dict(serializer.validated_data))
        application.refresh_from_db()
        return Response(application_data(application))


class DocumentUploadView(OrganizationView):
    parser_classes = [LimitedMultiPartParser]

    @extend_schema(
        request={"multipart/form-data": UploadSerializer},
        responses={
            201: DocumentVersionSerializer,
            409: OpenApiResponse(description="Refused"),
            413: OpenApiResponse(description="Too large"),
            **ERRORS,
        },
        summary="Upload a document (checked like the page: content, extension, size)",
    )
    def post(self, request, pk, version=None):
        application = _application(request, pk)
        serializer = UploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        version_row = application_services.document_upload(
            application=application,
            actor=request.user,
            document_type=serializer.validated_data["document_type"],
            uploaded_file=serializer.validated_data["file"],
        )
        version_row = DocumentVersion.objects.select_related("document").get(pk=version_row.pk)
        return Response(DocumentVersionSerializer(version_row).data, status=status.HTTP_201_CREATED)


class SubmitView(OrganizationView):
    @extend_schema(
        request=SubmitSerializer,
        responses={
            200: ApplicationSerializer,
            409: OpenApiResponse(description="Refused"),
            **ERRORS,
        },
        summary="Submit the application (refused, naming what is missing)",
    )
    def post(self, request, pk, version=None):
        application = _application(request, pk)
        serializer = SubmitSerializer(data=request.data or {})
        serializer.is_valid(raise_exception=True)
        try:
            application = application_services.application_submit(
                application=application,
                actor=request.user,
                expected_fee=serializer.validated_data.get("expected_fee"),
            )
        except application_services.SubmissionIncomplete as refusal:
            return error_response(409, "incomplete", refusal.message)
        application.refresh_from_db()
        return Response(application_data(application))


def _invoices():
    return Invoice.objects.prefetch_related("billing_codes").order_by("-issued_at", "-pk")


class InvoiceListView(OrganizationView):
    @extend_schema(
        responses={200: InvoiceSerializer(many=True), **ERRORS},
        summary="The application's invoices and their billing codes",
    )
    def get(self, request, pk, version=None):
        application = _application(request, pk)
        invoices = _invoices().filter(application=application)
        return Response(InvoiceSerializer(invoices, many=True).data)


class OrganizationInvoiceListView(OrganizationView):
    @extend_schema(
        responses={200: InvoiceSerializer(many=True), **ERRORS},
        summary="Every invoice of the organization, with billing code, amount, expiry, status",
    )
    def get(self, request, version=None):
        applications = Application.objects.visible_to(request.user).values("pk")
        invoices = _invoices().filter(application__in=applications)
        return Response(InvoiceSerializer(invoices, many=True).data)


class InspectionOutcomeListView(OrganizationView):
    @extend_schema(
        responses={200: InspectionOutcomeSerializer(many=True), **ERRORS},
        summary="Outcomes of the application's inspections, once submitted by the inspector",
    )
    def get(self, request, pk, version=None):
        application = _application(request, pk)
        inspections = (
            Inspection.objects.visible_to(request.user)
            .filter(application=application, state__in=SUBMITTED_STATES)
            .prefetch_related("findings")
            .order_by("window_start")
        )
        return Response(InspectionOutcomeSerializer(inspections, many=True).data)


def _certificate(request, pk):
    return get_object_or_404(Certificate.objects.visible_to(request.user), pk=pk)


class CertificateListView(OrganizationView):
    @extend_schema(responses={200: OrganizationCertificateSerializer(many=True), **ERRORS})
    def get(self, request, version=None):
        certificates = Certificate.objects.visible_to(request.user).order_by("-issued_on", "-pk")
        return Response(OrganizationCertificateSerializer(certificates, many=True).data)


class CertificateDetailView(OrganizationView):
    @extend_schema(responses={200: OrganizationCertificateSerializer, **ERRORS})
    def get(self, request, pk, version=None):
        return Response(OrganizationCertificateSerializer(_certificate(request, pk)).data)


class CertificatePdfView(OrganizationView):
    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            409: OpenApiResponse(description="The PDF is not ready yet"),
            **ERRORS,
        },
        summary="Download the signed certificate PDF",
    )
    def get(self, request, pk, version=None):
        certificate = _certificate(request, pk)
        response = certificate_pdf_response(certificate=certificate)
        record_read(
            reader=request.user,
            obj=certificate,
            kind=ReadKind.CERTIFICATE,
            organization=certificate.organization,
            application_id=certificate.application_id,
        )
        return response


class WebhookEndpointListView(OrganizationView):
    @extend_schema(
        responses={200: WebhookEndpointSerializer(many=True), **ERRORS},
        summary="The organization's webhook endpoints (a token of an owner; managed on the page)",
    )
    def get(self, request, version=None):
        endpoints = WebhookEndpoint.objects.visible_to(request.user)
        return Response(WebhookEndpointSerializer(endpoints, many=True).data)


class WebhookDeliveryListView(OrganizationView):
    @extend_schema(
        responses={200: WebhookDeliverySerializer(many=True), **ERRORS},
        summary="An endpoint's latest deliveries, each with its attempts",
    )
    def get(self, request, pk, version=None):
        endpoint = get_object_or_404(WebhookEndpoint.objects.visible_to(request.user), pk=pk)
        deliveries = webhooks.recent_deliveries(endpoint)
        return Response(WebhookDeliverySerializer(deliveries, many=True).data)
