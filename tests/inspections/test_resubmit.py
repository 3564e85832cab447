import pytest

from applications.constants import ApplicationState
from inspections import services
from inspections.constants import InspectionState
from inspections.selectors import inspections_for_application
from inspections.services import NotAllowed, StaleState
from tests.inspections.factories import make_inspection, on_planned_day, record_all, window

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def failed(awaiting, staff_user, inspector):
    return make_inspection("failed", application=awaiting, staff=staff_user, inspector=inspector)


def test_a_member_resubmits_after_a_failure(failed, member):
    application = services.application_resubmit(
        application=failed.application, actor=member, note="Deed registered with OSS."
    )
    assert application.state == ApplicationState.AWAITING_INSPECTION


@pytest.mark.parametrize("who", ["outsider", "staff_user", "inspector", "no_role_user"])
def test_only_members_resubmit(who, failed, request):
    with pytest.raises(NotAllowed):
        services.application_resubmit(
            application=failed.application, actor=request.getfixturevalue(who)
        )
    failed.application.refresh_from_db()
    assert failed.application.state == ApplicationState.INSPECTION_FAILED


def test_resubmission_is_refused_from_other_states(awaiting, applicant, staff_user, inspector):
    with pytest.raises(NotAllowed, match="Awaiting inspection"):
        services.application_resubmit(application=awaiting, actor=applicant)

    scheduled = make_inspection(application=awaiting, staff=staff_user, inspector=inspector)
    with pytest.raises(NotAllowed):
        services.application_resubmit(application=scheduled.application, actor=applicant)

    record_all(scheduled)
    services.inspection_submit(inspection=scheduled, actor=inspector)
    with pytest.raises(NotAllowed, match="Inspection passed"):
        services.application_resubmit(application=scheduled.application, actor=applicant)


def test_resubmit_refuses_a_stale_page(failed, applicant):
    with pytest.raises(StaleState):
        services.application_resubmit(
            application=failed.application, actor=applicant, expected_state="returned"
        )


def test_after_resubmission_a_new_inspection_is_scheduled_and_history_kept(
    failed, applicant, staff_user, other_inspector
):
    services.application_resubmit(application=failed.application, actor=applicant)
    start, end = window(days=10)
    second = services.inspection_schedule(
        application=failed.application,
        actor=staff_user,
        inspector=other_inspector,
        window_start=start,
        window_end=end,
    )
    with on_planned_day(second):
        record_all(second)
        services.inspection_submit(inspection=second, actor=other_inspector)

    history = list(inspections_for_application(application=failed.application))
    assert [i.state for i in history] == [InspectionState.PASSED, InspectionState.FAILED]
    assert history[1].corrective_actions
    assert history[1].findings.filter(result="major").exists()
    failed.application.refresh_from_db()
    assert failed.application.state == ApplicationState.INSPECTION_PASSED
