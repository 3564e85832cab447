from django import template

register = template.Library()


@register.inclusion_tag("applications/billing/_panel.html", takes_context=True)
def billing_panel(context, invoice):
    """The billing side of `invoice` (code, slip, how to pay, receipt)."""
    from applications.billing.views import panel_context

    return panel_context(context["request"], invoice)
