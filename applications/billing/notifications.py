"""Who is told about a billing event (applications.notifications asks): the organization's
members about their payment, the ministry's staff about payments and discrepancies."""

from django.db.models import Q

from registrasi.accounts.constants import STAFF_GROUP
from registrasi.accounts.models import User

MEMBERS_AND_STAFF = {"billing_paid", "billing_discrepancy_applied"}
STAFF_ONLY = {"billing_discrepancy"}


def recipients(action: str, application, members_query):
    if action not in MEMBERS_AND_STAFF | STAFF_ONLY:
        return members_query
    staff = Q(groups__name=STAFF_GROUP, is_active=True)
    if action in STAFF_ONLY:
        return User.objects.filter(staff).distinct().order_by("pk")
    members = Q(membership_record__organization_id=application.organization_id, is_active=True)
    return User.objects.filter(staff | members).distinct().order_by("pk")
