"""Signals of the audit log.

`events_recorded` is sent by `audit_record_many` with the events it wrote in one INSERT:
bulk_create sends no post_save, so a listener that reacts to every new event (the API's
webhooks) listens to both."""

from django.dispatch import Signal

events_recorded = Signal()  # sender: AuditEvent; keyword argument: events (a list)
