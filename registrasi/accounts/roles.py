"""Ministry roles as groups with named permissions.

Each app lists the permissions its roles need here; the groups are brought in line after
every migrate (and after a test flush), so adding a permission is a one-line change.
"""

from django.contrib.auth.models import Group, Permission

from registrasi.accounts.constants import INSPECTOR_GROUP, STAFF_GROUP

ROLE_PERMISSIONS = {
    STAFF_GROUP: [
        "accounts.view_organization",
        "accounts.view_membership",
        "audit.view_auditevent",
        # applications
        "applications.review_application",
        "applications.decide_application",
        "applications.view_application",
        "applications.view_document",
        "applications.view_documentversion",
        "applications.view_feeschedule",
        "applications.add_feeschedule",
        "applications.change_feeschedule",
        "applications.view_feetier",
        "applications.add_feetier",
        "applications.change_feetier",
        "applications.delete_feetier",
        "applications.view_invoice",
        "applications.view_payment",
        "applications.add_payment",
        # certificates
        "certificates.issue_certificate",
        "certificates.sanction_certificate",
        "certificates.view_certificate",
        "certificates.view_sanction",
        # inspections
        "inspections.schedule_inspection",
        "inspections.view_inspection",
        "inspections.view_schedulechange",
        "inspections.view_finding",
        "inspections.view_interview",
        "inspections.view_evidencephoto",
        "inspections.view_inspectionreport",
    ],
    INSPECTOR_GROUP: [
        "accounts.view_organization",
        # applications
        "applications.record_inspection_outcome",
        # inspections
        "inspections.record_findings",
    ],
}


def _permissions(names):
    for name in names:
        app_label, codename = name.split(".", 1)
        permission = Permission.objects.filter(
            content_type__app_label=app_label, codename=codename
        ).first()
        if permission is not None:
            yield permission


def sync_role_groups(**kwargs):
    for group_name, names in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        group.permissions.set(list(_permissions(names)))


def add_to_role(user, group_name):
    group, _ = Group.objects.get_or_create(name=group_name)
    user.groups.add(group)
    user.__dict__.pop("_cached_group_names", None)
