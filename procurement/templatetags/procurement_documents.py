"""{% official_documents order=order as docs %}: an order's issued documents, for their list partial."""

from decimal import Decimal, InvalidOperation

from django import template

from procurement import selectors_documents

register = template.Library()


@register.simple_tag
def official_documents(*, order=None, documents=None):
    """``documents`` when given, else ``order``'s issued documents without their bytes (none for no order)."""
    if documents is not None and documents != "":
        return documents
    if order is None or order == "":
        return []
    return list(selectors_documents.order_documents(order=order))


@register.filter
def percent(rate) -> str:
    """A tax rate as a document writes it, without trailing zeros: 1,5 (of 1.500), 12, 0,5."""
    try:
        rate = Decimal(str(rate))
    except (InvalidOperation, ValueError):
        return ""
    text = format(rate.normalize(), "f") if rate else "0"
    return text.replace(".", ",")
