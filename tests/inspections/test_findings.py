import pytest
from django.core.exceptions import ValidationError

from applications.constants import ApplicationState
from inspections import services
from inspections.constants import FindingResult, InspectionState, Requirement
from inspections.models import Finding, Interview
from inspections.services import NotAllowed, ServiceError, StaleState
from registrasi.audit.models import AuditEvent
from tests.inspections.factories import make_inspection, record_all

pytestmark = pytest.mark.usefixtures("english")

C, MINOR, MAJOR = FindingResult.COMPLIANT, FindingResult.MINOR, FindingResult.MAJOR


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


def results(inspection):
    return {
        f.requirement: (f.result, f.note) for f in Finding.objects.filter(inspection=inspection)
    }


def save(inspection, actor=None, **kwargs):
    return services.findings_save_draft(
        inspection=inspection, actor=actor or inspection.inspector, **kwargs
    )


# Drafts ----------------------------------------------------------------------------------
def test_the_first_draft_starts_the_inspection(scheduled, inspector):
    save(scheduled, findings={Requirement.SOPS: {"result": C}})

    inspection = fresh(scheduled)
    assert inspection.state == InspectionState.IN_PROGRESS
    assert inspection.started_at is not None
    assert AuditEvent.objects.for_object(inspection).filter(action="start").exists()


def test_partial_drafts_merge_and_never_wipe(scheduled):
    save(scheduled, findings={Requirement.SOPS: {"result": MINOR, "note": "Not signed"}})
    save(scheduled, findings={Requirement.DATA_PROTECTION: {"result": C}})
    save(scheduled, findings={Requirement.SOPS: {"note": "Not signed by the director"}})
    save(scheduled, corrective_actions="Sign the SOPs")
    save(scheduled, interviews=[{"role": "Agent", "number_interviewed": 3, "notes": "Trained"}])
    save(scheduled, findings={Requirement.AGENT_TRAINING: {"result": C}})

    found = results(scheduled)
    assert found[Requirement.SOPS] == (MINOR, "Not signed by the director")
    assert found[Requirement.DATA_PROTECTION] == (C, "")
    assert found[Requirement.AGENT_TRAINING] == (C, "")
    assert found[Requirement.BUSINESS_ENTITY] == ("", "")
    inspection = fresh(scheduled)
    assert inspection.corrective_actions == "Sign the SOPs"
    assert [(i.role, i.number_interviewed) for i in inspection.interviews.all()] == [("Agent", 3)]


def test_saving_the_same_draft_twice_changes_nothing(scheduled):
    data = dict(
        findings={Requirement.SOPS: {"result": MINOR, "note": "Old version"}},
        interviews=[
            {"role": "Supervisor", "number_interviewed": 1, "notes": ""},
            {"role": "Agent", "number_interviewed": "4", "notes": "Knew the script"},
        ],
        corrective_actions="Update the SOP",
    )
    save(scheduled, **data)
    first = (
        results(scheduled),
        list(Interview.objects.values()),
        fresh(scheduled).corrective_actions,
    )
    save(scheduled, **data)
    second = (
        results(scheduled),
        list(Interview.objects.values()),
        fresh(scheduled).corrective_actions,
    )

    assert first == second
    assert Interview.objects.count() == 2


def test_the_interview_list_replaces_the_previous_one(scheduled):
    save(
        scheduled,
        interviews=[
            {"role": "Supervisor", "number_interviewed": 1},
            {"role": "Agent", "number_interviewed": 5},
        ],
    )
    save(scheduled, interviews=[{"role": "Quality officer", "number_interviewed": 2}, {}])

    assert [(i.role, i.number_interviewed) for i in fresh(scheduled).interviews.all()] == [
        ("Quality officer", 2)
    ]


def test_a_result_can_be_cleared_while_a_draft(scheduled):
    save(scheduled, findings={Requirement.SOPS: {"result": MAJOR}})
    save(scheduled, findings={Requirement.SOPS: {"result": ""}})
    assert results(scheduled)[Requirement.SOPS] == ("", "")


def test_it_refuses_an_unknown_result_or_requirement(scheduled):
    with pytest.raises(ValidationError):
        save(scheduled, findings={Requirement.SOPS: {"result": "excellent"}})
    with pytest.raises(ValidationError):
        save(scheduled, findings={"coffee_quality": {"result": C}})
    # A new company has no certificate to display yet.
    with pytest.raises(ValidationError):
        save(scheduled, findings={Requirement.CERTIFICATE_DISPLAYED: {"result": C}})
    assert all(result == "" for result, _note in results(scheduled).values())


