"""The registration fee: computed from the declared facts and the active FeeSchedule.

The rule (documented here because staff and applicants both ask):

1. Base fee: the amount of the first tier whose "up to agent seats" is at least the declared
   number of agent seats (the tier without a limit catches the rest). With the default
   schedule: up to 50 seats Rp 5.000.000, 51-200 Rp 10.000.000, 201-500 Rp 20.000.000,
   above 500 Rp 35.000.000.
2. Plus the amount per extra site for every declared site beyond the first (Rp 2.500.000).
3. The sum is multiplied by the outbound factor when outbound calls are made (outbound or
   both; ×1,25) and by the outsourced factor when the operation is outsourced (×1,10).
4. The result is rounded once, at the end, to whole Rupiah (half up). The quote lists the
   factor surcharges as separate lines whose amounts add up exactly to the total.

Renewals pay the same schedule as a new registration: a renewal is a full new assessment
(documents reviewed, premises inspected) for five more years.

A change report pays a flat administrative fee (FeeSchedule.change_report_fee, by default
Rp 1.000.000), whatever the size: the change is reviewed and inspected, but the certificate
it changes keeps its expiry date, so the full registration fee would charge twice for the same
period. The invoice is issued on submission like any other, and the inspection can be
scheduled only once it is paid.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from applications.constants import Direction, Sourcing
from applications.kinds import kind_of
from applications.models import Invoice
from registrasi.money import format_rupiah

DEFAULT_TIERS = [(50, 5_000_000), (200, 10_000_000), (500, 20_000_000), (None, 35_000_000)]
DEFAULT_PER_EXTRA_SITE = 2_500_000
DEFAULT_OUTBOUND_FACTOR = Decimal("1.25")
DEFAULT_OUTSOURCED_FACTOR = Decimal("1.10")
DEFAULT_CHANGE_REPORT_FEE = 1_000_000


@dataclass(frozen=True)
class FeeRules:
    """A plain copy of a fee schedule: tiers as (max_seats or None, amount), sorted."""

    tiers: list
    per_extra_site: int
    outbound_factor: Decimal
    outsourced_factor: Decimal
    change_report_fee: int = DEFAULT_CHANGE_REPORT_FEE


@dataclass
class FeeQuote:
    total: int = 0
    lines: list = field(default_factory=list)  # [(label, amount in Rupiah)]
    missing: list = field(default_factory=list)  # what must be declared before a quote

    @property
    def is_complete(self):
        return not self.missing


def default_rules() -> FeeRules:
    return FeeRules(
        tiers=list(DEFAULT_TIERS),
        per_extra_site=DEFAULT_PER_EXTRA_SITE,
        outbound_factor=DEFAULT_OUTBOUND_FACTOR,
        outsourced_factor=DEFAULT_OUTSOURCED_FACTOR,
    )


def active_rules() -> FeeRules:
    """The active schedule from the database, or the built-in default when staff have not
    configured one (a flushed test database, a fresh install before migrate's data step)."""
    from applications.models import FeeSchedule

    schedule = FeeSchedule.objects.filter(is_active=True).prefetch_related("tiers").first()
    if schedule is None or not schedule.tiers.all():
        return default_rules()
    tiers = sorted(
        ((t.max_seats, t.amount) for t in schedule.tiers.all()),
        key=lambda tier: (tier[0] is None, tier[0] or 0),
    )
    return FeeRules(
        tiers=tiers,
        per_extra_site=schedule.amount_per_extra_site,
        outbound_factor=schedule.outbound_factor,
        outsourced_factor=schedule.outsourced_factor,
        change_report_fee=schedule.change_report_fee,
    )


def _tier_for(rules: FeeRules, seats: int):
    for max_seats, amount in rules.tiers:
        if max_seats is None or seats <= max_seats:
            return max_seats, amount
    # No open tier configured: the highest tier applies above its limit too.
    return rules.tiers[-1]


def _round(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def compute_fee(
    *, rules: FeeRules, agent_seats: int, site_count: int, direction: str, sourcing: str
) -> FeeQuote:
    """Apply the rule in this module's docstring. Amounts are whole Rupiah (int)."""
    lines = []
    max_seats, base = _tier_for(rules, agent_seats)
    if max_seats is None:
        label = _("Base fee (%(seats)s agent seats, top tier)") % {"seats": agent_seats}
    else:
        label = _("Base fee (%(seats)s agent seats, tier up to %(max)s)") % {
            "seats": agent_seats,
            "max": max_seats,
        }
    lines.append((label, base))
    extra_sites = max(site_count - 1, 0)
    subtotal = base
    if extra_sites:
        extra = extra_sites * rules.per_extra_site
        lines.append(
            (
                _("%(count)s extra site(s) × %(amount)s")
                % {"count": extra_sites, "amount": format_rupiah(rules.per_extra_site)},
                extra,
            )
        )
        subtotal += extra
    factor = Decimal(1)
    running = subtotal
    if direction in (Direction.OUTBOUND, Direction.BOTH):
        factor *= rules.outbound_factor
        after = _round(subtotal * factor)
        lines.append(
            (_("Outbound calls (× %(f)s)") % {"f": _factor(rules.outbound_factor)}, after - running)
        )
        running = after
    if sourcing == Sourcing.OUTSOURCED:
        factor *= rules.outsourced_factor
        after = _round(subtotal * factor)
        lines.append(
            (
                _("Outsourced operation (× %(f)s)") % {"f": _factor(rules.outsourced_factor)},
                after - running,
            )
        )
        running = after
    return FeeQuote(total=running, lines=lines)


def _factor(value: Decimal) -> str:
    # Indonesian decimal comma: 1.25 -> "1,25".
    return f"{value.normalize():f}".replace(".", ",")


def change_report_quote(rules: FeeRules) -> FeeQuote:
    """The flat fee of a change report (see the module docstring)."""
    amount = rules.change_report_fee
    return FeeQuote(total=amount, lines=[(_("Change report (flat administrative fee)"), amount)])


def quote_for(application, *, rules: FeeRules | None = None) -> FeeQuote:
    """The fee for an application's declared facts, or an incomplete quote naming what is
    missing. A change report pays the flat fee."""
    if kind_of(application).flat_fee:
        return change_report_quote(rules or active_rules())
    missing = []
    if not application.agent_seats:
        missing.append(_("number of agent seats"))
    if not application.direction:
        missing.append(_("call direction"))
    if not application.sourcing:
        missing.append(_("in-house or outsourced operation"))
    if missing:
        return FeeQuote(missing=[str(m) for m in missing])
    site_count = application.sites.count()
    return compute_fee(
        rules=rules or active_rules(),
        agent_seats=application.agent_seats,
        site_count=site_count,
        direction=application.direction,
        sourcing=application.sourcing,
    )


class FeeAction:
    """What submitting does to the invoices (FeeChange.action)."""

    UNKNOWN = "unknown"  # the facts the fee depends on are not all declared yet
    ISSUE = "issue"  # first submission: the fee invoice is issued
    UNCHANGED = "unchanged"  # the invoices already issued still match the fee
    REPLACE = "replace"  # nothing paid yet: the open invoice is cancelled, a new one issued
    SUPPLEMENTARY = "supplementary"  # paid less than the new fee: an invoice for the rest
    SETTLED = "settled"  # paid exactly the new fee: the open supplementary is cancelled
    NO_REFUND = "no_refund"  # paid more than the new fee: nothing is refunded


@dataclass(frozen=True)
class FeeChange:
    """The fee for what is declared now against what was invoiced and paid so far: what the
    fee and review steps show before submitting, and what submitting then does."""

    quote: FeeQuote
    invoiced: int  # the invoices not cancelled, paid or not
    paid: int
    open_invoice: Invoice | None
    has_invoices: bool

    @property
    def new_total(self):
        return self.quote.total

    @property
    def difference(self):
        """New fee minus the invoices already issued (negative: the fee went down)."""
        return self.quote.total - self.invoiced

    @property
    def due(self):
        """What remains to pay under the new fee (zero or less: nothing)."""
        return self.quote.total - self.paid

    @property
    def action(self):
        if not self.quote.is_complete:
            return FeeAction.UNKNOWN
        if not self.has_invoices:
            return FeeAction.ISSUE
        if self.due < 0:
            return FeeAction.NO_REFUND
        if self.due == 0:
            return FeeAction.SETTLED if self.open_invoice else FeeAction.UNCHANGED
        if self.open_invoice is not None and self.open_invoice.amount == self.due:
            return FeeAction.UNCHANGED
        return FeeAction.SUPPLEMENTARY if self.paid else FeeAction.REPLACE

    @property
    def explanation(self) -> str:
        """What submitting will do, in a sentence for the applicant (translated)."""
        values = {
            "new": format_rupiah(self.new_total),
            "old": format_rupiah(self.invoiced),
            "paid": format_rupiah(self.paid),
            "due": format_rupiah(self.due),
            "number": self.open_invoice.number if self.open_invoice else "",
        }
        texts = {
            FeeAction.ISSUE: gettext("The invoice for %(new)s is issued when you submit."),
            FeeAction.UNCHANGED: gettext(
                "The fee has not changed: the invoice already issued stays."
            ),
            FeeAction.REPLACE: gettext(
                "The fee changed from %(old)s to %(new)s. When you submit, the unpaid invoice "
                "%(number)s is cancelled (it stays in the history) and a new invoice for "
                "%(new)s is issued."
            ),
            FeeAction.SUPPLEMENTARY: gettext(
                "You have already paid %(paid)s; the new fee is %(new)s. When you submit, a "
                "supplementary invoice for the difference, %(due)s, is issued."
            ),
            FeeAction.SETTLED: gettext(
                "You have already paid the new fee of %(new)s: when you submit, the unpaid "
                "invoice %(number)s is cancelled."
            ),
            FeeAction.NO_REFUND: gettext(
                "The new fee (%(new)s) is lower than what you have already paid (%(paid)s). "
                "Fees already paid are not refunded, and no new invoice is issued."
            ),
        }
        text = texts.get(self.action)
        return text % values if text else ""


def fee_change(application, *, quote=None, invoices=None) -> FeeChange:
    """The fee for the declared facts now, against the application's invoices. A page that
    has the quote and the invoices already passes them (no second read)."""
    if invoices is None:
        invoices = Invoice.objects.filter(application=application)
    invoices = [i for i in invoices if not i.is_cancelled]
    return FeeChange(
        quote=quote or quote_for(application),
        invoiced=sum(i.amount for i in invoices),
        paid=sum(i.amount for i in invoices if i.is_paid),
        open_invoice=next((i for i in invoices if i.is_open), None),
        has_invoices=bool(invoices),
    )
