"""schemathesis against the live schema, through the WSGI app, inside the test database.

Every operation (public and token) gets a bounded number of generated requests, with a
seeded write token of an organization that has a draft, an application with an invoice and
a certificate with its PDF: no answer may be a 5xx, and every answer must match the schema
(status code, content type, body, headers), and schema-invalid input must be refused.

Schema-valid input may still be refused (400): the portal refuses what a schema cannot say,
such as NUL, control or invisible characters in names and addresses, or a file whose content
is not what its name claims. So schemathesis's "positive data acceptance" check is left out.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from applications.constants import ApplicationState
from tests.api.conftest import make_token
from tests.applications.factories import make_application
from tests.certificates.factories import make_certificate, render_pdf_now

MAX_EXAMPLES = 6


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """The raw WSGI app closes database connections at the start and end of each request
    (Django's test client switches that off); on PostgreSQL that would close the test's own
    transaction. Keep it open, as the test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def seeded_token(db, applicant, settings):
    # Generous rates: the fuzzer's requests must not be cut short by the throttle.
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"public": "100000/min", "token": "100000/min"},
    }
    make_application(created_by=applicant)
    make_application(ApplicationState.SUBMITTED, created_by=applicant)
    render_pdf_now(make_certificate(quick=True, organization=applicant.organization))
    return make_token(applicant).secret


def _operations():
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())
    return [result.ok() for result in schema.get_all_operations()]


def _fuzz(operation, mode, headers):
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    def run(case):
        case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])

    run()


def test_every_operation_matches_its_schema(seeded_token):
    # (schemathesis's own pytest loader, from_fixture, does not run under pytest 9, so the
    # operations are driven here with Hypothesis directly.)
    operations = _operations()
    assert len(operations) >= 14
    headers = {"Authorization": f"Bearer {seeded_token}"}
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        for operation in operations:
            try:
                _fuzz(operation, mode, headers)
            except Unsatisfiable:
                # An operation without parameters or body has no invalid request to make.
                assert mode == GenerationMode.NEGATIVE, operation.label
