"""The rate limits of the public certificate pages, read from settings at request time so a
deployment (or a test) can change them. The pages (certificates.views.public) and the public
page cache (certificates.public_cache, which counts a cached answer too) share them."""

from django.conf import settings


def public_rate(group, request):
    return getattr(settings, "CERTIFICATES_PUBLIC_RATE", "60/m")


def upload_rate(group, request):
    return getattr(settings, "CERTIFICATES_UPLOAD_RATE", "10/m")
