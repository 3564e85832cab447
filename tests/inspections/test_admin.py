import pytest
from django.urls import reverse

from registrasi.accounts.models import User


@pytest.fixture
def admin_client(client, db):
    admin = User.objects.create_superuser("admin@example.test", "Admin-Sandi-2026!", full_name="A")
    client.force_login(admin)
    return client


def test_the_admin_lists_and_shows_inspections_read_only(admin_client, scheduled):
    listing = admin_client.get(reverse("admin:inspections_inspection_changelist"))
    assert listing.status_code == 200
    assert scheduled.application.reference in listing.content.decode()

    page = admin_client.get(reverse("admin:inspections_inspection_change", args=[scheduled.pk]))
    assert page.status_code == 200
    assert 'name="state"' not in page.content.decode()  # shown, not editable
    assert 'id="findings-group"' in page.content.decode()


def test_the_admin_cannot_add_change_or_delete(admin_client, scheduled):
    assert admin_client.get(reverse("admin:inspections_inspection_add")).status_code == 403
    change = reverse("admin:inspections_inspection_change", args=[scheduled.pk])
    admin_client.post(change, {"cancel_reason": "edited in the admin"})
    scheduled.refresh_from_db()
    assert scheduled.cancel_reason == ""
    delete = reverse("admin:inspections_inspection_delete", args=[scheduled.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert type(scheduled).objects.filter(pk=scheduled.pk).exists()
