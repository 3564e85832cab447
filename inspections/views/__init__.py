"""Inspection pages, one module per audience (inspections/urls.py imports them):

- common: the access helpers (another tenant or another inspector gets a 404), shared bits;
- inspector: the inspector's workspace, and the report PDF;
- desk: the ministry desk (scheduling, rescheduling, cancelling, calendar, overdue list);
- applicant: resubmitting after a failed inspection.

Thin views: find the object through `visible_to(user)`, clean the input with a form, call the
service, show its refusal on the page.
"""
