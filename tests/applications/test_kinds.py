"""One declaration per application kind (applications.kinds): every rule that differs by kind
is read from it, and a change report's inspection also confirms what changed."""

import dataclasses
import datetime

import pytest
from django.urls import reverse

from applications import kinds, services
from applications.constants import ApplicationKind
from applications.fees import quote_for
from applications.models import Application
from certificates import keeping
from inspections.constants import Requirement, requirements_for
from registrasi.accounts.constants import Province
from tests.applications.factories import pay_invoice, review_all_documents
from tests.certificates.factories import make_certificate
from tests.inspections.factories import make_inspection


def test_every_kind_has_one_declaration():
    assert sorted(kinds.KINDS) == sorted(ApplicationKind.values)
    assert [kind.value for kind in kinds.FOLLOW_UP_KINDS] == ["change", "renewal"]
    assert kinds.RENEWING == ("renewal",)


@pytest.mark.parametrize(
    ("kind", "displayed", "changes"),
    [("new", False, False), ("change", True, True), ("renewal", True, False)],
)
def test_the_inspection_checks_what_the_kind_declares(kind, displayed, changes):
    checklist = requirements_for(kind)

    assert (Requirement.CERTIFICATE_DISPLAYED in checklist) is displayed
    assert (Requirement.REPORTED_CHANGES in checklist) is changes
    assert Requirement.DECLARED_FACTS in checklist


@pytest.mark.django_db
def test_the_fee_rule_is_read_from_the_declaration(monkeypatch):
    change = Application(kind=ApplicationKind.CHANGE)
    assert quote_for(change).lines[0][0].startswith("Change report")

    # A kind that did not pay the flat fee would be priced by size (here: incomplete).
    monkeypatch.setitem(
        kinds.KINDS, ApplicationKind.CHANGE, dataclasses.replace(kinds.CHANGE, flat_fee=False)
    )
    assert quote_for(Application(kind=ApplicationKind.CHANGE)).missing


@pytest.mark.parametrize(
    ("kind", "issued", "basis_expires", "expected"),
    [
        ("new", datetime.date(2026, 6, 10), None, (None, datetime.date(2031, 6, 9))),
        (
            "change",
            datetime.date(2027, 6, 1),
            datetime.date(2031, 3, 31),
            (None, datetime.date(2031, 3, 31)),
        ),
        (
            "renewal",
            datetime.date(2030, 11, 2),
            datetime.date(2031, 3, 31),
            (datetime.date(2031, 4, 1), datetime.date(2036, 3, 31)),
        ),
        (
            "renewal",
            datetime.date(2031, 5, 4),
            datetime.date(2031, 3, 31),
            (None, datetime.date(2036, 5, 3)),
        ),
    ],
)
def test_each_kind_dates_its_certificate(kind, issued, basis_expires, expected):
    basis = None if basis_expires is None else type("Basis", (), {"expires_on": basis_expires})
    assert kinds.KINDS[kind].dates(issued, basis) == expected


def test_a_29_february_certificate_ends_on_28_february():
    assert kinds.validity_end(datetime.date(2028, 2, 29)) == datetime.date(2033, 2, 28)


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["new", "transfer"])
def test_only_kinds_started_from_a_certificate_have_a_start_page(client, applicant, kind):
    certificate = make_certificate(organization=applicant.organization, quick=True)
    client.force_login(applicant)

    url = reverse("certificates:start_follow_up", args=[certificate.pk, kind])

    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert not Application.objects.filter(basis_certificate=certificate).exists()


@pytest.mark.django_db
def test_the_inspector_sees_what_a_change_report_changes(client, applicant, staff_user, inspector):
    certificate = make_certificate(organization=applicant.organization, quick=True)
    change = keeping.application_start_change(certificate=certificate, actor=applicant)
    services.application_update_details(
        application=change, actor=applicant, data={"agent_seats": 77}
    )
    sites = [{"address": "Jl. Sudirman 1", "province": Province.DKI, "agent_seats": 77}]
    services.application_set_sites(application=change, actor=applicant, sites=sites)
    services.application_submit(application=change, actor=applicant)
    services.application_start_review(application=change, actor=staff_user)
    review_all_documents(change, staff_user)
    services.application_accept(application=change, actor=staff_user)
    pay_invoice(change, staff_user)
    inspection = make_inspection(
        application=Application.objects.get(pk=change.pk), staff=staff_user, inspector=inspector
    )
    client.force_login(inspector)

    html = client.get(reverse("inspections:detail", args=[inspection.pk])).content.decode()

    assert 'id="changes"' in html
    assert "<td>77</td>" in html
    assert str(Requirement.REPORTED_CHANGES.label) in html
