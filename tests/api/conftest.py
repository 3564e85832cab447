import pytest
from rest_framework.test import APIClient

from certificates.api import tokens
from certificates.api.models import TokenScope
from tests.certificates.conftest import signing_key, signing_pair  # noqa: F401


@pytest.fixture
def api():
    return APIClient()


def make_token(owner, scope=TokenScope.WRITE, days=30, name="ERP"):
    return tokens.token_create(
        organization=owner.organization, actor=owner, name=name, scope=scope, days=days
    )


def client_for(secret):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


@pytest.fixture
def write_client(applicant):
    return client_for(make_token(applicant).secret)


@pytest.fixture
def read_client(applicant):
    return client_for(make_token(applicant, scope=TokenScope.READ).secret)


@pytest.fixture
def other_client(outsider):
    return client_for(make_token(outsider).secret)
