"""Retention: how long each kind of record is kept, declared once.

`RETENTION_RULES` is read by the retention page, the privacy notice and the deletion page
(privacy.retention_rules) and applied by the daily scan (`retention_apply`, the beat task
registrasi.accounts.tasks.apply_retention_rules). A rule with `purge` is applied by that scan:
`purge` names a function `purge(*, before) -> int` that removes what became older than
`before` and returns how many records it changed. The apps own their purge functions
(applications.retention, inspections.retention); they are named here by dotted path because
`registrasi` imports no app.

The periods are the portal's proposal; the ministry's records officer confirms them. They are
settings-free on purpose: a change of period is a change of this list, reviewed like code.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import models, transaction
from django.shortcuts import render
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from registrasi.audit.models import AuditEvent
from registrasi.audit.services import audit_record

logger = logging.getLogger(__name__)


def _years(count: int) -> str:
    return ngettext("%(count)s year", "%(count)s years", count) % {"count": count}


def _hours(count: int) -> str:
    return ngettext("%(count)s hour", "%(count)s hours", count) % {"count": count}


years = lazy(_years, str)
hours = lazy(_hours, str)


@dataclass(frozen=True)
class RetentionRule:
    key: str
    kind: str
    period: str
    then: str
    basis: str
    days: int | None = None  # the period the daily retention scan applies
    purge: str = ""  # dotted path of purge(*, before) -> int, run by the daily scan

    @property
    def applied_by_scan(self) -> bool:
        return bool(self.purge)

    def cutoff(self, now=None):
        return (now or timezone.now()) - timedelta(days=self.days)


DOCUMENT_DAYS = 365
PHOTO_DAYS = 5 * 365
IP_ADDRESS_DAYS = 365


def _signup_rule():
    return RetentionRule(
        "signups",
        _("Unconfirmed sign-ups and NIB disputes"),
        hours(settings.SIGNUP_CONFIRM_HOURS),
        _("Deleted with their files by the daily scan of sign-ups."),
        _("Nothing was agreed: the address was never confirmed."),
    )


RETENTION_RULES = [
    RetentionRule(
        "erased_accounts",
        _("Accounts a person asked to delete"),
        _("Until the request"),
        _(
            "Name, email address and password removed at once; the account can no longer "
            "log in. Records of the registration it took part in are kept as below."
        ),
        _("The person's right to deletion (UU 27/2022, Article 8)."),
    ),
    RetentionRule(
        "ended_application_documents",
        _("Documents of rejected or withdrawn applications"),
        years(DOCUMENT_DAYS // 365),
        _(
            "Counted from the rejection or withdrawal. The daily retention scan removes the "
            "files of every version and their file names; what was uploaded (type, version, "
            "size, SHA-256), by whom and when, and its review stay in the record."
        ),
        _(
            "Nothing was registered: the ministry keeps only the proof of what it decided "
            "and on which files (UU 27/2022, Article 16(2) and Article 20(2)(c))."
        ),
        days=DOCUMENT_DAYS,
        purge="applications.retention.purge_ended_application_documents",
    ),
    RetentionRule(
        "inspection_photos",
        _("Inspection evidence photos"),
        years(PHOTO_DAYS // 365),
        _(
            "Counted from the upload: one certificate's validity. The daily retention scan "
            "removes the photo and its file name; its requirement, caption, size, SHA-256, "
            "who took it and when stay with the inspection."
        ),
        _(
            "Photos show people and premises; the findings and the report record the "
            "decision (UU 27/2022, Article 16(2))."
        ),
        days=PHOTO_DAYS,
        purge="inspections.retention.purge_evidence_photos",
    ),
    RetentionRule(
        "ip_addresses",
        _("IP addresses in the audit log and the read log"),
        years(IP_ADDRESS_DAYS // 365),
        _(
            "The daily retention scan blanks the address; the event itself (who did or "
            "opened what, when) is kept as below."
        ),
        _("Needed only to investigate recent misuse of an account (UU 27/2022, Article 16(2))."),
        days=IP_ADDRESS_DAYS,
        purge="registrasi.accounts.retention.blank_ip_addresses",
    ),
    RetentionRule(
        "registration_records",
        _("Applications and their other documents, inspections, reports and certificates"),
        _("While the certificate is valid, then 10 years"),
        _("Kept by the ministry; not deleted on request."),
        _(
            "The ministry's legal obligation to keep its registration records "
            "(UU 27/2022, Article 20(2)(c))."
        ),
    ),
    RetentionRule(
        "audit_log",
        _("Audit log and read log: who did or opened what, and when"),
        _("10 years"),
        _(
            "Kept unchanged: the logs are append-only. Only their IP addresses are blanked "
            "(rule above)."
        ),
        _("The ministry's accountability for its decisions (Article 20(2)(c) and (e))."),
    ),
]


def retention_rules() -> list[RetentionRule]:
    """Every rule, for the pages: the sign-up rule (applied by its own daily scan,
    registrasi.accounts.tasks.expire_signup_requests) first, then RETENTION_RULES."""
    return [_signup_rule(), *RETENTION_RULES]


def scanned_rules() -> list[RetentionRule]:
    return [rule for rule in RETENTION_RULES if rule.applied_by_scan]


def retention_apply(*, now=None) -> dict[str, int]:
    """Apply every rule with a purge function; {rule key: records changed}. Idempotent: each
    purge only touches records it has not purged yet, so a second run changes nothing."""
    return {
        rule.key: import_string(rule.purge)(before=rule.cutoff(now)) for rule in scanned_rules()
    }


# --- IP addresses ----------------------------------------------------------------------------


def blank_ip_addresses(*, before) -> int:
    """Blank the IP address of audit and read events older than `before`.

    The audit log is append-only; this is the one change it allows. Its queryset refuses
    update(), so the plain QuerySet.update is called on purpose, and on PostgreSQL the
    trigger (audit migration 0005) lets through exactly this: an UPDATE that only sets the
    address to NULL."""
    from registrasi.accounts.models import ReadEvent

    audit_rows = AuditEvent.objects.filter(created_at__lt=before, ip_address__isnull=False)
    read_rows = ReadEvent.objects.filter(read_at__lt=before, ip_address__isnull=False)
    with transaction.atomic():
        audit_count = models.QuerySet.update(audit_rows, ip_address=None)
        read_count = read_rows.update(ip_address=None)
        if audit_count or read_count:
            audit_record(
                actor=None,
                action="retention_ip_addresses_blanked",
                data={
                    "before": before.isoformat(),
                    "audit_events": audit_count,
                    "read_events": read_count,
                },
            )
    return audit_count + read_count


# --- stored files ----------------------------------------------------------------------------


def purge_stored_files(queryset, *, rule_key: str, audit_object, action: str, describe) -> int:
    """Remove the stored file of every row of `queryset` (a model with `file`,
    `original_name`, `sha256` and `size`), one row per transaction: the row is locked (rows
    another scan holds are skipped), its file deleted from storage unless another row names
    the same file, its `file` and `original_name` blanked (the row, its size and SHA-256 stay
    as the trail that it existed), and an audit event written on `audit_object(row)` with
    `describe(row)`. Rows already purged are left alone, so a second run changes nothing.

    The file is deleted before the commit: if the commit then failed, the next scan finds
    the row again and finishes (deleting a missing file is a no-op), so no personal data
    outlives a failure."""
    model = queryset.model
    count = 0
    for pk in list(queryset.exclude(file="").values_list("pk", flat=True)):
        with transaction.atomic():
            rows = model._default_manager.select_for_update(skip_locked=True)
            row = rows.filter(pk=pk).exclude(file="").first()
            if row is None:
                continue
            name = row.file.name
            if not model._default_manager.filter(file=name).exclude(pk=pk).exists():
                row.file.storage.delete(name)
            model._default_manager.filter(pk=pk).update(file="", original_name="")
            data = {"rule": rule_key, "sha256": row.sha256, "size": row.size, **describe(row)}
            audit_record(actor=None, action=action, obj=audit_object(row), data=data)
            count += 1
    if count:
        logger.info("retention %s: %s files removed", rule_key, count)
    return count


def removed_file_response(request, *, rule_key: str):
    """The page a download of a file removed under a retention rule answers: 410 Gone, with
    the rule that removed it."""
    rule = next(rule for rule in RETENTION_RULES if rule.key == rule_key)
    return render(request, "privacy/removed.html", {"rule": rule}, status=410)
