import hashlib
import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from registrasi.accounts.constants import MembershipRole
from registrasi.accounts.models import Invitation, Membership, User
from registrasi.accounts.services import invitation_create, invitation_revoke
from registrasi.audit.models import AuditEvent
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Bergabung-2026!"


def invite(owner, email="siti@example.test", role=MembershipRole.MEMBER):
    """Invite through the service; returns (invitation, token)."""
    return invitation_create(actor=owner, organization=owner.organization, email=email, role=role)


def accept_url(token):
    return reverse("accounts:accept_invitation", args=[token])


ACCEPT_PRIVACY = {"privacy_accepted": "on"}


def new_person(full_name="Siti Aminah"):
    return {
        "full_name": full_name,
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        "privacy_accepted": "on",
    }


# --- inviting --------------------------------------------------------------------------------


def test_an_owner_invites_by_email_and_the_link_arrives_after_commit(
    client, applicant, django_capture_on_commit_callbacks
):
    client.force_login(applicant)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(
            reverse("accounts:invite"), {"email": "Siti@Example.test", "role": "member"}
        )

    assert response.status_code == 302
    assert response.url == reverse("accounts:members")
    assert len(callbacks) == 1
    invitation = Invitation.objects.get()
    assert invitation.email == "siti@example.test"
    assert invitation.organization == applicant.organization
    assert invitation.invited_by == applicant
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["siti@example.test"]
    assert applicant.organization.legal_name in message.subject
    token = re.search(r"/accounts/invitation/([^/\s]+)/", message.body).group(1)
    # Only the hash of the token is kept.
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in invitation.token_hash


def test_the_invitation_expires_after_the_configured_days(applicant, settings):
    settings.INVITATION_VALID_DAYS = 3
    invitation, _ = invite(applicant)
    assert invitation.expires_at - invitation.created_at == pytest.approx(
        timedelta(days=3), abs=timedelta(seconds=5)
    )


def test_the_email_is_written_in_the_inviters_language(
    applicant, django_capture_on_commit_callbacks
):
    applicant.language = "en"
    applicant.save()
    with django_capture_on_commit_callbacks(execute=True):
        invite(applicant)
    assert "You are invited to join" in mail.outbox[0].subject


def test_a_member_cannot_invite(client, member):
    client.force_login(member)

    assert client.get(reverse("accounts:invite")).status_code == 403
    response = client.post(reverse("accounts:invite"), {"email": "x@example.test", "role": "owner"})

    assert response.status_code == 403
    assert not Invitation.objects.exists()


def test_a_person_without_an_organization_gets_404_on_the_member_pages(client, no_role_user):
    client.force_login(no_role_user)
    assert client.get(reverse("accounts:members")).status_code == 404
    assert client.get(reverse("accounts:invite")).status_code == 404


def test_it_refuses_to_invite_an_existing_member(client, applicant, member):
    client.force_login(applicant)

    response = client.post(
        reverse("accounts:invite"), {"email": member.email.upper(), "role": "member"}
    )

    assert response.status_code == 200
    assert "already a member" in str(response.context["form"].errors["email"])
    assert not Invitation.objects.exists()


