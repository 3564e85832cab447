import datetime

import pytest
import time_machine

from applications.constants import ApplicationState
from certificates import services
from certificates.constants import CertificateState
from certificates.numbers import check_number
from registrasi.audit.models import AuditEvent
from tests.certificates.factories import passed_application

pytestmark = pytest.mark.django_db


@pytest.fixture
def application(organization, staff_user):
    return passed_application(organization, staff=staff_user)


def test_it_issues_one_certificate_when_staff_approve(application, staff_user, organization):
    with time_machine.travel(datetime.datetime(2026, 3, 10, 20, 0, tzinfo=datetime.UTC)):
        certificate = services.application_approve(application=application, actor=staff_user)
    application.refresh_from_db()
    assert application.state == ApplicationState.APPROVED
    assert certificate.state == CertificateState.ACTIVE
    assert check_number(certificate.number) == certificate.number
    # 20:00 UTC is 03:00 the next day in Jakarta.
    assert certificate.issued_on == datetime.date(2026, 3, 11)
    assert certificate.expires_on == datetime.date(2031, 3, 10)
    assert certificate.organization == organization
    assert certificate.legal_name == application.company_legal_name or organization.legal_name
    assert certificate.nib == organization.nib
    assert AuditEvent.objects.for_object(certificate).get().action == "issue"
    assert AuditEvent.objects.for_object(application).filter(action="approve").count() == 1
