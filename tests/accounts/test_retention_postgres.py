"""On PostgreSQL the audit log's trigger lets through exactly one change: the retention rule
setting an event's IP address to NULL. Every other UPDATE, and every DELETE, is refused."""

from datetime import timedelta

import pytest
import time_machine
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from registrasi.accounts.retention import IP_ADDRESS_DAYS, retention_apply
from registrasi.audit.middleware import current_ip
from registrasi.audit.models import AuditEvent
from registrasi.audit.services import audit_record

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's"),
]

IP = "198.51.100.20"


@pytest.fixture
def event(organization, staff_user):
    token = current_ip.set(IP)
    try:
        with transaction.atomic():
            return audit_record(actor=staff_user, action="test_event", obj=organization, note="n")
    finally:
        current_ip.reset(token)


def raw_update(sql, params):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_the_daily_scan_blanks_old_ip_addresses_through_the_trigger(event):
    with time_machine.travel(timezone.now() + timedelta(days=IP_ADDRESS_DAYS + 1), tick=False):
        assert retention_apply()["ip_addresses"] == 1
        assert retention_apply()["ip_addresses"] == 0

    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.ip_address is None
    assert (stored.note, stored.action, stored.created_at) == ("n", "test_event", event.created_at)


def test_setting_only_the_ip_address_to_null_is_allowed(event):
    raw_update("UPDATE audit_auditevent SET ip_address = NULL WHERE id = %s", [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).ip_address is None


@pytest.mark.parametrize(
    ("sql", "params"),
    [
        ("UPDATE audit_auditevent SET note = %s WHERE id = %s", ["rewritten"]),
        ("UPDATE audit_auditevent SET ip_address = %s WHERE id = %s", ["192.0.2.1"]),
        ("UPDATE audit_auditevent SET ip_address = NULL, note = %s WHERE id = %s", ["x"]),
        (
            "UPDATE audit_auditevent SET ip_address = NULL, created_at = %s WHERE id = %s",
            ["2001-01-01T00:00:00Z"],
        ),
        ("UPDATE audit_auditevent SET ip_address = NULL, actor_id = NULL WHERE id = %s", []),
        ("DELETE FROM audit_auditevent WHERE id = %s", []),
    ],
)
def test_every_other_change_is_still_refused(event, sql, params):
    with pytest.raises(DatabaseError, match="append-only"):
        raw_update(sql, [*params, event.pk])

    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.ip_address, stored.note, stored.actor_id) == (IP, "n", event.actor_id)
    assert stored.created_at == event.created_at


def test_an_event_without_an_address_cannot_be_changed_either(event):
    raw_update("UPDATE audit_auditevent SET ip_address = NULL WHERE id = %s", [event.pk])
    for sql in (
        "UPDATE audit_auditevent SET data = '{\"x\": 1}'::jsonb WHERE id = %s",
        "UPDATE audit_auditevent SET ip_address = NULL WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="append-only"):
            raw_update(sql, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).data == {}