def test_it_refuses_an_interview_without_role_or_people(scheduled):
    with pytest.raises(ValidationError, match="role"):
        save(scheduled, interviews=[{"role": "", "number_interviewed": 2, "notes": "x"}])
    with pytest.raises(ValidationError, match="at least one"):
        save(scheduled, interviews=[{"role": "Agent", "number_interviewed": 0}])
    assert not Interview.objects.exists()


# Outcome ---------------------------------------------------------------------------------
def test_all_compliant_passes(in_progress):
    record_all(in_progress)
    passed = services.inspection_submit(inspection=in_progress, actor=in_progress.inspector)

    assert passed.state == InspectionState.PASSED
    assert passed.submitted_at is not None
    assert fresh(in_progress.application).state == ApplicationState.INSPECTION_PASSED


def test_minor_non_compliances_only_pass(in_progress):
    record_all(in_progress, minors=[Requirement.SOPS, Requirement.AGENT_TRAINING])
    passed = services.inspection_submit(inspection=in_progress, actor=in_progress.inspector)

    assert passed.state == InspectionState.PASSED
    assert fresh(in_progress.application).state == ApplicationState.INSPECTION_PASSED


def test_any_major_non_compliance_fails(in_progress):
    record_all(in_progress, majors=[Requirement.DATA_PROTECTION])
    save(in_progress, corrective_actions="Encrypt call recordings and restrict access.")
    failed = services.inspection_submit(inspection=in_progress, actor=in_progress.inspector)

    assert failed.state == InspectionState.FAILED
    assert failed.corrective_actions == "Encrypt call recordings and restrict access."
    application = fresh(in_progress.application)
    assert application.state == ApplicationState.INSPECTION_FAILED
    event = AuditEvent.objects.for_object(application).get(action="record_fail")
    assert event.note == "Encrypt call recordings and restrict access."


def test_a_failure_without_corrective_actions_is_refused(in_progress):
    record_all(in_progress, majors=[Requirement.SOPS])
    with pytest.raises(ServiceError, match="corrective actions"):
        services.inspection_submit(inspection=in_progress, actor=in_progress.inspector)

    assert fresh(in_progress).state == InspectionState.IN_PROGRESS
    assert fresh(in_progress.application).state == ApplicationState.INSPECTION_SCHEDULED


def test_missing_results_are_refused_and_named(in_progress):
    save(in_progress, findings={Requirement.BUSINESS_ENTITY: {"result": C}})
    with pytest.raises(ServiceError) as refused:
        services.inspection_submit(inspection=in_progress, actor=in_progress.inspector)

    assert "SOPs written and followed" in refused.value.message
    assert "Business entity" not in refused.value.message
    assert fresh(in_progress).state == InspectionState.IN_PROGRESS


def test_a_submission_straight_from_scheduled_starts_it_first(scheduled):
    record_all(scheduled)  # starts it
    passed = services.inspection_submit(inspection=fresh(scheduled), actor=scheduled.inspector)
    assert passed.state == InspectionState.PASSED
    actions = list(AuditEvent.objects.for_object(scheduled).values_list("action", flat=True))
    assert actions == ["schedule", "start", "findings_saved", "submit_pass"]


def test_submit_refuses_a_stale_page(in_progress):
    record_all(in_progress)
    with pytest.raises(StaleState):
        services.inspection_submit(
            inspection=in_progress, actor=in_progress.inspector, expected_state="scheduled"
        )


# Locking ---------------------------------------------------------------------------------
@pytest.fixture
def submitted(in_progress):
    record_all(in_progress, minors=[Requirement.SOPS])
    save(in_progress, interviews=[{"role": "Agent", "number_interviewed": 2}])
    return services.inspection_submit(inspection=in_progress, actor=in_progress.inspector)


def snapshot(inspection):
    inspection = fresh(inspection)
    return (
        inspection.state,
        inspection.submitted_at,
        inspection.corrective_actions,
        results(inspection),
        list(inspection.interviews.values()),
        fresh(inspection.application).state,
        AuditEvent.objects.count(),
    )


