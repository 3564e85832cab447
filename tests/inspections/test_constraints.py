"""What the database itself refuses, whatever the Python code does."""

import threading

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import translation

from inspections import services
from inspections.models import Inspection
from inspections.services import SchedulingRefused
from tests.factories import InspectorFactory, StaffFactory
from tests.inspections.factories import awaiting_application, record_all, window

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="exclusion constraints and row locks need PostgreSQL"
)

pytestmark = pytest.mark.usefixtures("english")


def test_one_live_inspection_per_application(scheduled, other_inspector):
    start, end = window(days=5)
    duplicate = Inspection(
        application=scheduled.application,
        inspector=other_inspector,
        window_start=start,
        window_end=end,
        scheduled_by=scheduled.scheduled_by,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


def test_a_window_must_end_after_it_starts(awaiting, staff_user, inspector):
    start, end = window(days=5)
    inverted = Inspection(
        application=awaiting,
        inspector=inspector,
        window_start=end,
        window_end=start,
        scheduled_by=staff_user,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        inverted.save()


@postgresql_only
def test_postgresql_refuses_overlapping_windows_of_one_inspector(
    scheduled, applicant, staff_user, inspector
):
    other = awaiting_application(applicant.organization, staff=staff_user)
    clash = Inspection(
        application=other,
        inspector=inspector,
        window_start=scheduled.window_start,
        window_end=scheduled.window_end,
        scheduled_by=staff_user,
    )
    with pytest.raises(IntegrityError, match="inspections_no_overlap"), transaction.atomic():
        clash.save()


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_two_staff_booking_one_inspector_at_once_get_one_inspection():
    """Two threads book the same inspector for the same window at the same moment: the lock
    on the inspector's row serialises them, so exactly one succeeds and the other is told."""
    inspector, staff = InspectorFactory(), StaffFactory()
    applications = [awaiting_application(staff=staff) for _ in range(2)]
    start, end = window(days=3)
    barrier = threading.Barrier(2)
    outcomes = []

    def book(application):
        # Languages are per thread: refusals in English, like the rest of this module.
        with translation.override("en"):
            try:
                barrier.wait(timeout=10)
                services.inspection_schedule(
                    application=application,
                    actor=staff,
                    inspector=inspector,
                    window_start=start,
                    window_end=end,
                )
                outcomes.append("booked")
            except SchedulingRefused as refused:
                outcomes.append(refused.message)
            finally:
                connection.close()

    threads = [threading.Thread(target=book, args=(a,)) for a in applications]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert len(outcomes) == 2 and outcomes.count("booked") == 1
    (refusal,) = [o for o in outcomes if o != "booked"]
    assert "already has an inspection" in refusal
    assert Inspection.objects.filter(inspector=inspector).count() == 1


@postgresql_only
def test_postgresql_refuses_any_change_to_a_submitted_record(in_progress, inspector):
    from inspections.models import EvidencePhoto, Finding, Interview

    record_all(in_progress)
    services.findings_save_draft(
        inspection=in_progress,
        actor=inspector,
        interviews=[{"role": "Agent", "number_interviewed": 1}],
    )
    services.inspection_submit(inspection=in_progress, actor=inspector)
    finding = Finding.objects.filter(inspection=in_progress).first()

    attempts = [
        lambda: Finding.objects.filter(pk=finding.pk).update(result="major"),
        lambda: Interview.objects.filter(inspection=in_progress).delete(),
        lambda: Interview.objects.create(
            inspection=in_progress, role="Ghost", number_interviewed=1
        ),
        lambda: EvidencePhoto.objects.create(
            inspection=in_progress,
            file="inspections/evidence/x.jpg",
            original_name="x.jpg",
            size=1,
            sha256="0" * 64,
            content_type="image/jpeg",
            uploaded_by=inspector,
        ),
    ]
    for attempt in attempts:
        with pytest.raises(IntegrityError, match="locked"), transaction.atomic():
            attempt()
    assert Finding.objects.get(pk=finding.pk).result == "compliant"
    assert Interview.objects.filter(inspection=in_progress).count() == 1


@postgresql_only
def test_postgresql_lets_a_draft_change(in_progress):
    from inspections.models import Finding

    assert Finding.objects.filter(inspection=in_progress).update(note="Draft") == 5
