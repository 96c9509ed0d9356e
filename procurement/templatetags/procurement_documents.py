"""{% official_documents order=order as docs %}: an order's issued documents, for their list partial."""

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
