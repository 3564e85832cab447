"""Certificate pages, one module per audience (certificates/urls.py imports them):

- common: finding the certificate for this person, pagination, the state the page showed;
- public: verification and the public register (no login, rate limited);
- pages: the organization's certificates and a certificate's page, its PDF and poster,
  the staff certificate list;
- decisions: the staff's decisions (approve, suspend, reinstate, revoke, fine, fine paid);
- follow_ups: the organization starting a renewal or a change report;
- desk: the ministry desk's overview (queues, dashboard, search, exports).

Views stay thin: they fetch through `visible_to(user)` (another tenant's certificate is a
404), validate with a form, call one service and turn its refusals into messages.
"""
