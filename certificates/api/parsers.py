"""Parsers that refuse an oversized body with 413 before reading all of it."""

from io import BytesIO

from django.conf import settings
from rest_framework import parsers

from certificates.api.errors import PayloadTooLarge

# Room for the multipart boundaries and the other fields around the file.
MULTIPART_OVERHEAD = 64 * 1024


def _declared_length(parser_context):
    request = parser_context["request"]
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


class LimitedJSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.API_MAX_JSON_BYTES
        if _declared_length(parser_context) > limit:
            raise PayloadTooLarge()
        body = stream.read(limit + 1) if stream is not None else b""
        if len(body) > limit:
            raise PayloadTooLarge()
        return super().parse(BytesIO(body), media_type, parser_context)


class LimitedMultiPartParser(parsers.MultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        if _declared_length(parser_context) > settings.MAX_UPLOAD_SIZE + MULTIPART_OVERHEAD:
            raise PayloadTooLarge()
        return super().parse(stream, media_type, parser_context)
