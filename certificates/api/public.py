"""Public endpoints, no account: verification, bulk check, the register and its daily file."""

import csv
import datetime
import hashlib
import io
import json

import django_filters
from django.core.cache import cache
from django.db.models import Max
from django.http import HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, quote_etag
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers
from rest_framework.decorators import (
    api_view,
    authentication_classes,
    permission_classes,
)
from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from certificates.api.serializers import (
    BulkVerifyRequestSerializer,
    BulkVerifyResponseSerializer,
    RegisterEntrySerializer,
    VerificationSerializer,
)
from certificates.api.throttling import PublicThrottle
from certificates.constants import REGISTRY_STATES, CertificateState, VerificationStatus
from certificates.models import Certificate
from certificates.services import JAKARTA, today
from certificates.verification import registry, verify_number
from registrasi.accounts.constants import Province

S = CertificateState


@extend_schema(exclude=True)
@api_view(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])
@authentication_classes([])
@permission_classes([AllowAny])
def not_found(request, *args, **kwargs):
    raise NotFound()


class PublicView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [PublicThrottle]


def _step(certificate, status, since):
    return {
        "number": certificate.number,
        "status": status,
        "status_label": str(VerificationStatus(status).label),
        "status_since": since,
        "holder": certificate.legal_name,
        "province": certificate.province,
        "province_name": certificate.get_province_display(),
        "issued_on": certificate.issued_on,
        "valid_from": certificate.effective_from,
        "expires_on": certificate.expires_on,
    }


def verification_data(result):
    """A verification result as the API gives it: the company as certified, no person."""
    first = result.chain[0] if result.chain else None
    in_force = None
    if result.was_replaced:
        last = result.chain[-1]
        in_force = _step(last.certificate, last.status, last.since)
    return {
        "number": result.number,
        "found": result.found,
        "status": result.status,
        "status_label": result.status_label,
        "certificate": _step(first.certificate, first.status, first.since) if first else None,
        "in_force": in_force,
    }


class VerifyView(PublicView):
    @extend_schema(
        responses={200: VerificationSerializer},
        summary="Verify one certificate by its number",
        auth=[],
    )
    def get(self, request, number, version=None):
        return Response(verification_data(verify_number(number)))


class BulkVerifyView(PublicView):
    @extend_schema(
        request=BulkVerifyRequestSerializer,
        responses={200: BulkVerifyResponseSerializer},
        summary="Verify up to 100 certificate numbers at once",
        auth=[],
    )
    def post(self, request, version=None):
        serializer = BulkVerifyRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        numbers = serializer.validated_data["numbers"]
        return Response({"results": [verification_data(verify_number(n)) for n in numbers]})


# The register ----------------------------------------------------------------------------
class RegisterFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(
        max_length=100, help_text=_("Part of the company name or certificate number.")
    )
    province = django_filters.ChoiceFilter(choices=Province.choices)
    state = django_filters.ChoiceFilter(
        choices=[(s.value, s.label) for s in CertificateState if s in REGISTRY_STATES]
    )

    class Meta:
        model = Certificate
        fields = []

    def filter_queryset(self, queryset):
        data = self.form.cleaned_data
        return registry(
            query=data.get("name") or "",
            province=data.get("province") or "",
            state=data.get("state") or "",
        )


class RegisterPagination(PageNumberPagination):
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100


class RegisterView(generics.ListAPIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [PublicThrottle]
    serializer_class = RegisterEntrySerializer
    pagination_class = RegisterPagination
    filterset_class = RegisterFilter
    filter_backends = [DjangoFilterBackend]

    def get_queryset(self):
        return registry()

    @extend_schema(
        summary="Search the public register",
        auth=[],
        responses={
            200: RegisterEntrySerializer(many=True),
            400: OpenApiResponse(description="Bad filter"),
            404: OpenApiResponse(description="No such page"),
        },
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


# The register as open data: one file a day --------------------------------------------------
OPEN_DATA_COLUMNS = (
    "number",
    "holder",
    "province",
    "province_name",
    "status",
    "issued_on",
    "expires_on",
)


def _last_modified(day):
    """When the register last changed: a state change, or a validity that ended since."""
    changed = Certificate.objects.aggregate(at=Max("state_changed_at"))["at"]
    lapsed = Certificate.objects.filter(
        state__in=(S.ACTIVE, S.SUSPENDED), expires_on__lt=day
    ).aggregate(on=Max("expires_on"))["on"]
    moments = [changed] if changed else []
    if lapsed:
        midnight = datetime.datetime.combine(lapsed + datetime.timedelta(days=1), datetime.time())
        moments.append(midnight.replace(tzinfo=JAKARTA))
    return max(moments) if moments else datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)


def open_data_rows():
    for certificate in registry().iterator(chunk_size=500):
        yield {
            "number": certificate.number,
            "holder": certificate.legal_name,
            "province": certificate.province,
            "province_name": certificate.get_province_display(),
            "status": certificate.public_status,
            "issued_on": certificate.issued_on.isoformat(),
            "expires_on": certificate.expires_on.isoformat(),
        }


def render_open_data(fmt, day) -> bytes:
    rows = list(open_data_rows())
    if fmt == "json":
        document = {"date": day.isoformat(), "columns": OPEN_DATA_COLUMNS, "entries": rows}
        return json.dumps(document, ensure_ascii=False).encode()
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=OPEN_DATA_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def open_data_file(fmt):
    """(body, etag, last_modified) of today's file, made once per change and day."""
    day = today()
    modified = _last_modified(day)
    key = f"api:open-data:{fmt}:{day.isoformat()}:{modified.isoformat()}"
    body = cache.get(key)
    if body is None:
        body = render_open_data(fmt, day)
        cache.set(key, body, 60 * 60 * 24)
    return body, quote_etag(hashlib.sha256(body).hexdigest()), modified.replace(microsecond=0)


class OpenDataEntrySerializer(serializers.Serializer):
    number = serializers.CharField()
    holder = serializers.CharField()
    province = serializers.CharField()
    province_name = serializers.CharField()
    status = serializers.CharField()
    issued_on = serializers.DateField()
    expires_on = serializers.DateField()


class OpenDataSerializer(serializers.Serializer):
    date = serializers.DateField()
    columns = serializers.ListField(child=serializers.CharField())
    entries = OpenDataEntrySerializer(many=True)


class OpenDataView(PublicView):
    fmt = "json"
    content_type = "application/json"

    def get(self, request, version=None):
        body, etag, modified = open_data_file(self.fmt)
        last_modified = int(modified.timestamp())
        response = get_conditional_response(
            request._request, etag=etag, last_modified=last_modified
        )
        if response is None:
            response = HttpResponse(body, content_type=f"{self.content_type}; charset=utf-8")
        response.headers["ETag"] = etag
        response.headers["Last-Modified"] = http_date(last_modified)
        response.headers["Cache-Control"] = "public, max-age=3600"
        return response


class OpenDataJsonView(OpenDataView):
    @extend_schema(
        summary="The register as open data (JSON), one file a day",
        responses={200: OpenDataSerializer, 304: OpenApiResponse(description="Not modified")},
        auth=[],
    )
    def get(self, request, version=None):
        return super().get(request, version)


class OpenDataCsvView(OpenDataView):
    fmt = "csv"
    content_type = "text/csv"

    @extend_schema(
        summary="The register as open data (CSV), one file a day",
        responses={
            (200, "text/csv"): OpenApiTypes.STR,
            304: OpenApiResponse(description="Not modified"),
        },
        auth=[],
    )
    def get(self, request, version=None):
        return super().get(request, version)
