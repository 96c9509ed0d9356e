"""Column headers that sort a report table (?sort=), where the menu and report tabs lead, plain numbers."""

from decimal import Decimal

from django import template
from django.utils.html import format_html

from reports.access import reports_home, reports_open
from reports.charts import plain_number

register = template.Library()


@register.simple_tag(takes_context=True)
def sort_header(context, name: str, label: str) -> str:
    """A link sorting by ``name`` (descending when it already sorts ascending), with an arrow if it does."""
    sort = context.get("sort", "")
    href = context.get("sorts", {}).get(name, "")
    arrow = "▲" if sort == name else "▼" if sort == f"-{name}" else ""
    if not href:
        return label
    return format_html('<a href="{}" class="text-reset" data-sort="{}">{}</a>{}', href, name, label, arrow)


@register.simple_tag
def reports_menu(user) -> str:
    """The URL name "Laporan" in the menu opens for ``user``, "" for no link (reports.access.reports_home)."""
    return (user is not None and reports_home(user=user)) or ""


@register.simple_tag
def reports_tabs(user) -> frozenset[str]:
    """The scopes whose report tabs ``user`` sees (reports.access.reports_open)."""
    return frozenset() if user is None else reports_open(user=user)


@register.filter
def plain(value) -> str:
    """A setting's number as the reader's locale writes it, without trailing zeros (1,5 not 1,50)."""
    return plain_number(Decimal(str(value)))
