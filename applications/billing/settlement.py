"""The billing system's daily settlement file: one CSV row per payment (billing_code, ntpn,
ntb, amount, paid_at, channel). Importing it confirms the payments already known, applies
those whose callback never came (audited with source "settlement"), and lists the rows that
match nothing. Importing the same file again changes nothing."""

import csv
import io
from dataclasses import dataclass, field

from django.utils.dateparse import parse_datetime

from applications.billing import services
from applications.billing.models import BillingPayment, PaymentSource

COLUMNS = ["billing_code", "ntpn", "ntb", "amount", "paid_at", "channel"]
MAX_ROWS = 50_000


@dataclass
class SettlementResult:
    confirmed: list = field(default_factory=list)  # known payments, now marked settled
    already: list = field(default_factory=list)  # known and settled before (file seen)
    applied: list = field(default_factory=list)  # no callback came: recorded from the file
    unmatched: list = field(default_factory=list)  # (line, row, why)


class SettlementFileError(ValueError):
    pass


def _rows(text: str):
    reader = csv.DictReader(io.StringIO(text))
    if [c.strip() for c in reader.fieldnames or []] != COLUMNS:
        raise SettlementFileError(f"the header must be: {','.join(COLUMNS)}")
    for number, row in enumerate(reader, start=2):
        if number > MAX_ROWS + 1:
            raise SettlementFileError(f"more than {MAX_ROWS} rows")
        yield number, {k.strip(): (v or "").strip() for k, v in row.items() if k}


def _parse(row):
    code, ntpn = row["billing_code"], row["ntpn"].upper()
    if not services.CODE_RE.match(code):
        return None, "bad billing code"
    if not services.NTPN_RE.match(ntpn):
        return None, "bad NTPN"
    if not row["amount"].isdigit() or len(row["amount"]) > 15:
        return None, "bad amount"
    paid_at = parse_datetime(row["paid_at"])
    if paid_at is None or paid_at.tzinfo is None:
        return None, "bad paid_at (ISO 8601 with offset)"
    return {
        "code": code,
        "ntpn": ntpn,
        "ntb": row["ntb"][:32] or "-",
        "channel": row["channel"][:32] or "-",
        "amount": int(row["amount"]),
        "paid_at": paid_at,
    }, ""


def settlement_import(*, data: bytes) -> SettlementResult:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SettlementFileError("the file is not UTF-8 text") from exc
    result = SettlementResult()
    for number, row in _rows(text):
        report, why = _parse(row)
        if report is None:
            result.unmatched.append((number, row, why))
            continue
        _import_row(number, row, report, result)
    return result


def _import_row(number, row, report, result):
    known = (
        BillingPayment.objects.select_related("billing_code").filter(ntpn=report["ntpn"]).first()
    )
    if known is not None:
        if known.billing_code.code != report["code"] or known.amount != report["amount"]:
            result.unmatched.append((number, row, "NTPN known with another code or amount"))
        elif services.payment_confirm_settled(payment=known):
            result.confirmed.append(known)
        else:
            result.already.append(known)
        return
    try:
        payment, _created = services.payment_receive(**report, source=PaymentSource.SETTLEMENT)
    except services.UnknownCode:
        result.unmatched.append((number, row, "unknown billing code"))
        return
    result.applied.append(payment)