def test_it_refuses_a_second_pending_invitation_for_the_same_email(client, applicant):
    invite(applicant)
    client.force_login(applicant)

    response = client.post(
        reverse("accounts:invite"), {"email": "siti@example.test", "role": "member"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["email"]
    assert Invitation.objects.count() == 1


# --- accepting -------------------------------------------------------------------------------


def test_a_new_person_accepts_once_and_becomes_a_member(client, applicant):
    invitation, token = invite(applicant, role=MembershipRole.OWNER)

    page = client.get(accept_url(token))
    assert page.status_code == 200
    assert "siti@example.test" in page.content.decode()
    response = client.post(accept_url(token), new_person())

    assert response.status_code == 302
    user = User.objects.get(email="siti@example.test")
    assert user.full_name == "Siti Aminah"
    assert user.check_password(NEW_PASSWORD)
    assert user.membership.organization == applicant.organization
    assert user.membership.role == MembershipRole.OWNER
    assert client.session["_auth_user_id"] == str(user.pk)
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None


def test_accepting_writes_an_audit_event(client, applicant):
    invitation, token = invite(applicant)

    client.post(accept_url(token), new_person())

    event = AuditEvent.objects.get(action="invitation_accepted")
    assert event.actor.email == "siti@example.test"
    assert event.object_id == str(invitation.pk)
    assert event.data["organization"] == applicant.organization.pk


def test_a_used_link_is_refused_the_second_time(client, applicant):
    _, token = invite(applicant)
    client.post(accept_url(token), new_person())
    client.logout()
    users_before = User.objects.count()

    page = client.get(accept_url(token))
    response = client.post(accept_url(token), new_person("Someone Else"))

    assert page.status_code == 410
    assert "already been used" in page.content.decode()
    assert response.status_code == 410
    assert User.objects.count() == users_before


def test_an_expired_link_is_refused(client, applicant, settings):
    _, token = invite(applicant)

    with time_machine.travel(
        timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS, hours=1)
    ):
        page = client.get(accept_url(token))
        response = client.post(accept_url(token), new_person())

    assert page.status_code == 410
    assert "expired" in page.content.decode()
    assert response.status_code == 410
    assert not User.objects.filter(email="siti@example.test").exists()


def test_a_link_still_works_just_before_it_expires(client, applicant, settings):
    _, token = invite(applicant)

    with time_machine.travel(
        timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS, hours=-1)
    ):
        response = client.post(accept_url(token), new_person())

    assert response.status_code == 302
    assert User.objects.filter(email="siti@example.test").exists()


def test_a_revoked_link_is_refused(client, applicant):
    invitation, token = invite(applicant)
    invitation_revoke(invitation=invitation, actor=applicant)

    page = client.get(accept_url(token))
    response = client.post(accept_url(token), new_person())

    assert page.status_code == 410
    assert "withdrawn" in page.content.decode()
    assert response.status_code == 410
    assert not User.objects.filter(email="siti@example.test").exists()


def test_an_unknown_token_shows_a_clear_page(client, settings):
    settings.DEBUG = True
    response = client.get(accept_url("not-a-real-token"))
    assert response.status_code == 404
    assert "not valid" in response.content.decode()
    assert "Page not found" not in response.content.decode()


