"""Money, written once for every app: amounts are whole Rupiah, shown as "Rp 1.500.000".

Also the template library `money` (settings.TEMPLATES "libraries"): `{% load money %}`,
then `{{ invoice.amount|rupiah }}`.
"""

from decimal import ROUND_HALF_UP, Decimal

from django import template

register = template.Library()


def format_rupiah(amount) -> str:
    """1500000 -> "Rp 1.500.000" (Indonesian grouping, whole Rupiah)."""
    if amount is None:
        return ""
    value = int(Decimal(amount).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    sign = "-" if value < 0 else ""
    return f"{sign}Rp {abs(value):,}".replace(",", ".")


@register.filter
def rupiah(amount) -> str:
    """{{ invoice.amount|rupiah }} -> "Rp 1.500.000"; "" for what is not an amount."""
    try:
        return format_rupiah(amount)
    except (TypeError, ValueError, ArithmeticError):
        return ""
