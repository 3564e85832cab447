"""Sanctions by staff: fine (and paid), suspension, reinstatement, revocation. Each has a form,
a confirmation step, and changes nothing on bad input or for anyone but staff."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from applications.billing.models import BillingCode, BillingPayment
from certificates import services
from certificates.constants import CertificateState, SanctionKind
from certificates.models import Sanction
from tests.applications.billing_helpers import new_ntpn
from tests.applications.factories import pdf_upload
from tests.certificates.fine_payments import issue_fine_code, pay_fine
from tests.certificates.test_views import fresh, messages_of, quick_certificate  # noqa: F401
from tests.factories import StaffFactory

S = CertificateState


def days(n):
    return (timezone.localdate() + datetime.timedelta(days=n)).isoformat()


@pytest.fixture
def certificate(organization):
    return quick_certificate(organization)


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture
def suspended(certificate, staff_user):
    return services.certificate_suspend(
        certificate=certificate, actor=staff_user, reason="Unsolicited calls at night."
    )


def url(name, certificate, *args):
    return reverse(f"certificates:{name}", args=[certificate.pk, *args])


def confirm(data):
    return {**data, "confirm": "1"}


FINE = {"amount": "Rp 25.000.000", "due_date": days(30), "reason": "Late change report."}
SUSPEND = {"starts_on": days(0), "until": days(14), "reason": "Complaints confirmed."}
REVOKE = {"understood": "on", "reason": "Operating without the declared SOPs."}
REINSTATE = {"reason": "The company fixed its SOPs."}


# Fine --------------------------------------------------------------------------------------


def test_fine_form_shows_its_fields(staff_client, certificate):
    body = staff_client.get(url("fine", certificate)).content.decode()
    for name in ("amount", "due_date", "reason"):
        assert f'name="{name}"' in body


def test_a_valid_fine_is_shown_for_confirmation_first_and_nothing_is_recorded(
    staff_client, certificate
):
    response = staff_client.post(url("fine", certificate), FINE)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Rp 25.000.000" in body
    assert 'name="confirm" value="1"' in body
    assert not Sanction.objects.exists()


def test_a_confirmed_fine_is_recorded_in_rupiah(staff_client, certificate):
    response = staff_client.post(url("fine", certificate), confirm(FINE), follow=True)
    fine = Sanction.objects.get()
    assert (fine.kind, fine.amount) == (SanctionKind.FINE, 25_000_000)
    assert fine.due_date.isoformat() == FINE["due_date"]
    assert "fine has been imposed" in messages_of(response)
    assert "Rp 25.000.000" in response.content.decode()


@pytest.mark.parametrize(
    "field,value,error",
    [
        ("amount", "0", "more than Rp 0"),
        ("amount", "-5000", "more than Rp 0"),
        ("amount", "five million", "whole number"),
        ("due_date", days(-1), "after today"),
        ("due_date", days(0), "after today"),
        ("due_date", "", "required"),
        ("reason", "", "required"),
    ],
)
def test_bad_fine_input_shows_an_error_and_records_nothing(
    staff_client, certificate, field, value, error
):
    response = staff_client.post(url("fine", certificate), confirm({**FINE, field: value}))
    assert response.status_code == 200
    assert error in str(response.context["form"].errors[field])
    assert not Sanction.objects.exists()


def fine_form(**overrides):
    return {
        "ntpn": new_ntpn(),
        "ntb": "998877",
        "channel": "teller",
        "paid_at": (timezone.localtime() - datetime.timedelta(minutes=5)).strftime(
            "%Y-%m-%dT%H:%M"
        ),
        "receipt_scan": pdf_upload("receipt.pdf"),
        **overrides,
    }


@pytest.fixture
def open_fine(certificate, staff_user):
    fine = services.fine_impose(
        certificate=certificate,
        actor=staff_user,
        amount=1_500_000,
        due_date=timezone.localdate() + datetime.timedelta(days=10),
        reason="Late report.",
    )
    issue_fine_code(fine)
    return fine


def test_recording_a_fine_paid_asks_for_the_ntpn_and_a_scan(
    staff_client, certificate, open_fine, django_capture_on_commit_callbacks
):
    page = staff_client.get(url("fine_paid", certificate, open_fine.pk)).content.decode()
    assert "Rp 1.500.000" in page
    assert 'name="ntpn"' in page and 'name="receipt_scan"' in page
    assert 'enctype="multipart/form-data"' in page and 'name="confirm"' not in page
    assert fresh(open_fine).paid_at is None

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(url("fine_paid", certificate, open_fine.pk), fine_form())
    assert response.status_code == 302
    assert fresh(open_fine).paid_at is not None
    payment = BillingPayment.objects.get()
    assert payment.billing_code.sanction_id == open_fine.pk and payment.receipt_scan
    assert payment.receipt_pdf  # the receipt, as for a fine paid with its code

    again = staff_client.post(url("fine_paid", certificate, open_fine.pk), fine_form(), follow=True)
    assert "already recorded as paid" in messages_of(again)
    assert BillingPayment.objects.count() == 1


@pytest.mark.parametrize(
    "bad",
    [
        {"confirm": "1", "ntpn": "", "receipt_scan": ""},  # the old no-NTPN confirmation
        {"ntpn": "123"},
        {"ntpn": "ABCDEFGHIJKLMNO!"},
        {"receipt_scan": ""},
        {"paid_at": ""},
    ],
)
def test_a_fine_is_not_recorded_paid_without_a_valid_ntpn_and_scan(
    staff_client, certificate, open_fine, bad
):
    response = staff_client.post(url("fine_paid", certificate, open_fine.pk), fine_form(**bad))
    assert response.status_code == 400
    assert fresh(open_fine).paid_at is None
    assert not BillingPayment.objects.exists()


def test_a_fine_is_not_recorded_paid_with_an_ntpn_already_used(
    staff_client, certificate, open_fine, staff_user
):
    other = services.fine_impose(
        certificate=certificate,
        actor=staff_user,
        amount=700_000,
        due_date=timezone.localdate() + datetime.timedelta(days=10),
        reason="Another late report.",
    )
    used = pay_fine(other, staff_user)
    response = staff_client.post(
        url("fine_paid", certificate, open_fine.pk), fine_form(ntpn=used.ntpn)
    )
    assert response.status_code == 400
    assert "already recorded" in response.content.decode()
    assert fresh(open_fine).paid_at is None
    assert BillingPayment.objects.count() == 1


def test_a_fine_paid_after_its_code_expired_is_a_discrepancy_and_stays_open(
    staff_client, certificate, open_fine
):
    code = BillingCode.objects.get(sanction=open_fine)
    BillingCode.objects.filter(pk=code.pk).update(
        expires_at=timezone.now() - datetime.timedelta(hours=1)
    )
    response = staff_client.post(
        url("fine_paid", certificate, open_fine.pk), fine_form(), follow=True
    )
    assert "recorded as a discrepancy" in messages_of(response)
    assert fresh(open_fine).paid_at is None
    assert BillingPayment.objects.get().discrepancy_reason == "expired"


@pytest.mark.parametrize("who", ["applicant", "inspector"])
def test_only_staff_record_a_fine_paid(client, certificate, open_fine, who, request):
    client.force_login(request.getfixturevalue(who))
    response = client.post(url("fine_paid", certificate, open_fine.pk), fine_form())
    assert response.status_code in (403, 404)
    assert fresh(open_fine).paid_at is None
    assert not BillingPayment.objects.exists()


def test_marking_a_suspension_as_paid_is_not_found(staff_client, suspended):
    suspension = Sanction.objects.get(kind=SanctionKind.SUSPENSION)
    response = staff_client.post(url("fine_paid", suspended, suspension.pk), fine_form())
    assert response.status_code == 404


# Suspension and reinstatement ----------------------------------------------------------------


def test_a_confirmed_suspension_suspends_with_its_dates(staff_client, certificate):
    first = staff_client.post(url("suspend", certificate), SUSPEND)
    assert first.status_code == 200 and fresh(certificate).state == S.ACTIVE
    staff_client.post(url("suspend", certificate), confirm(SUSPEND))
    assert fresh(certificate).state == S.SUSPENDED
    suspension = Sanction.objects.get(kind=SanctionKind.SUSPENSION)
    assert suspension.starts_on.isoformat() == SUSPEND["starts_on"]
    assert suspension.ends_on.isoformat() == SUSPEND["until"]
    assert suspension.reason == SUSPEND["reason"]


@pytest.mark.parametrize(
    "changes,field",
    [
        ({"until": days(0)}, "until"),
        ({"until": days(-3)}, "until"),
        ({"starts_on": days(2), "until": days(10)}, "starts_on"),
        ({"starts_on": "not a date"}, "starts_on"),
        ({"reason": "   "}, "reason"),
    ],
)
def test_bad_suspension_input_changes_nothing(staff_client, certificate, changes, field):
    response = staff_client.post(url("suspend", certificate), confirm({**SUSPEND, **changes}))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert fresh(certificate).state == S.ACTIVE
    assert not Sanction.objects.exists()


def test_a_stale_suspension_is_refused_with_a_message(staff_client, certificate):
    services.certificate_suspend(
        certificate=certificate, actor=StaffFactory(), reason="Suspended by a colleague."
    )
    data = confirm({**SUSPEND, "expected_state": "active"})
    response = staff_client.post(url("suspend", certificate), data, follow=True)
    assert response.status_code == 200
    assert "changed by someone else" in messages_of(response)
    assert Sanction.objects.filter(kind=SanctionKind.SUSPENSION).count() == 1


def test_reinstatement_makes_the_certificate_active_again(staff_client, suspended):
    staff_client.post(url("reinstate", suspended), confirm(REINSTATE))
    assert fresh(suspended).state == S.ACTIVE
    assert Sanction.objects.filter(kind=SanctionKind.REINSTATEMENT).exists()


def test_reinstating_an_active_certificate_is_refused_with_a_message(staff_client, certificate):
    response = staff_client.post(url("reinstate", certificate), confirm(REINSTATE), follow=True)
    assert response.status_code == 200
    assert "not possible" in messages_of(response)
    assert not Sanction.objects.exists()


# Revocation --------------------------------------------------------------------------------


def test_revocation_form_warns_that_it_is_final(staff_client, certificate):
    body = staff_client.get(url("revoke", certificate)).content.decode()
    assert "cannot be undone" in body


def test_revocation_needs_the_box_ticked(staff_client, certificate):
    data = confirm({k: v for k, v in REVOKE.items() if k != "understood"})
    response = staff_client.post(url("revoke", certificate), data)
    assert "understood" in response.context["form"].errors
    assert fresh(certificate).state == S.ACTIVE


def test_confirmed_revocation_revokes_after_a_last_warning(staff_client, certificate):
    warning = staff_client.post(url("revoke", certificate), REVOKE).content.decode()
    assert "never be reinstated" in warning
    assert fresh(certificate).state == S.ACTIVE
    staff_client.post(url("revoke", certificate), confirm(REVOKE))
    assert fresh(certificate).state == S.REVOKED


def test_a_revoked_certificate_offers_no_more_actions(staff_client, certificate, staff_user):
    services.certificate_revoke(certificate=certificate, actor=staff_user, reason="Fraud.")
    body = staff_client.get(url("detail", certificate)).content.decode()
    assert url("suspend", certificate) not in body
    assert url("reinstate", certificate) not in body
    assert "No further action" in body


# Refused to everyone but staff ---------------------------------------------------------------


ACTIONS = [
    ("fine", FINE),
    ("suspend", SUSPEND),
    ("revoke", REVOKE),
]


@pytest.mark.parametrize("name,data", ACTIONS)
@pytest.mark.parametrize("who", ["applicant", "member", "outsider", "inspector", "no_role_user"])
def test_sanctions_are_refused_to_everyone_but_staff(client, request, certificate, name, data, who):
    client.force_login(request.getfixturevalue(who))
    response = client.post(url(name, certificate), confirm(data))
    assert response.status_code == 404
    assert fresh(certificate).state == S.ACTIVE
    assert not Sanction.objects.exists()


@pytest.mark.parametrize("name,data", ACTIONS)
def test_sanctions_by_anonymous_visitors_are_sent_to_log_in(client, certificate, name, data):
    response = client.post(url(name, certificate), confirm(data))
    assert response.status_code == 302
    assert fresh(certificate).state == S.ACTIVE
    assert not Sanction.objects.exists()


def test_reinstatement_is_refused_to_the_organization(client, applicant, suspended):
    client.force_login(applicant)
    response = client.post(url("reinstate", suspended), confirm(REINSTATE))
    assert response.status_code == 404
    assert fresh(suspended).state == S.SUSPENDED


def test_a_refusal_of_the_service_is_shown_on_the_form_and_changes_nothing(
    staff_client, certificate, monkeypatch
):
    # The form and the service check dates alike; should they ever differ (a date that turns
    # past midnight between the two), the service's refusal lands on the form, not in a 500.
    from django.core.exceptions import ValidationError

    def refuse(**kwargs):
        raise ValidationError({"until": "The suspension must end after today.", "other": "x"})

    monkeypatch.setattr(services, "certificate_suspend", refuse)
    response = staff_client.post(url("suspend", certificate), confirm(SUSPEND))
    assert response.status_code == 200
    form = response.context["form"]
    assert "The suspension must end after today." in str(form.errors["until"])
    assert "x" in str(form.non_field_errors())
    assert fresh(certificate).state == S.ACTIVE
