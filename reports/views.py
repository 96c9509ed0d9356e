"""Report pages and their exports: parse the filter bar, check who reads what, call the selectors."""

from dataclasses import replace
from decimal import Decimal

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView, View

from peken.exports import FORMATS, export_response
from procurement.models import BudgetLine
from reports import selectors
from reports.access import report_agencies
from reports.charts import month_bars, share_bars
from reports.forms import MONTHS, ReportFilterForm

PAGE_SIZE = 25
MONTH_SHORT = {n: str(label)[:3] for n, label in MONTHS}


class ReportMixin(LoginRequiredMixin):
    """Signed in, allowed at least one agency (else 403); the filter bar bound to the query string.

    A report whose figures are not split over order lines leaves ``uses_category`` False: a chosen
    product category is then ignored, and the page says so.
    """

    uses_category = False

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.agencies = report_agencies(user=request.user)
        if not self.agencies.exists():
            raise PermissionDenied(_("Laporan belanja hanya untuk PA/KPA, admin OPD, dan auditor."))
        # every field is optional: an empty query string is the whole of this year
        data = request.GET.copy()
        data.setdefault("tahun", str(timezone.localdate().year))
        self.form = ReportFilterForm(data, agencies=self.agencies)
        self.filter = self.form.report_filter() if self.form.is_valid() else None
        return super().dispatch(request, *args, **kwargs)

    def query(self, *, without=("sort", "halaman")) -> str:
        """The query string minus sort and page, for links that change only those."""
        params = self.request.GET.copy()
        for name in without:
            params.pop(name, None)
        return params.urlencode()

    def sort_links(self, sort: str, names) -> dict[str, str]:
        # a column sorted ascending sorts descending on the next click
        base = self.query()
        prefix = f"{base}&" if base else ""
        return {name: f"?{prefix}sort={'-' if sort == name else ''}{name}" for name in names}

    def page(self, rows):
        return Paginator(rows, PAGE_SIZE).get_page(self.request.GET.get("halaman"))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            form=self.form,
            filter=self.filter,
            query=self.query(),
            export_query=self.query(without=("halaman",)),
            year=self.filter.year if self.filter else timezone.localdate().year,
            category_ignored=bool(self.filter and self.filter.category and not self.uses_category),
        )
        return context


def _period_paid(by_month: list, f) -> Decimal:
    # the month's bar, or the year's bars together: the same payments the rows' "paid" sums
    return sum((amount for month, amount in by_month if not f.month or month == f.month), Decimal(0))


def _month_chart(values) -> dict:
    return month_bars([(MONTH_SHORT[month], amount) for month, amount in values])


class RealisationCityView(ReportMixin, TemplateView):
    """Budget realisation per agency of the year, with the months' realised as bars."""

    template_name = "reports/realisation_city.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.filter is None:
            return context
        sort, rows = selectors.realisation_agencies(
            agencies=self.agencies, f=self.filter, sort=self.request.GET.get("sort", "")
        )
        lines = BudgetLine.objects.filter(agency__in=rows.values("pk"), fiscal_year=self.filter.year)
        by_month = selectors.realised_by_month(agencies=self.agencies, f=self.filter)
        context.update(
            page=self.page(rows),
            sort=sort,
            sorts=self.sort_links(sort, selectors.REALISATION_SORTS),
            totals={**selectors.realisation_totals(rows=lines), "paid": _period_paid(by_month, self.filter)},
            chart=_month_chart(by_month),
        )
        return context


class RealisationAgencyView(ReportMixin, TemplateView):
    """One agency's budget lines of the year (404 for an agency the person may not read)."""

    template_name = "reports/realisation_agency.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        agency = get_object_or_404(self.agencies, code=kwargs["code"])
        context["agency"] = agency
        if self.filter is None:
            return context
        sort, rows = selectors.realisation_lines(
            agency=agency, f=self.filter, sort=self.request.GET.get("sort", "")
        )
        one = self.agencies.filter(pk=agency.pk)
        by_month = selectors.realised_by_month(agencies=one, f=self.filter)
        context.update(
            page=self.page(rows),
            sort=sort,
            sorts=self.sort_links(sort, selectors.LINE_SORTS),
            totals={**selectors.realisation_totals(rows=rows), "paid": _period_paid(by_month, self.filter)},
            chart=_month_chart(by_month),
        )
        return context


