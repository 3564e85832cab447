import pytest
from django.contrib.auth.models import Group, Permission

from registrasi.accounts.constants import INSPECTOR_GROUP, STAFF_GROUP
from registrasi.accounts.roles import ROLE_PERMISSIONS

pytestmark = pytest.mark.django_db


def existing(names):
    """The listed permissions whose models are installed (apps append theirs as they land)."""
    found = set()
    for name in names:
        app_label, codename = name.split(".", 1)
        if Permission.objects.filter(content_type__app_label=app_label, codename=codename).exists():
            found.add(name)
    return found


@pytest.mark.parametrize("group_name", [STAFF_GROUP, INSPECTOR_GROUP])
def test_the_role_groups_exist_after_migrate_with_their_permissions(group_name):
    group = Group.objects.get(name=group_name)
    granted = {
        f"{app}.{codename}"
        for app, codename in group.permissions.values_list("content_type__app_label", "codename")
    }
    assert granted == existing(ROLE_PERMISSIONS[group_name])
    assert granted  # at least the accounts permissions exist


def test_a_staff_member_has_every_staff_permission(staff_user):
    for name in existing(ROLE_PERMISSIONS[STAFF_GROUP]):
        assert staff_user.has_perm(name), name
    assert staff_user.is_ministry_staff
    assert not staff_user.is_applicant


def test_an_inspector_has_the_inspector_permissions_only(inspector):
    for name in existing(ROLE_PERMISSIONS[INSPECTOR_GROUP]):
        assert inspector.has_perm(name), name
    staff_only = existing(ROLE_PERMISSIONS[STAFF_GROUP]) - set(ROLE_PERMISSIONS[INSPECTOR_GROUP])
    for name in staff_only:
        assert not inspector.has_perm(name), name
    assert inspector.is_inspector and not inspector.is_ministry_staff


def test_review_permission_follows_the_role_list(staff_user, applicant):
    listed = "applications.review_application" in existing(ROLE_PERMISSIONS[STAFF_GROUP])
    assert staff_user.has_perm("applications.review_application") is listed
    assert not applicant.has_perm("applications.review_application")


def test_a_person_without_a_membership_is_not_an_applicant(no_role_user, applicant, member):
    assert no_role_user.is_applicant is False
    assert no_role_user.organization is None
    assert applicant.is_applicant and member.is_applicant
    assert not no_role_user.is_ministry_staff and not no_role_user.is_inspector
