"""Every write to an inspection: scheduling, findings, evidence, submission.

All functions are keyword-only, take the `actor`, run in one transaction with the rows they
change locked, and write an audit event. State changes (of the inspection and of its
application) go through registrasi.services.run_transition. Refusals: NotAllowed (role,
assignment or state), StaleState (the row moved on since the page was shown),
SchedulingRefused (a ServiceError naming why a window cannot be booked), ServiceError
(anything else the person must fix), django ValidationError (bad input: a file, a missing
reason, an unknown result).

Callers import this package (`from inspections import services`); the code lives in
scheduling (the desk), recording (the inspector on site), submission (the outcome, the
report, the applicant's resubmission) and checks (what they share). The download responses
are in inspections.downloads, re-exported here for older callers.
"""

from inspections.downloads import evidence_download_response, inspection_report_response
from inspections.services.recording import evidence_add, findings_save_draft, inspection_start
from inspections.services.scheduling import (
    SchedulingRefused,
    inspection_cancel,
    inspection_reschedule,
    inspection_schedule,
)
from inspections.services.submission import (
    application_resubmit,
    inspection_submit,
    report_store,
)
from registrasi.services import NotAllowed, ServiceError, StaleState

__all__ = [
    "NotAllowed",
    "SchedulingRefused",
    "ServiceError",
    "StaleState",
    "application_resubmit",
    "evidence_add",
    "evidence_download_response",
    "findings_save_draft",
    "inspection_cancel",
    "inspection_report_response",
    "inspection_reschedule",
    "inspection_schedule",
    "inspection_start",
    "inspection_submit",
    "report_store",
]
