import datetime

import pytest
import time_machine

from certificates import services
from certificates.constants import CertificateState
from certificates.selectors import certificate_history, staff_certificates
from certificates.verification import registry
from registrasi.accounts.constants import Province
from tests.bulk import copies_of_certificate
from tests.certificates.factories import make_certificate
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db
S = CertificateState
REASON = "Repeated complaints about unsolicited calls."


def issue(count, staff, *, when=datetime.datetime(2026, 4, 1, 3, 0, tzinfo=datetime.UTC), **org):
    with time_machine.travel(when):
        return [
            make_certificate(organization=OrganizationFactory(**org), quick=True, staff=staff)
            for _ in range(count)
        ]


def issue_many(count, staff):
    """`count` certificates for the query counts: one issued through the services, the others
    copies of it (tests.bulk)."""
    (first,) = issue(1, staff)
    return [first, *copies_of_certificate(first, count - 1)]


@pytest.fixture
def mixed(staff_user):
    """One certificate per public state, plus a superseded one and its replacement."""
    active, suspended, revoked = issue(3, staff_user)
    (expired,) = issue(1, staff_user, when=datetime.datetime(2020, 4, 1, 3, tzinfo=datetime.UTC))
    services.certificate_suspend(certificate=suspended, actor=staff_user, reason=REASON)
    services.certificate_revoke(certificate=revoked, actor=staff_user, reason=REASON)
    assert services.certificates_expire() == 1
    with time_machine.travel(datetime.datetime(2026, 4, 1, 3, 0, tzinfo=datetime.UTC)):
        superseded = make_certificate(S.SUPERSEDED, quick=True, staff=staff_user)
    return {
        "active": active,
        "suspended": suspended,
        "revoked": revoked,
        "expired": expired,
        "superseded": superseded,
        "replacement": superseded.superseded_by.get(),
    }


def test_the_register_lists_certified_call_centers_but_not_superseded_certificates(mixed):
    listed = {row.number: row.public_status for row in registry()}
    assert mixed["superseded"].number not in listed
    assert listed == {
        mixed["active"].number: S.ACTIVE,
        mixed["suspended"].number: S.SUSPENDED,
        mixed["revoked"].number: S.REVOKED,
        mixed["expired"].number: S.EXPIRED,
        mixed["replacement"].number: S.ACTIVE,
    }


def test_the_register_filters_by_state_as_the_public_sees_it(staff_user):
    (certificate,) = issue(1, staff_user)
    assert list(registry(state=S.ACTIVE)) == [certificate]
    with time_machine.travel(datetime.datetime(2031, 4, 2, 3, 0, tzinfo=datetime.UTC)):
        # Past its last day and not yet scanned: listed as expired, not as active.
        assert list(registry(state=S.ACTIVE)) == []
        assert list(registry(state=S.EXPIRED)) == [certificate]
        assert registry().get().public_status == S.EXPIRED


def test_the_register_searches_by_name_or_number_in_any_shape(staff_user):
    (sinar,) = issue(1, staff_user, legal_name="PT Sinar Layanan Nusantara")
    (other,) = issue(1, staff_user, legal_name="PT Suara Pelanggan")
    assert list(registry(query="sinar layanan")) == [sinar]
    assert list(registry(query=other.number.lower().replace("-", " "))) == [other]
    assert list(registry(query=other.number.split("-")[3])) == [other]  # the serial alone
    assert list(registry(query="tidak ada")) == []


def test_the_register_filters_by_province(staff_user):
    (bali,) = issue(1, staff_user, province=Province.BALI)
    issue(1, staff_user, province=Province.DKI)
    assert list(registry(province=Province.BALI)) == [bali]


@pytest.mark.parametrize("rows", [5, 50])
def test_the_register_costs_one_query_per_page_and_one_count(
    staff_user, rows, django_assert_num_queries
):
    issue_many(rows, staff_user)
    queryset = registry()
    with django_assert_num_queries(1):
        assert queryset.count() == rows
    with django_assert_num_queries(1):
        page = list(queryset[:20])
        for row in page:
            _ = (row.number, row.legal_name, row.get_province_display(), row.get_state_display())
            _ = (row.issued_on, row.expires_on, row.state_changed_at, row.public_status)
    assert len(page) == min(rows, 20)


