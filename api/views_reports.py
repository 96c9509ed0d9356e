"""The report figures as JSON, for the budget system and the city's dashboards.

Each endpoint binds the same filter bar and reads through the same access rule and selectors as
its report page (reports.views.report_filter_bind): the numbers are the page's numbers.
"""

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from api.models import Scope
from api.serializers_reports import (
    RealisationSerializer,
    ReportQuerySerializer,
    SpendQuerySerializer,
    SpendSerializer,
    UmkmShareSerializer,
)
from procurement.models import BudgetLine
from reports import selectors, services, spend
from reports.access import SPENDING
from reports.views import period_paid, report_filter_bind
from reports.views_spend import DEFAULT_PER


class ReportApiView(APIView):
    """Signed in with the read scope, and reading some agency's spending (else 403)."""

    required_scope = Scope.READ

    def report_filter(self, request):
        agencies, _shops, form = report_filter_bind(
            user=request.user, scope=SPENDING, data=request.query_params
        )
        if not form.is_valid():
            raise serializers.ValidationError({name: list(errors) for name, errors in form.errors.items()})
        return agencies, form.report_filter()


@extend_schema(tags=["reports"], parameters=[ReportQuerySerializer], responses=RealisationSerializer)
class RealisationReport(ReportApiView):
    """Budget realisation per agency: ceiling, committed, realised, available, and paid in the period."""

    def get(self, request, *args, **kwargs):
        agencies, f = self.report_filter(request)
        _sort, rows = selectors.realisation_agencies(agencies=agencies, f=f, sort="name")
        lines = BudgetLine.objects.filter(agency__in=rows.values("pk"), fiscal_year=f.year)
        by_month = selectors.realised_by_month(agencies=agencies, f=f)
        body = {
            "year": f.year,
            "month": f.month,
            "agencies": list(rows),
            "totals": {**selectors.realisation_totals(rows=lines), "paid": period_paid(by_month, f)},
            "paid_by_month": [{"month": m, "amount": a} for m, a in by_month],
        }
        return Response(RealisationSerializer(body).data)


@extend_schema(tags=["reports"], parameters=[ReportQuerySerializer], responses=UmkmShareSerializer)
class UmkmShareReport(ReportApiView):
    """The share of official spend paid to micro and small businesses and cooperatives, against the target."""

    def get(self, request, *args, **kwargs):
        agencies, f = self.report_filter(request)
        city = selectors.umkm_share_city(agencies=agencies, f=f)
        target = selectors.umkm_target()
        body = {
            "year": f.year,
            "month": f.month,
            "target_percent": target,
            "city_months": [
                {"month": n, "umkm": m.umkm, "total": m.total, "percent": m.percent}
                for n, m in enumerate(city["months"], start=1)
            ],
            "city_year_to_date": city["ytd"],
            "agencies": list(selectors.umkm_share_agencies(agencies=agencies, f=f)),
        }
        return Response(UmkmShareSerializer(body, context={"target": target}).data)


@extend_schema(tags=["reports"], parameters=[SpendQuerySerializer], responses=SpendSerializer)
class SpendReport(ReportApiView):
    """Spend per agency, seller, kecamatan, scale, category or month, with the headline figures."""

    def get(self, request, *args, **kwargs):
        query = SpendQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        per = query.validated_data.get("per") or DEFAULT_PER
        agencies, f = self.report_filter(request)
        services.spend_shares_split()  # as the page does: every paid order shows at once
        _sort, rows = spend.spend_rows(agencies=agencies, f=f, per=per, sort="name")
        body = {
            "year": f.year,
            "month": f.month,
            "per": per,
            "summary": spend.spend_summary(agencies=agencies, f=f),
            "rows": rows,
        }
        return Response(SpendSerializer(body).data)


urls = [
    path("reports/realisation/", RealisationReport.as_view(), name="reports-realisation"),
    path("reports/umkm-share/", UmkmShareReport.as_view(), name="reports-umkm-share"),
    path("reports/spend/", SpendReport.as_view(), name="reports-spend"),
]
