"""Pages of the applications app, one module per audience (applications/urls.py imports them):

- common: the access helpers and the POST plumbing every page shares;
- page: the application page, for every role (the staff see the decision page);
- applicant: the applicant's guided flow, uploads, submitting and withdrawing;
- desk: the ministry desk (queue, review actions, walk-in applications).

Views stay thin: fetch through `visible_to` (other tenants get 404), validate a form, call a
service, turn its refusal into a message. Every POST carries the state the page showed
(`expected_state`); a page that went stale gets a message saying what the application is now.
"""
