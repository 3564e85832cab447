from django import template

register = template.Library()


@register.inclusion_tag("applications/billing/_panel.html", takes_context=True)
def billing_panel(context, invoice):
    """The billing side of `invoice` (code, slip, how to pay, receipt)."""
    from applications.billing.views import panel_context

    return panel_context(context["request"], invoice)


@register.inclusion_tag("applications/billing/_fine_code.html", takes_context=True)
def fine_billing_code(context, sanction):
    """The billing code to pay an unpaid fine with (certificate page)."""
    from applications.billing.models import BillingCode, CodeStatus
    from applications.billing.simulator import may_use

    code = BillingCode.objects.filter(
        sanction=sanction, status__in=[CodeStatus.PENDING, CodeStatus.ACTIVE]
    ).first()
    return {"code": code, "can_simulate": may_use(context["request"].user)}