def test_findings_cannot_change_after_submission(submitted):
    before = snapshot(submitted)
    with pytest.raises(NotAllowed, match="can no longer change"):
        save(submitted, findings={Requirement.SOPS: {"result": MAJOR, "note": "Changed my mind"}})
    with pytest.raises(NotAllowed, match="can no longer change"):
        save(submitted, corrective_actions="Something else")
    with pytest.raises(NotAllowed, match="can no longer change"):
        save(submitted, interviews=[])
    assert snapshot(submitted) == before


def test_a_second_submission_is_refused_and_changes_nothing(submitted):
    before = snapshot(submitted)
    with pytest.raises(NotAllowed) as refused:
        services.inspection_submit(inspection=submitted, actor=submitted.inspector)
    assert "Passed" in refused.value.message
    assert snapshot(submitted) == before


def test_nothing_can_be_recorded_on_a_cancelled_inspection(scheduled, staff_user):
    services.inspection_cancel(inspection=scheduled, actor=staff_user, reason="x")
    with pytest.raises(NotAllowed, match="Cancelled"):
        save(scheduled, findings={Requirement.SOPS: {"result": C}})
    with pytest.raises(NotAllowed, match="Cancelled"):
        services.inspection_submit(inspection=scheduled, actor=scheduled.inspector)


# Who may record --------------------------------------------------------------------------
ACTORS = ["other_inspector", "staff_user", "applicant", "member", "outsider", "no_role_user"]


@pytest.mark.parametrize("who", ACTORS)
def test_only_the_assigned_inspector_records_findings(who, scheduled, request):
    actor = request.getfixturevalue(who)
    with pytest.raises(NotAllowed, match="assigned"):
        save(scheduled, actor=actor, findings={Requirement.SOPS: {"result": C}})
    assert fresh(scheduled).state == InspectionState.SCHEDULED
    assert results(scheduled)[Requirement.SOPS] == ("", "")


@pytest.mark.parametrize("who", ACTORS)
def test_only_the_assigned_inspector_submits(who, in_progress, request):
    record_all(in_progress)
    with pytest.raises(NotAllowed):
        services.inspection_submit(inspection=in_progress, actor=request.getfixturevalue(who))
    assert fresh(in_progress).state == InspectionState.IN_PROGRESS


@pytest.mark.parametrize("who", ACTORS)
def test_only_the_assigned_inspector_starts(who, scheduled, request):
    with pytest.raises(NotAllowed):
        services.inspection_start(inspection=scheduled, actor=request.getfixturevalue(who))
    assert fresh(scheduled).state == InspectionState.SCHEDULED


def test_the_assigned_inspector_needs_the_inspector_role_too(scheduled, inspector):
    inspector.groups.clear()
    inspector.__dict__.pop("_cached_group_names", None)
    inspector = type(inspector).objects.get(pk=inspector.pk)  # drop the permission cache
    with pytest.raises(NotAllowed):
        save(scheduled, actor=inspector, findings={Requirement.SOPS: {"result": C}})


def test_a_superuser_who_is_not_assigned_cannot_record(scheduled):
    from registrasi.accounts.models import User

    admin = User.objects.create_superuser("root@example.test", "x" * 12, full_name="Root")
    with pytest.raises(NotAllowed):
        save(scheduled, actor=admin, findings={Requirement.SOPS: {"result": C}})


def test_after_a_reassignment_only_the_new_inspector_records(
    scheduled, staff_user, inspector, other_inspector
):
    services.inspection_reschedule(
        inspection=scheduled,
        actor=staff_user,
        window_start=scheduled.window_start,
        window_end=scheduled.window_end,
        reason="Swap",
        inspector=other_inspector,
    )
    with pytest.raises(NotAllowed):
        save(fresh(scheduled), actor=inspector, findings={Requirement.SOPS: {"result": C}})
    save(fresh(scheduled), actor=other_inspector, findings={Requirement.SOPS: {"result": C}})
    assert results(scheduled)[Requirement.SOPS][0] == C


def test_make_inspection_failed_has_a_major_finding(db):
    failed = make_inspection("failed")
    assert failed.findings.filter(result=MAJOR).exists()


def test_a_draft_save_that_changes_something_is_audited_once(scheduled):
    data = {"findings": {Requirement.SOPS: {"result": MINOR}}, "corrective_actions": "Sign"}
    save(scheduled, **data)
    save(scheduled, **data)

    events = AuditEvent.objects.for_object(scheduled).filter(action="findings_saved")
    assert [e.data for e in events] == [{"findings": ["sops"], "corrective_actions": True}]
