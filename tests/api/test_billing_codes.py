"""Invoices and their billing codes through an organization token (read-only)."""

import pytest

from applications.billing.models import BillingCode, CodeStatus
from applications.constants import ApplicationState
from tests.applications.factories import make_application

pytestmark = pytest.mark.django_db


def test_the_organizations_invoices_carry_their_billing_codes(
    read_client, applicant, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        application = make_application(ApplicationState.SUBMITTED, created_by=applicant)
    code = BillingCode.objects.get(invoice__application=application)
    assert code.status == CodeStatus.ACTIVE  # issued by the (eager) billing task
    response = read_client.get("/api/v1/invoices/")
    assert response.status_code == 200
    [invoice] = response.json()
    assert invoice["application"] == application.pk
    [billing] = invoice["billing_codes"]
    assert billing["code"] == code.code
    assert billing["amount"] == code.amount == invoice["amount"]
    assert billing["status"] == "active" and billing["payable"] is True
    assert billing["expires_at"]
    per_application = read_client.get(f"/api/v1/applications/{application.pk}/invoices/")
    assert per_application.json() == [invoice]


def test_another_organization_sees_none_of_them(other_client, applicant):
    make_application(ApplicationState.SUBMITTED, created_by=applicant)
    assert other_client.get("/api/v1/invoices/").json() == []


def test_the_invoice_list_is_read_only(write_client):
    response = write_client.post("/api/v1/invoices/", {}, format="json")
    assert response.status_code == 405


def test_the_invoice_list_needs_a_token(api):
    assert api.get("/api/v1/invoices/").status_code == 401
