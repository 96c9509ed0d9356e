"""Report tables on a page whose rows a selector returns as a list (red flags, concentration per agency).

The rows are already summed or picked in PostgreSQL and few (one per agency, seller or flag);
here they are only ordered by the column the reader chose and cut into pages. Each table on a
page has its own sort and page parameters, so two tables page independently.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.paginator import Page, Paginator

PAGE_SIZE = 25


def rows_sorted(rows: list, *, sort: str, keys: dict[str, Callable], default: str) -> tuple[str, list]:
    """``rows`` by the column ``sort`` names ("-name": descending), or by ``default`` if it names none.

    Rows whose key is None come last either way; equal keys keep the selector's order.
    """
    name = sort.lstrip("-")
    if name not in keys:
        sort, name = default, default.lstrip("-")
    key = keys[name]
    present = [row for row in rows if key(row) is not None]
    present.sort(key=key, reverse=sort.startswith("-"))
    return sort, present + [row for row in rows if key(row) is None]


@dataclass(frozen=True)
class Table:
    """One sorted page of a table and what its header and pager links need."""

    page: Page
    sort: str
    sorts: dict[str, str]
    page_param: str
    query: str  # the query string without this table's page: the pager adds it


class ListTablesMixin:
    """For a report view (ReportMixin): tables of list rows, each with its own ?sort and ?page."""

    def list_table(
        self,
        rows: list,
        *,
        keys: dict[str, Callable],
        default: str,
        sort_param: str = "sort",
        page_param: str = "halaman",
    ) -> Table:
        sort, ordered = rows_sorted(
            rows, sort=self.request.GET.get(sort_param, ""), keys=keys, default=default
        )
        params = self.request.GET.copy()
        params.pop(page_param, None)
        paged = params.urlencode()
        params.pop(sort_param, None)
        base = params.urlencode()
        prefix = f"{base}&" if base else ""
        sorts = {name: f"?{prefix}{sort_param}={'-' if sort == name else ''}{name}" for name in keys}
        page = Paginator(ordered, PAGE_SIZE).get_page(self.request.GET.get(page_param))
        return Table(page=page, sort=sort, sorts=sorts, page_param=page_param, query=paged)
