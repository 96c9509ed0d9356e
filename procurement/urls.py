"""Every procurement page, under /pengadaan/ in the "procurement" namespace.

Each group of pages keeps its own list; tests/test_procurement_access.py walks them all.
"""

from procurement import (
    views_admin,
    views_approvals,
    views_audit,
    views_buying,
    views_documents,
    views_fulfilment,
    views_seller,
    views_spj,
    views_treasury,
)

app_name = "procurement"
urlpatterns = [
    *views_buying.urlpatterns,
    *views_approvals.urlpatterns,
    *views_admin.urlpatterns,
    *views_audit.urlpatterns,
    *views_treasury.urlpatterns,
    *views_seller.urlpatterns,
    *views_spj.urlpatterns,
    *views_documents.urlpatterns,
    *views_fulfilment.urlpatterns,
]
