"""registrasi.services.model_update: set and save only the fields whose value changed."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from applications.models import Application
from registrasi.services import model_update
from tests.applications.factories import ApplicationFactory


def test_saves_only_the_changed_fields_and_says_what_changed(db, applicant, organization):
    application = ApplicationFactory(organization=organization, created_by=applicant)
    old_name = application.company_legal_name
    with CaptureQueriesContext(connection) as queries:
        updated, changes = model_update(
            instance=application,
            data={"company_legal_name": "PT Baru", "company_address": application.company_address},
        )
    assert updated is application
    assert changes == {"company_legal_name": (old_name, "PT Baru")}
    assert len(queries) == 1
    sql = queries[0]["sql"]
    assert "company_legal_name" in sql and "updated_at" in sql and "company_address" not in sql
    assert Application.objects.get(pk=application.pk).company_legal_name == "PT Baru"


def test_nothing_changed_saves_nothing(db, applicant, organization):
    application = ApplicationFactory(organization=organization, created_by=applicant)
    with CaptureQueriesContext(connection) as queries:
        _same, changes = model_update(
            instance=application,
            data={"company_legal_name": application.company_legal_name, "agent_seats": 99},
            fields=["company_legal_name"],
        )
    assert changes == {}
    assert queries.captured_queries == []
    assert application.agent_seats != 99  # not among `fields`: left as it is