@pytest.mark.parametrize("rows", [5, 50])
def test_the_staff_list_costs_one_query_whatever_its_length(
    staff_user, rows, django_assert_num_queries
):
    issue_many(rows, staff_user)
    with django_assert_num_queries(1):
        listed = list(staff_certificates())
        for row in listed:
            _ = (row.number, row.organization.legal_name, row.get_state_display())
            _ = row.public_status
    assert len(listed) == rows


def test_the_staff_list_filters_by_state_and_province(staff_user):
    (jakarta,) = issue(1, staff_user, province=Province.DKI)
    (bandung,) = issue(1, staff_user, province=Province.JABAR)
    services.certificate_suspend(certificate=bandung, actor=staff_user, reason=REASON)
    assert list(staff_certificates(state=S.SUSPENDED)) == [bandung]
    assert list(staff_certificates(state=S.ACTIVE)) == [jakarta]
    assert list(staff_certificates(province=Province.JABAR)) == [bandung]
    assert set(staff_certificates(state="", province="")) == {jakarta, bandung}


def test_the_staff_list_finds_active_certificates_expiring_within_n_days(staff_user):
    (early,) = issue(1, staff_user, when=datetime.datetime(2026, 1, 10, 3, tzinfo=datetime.UTC))
    (late,) = issue(1, staff_user, when=datetime.datetime(2026, 6, 10, 3, tzinfo=datetime.UTC))
    (suspended,) = issue(1, staff_user, when=datetime.datetime(2026, 1, 5, 3, tzinfo=datetime.UTC))
    services.certificate_suspend(certificate=suspended, actor=staff_user, reason=REASON)
    # early expires 9 Jan 2031, late 9 Jun 2031.
    with time_machine.travel(datetime.datetime(2030, 12, 1, 3, tzinfo=datetime.UTC)):
        assert list(staff_certificates(expiring_within_days=60)) == [early]
        assert list(staff_certificates(expiring_within_days=30)) == []
        assert list(staff_certificates(expiring_within_days=365)) == [early, late]
    with time_machine.travel(datetime.datetime(2031, 1, 10, 3, tzinfo=datetime.UTC)):
        # Already past its last day: no longer "expiring".
        assert list(staff_certificates(expiring_within_days=365)) == [late]


def test_the_history_joins_the_audit_timeline_and_the_sanctions(staff_user):
    (certificate,) = issue(1, staff_user)
    fine = services.fine_impose(
        certificate=certificate,
        actor=staff_user,
        amount=2_000_000,
        due_date=services.today() + datetime.timedelta(days=14),
        reason=REASON,
    )
    services.certificate_suspend(certificate=certificate, actor=staff_user, reason=REASON)
    history = certificate_history(certificate)
    assert [entry.action for entry in history] == ["issue", "fine_impose", "suspend"]
    assert history.entries[1].sanction == fine
    assert history.entries[2].to_state == S.SUSPENDED and history.entries[2].note == REASON
    assert [s.kind for s in history.sanctions] == ["fine", "suspension"]
    assert all(entry.actor == staff_user for entry in history)


@pytest.mark.parametrize("fines", [5, 50])
def test_the_history_costs_two_queries_whatever_its_length(
    staff_user, fines, django_assert_num_queries
):
    (certificate,) = issue(1, staff_user)
    due = services.today() + datetime.timedelta(days=14)
    for n in range(fines):
        services.fine_impose(
            certificate=certificate,
            actor=staff_user,
            amount=100_000 + n,
            due_date=due,
            reason=REASON,
        )
    with django_assert_num_queries(2):  # events (actor joined), sanctions (author joined)
        history = certificate_history(certificate)
        for entry in history:
            _ = entry.actor and entry.actor.email
            _ = entry.sanction and entry.sanction.created_by.email
    assert len(history) == fines + 1
