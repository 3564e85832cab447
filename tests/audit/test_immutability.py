"""The audit log is append-only at every layer: model, queryset, admin and (PostgreSQL) trigger."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.models.deletion import ProtectedError
from django.urls import reverse

from registrasi.audit.models import AuditEvent, AuditLogIsAppendOnly
from registrasi.audit.services import audit_record
from tests.factories import OrganizationFactory, UserFactory


@pytest.fixture
def event(db, staff_user):
    organization = OrganizationFactory()
    with transaction.atomic():
        return audit_record(
            actor=staff_user,
            action="organization.checked",
            obj=organization,
            from_state="a",
            to_state="b",
            note="first look",
        )


@pytest.fixture
def superuser(db):
    user = UserFactory(is_staff=True, is_superuser=True)
    return user


def test_it_appends_a_new_event(event, staff_user):
    stored = AuditEvent.objects.get(pk=event.pk)

    assert stored.actor == staff_user
    assert stored.action == "organization.checked"
    assert (stored.from_state, stored.to_state, stored.note) == ("a", "b", "first look")


def test_it_refuses_to_save_an_existing_event(event):
    event.note = "rewritten history"

    with pytest.raises(AuditLogIsAppendOnly):
        event.save()

    assert AuditEvent.objects.get(pk=event.pk).note == "first look"


def test_it_refuses_to_delete_an_event(event):
    with pytest.raises(AuditLogIsAppendOnly):
        event.delete()

    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_it_refuses_a_queryset_update(event):
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.filter(pk=event.pk).update(note="rewritten history")

    assert AuditEvent.objects.get(pk=event.pk).note == "first look"


def test_it_refuses_a_queryset_delete(event):
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.all().delete()

    assert AuditEvent.objects.count() == 1


def test_it_refuses_to_delete_an_actor_who_has_events(event, staff_user):
    with pytest.raises(ProtectedError):
        staff_user.delete()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL")
def test_it_refuses_a_raw_sql_update_on_postgresql(event):
    sql = "UPDATE audit_auditevent SET note = %s WHERE id = %s"
    refused = pytest.raises(DatabaseError, match="append-only")
    with refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, ["rewritten", event.pk])

    assert AuditEvent.objects.get(pk=event.pk).note == "first look"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL")
def test_it_refuses_a_raw_sql_delete_on_postgresql(event):
    refused = pytest.raises(DatabaseError, match="append-only")
    with refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])

    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_the_admin_lists_events_for_a_superuser(client, superuser, event):
    client.force_login(superuser)

    response = client.get(reverse("admin:audit_auditevent_changelist"))

    assert response.status_code == 200
    assert "organization.checked" in response.content.decode()


def test_the_admin_offers_no_add(client, superuser, event):
    client.force_login(superuser)

    assert client.get(reverse("admin:audit_auditevent_add")).status_code == 403
    response = client.post(reverse("admin:audit_auditevent_add"), {"action": "forged"})
    assert response.status_code == 403
    # The superuser's login is audited too; nothing was forged.
    assert not AuditEvent.objects.filter(action="forged").exists()


def test_the_admin_change_page_is_read_only(client, superuser, event):
    client.force_login(superuser)
    url = reverse("admin:audit_auditevent_change", args=[event.pk])

    page = client.get(url)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()

    response = client.post(url, {"action": "forged", "note": "rewritten history"})
    assert response.status_code == 403
    assert AuditEvent.objects.get(pk=event.pk).note == "first look"


def test_the_admin_refuses_to_delete(client, superuser, event):
    client.force_login(superuser)
    url = reverse("admin:audit_auditevent_delete", args=[event.pk])

    assert client.get(url).status_code == 403
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_the_admin_offers_no_bulk_delete_action(client, superuser, event):
    client.force_login(superuser)

    response = client.get(reverse("admin:audit_auditevent_changelist"))

    assert "delete_selected" not in response.content.decode()


def test_the_admin_is_closed_to_ministry_staff_without_admin_access(client, staff_user, event):
    client.force_login(staff_user)

    response = client.get(reverse("admin:audit_auditevent_changelist"))

    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]
