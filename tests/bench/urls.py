"""The project's URLs and /bench/hello/: a bare Django view (the throughput baseline), through
the same middleware as every page."""

from django.http import HttpResponse
from django.urls import path

from registrasi.urls import urlpatterns as project_urls


def hello(request):
    return HttpResponse(b"hello", content_type="text/plain")


urlpatterns = [path("bench/hello/", hello), *project_urls]
