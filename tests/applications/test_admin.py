from decimal import Decimal

import pytest
from django.contrib.auth.models import Group

from applications.models import FeeSchedule
from registrasi.accounts.constants import INSPECTOR_GROUP, STAFF_GROUP
from tests.applications.factories import ApplicationFactory
from tests.factories import PASSWORD, StaffFactory

MODELS = ["application", "document", "feeschedule", "invoice", "payment"]


@pytest.fixture
def admin_staff(db):
    """A ministry officer with admin site access (the staff group's permissions only)."""
    user = StaffFactory(is_staff=True)
    return user


@pytest.fixture
def staff_client(client, admin_staff):
    client.login(email=admin_staff.email, password=PASSWORD)
    return client


def test_the_staff_group_has_the_review_decide_and_fee_permissions(db):
    names = set(Group.objects.get(name=STAFF_GROUP).permissions.values_list("codename", flat=True))
    assert {
        "review_application",
        "decide_application",
        "add_payment",
        "change_feeschedule",
        "add_feetier",
        "change_feetier",
    } <= names
    assert "change_application" not in names
    inspector = Group.objects.get(name=INSPECTOR_GROUP).permissions
    assert inspector.filter(codename="record_inspection_outcome").exists()
    assert not inspector.filter(codename="review_application").exists()


@pytest.mark.parametrize("model", MODELS)
def test_staff_see_the_admin_lists(staff_client, applicant, model):
    ApplicationFactory(created_by=applicant, submitted=True, paid=True)
    response = staff_client.get(f"/admin/applications/{model}/")
    assert response.status_code == 200


def test_applications_are_read_only_in_the_admin(staff_client, applicant):
    application = ApplicationFactory(created_by=applicant, submitted=True)
    response = staff_client.get(f"/admin/applications/application/{application.pk}/change/")
    assert response.status_code == 200
    assert b'name="state"' not in response.content
    assert b'name="_save"' not in response.content
    assert staff_client.get("/admin/applications/application/add/").status_code == 403


def test_staff_add_a_schedule_with_tiers_and_it_replaces_the_active_one(staff_client):
    old = FeeSchedule.objects.get(is_active=True)
    response = staff_client.post(
        "/admin/applications/feeschedule/add/",
        {
            "name": "2027",
            "is_active": "on",
            "amount_per_extra_site": "3000000",
            "outbound_factor": "1.30",
            "outsourced_factor": "1.15",
            "change_report_fee": "1500000",
            "tiers-TOTAL_FORMS": "2",
            "tiers-INITIAL_FORMS": "0",
            "tiers-MIN_NUM_FORMS": "0",
            "tiers-MAX_NUM_FORMS": "1000",
            "tiers-0-max_seats": "100",
            "tiers-0-amount": "6000000",
            "tiers-1-max_seats": "",
            "tiers-1-amount": "40000000",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    new = FeeSchedule.objects.get(is_active=True)
    assert new.name == "2027"
    assert new.outbound_factor == Decimal("1.30")
    assert new.tiers.count() == 2
    assert new.change_report_fee == 1_500_000
    old.refresh_from_db()
    assert not old.is_active


def test_applicants_cannot_reach_the_admin(client, applicant):
    client.login(email=applicant.email, password=PASSWORD)
    response = client.get("/admin/applications/feeschedule/")
    assert response.status_code == 302
