"""Races that only a real database shows: two staff approving at once, two renders at once.

They need PostgreSQL (row locks with SKIP LOCKED; SQLite serializes whole transactions) and
transactional_db (each thread commits on its own connection)."""

import threading
from unittest import mock

import pytest
from django.db import connection, connections

from applications.constants import ApplicationState
from applications.models import Application
from certificates import services
from certificates.models import Certificate
from registrasi.services import ServiceError
from tests.certificates.factories import make_certificate, quick_passed_application
from tests.factories import StaffFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL row locks (DATABASE_URL)"
    ),
]


def run_in_threads(*functions):
    """Run each function in its own thread (own connection); return results or exceptions."""
    results = [None] * len(functions)

    def runner(index, function):
        try:
            results[index] = function()
        except Exception as exc:  # collected for the test to look at
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=runner, args=(i, f)) for i, f in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_two_staff_approving_at_once_issue_exactly_one_certificate():
    application = quick_passed_application()
    first, second = StaffFactory(), StaffFactory()
    inside = threading.Barrier(2, timeout=30)

    def approve(actor):
        def go():
            inside.wait()  # both start together; one of them gets the row lock first
            return services.application_approve(
                application=Application.objects.get(pk=application.pk),
                actor=actor,
                expected_state=ApplicationState.INSPECTION_PASSED,
            )

        return go

    results = run_in_threads(approve(first), approve(second))
    issued = [r for r in results if isinstance(r, Certificate)]
    refused = [r for r in results if isinstance(r, ServiceError)]
    assert len(issued) == 1 and len(refused) == 1, results
    assert Certificate.objects.filter(application=application).count() == 1
    assert Application.objects.get(pk=application.pk).state == ApplicationState.APPROVED


def test_the_second_approval_waits_for_the_first_and_is_refused():
    """Deterministic order: the first approval holds the row lock until told to finish."""
    application = quick_passed_application()
    first, second = StaffFactory(), StaffFactory()
    holding, release = threading.Event(), threading.Event()
    real_next_number = services._next_number

    def next_number_then_wait(issued_on):
        number = real_next_number(issued_on)
        if threading.current_thread().name == "first":
            holding.set()
            release.wait(timeout=30)
        return number

    results = {}

    def approve(name, actor):
        try:
            results[name] = services.application_approve(
                application=Application.objects.get(pk=application.pk), actor=actor
            )
        except Exception as exc:
            results[name] = exc
        finally:
            connections.close_all()

    with mock.patch.object(services, "_next_number", side_effect=next_number_then_wait):
        one = threading.Thread(target=approve, args=("first", first), name="first")
        one.start()
        assert holding.wait(timeout=30)
        two = threading.Thread(target=approve, args=("second", second), name="second")
        two.start()
        two.join(timeout=1)
        assert two.is_alive()  # blocked on the application's row lock
        release.set()
        one.join(timeout=30)
        two.join(timeout=30)
    assert isinstance(results["first"], Certificate)
    assert isinstance(results["second"], ServiceError)
    assert Certificate.objects.filter(application=application).count() == 1


def test_a_render_started_while_another_runs_leaves_without_rendering():
    # Outside a test transaction on_commit runs at once: keep the approval from rendering.
    with mock.patch("certificates.tasks.render_certificate_pdf.delay"):
        certificate = make_certificate(quick=True)
    assert not certificate.pdf
    rendering, release = threading.Event(), threading.Event()
    from certificates import signing

    real_render = signing.render_certificate
    calls = []

    def slow_render(cert):
        calls.append(threading.current_thread().name)
        rendering.set()
        release.wait(timeout=30)
        return real_render(cert)

    outcome = {}

    def first():
        try:
            outcome["first"] = services.certificate_render_pdf(certificate_id=certificate.pk)
        finally:
            connections.close_all()

    with mock.patch.object(signing, "render_certificate", side_effect=slow_render):
        thread = threading.Thread(target=first, name="first")
        thread.start()
        assert rendering.wait(timeout=30)
        # A second run (another worker, a redelivered message) while the first holds the row.
        outcome["second"] = services.certificate_render_pdf(certificate_id=certificate.pk)
        release.set()
        thread.join(timeout=60)
    assert outcome == {"first": "rendered", "second": "busy"}
    assert calls == ["first"]
    certificate.refresh_from_db()
    assert certificate.pdf and certificate.render_attempts == 1
    assert services.certificate_render_pdf(certificate_id=certificate.pk) == "exists"


def test_two_staff_approving_the_change_of_a_sanctioned_certificate_issue_one_suspended():
    """Issue 9: whichever approval wins, exactly one successor exists, suspended, with the
    fine moved to it once."""
    import datetime

    from certificates.constants import CertificateState, SanctionKind
    from certificates.keeping import application_start_change
    from certificates.sanctions import sanctions_in_force
    from tests.certificates.factories import pass_through_transitions

    with mock.patch("certificates.tasks.render_certificate_pdf.delay"):
        basis = make_certificate(quick=True)
    staff = StaffFactory()
    services.certificate_suspend(certificate=basis, actor=staff, reason="No consent records.")
    services.fine_impose(
        certificate=basis,
        actor=staff,
        amount=25_000_000,
        due_date=services.today() + datetime.timedelta(days=30),
        reason="Calls at night.",
    )
    applicant = basis.organization.memberships.order_by("pk").first().user
    change = application_start_change(certificate=basis, actor=applicant)
    change = pass_through_transitions(change, staff=staff)
    token = sanctions_in_force(basis).token
    first, second = StaffFactory(), StaffFactory()
    inside = threading.Barrier(2, timeout=30)

    def approve(actor):
        def go():
            inside.wait()
            return services.application_approve(
                application=Application.objects.get(pk=change.pk),
                actor=actor,
                expected_state=ApplicationState.INSPECTION_PASSED,
                sanctions_confirmed=token,
            )

        return go

    results = run_in_threads(approve(first), approve(second))
    issued = [r for r in results if isinstance(r, Certificate)]
    refused = [r for r in results if isinstance(r, ServiceError)]
    assert len(issued) == 1 and len(refused) == 1, results
    successors = Certificate.objects.filter(supersedes=basis)
    assert successors.count() == 1
    successor = successors.get()
    assert successor.state == CertificateState.SUSPENDED
    assert successor.sanctions.filter(kind=SanctionKind.SUSPENSION).count() == 1
    assert successor.sanctions.filter(kind=SanctionKind.FINE, paid_at__isnull=True).count() == 1
    assert Certificate.objects.get(pk=basis.pk).state == CertificateState.SUPERSEDED
