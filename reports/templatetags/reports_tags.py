"""Column headers that sort a report table (?sort=), and whether the menu shows the reports."""

from django import template
from django.utils.html import format_html

from reports.access import reports_readable

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
