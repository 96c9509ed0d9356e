"""The only writes the reports make: refreshing their own summaries.

PaidPayment, RequisitionShare and ProductPriceRange (reports.models) are kept by triggers in the
writers' own transactions and need nothing here. The personal-shopping summary is a materialized
view, refreshed concurrently: readers keep reading the previous contents until the new ones are
in, so it is at most PEKEN_REPORTS_REFRESH_MINUTES (plus one refresh) behind the orders.
"""

from django.db import connection

from reports.models import PersonalSpendDay

MATERIALIZED = (PersonalSpendDay._meta.db_table,)


def summaries_refresh() -> list[str]:
    """Refresh every materialized summary of the reports (PostgreSQL; elsewhere there are none).

    Concurrent where the view already holds rows (it needs its unique index and does not block
    readers), plain the first time. Returns the views refreshed. Safe to run twice at once:
    PostgreSQL lets one refresh of a view run at a time, the other waits.
    """
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        for view in MATERIALIZED:
            cursor.execute("SELECT relispopulated FROM pg_class WHERE relname = %s", [view])
            (populated,) = cursor.fetchone()
            concurrently = "CONCURRENTLY " if populated else ""
            cursor.execute(f"REFRESH MATERIALIZED VIEW {concurrently}{view}")
    return list(MATERIALIZED)
