from django import template

from applications.fees import format_rupiah

register = template.Library()


@register.filter
def rupiah(amount):
    """{{ invoice.amount|rupiah }} -> "Rp 1.500.000"."""
    try:
        return format_rupiah(amount)
    except (TypeError, ValueError, ArithmeticError):
        return ""
