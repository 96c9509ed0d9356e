"""Column headers that sort a report table (?sort=), whether the menu shows the reports, plain numbers."""

from decimal import Decimal

from django import template
from django.utils.html import format_html

from reports.access import reports_readable
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
def reports_menu(user) -> bool:
    """Whether the menu links to the reports for ``user``."""
    return user is not None and reports_readable(user=user)


@register.filter
def plain(value) -> str:
    """A setting's number as the reader's locale writes it, without trailing zeros (1,5 not 1,50)."""
    return plain_number(Decimal(str(value)))
