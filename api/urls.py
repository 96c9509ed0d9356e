"""/api/: the schema, its documentation page, and version 1 of the API, one module per area."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from api import views_account, views_buyer, views_catalogue, views_procurement, views_reports, views_seller

app_name = "api"

v1 = [
    *views_catalogue.urls,
    *views_account.urls,
    *views_buyer.urls,
    *views_seller.urls,
    *views_procurement.urls,
    *views_reports.urls,
]

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("v1/", include((v1, "v1"))),
]
