"""Paying the fee with a billing code (SIMPONI-style PNBP billing).

An invoice gets a billing code from the billing system (adapters: the local simulator by
default, an HTTP gateway client in production); the billing system calls back, HMAC-signed,
when the code is paid (views.callback); the payment is recorded with its NTPN/NTB, the
invoice marked paid, or kept as a discrepancy for staff (services).
"""
