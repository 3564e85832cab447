"""Every transition allowed from its states for its role, refused (NotAllowed, never a 500)
from every other state and for every other role."""

import pytest

from applications import services
from applications.constants import ApplicationState as S
from applications.constants import DocumentType
from applications.models import Application
from registrasi.audit.selectors import timeline_for
from registrasi.services import NotAllowed
from tests.applications.factories import (
    STATES,
    ApplicationFactory,
    current_versions,
    pdf_upload,
    review_all_documents,
)

APPLICANT, STAFF = "applicant", "staff_user"

# name: (service, role, states it is allowed from, target, extra kwargs)
TRANSITIONS = {
    "submit": (services.application_submit, APPLICANT, {S.DRAFT, S.RETURNED}, S.SUBMITTED, {}),
    "withdraw": (
        services.application_withdraw,
        APPLICANT,
        {S.DRAFT, S.SUBMITTED, S.RETURNED, S.UNDER_REVIEW, S.AWAITING_INSPECTION},
        S.WITHDRAWN,
        {"reason": "We closed the call center."},
    ),
    "start_review": (
        services.application_start_review,
        STAFF,
        {S.SUBMITTED},
        S.UNDER_REVIEW,
        {},
    ),
    "return_for_changes": (
        services.application_return_for_changes,
        STAFF,
        {S.UNDER_REVIEW},
        S.RETURNED,
        {"reason": "Send the deed."},
    ),
    "accept": (services.application_accept, STAFF, {S.UNDER_REVIEW}, S.AWAITING_INSPECTION, {}),
    "reject": (
        services.application_reject,
        STAFF,
        {S.UNDER_REVIEW},
        S.REJECTED,
        {"reason": "Not a call center."},
    ),
}


def prepare(name, application, applicant, staff):
    """What a real person does before the transition can succeed."""
    if name == "submit" and application.state in (S.DRAFT, S.RETURNED):
        for version in current_versions(application):
            if version.is_rejected:
                services.document_upload(
                    application=application,
                    actor=applicant,
                    document_type=version.document.document_type,
                    uploaded_file=pdf_upload(),
                )
    if name == "accept" and application.state == S.UNDER_REVIEW:
        review_all_documents(application, staff)


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("name", TRANSITIONS)
def test_each_transition_runs_only_from_its_states(
    name, state, applicant, staff_user, django_capture_on_commit_callbacks
):
    service, role, sources, target, kwargs = TRANSITIONS[name]
    application = ApplicationFactory(
        created_by=applicant, to_state=state, staff=staff_user, with_documents=True
    )
    actor = applicant if role == APPLICANT else staff_user
    prepare(name, application, applicant, staff_user)
    before = timeline_for(application).count()
    with django_capture_on_commit_callbacks():
        if state in sources:
            result = service(application=application, actor=actor, **kwargs)
            assert result.state == target
            assert Application.objects.get(pk=application.pk).state == target
            event = timeline_for(application).filter(action=name).last()
            assert (event.action, event.from_state, event.to_state) == (name, state, target)
            assert event.actor == actor
        else:
            with pytest.raises(NotAllowed) as excinfo:
                service(application=application, actor=actor, **kwargs)
            assert excinfo.value.message
            assert Application.objects.get(pk=application.pk).state == state
            assert timeline_for(application).count() == before


WRONG_ROLES = {
    APPLICANT: ["staff_user", "inspector", "outsider", "no_role_user"],
    STAFF: ["applicant", "member", "inspector", "outsider", "no_role_user"],
}


@pytest.mark.parametrize(
    ("name", "who"),
    [(name, who) for name, spec in TRANSITIONS.items() for who in WRONG_ROLES[spec[1]]],
)
def test_each_transition_refuses_the_wrong_role(name, who, request, applicant, staff_user):
    service, _role, sources, _target, kwargs = TRANSITIONS[name]
    state = sorted(sources)[0]
    application = ApplicationFactory(
        created_by=applicant, to_state=state, staff=staff_user, with_documents=True
    )
    prepare(name, application, applicant, staff_user)
    with pytest.raises(NotAllowed):
        service(application=application, actor=request.getfixturevalue(who), **kwargs)
    assert Application.objects.get(pk=application.pk).state == state


def test_a_member_who_is_not_the_owner_may_submit_and_withdraw(applicant, member):
    application = ApplicationFactory(created_by=applicant, with_documents=True)
    application = services.application_submit(application=application, actor=member)
    application = services.application_withdraw(application=application, actor=member)
    assert application.state == S.WITHDRAWN


def test_accept_is_refused_until_every_required_document_is_accepted(applicant, staff_user):
    application = ApplicationFactory(created_by=applicant, under_review=True)
    versions = current_versions(application)
    for version in versions[1:]:
        services.document_review(version=version, actor=staff_user, accepted=True)
    with pytest.raises(NotAllowed) as excinfo:
        services.application_accept(application=application, actor=staff_user)
    pending = versions[0].document.get_document_type_display()
    assert str(pending) in excinfo.value.message
    services.document_review(version=versions[0], actor=staff_user, accepted=True)
    assert services.application_accept(application=application, actor=staff_user).state == (
        S.AWAITING_INSPECTION
    )


def test_an_other_document_does_not_block_acceptance(applicant, staff_user):
    application = ApplicationFactory(created_by=applicant, with_documents=True)
    services.document_upload(
        application=application,
        actor=applicant,
        document_type=DocumentType.OTHER,
        uploaded_file=pdf_upload(),
    )
    services.application_submit(application=application, actor=applicant)
    services.application_start_review(application=application, actor=staff_user)
    for version in current_versions(application):
        if version.document.document_type != DocumentType.OTHER:
            services.document_review(version=version, actor=staff_user, accepted=True)
    assert services.application_accept(application=application, actor=staff_user).state == (
        S.AWAITING_INSPECTION
    )
