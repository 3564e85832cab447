"""NIB disputes: a company whose NIB is claimed files its deed and NIB document, confirms its
address, staff decide, and an upheld dispute moves the organization to it."""

import re
from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from registrasi.accounts import disputes
from registrasi.accounts.constants import DisputeState, MembershipRole
from registrasi.accounts.models import Invitation, Membership, NibDispute
from registrasi.audit.models import AuditEvent
from tests.applications.factories import PDF_BYTES
from tests.factories import OrganizationFactory, make_applicant

NIB = "9120007654321"


@pytest.fixture
def claimed(db):
    """The organization someone registered under the company's NIB, with two members."""
    organization = OrganizationFactory(nib=NIB)
    make_applicant(organization, owner=True, email="squatter@example.test")
    make_applicant(organization, owner=False, email="helper@example.test")
    return organization


def dispute_data(**changes):
    data = {
        "nib": NIB,
        "email": "direksi@pemilik.co.id",
        "full_name": "Rina Wijaya",
        "language": "en",
        "statement": "We are the company of this NIB; we never registered in the portal.",
        "deed": SimpleUploadedFile("akta.pdf", PDF_BYTES),
        "nib_document": SimpleUploadedFile("nib.pdf", PDF_BYTES),
    }
    data.update(changes)
    return data


def file_and_confirm(client, capture):
    with capture(execute=True):
        response = client.post(reverse("accounts:dispute"), dispute_data())
    assert response.status_code == 200
    link = re.search(r"/accounts/dispute/confirm/\S+/", mail.outbox[-1].body).group(0)
    assert client.get(link).status_code == 200
    assert NibDispute.objects.get().state == DisputeState.UNCONFIRMED  # opening is not confirming
    with capture(execute=True):
        client.post(link)
    return NibDispute.objects.get()


def test_a_dispute_reaches_staff_only_after_the_email_is_confirmed(
    client, claimed, staff_user, django_capture_on_commit_callbacks
):
    client.force_login(staff_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:dispute"), dispute_data())
    assert reverse("accounts:dispute_detail", args=[NibDispute.objects.get().pk]) not in (
        client.get(reverse("accounts:dispute_list")).content.decode()
    )
    client.logout()
    link = re.search(r"/accounts/dispute/confirm/\S+/", mail.outbox[-1].body).group(0)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(link)
    dispute = NibDispute.objects.get()
    assert dispute.state == DisputeState.OPEN
    assert dispute.documents.count() == 2
    client.force_login(staff_user)
    listing = client.get(reverse("accounts:dispute_list")).content.decode()
    assert reverse("accounts:dispute_detail", args=[dispute.pk]) in listing


def test_upholding_moves_the_organization_and_tells_the_old_members(
    client, claimed, staff_user, django_capture_on_commit_callbacks
):
    dispute = file_and_confirm(client, django_capture_on_commit_callbacks)
    client.force_login(staff_user)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:dispute_detail", args=[dispute.pk]),
            {"decision": "uphold", "reason": "The deed names PT Pemilik as holder of this NIB."},
        )
    assert response.status_code == 302
    assert not Membership.objects.filter(organization=claimed).exists()
    invitation = Invitation.objects.get(organization=claimed, revoked_at__isnull=True)
    assert (invitation.email, invitation.role) == ("direksi@pemilik.co.id", MembershipRole.OWNER)
    recipients = sorted(to for m in mail.outbox for to in m.to)
    assert recipients == ["direksi@pemilik.co.id", "helper@example.test", "squatter@example.test"]
    event = AuditEvent.objects.get(action="organization_transferred")
    assert event.actor == staff_user
    assert event.data["old_members"] == ["helper@example.test", "squatter@example.test"]
    # A decided dispute cannot be decided again.
    with pytest.raises(disputes.NotAllowed):
        disputes.dispute_decide(dispute=dispute, actor=staff_user, upheld=False, reason="x")


def test_rejecting_keeps_the_organization_and_tells_the_claimant(
    client, claimed, staff_user, django_capture_on_commit_callbacks
):
    dispute = file_and_confirm(client, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        disputes.dispute_decide(
            dispute=dispute, actor=staff_user, upheld=False, reason="The deed is for another NIB."
        )
    assert Membership.objects.filter(organization=claimed).count() == 2
    assert [m.to for m in mail.outbox] == [["direksi@pemilik.co.id"]]
    assert AuditEvent.objects.filter(action="nib_dispute_rejected").exists()


@pytest.mark.parametrize("person", ["owner_of_claimed", "outsider", "no_role_user", "inspector"])
def test_staff_pages_are_a_404_for_everyone_else(
    client, claimed, person, request, outsider, no_role_user, inspector
):
    user = {
        "owner_of_claimed": claimed.memberships.get(role=MembershipRole.OWNER).user,
        "outsider": outsider,
        "no_role_user": no_role_user,
        "inspector": inspector,
    }[person]
    dispute = disputes.dispute_file(**dispute_data())
    document = dispute.documents.first()
    client.force_login(user)
    for url in (
        reverse("accounts:dispute_list"),
        reverse("accounts:dispute_detail", args=[dispute.pk]),
        reverse("accounts:dispute_document", args=[dispute.pk, document.pk]),
    ):
        assert client.get(url).status_code == 404
    response = client.post(
        reverse("accounts:dispute_detail", args=[dispute.pk]),
        {"decision": "uphold", "reason": "Taking it over."},
    )
    assert response.status_code == 404
    assert Membership.objects.filter(organization=claimed).count() == 2


def test_staff_download_a_dispute_document(client, claimed, staff_user):
    with mock.patch.object(disputes.secrets, "token_urlsafe", return_value="known"):
        dispute = disputes.dispute_file(**dispute_data())
    disputes.dispute_confirm(token="known")
    document = dispute.documents.get(kind="deed")
    client.force_login(staff_user)
    response = client.get(reverse("accounts:dispute_document", args=[dispute.pk, document.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES


def test_a_dispute_of_an_unregistered_nib_or_a_hostile_file_stores_nothing(client, db):
    OrganizationFactory(nib=NIB)
    response = client.post(reverse("accounts:dispute"), dispute_data(nib="9120000000000"))
    assert "sign up instead" in response.content.decode()
    fake = SimpleUploadedFile("akta.pdf", b"%PDF-1.7\n" + b"not really a pdf\n" * 20)
    response = client.post(reverse("accounts:dispute"), dispute_data(deed=fake))
    assert "not a readable PDF" in response.content.decode()
    assert not NibDispute.objects.exists()
    assert not default_storage.exists("disputes") or default_storage.listdir("disputes")[1] == []


def test_unconfirmed_disputes_expire_with_their_files(claimed):
    dispute = disputes.dispute_file(**dispute_data())
    name = dispute.documents.first().file.name
    with time_machine.travel(timezone.now() + timedelta(hours=49)):
        assert disputes.disputes_expire() >= 1
    assert not NibDispute.objects.exists()
    assert not default_storage.exists(name)
