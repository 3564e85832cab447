import pytest
from django.utils import translation

from tests.factories import InspectorFactory
from tests.inspections.factories import awaiting_application, make_inspection
from tests.worker import celery_worker_redis  # noqa: F401  (for test_worker.py)


@pytest.fixture
def english():
    """Tests that read refusal messages read them in English (the source language), so they
    keep passing once the Indonesian catalogue exists."""
    with translation.override("en"):
        yield


@pytest.fixture
def awaiting(applicant, staff_user):
    """An application of `organization` (applicant's) awaiting inspection, invoice paid."""
    return awaiting_application(applicant.organization, staff=staff_user)


@pytest.fixture
def unpaid(applicant, staff_user):
    return awaiting_application(applicant.organization, paid=False, staff=staff_user)


@pytest.fixture
def other_inspector(db):
    return InspectorFactory()


@pytest.fixture
def scheduled(awaiting, staff_user, inspector):
    return make_inspection(application=awaiting, staff=staff_user, inspector=inspector)


@pytest.fixture
def in_progress(awaiting, staff_user, inspector):
    return make_inspection(
        "in_progress", application=awaiting, staff=staff_user, inspector=inspector
    )
