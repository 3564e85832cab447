"""Every write to an application, its documents, fee and invoice, by topic: drafting,
documents, submission, invoices, review (the ministry desk); base holds what they share.
Import them from here: `from applications import services; services.application_submit(...)`.

All functions are keyword-only, take the `actor`, run in one transaction with the
application row locked, and write an audit event. State changes go through
registrasi.services.run_transition. Refusals: NotAllowed (role or state), StaleState (the
row moved on since the page was shown), SubmissionIncomplete (what is missing, named),
django ValidationError (bad input: a file, a missing reason, a wrong amount).

The reads the writes check (submission_problems, readiness_blockers, unaccepted_documents,
invoice_is_paid: applications.selectors; fee_change: applications.fees) are re-exported here
for the callers that ask the services.
"""

from applications.fees import fee_change
from applications.selectors import (
    invoice_is_paid,
    readiness_blockers,
    submission_problems,
    unaccepted_documents,
)
from applications.services.documents import document_review, document_upload
from applications.services.drafting import (
    application_confirm_step,
    application_create,
    application_set_sites,
    application_update_details,
    fee_quote,
)
from applications.services.invoices import (
    RECORD_PAYMENT,
    _issue_or_update_invoice,
    invoice_record_payment,
)
from applications.services.review import (
    APPROVE_STEP,
    SCHEDULE_STEP,
    NotReady,
    application_accept,
    application_reject,
    application_return_for_changes,
    application_start_review,
    refuse_unless_ready,
)
from applications.services.submission import (
    SubmissionIncomplete,
    application_submit,
    application_withdraw,
)
from registrasi.services import NotAllowed, ServiceError, StaleState

__all__ = [
    "APPROVE_STEP",
    "RECORD_PAYMENT",
    "SCHEDULE_STEP",
    "NotAllowed",
    "NotReady",
    "ServiceError",
    "StaleState",
    "SubmissionIncomplete",
    "_issue_or_update_invoice",
    "application_accept",
    "application_confirm_step",
    "application_create",
    "application_reject",
    "application_return_for_changes",
    "application_set_sites",
    "application_start_review",
    "application_submit",
    "application_update_details",
    "application_withdraw",
    "document_review",
    "document_upload",
    "fee_change",
    "fee_quote",
    "invoice_is_paid",
    "invoice_record_payment",
    "readiness_blockers",
    "refuse_unless_ready",
    "submission_problems",
    "unaccepted_documents",
]
