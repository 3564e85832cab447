"""Settings of the gunicorn the throughput bench starts (tests/bench/throughput.py): the
project's own, plus a bare Django view to compare with and a public rate limit high enough
not to answer the load with 429."""

from registrasi.settings import *  # noqa: F403

ROOT_URLCONF = "tests.bench.urls"
CERTIFICATES_PUBLIC_RATE = "100000000/m"
