import pytest
from django.contrib.auth.models import AnonymousUser

from applications.models import Application
from inspections import services
from inspections.models import EvidencePhoto, Finding, Inspection, ScheduleChange
from tests.inspections.factories import jpeg_upload, make_inspection, on_planned_day, window


@pytest.fixture
def inspection(scheduled, staff_user):
    start, end = window(days=3)
    services.inspection_reschedule(
        inspection=scheduled, actor=staff_user, window_start=start, window_end=end, reason="x"
    )
    with on_planned_day(Inspection.objects.get(pk=scheduled.pk)):
        services.evidence_add(
            inspection=scheduled, actor=scheduled.inspector, uploaded_file=jpeg_upload()
        )
    return scheduled


@pytest.mark.parametrize("who", ["staff_user", "inspector", "applicant", "member"])
def test_these_people_see_the_inspection_and_its_parts(who, inspection, request):
    user = request.getfixturevalue(who)
    assert list(Inspection.objects.visible_to(user)) == [inspection]
    assert Finding.objects.visible_to(user).count() == 5
    assert EvidencePhoto.objects.visible_to(user).count() == 1
    assert ScheduleChange.objects.visible_to(user).count() == 1


@pytest.mark.parametrize("who", ["other_inspector", "outsider", "no_role_user"])
def test_everyone_else_sees_nothing(who, inspection, request):
    user = request.getfixturevalue(who)
    assert not Inspection.objects.visible_to(user).exists()
    assert not Finding.objects.visible_to(user).exists()
    assert not EvidencePhoto.objects.visible_to(user).exists()
    assert not ScheduleChange.objects.visible_to(user).exists()


def test_an_anonymous_visitor_sees_nothing(inspection):
    assert not Inspection.objects.visible_to(AnonymousUser()).exists()
    assert not EvidencePhoto.objects.visible_to(AnonymousUser()).exists()


def test_an_inspector_sees_only_their_own_among_many(
    inspection, staff_user, inspector, other_inspector
):
    theirs = make_inspection(staff=staff_user, inspector=other_inspector)
    assert list(Inspection.objects.visible_to(inspector)) == [inspection]
    assert list(Inspection.objects.visible_to(other_inspector)) == [theirs]
    assert Inspection.objects.visible_to(staff_user).count() == 2


def test_the_assigned_inspector_sees_the_application(inspection, inspector, other_inspector):
    assert list(Application.objects.visible_to(inspector)) == [inspection.application]
    assert not Application.objects.visible_to(other_inspector).exists()