class RealisationLineView(ReportMixin, TemplateView):
    """One budget line's purchases: what each requisition's commitment holds and has realised."""

    template_name = "reports/realisation_line.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        line = get_object_or_404(
            BudgetLine.objects.select_related("agency"),
            pk=kwargs["pk"],
            agency__in=self.agencies.values("pk"),
        )
        context["line"] = line
        context["line_available"] = line.available
        context["line_percent"] = float(line.realised) * 100 / float(line.ceiling) if line.ceiling else None
        if self.filter is None:
            return context
        sort, rows = selectors.line_purchases(line=line, f=self.filter, sort=self.request.GET.get("sort", ""))
        one = self.agencies.filter(pk=line.agency_id)
        by_month = selectors.realised_by_month(
            agencies=one,
            f=replace(self.filter, year=line.fiscal_year),
            line=line,
        )
        context.update(
            page=self.page(rows),
            sort=sort,
            sorts=self.sort_links(sort, selectors.PURCHASE_SORTS),
            chart=_month_chart(by_month),
        )
        return context


class UmkmShareView(ReportMixin, TemplateView):
    """The share of official spend to micro and small businesses and cooperatives, against the target."""

    template_name = "reports/umkm_share.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        target = selectors.umkm_target()
        context["target"] = target
        if self.filter is None:
            return context
        rows = selectors.umkm_share_agencies(agencies=self.agencies, f=self.filter)
        page = self.page(rows)
        city = selectors.umkm_share_city(agencies=self.agencies, f=self.filter)
        context.update(
            page=page,
            city=city,
            month_label=dict(MONTHS).get(self.filter.month, ""),
            chart=share_bars([(a.name, a.ytd_percent) for a in page], target=target),
            month_names=MONTH_SHORT,
            # an agency's name opens this report for that agency alone: its months and year to date
            agency_query=self.query(without=("sort", "halaman", "opd")),
        )
        return context


class ExportMixin(ReportMixin):
    """A report's rows as CSV or XLSX (404 for another format); the same filter and access as its page."""

    def get(self, request, fmt: str):
        if fmt not in FORMATS:
            raise Http404
        if self.filter is None:
            raise Http404(_("Saringan laporan tidak valid."))
        header, rows = self.table()
        name = f"{self.name}-{self.filter.year}"
        return export_response(fmt=fmt, name=name, header=header, rows=rows, title=name)


class RealisationExportView(ExportMixin, View):
    """Every readable budget line of the year with its realisation."""

    name = "realisasi-anggaran"

    def table(self):
        _sort, agencies = selectors.realisation_agencies(agencies=self.agencies, f=self.filter)
        lines = (
            BudgetLine.objects.filter(agency__in=agencies.values("pk"), fiscal_year=self.filter.year)
            .annotate(
                paid=selectors.paid_in_period(
                    agencies=self.agencies, f=self.filter, outer="requisition__budget_line"
                )
            )
            .select_related("agency")
            .order_by("agency__name", "sub_activity", "account_code", "pk")
        )
        header = [
            _("OPD"),
            _("Tahun anggaran"),
            _("Sub kegiatan"),
            _("Kode rekening"),
            _("Uraian"),
            _("Pagu"),
            _("Terikat"),
            _("Realisasi"),
            _("Sisa"),
            _("Persen realisasi"),
            _("Dibayar dalam periode"),
        ]
        rows = (
            [
                line.agency.name,
                line.fiscal_year,
                line.sub_activity,
                line.account_code,
                line.description,
                line.ceiling,
                line.committed,
                line.realised,
                line.available,
                round(float(line.realised) * 100 / float(line.ceiling), 2) if line.ceiling else None,
                line.paid,
            ]
            for line in lines.iterator()
        )
        return header, rows


class UmkmExportView(ExportMixin, View):
    """Each readable agency's UMKM share for the month and year to date."""

    name = "porsi-umkm"

    def table(self):
        agencies = selectors.umkm_share_agencies(agencies=self.agencies, f=self.filter)
        header = [
            _("OPD"),
            _("Bulan: belanja UMKM & koperasi"),
            _("Bulan: seluruh belanja"),
            _("Sampai bulan ini: belanja UMKM & koperasi"),
            _("Sampai bulan ini: seluruh belanja"),
            _("Porsi UMKM (%)"),
            _("Di bawah target"),
        ]
        target = selectors.umkm_target()
        rows = (
            [
                agency.name,
                agency.month_umkm if self.filter.month else None,
                agency.month_total if self.filter.month else None,
                agency.ytd_umkm,
                agency.ytd_total,
                None if agency.ytd_percent is None else round(agency.ytd_percent, 2),
                _("ya") if agency.ytd_percent is not None and agency.ytd_percent < target else "",
            ]
            for agency in agencies
        )
        return header, rows