def test_a_weak_password_keeps_the_link_usable(client, applicant):
    invitation, token = invite(applicant)

    response = client.post(
        accept_url(token), {"full_name": "Siti", "password1": "12345", "password2": "12345"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["password2"]
    invitation.refresh_from_db()
    assert invitation.accepted_at is None
    assert not User.objects.filter(email="siti@example.test").exists()


def test_a_logged_in_person_without_an_organization_can_accept(client, applicant, no_role_user):
    invitation, token = invite(applicant, email=no_role_user.email)
    client.force_login(no_role_user)

    assert client.get(accept_url(token)).status_code == 200
    response = client.post(accept_url(token), ACCEPT_PRIVACY)

    assert response.status_code == 302
    membership = Membership.objects.get(user=no_role_user)
    assert membership.organization == applicant.organization
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None


def test_an_account_with_another_email_cannot_accept(client, applicant, no_role_user):
    invitation, token = invite(applicant, email="siti@example.test")
    client.force_login(no_role_user)
    events_before = AuditEvent.objects.filter(action="invitation_accepted").count()

    page = client.get(accept_url(token))
    response = client.post(accept_url(token), ACCEPT_PRIVACY)

    assert "sent to another email address" in page.content.decode()
    assert "sent to another email address" in response.content.decode()
    assert not Membership.objects.filter(user=no_role_user).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None
    assert AuditEvent.objects.filter(action="invitation_accepted").count() == events_before


def test_the_invited_address_matches_in_any_case(client, applicant, no_role_user):
    invitation, token = invite(applicant, email=no_role_user.email.upper())
    client.force_login(no_role_user)

    response = client.post(accept_url(token), ACCEPT_PRIVACY)

    assert response.status_code == 302
    assert Membership.objects.get(user=no_role_user).organization == applicant.organization


def test_the_service_refuses_another_address_too(applicant, no_role_user):
    from registrasi.accounts.services import invitation_accept_as_user
    from registrasi.services import NotAllowed

    invitation, token = invite(applicant, email="siti@example.test")

    with pytest.raises(NotAllowed):
        invitation_accept_as_user(token=token, actor=no_role_user)
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_a_person_who_already_belongs_to_an_organization_is_refused(client, applicant, outsider):
    invitation, token = invite(applicant, email=outsider.email)
    client.force_login(outsider)

    page = client.get(accept_url(token))
    response = client.post(accept_url(token), ACCEPT_PRIVACY)

    assert "already belong to an organization" in page.content.decode()
    assert "already belong to an organization" in response.content.decode()
    assert Membership.objects.get(user=outsider).organization != applicant.organization
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_an_existing_account_is_asked_to_log_in_first(client, applicant, no_role_user):
    _, token = invite(applicant, email=no_role_user.email)
    users_before = User.objects.count()

    page = client.get(accept_url(token))
    client.post(accept_url(token), new_person())

    assert "Log in" in page.content.decode()
    assert "password1" not in page.content.decode()
    assert User.objects.count() == users_before
    assert not Membership.objects.filter(user=no_role_user).exists()


# --- revoking and removing -------------------------------------------------------------------


def test_an_owner_revokes_a_pending_invitation_after_confirmation(client, applicant):
    invitation, _ = invite(applicant)
    client.force_login(applicant)
    url = reverse("accounts:revoke_invitation", args=[invitation.pk])

    confirm = client.get(url)
    invitation.refresh_from_db()
    assert confirm.status_code == 200
    assert invitation.revoked_at is None

    response = client.post(url)

    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert AuditEvent.objects.filter(action="invitation_revoked").count() == 1


def test_a_member_cannot_revoke(client, applicant, member):
    invitation, _ = invite(applicant)
    client.force_login(member)

    response = client.post(reverse("accounts:revoke_invitation", args=[invitation.pk]))

    assert response.status_code == 403
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


def test_an_owner_removes_a_member_after_confirmation(client, applicant, member):
    client.force_login(applicant)
    url = reverse("accounts:remove_member", args=[member.membership.pk])

    assert client.get(url).status_code == 200
    assert Membership.objects.filter(user=member).exists()
    response = client.post(url)

    assert response.status_code == 302
    assert not Membership.objects.filter(user=member).exists()
    assert User.objects.filter(pk=member.pk).exists()
    event = AuditEvent.objects.get(action="membership_removed")
    assert event.data["email"] == member.email


def test_an_owner_cannot_remove_themselves(client, applicant):
    client.force_login(applicant)

    response = client.post(
        reverse("accounts:remove_member", args=[applicant.membership.pk]), follow=True
    )

    assert "cannot remove yourself" in response.content.decode()
    assert Membership.objects.filter(user=applicant).exists()


def test_an_owner_can_remove_another_owner(client, applicant, organization):
    second_owner = MembershipFactory(organization=organization, owner=True)
    client.force_login(applicant)

    client.post(reverse("accounts:remove_member", args=[second_owner.pk]))

    assert not Membership.objects.filter(pk=second_owner.pk).exists()
    assert Membership.objects.get(user=applicant).is_owner


def test_a_member_cannot_remove_anyone(client, applicant, member):
    client.force_login(member)

    response = client.post(reverse("accounts:remove_member", args=[applicant.membership.pk]))

    assert response.status_code == 403
    assert Membership.objects.filter(user=applicant).exists()


# --- tenancy ---------------------------------------------------------------------------------


def test_an_outsider_gets_404_on_another_organizations_invitation(client, applicant, outsider):
    invitation, _ = invite(applicant)
    client.force_login(outsider)
    url = reverse("accounts:revoke_invitation", args=[invitation.pk])

    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


def test_an_outsider_gets_404_on_another_organizations_membership(client, member, outsider):
    client.force_login(outsider)
    url = reverse("accounts:remove_member", args=[member.membership.pk])

    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert Membership.objects.filter(user=member).exists()


def test_a_person_without_an_organization_gets_404_on_object_urls(client, applicant, no_role_user):
    invitation, _ = invite(applicant)
    client.force_login(no_role_user)
    assert (
        client.get(reverse("accounts:revoke_invitation", args=[invitation.pk])).status_code == 404
    )
    assert (
        client.get(reverse("accounts:remove_member", args=[applicant.membership.pk])).status_code
        == 404
    )


# --- members page ----------------------------------------------------------------------------


def test_the_owner_sees_members_invitations_and_the_actions(client, applicant, member):
    invite(applicant)
    client.force_login(applicant)

    html = client.get(reverse("accounts:members")).content.decode()

    assert member.email in html and "siti@example.test" in html
    assert reverse("accounts:invite") in html
    assert reverse("accounts:remove_member", args=[member.membership.pk]) in html


def test_a_member_sees_the_list_read_only(client, applicant, member):
    invitation, _ = invite(applicant)
    client.force_login(member)

    html = client.get(reverse("accounts:members")).content.decode()

    assert applicant.email in html and "siti@example.test" in html
    assert reverse("accounts:invite") not in html
    assert reverse("accounts:revoke_invitation", args=[invitation.pk]) not in html
    assert reverse("accounts:remove_member", args=[applicant.membership.pk]) not in html


def test_the_members_page_does_not_hide_other_organizations(client, applicant, outsider):
    client.force_login(applicant)
    html = client.get(reverse("accounts:members")).content.decode()
    assert outsider.email not in html


@pytest.mark.parametrize("rows", [5, 50])
def test_the_members_page_query_count_does_not_grow(
    client, applicant, organization, django_assert_num_queries, rows
):
    for n in range(rows):
        MembershipFactory(organization=organization)
        invitation_create(
            actor=applicant, organization=organization, email=f"p{n}@example.test", role="member"
        )
    client.force_login(applicant)

    with django_assert_num_queries(6):
        response = client.get(reverse("accounts:members"))

    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('<article class="card member">') == rows + 1
    assert html.count('<article class="card invitation">') == rows


def test_the_email_language_is_the_invitees_when_they_have_an_account(applicant, no_role_user):
    from registrasi.accounts.tasks import invitation_language

    applicant.language, no_role_user.language = "en", "id"
    applicant.save()
    no_role_user.save()
    to_new_person, _ = invite(applicant)
    to_account, _ = invite(applicant, email=no_role_user.email.upper())

    assert invitation_language(to_new_person) == "en"
    assert invitation_language(to_account) == "id"


def test_no_email_goes_out_for_an_invitation_revoked_before_sending(applicant):
    from registrasi.accounts.tasks import send_invitation_email

    invitation, token = invite(applicant)
    invitation_revoke(invitation=invitation, actor=applicant)

    assert send_invitation_email(invitation.pk, token) is False
    assert mail.outbox == []


def test_a_ministry_account_cannot_join_a_company(client, applicant, staff_user):
    invitation, token = invite(applicant, email=staff_user.email)
    client.force_login(staff_user)

    page = client.get(accept_url(token))
    client.post(accept_url(token), ACCEPT_PRIVACY)

    assert "Ministry accounts cannot join" in page.content.decode()
    assert not Membership.objects.filter(user=staff_user).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None
