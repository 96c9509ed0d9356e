"""Report pages and their exports: parse the filter bar, check who reads what, call the selectors."""

import io
from collections.abc import Iterable
from dataclasses import replace
from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView, View

from peken.money import whole_number_format
from procurement.models import Agency, BudgetLine
from reports import access, selectors, services
from reports.access import SPENDING, Scope
from reports.charts import month_bars, share_bars
from reports.forms import MONTHS, ReportFilterForm, ReportFilterInvalid, ShopFilterForm
from reports.models import ReportExport
from reports.statuses import ExportFormat, ExportStatus
from reports.tables import PERCENT, RUPIAH, TEXT, ExportTable, TableRows, rows_count
from reports.writers import CONTENT_TYPES, PdfTooLarge, background_rows, table_write
from sellers.centre import SESSION_KEY as CENTRE_SHOP_KEY

PAGE_SIZE = 25


def month_short() -> dict[int, str]:
    """Each month's first three letters in the language of the request (not of the import)."""
    return {n: str(label)[:3] for n, label in MONTHS}


def report_filter_bind(*, user, scope: Scope, data: QueryDict, shown_shop: int | None = None, only=None):
    """The agencies and shops ``user`` reads in ``scope`` and the filter bar bound to ``data``.

    PermissionDenied when the person reads nothing there. Every field is optional: an empty
    query string is the whole of this year. For the sales, the bar picks one of the person's
    shops (``shown_shop``, the one the seller centre shows, unless the bar names another).
    The report pages and the API's report endpoints both start here.
    """
    readable = access.readable(user=user, scope=scope)
    if not readable.exists():
        raise PermissionDenied(scope.denied)
    data = data.copy()
    data.setdefault("tahun", str(timezone.localdate().year))
    if scope.shops:
        return Agency.objects.none(), readable, ShopFilterForm(data, shops=readable, default_pk=shown_shop)
    return readable, None, ReportFilterForm(data, agencies=readable, only=only)


class ReportMixin(LoginRequiredMixin):
    """Signed in and reading something in the page's ``scope`` (else 403); the filter bar bound to
    the query string.

    ``scope`` (reports.access) names whose rows the page holds: for an agency scope
    ``self.agencies`` are the agencies the person reads and the filter bar offers; for the
    sales, ``self.shops`` are the person's shops and the bar picks one of them.
    ``filter_fields`` names the agency filter bar's fields the report reads (None: all of them).
    A report whose figures are not split over order lines leaves ``uses_category`` False: a chosen
    product category is then ignored, and the page says so.
    """

    scope: Scope = SPENDING
    filter_fields: tuple[str, ...] | None = None
    uses_category = False

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.report_setup()
        return super().dispatch(request, *args, **kwargs)

    def report_setup(self) -> None:
        """What the person reads in the page's scope (PermissionDenied if nothing) and the filter bar
        bound to GET; also run by a worker rebuilding an export (no session there)."""
        session = getattr(self.request, "session", None)
        self.agencies, self.shops, self.form = report_filter_bind(
            user=self.request.user,
            scope=self.scope,
            data=self.request.GET,
            shown_shop=session.get(CENTRE_SHOP_KEY) if session is not None else None,
            only=self.filter_fields,
        )
        self.filter = self.form.report_filter() if self.form.is_valid() else None

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
            category_ignored=bool(getattr(self.filter, "category", None) and not self.uses_category),
        )
        return context


def period_paid(by_month: list, f) -> Decimal:
    # the month's bar, or the year's bars together: the same payments the rows' "paid" sums
    return sum((amount for month, amount in by_month if not f.month or month == f.month), Decimal(0))


def _month_chart(values) -> dict:
    names = month_short()
    return month_bars([(names[month], amount) for month, amount in values])


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
            totals={**selectors.realisation_totals(rows=lines), "paid": period_paid(by_month, self.filter)},
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
            totals={**selectors.realisation_totals(rows=rows), "paid": period_paid(by_month, self.filter)},
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
            month_names=month_short(),
            # an agency's name opens this report for that agency alone: its months and year to date
            agency_query=self.query(without=("sort", "halaman", "opd")),
        )
        return context


def _person(user) -> str:
    return user.get_full_name() or user.email or user.get_username()


class ExportMixin(ReportMixin):
    """A report's rows as CSV, XLSX or PDF (404 for another format); the same filter and access as its page.

    A view defines ``name`` (the file's name before the year) and ``table()`` -> (header, rows);
    it may define ``title`` (the PDF's heading; else made from the name) and ``kinds`` (how the
    PDF writes each column, reports.tables; else read from the values). Rows that can say how
    many they are without being read (a list, a queryset, reports.tables.TableRows) are counted
    first: above reports.writers.background_rows a worker writes the file (reports.services)
    and the person is sent to their downloads page. Others are written at once.
    """

    http_method_names = ["get", "head", "options"]
    name = ""
    title = ""
    kinds = None

    def get(self, request, fmt: str, **kwargs):
        if fmt not in ExportFormat.values:
            raise Http404
        if self.filter is None:
            raise Http404(_("Saringan laporan tidak valid."))
        table = self.export_table()
        count = rows_count(table.rows)
        if fmt == ExportFormat.PDF and count is not None and count > settings.PEKEN_REPORT_PDF_MAX_ROWS:
            return self.pdf_refused(settings.PEKEN_REPORT_PDF_MAX_ROWS)
        file_name = f"{self.name}-{self.filter.year}.{fmt}"
        if count is not None and count > background_rows(fmt):
            export = services.report_export_request(
                user=request.user,
                url_name=f"{request.resolver_match.namespace}:{request.resolver_match.url_name}",
                url_kwargs={"fmt": fmt, **kwargs},
                query=self.query(without=("halaman",)),
                fmt=fmt,
                title=table.title,
                filter_text=" · ".join(f"{label}: {value}" for label, value in table.filter_words),
                file_name=file_name,
                total=count,
            )
            messages.info(
                request,
                _("%(title)s (%(count)s baris) disusun di latar belakang; unduh di sini setelah siap.")
                % {"title": export.title, "count": whole_number_format(count)},
            )
            return redirect("reports:exports")
        out = io.BytesIO()
        try:
            table_write(table=table, fmt=fmt, out=out)
        except PdfTooLarge as error:
            return self.pdf_refused(error.limit)
        response = HttpResponse(out.getvalue(), content_type=CONTENT_TYPES[fmt])
        response["Content-Disposition"] = content_disposition_header(True, file_name)
        response["X-Content-Type-Options"] = "nosniff"
        return response

    def pdf_refused(self, limit: int):
        messages.error(
            self.request,
            _("PDF memuat paling banyak %(limit)s baris. Unduh CSV atau XLSX, atau persempit saringan.")
            % {"limit": whole_number_format(limit)},
        )
        back = self.request.META.get("HTTP_REFERER", "")
        if back and url_has_allowed_host_and_scheme(
            back, allowed_hosts={self.request.get_host()}, require_https=self.request.is_secure()
        ):
            return redirect(back)
        return redirect("reports:exports")

    def get_title(self) -> str:
        return str(self.title) if self.title else self.name.replace("-", " ").capitalize()

    def export_table(self) -> ExportTable:
        """This report's table with its title, the filter in words and who made it, for a writer."""
        header, rows = self.table()
        agency = getattr(self.filter, "agency", None)
        if agency is None:
            readable = list(self.agencies[:2])
            agency = readable[0] if len(readable) == 1 else None
        return ExportTable(
            title=self.get_title(),
            header=header,
            rows=rows,
            filter_words=self.form.filter_words(),
            kinds=self.kinds,
            agency=agency,
            made_by=_person(self.request.user),
        )

    def table(self) -> tuple[list, Iterable]:
        raise NotImplementedError

    @classmethod
    def export_view(cls, *, user, query: str, kwargs: dict) -> "ExportMixin":
        """The view as ``user`` would open it with ``query``, for a worker to rebuild its table.

        Raises PermissionDenied if ``user`` may read no report now, ReportFilterInvalid if the
        filter no longer holds (an agency or unit gone, or no longer theirs).
        """
        request = HttpRequest()
        request.method = "GET"
        request.GET = QueryDict(query)
        request.user = user
        view = cls()
        view.setup(request, **kwargs)
        view.report_setup()
        if view.filter is None:
            raise ReportFilterInvalid(query)
        return view


class RealisationExportView(ExportMixin, View):
    """Every readable budget line of the year with its realisation."""

    name = "realisasi-anggaran"
    title = gettext_lazy("Realisasi anggaran")
    kinds = (TEXT, TEXT, TEXT, TEXT, TEXT, RUPIAH, RUPIAH, RUPIAH, RUPIAH, PERCENT, RUPIAH)

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

        def row(line):
            return [
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

        return header, TableRows(lines, row)


class UmkmExportView(ExportMixin, View):
    """Each readable agency's UMKM share for the month and year to date."""

    name = "porsi-umkm"
    title = gettext_lazy("Porsi belanja UMKM")
    kinds = (TEXT, RUPIAH, RUPIAH, RUPIAH, RUPIAH, PERCENT, TEXT)

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

        def row(agency):
            return [
                agency.name,
                agency.month_umkm if self.filter.month else None,
                agency.month_total if self.filter.month else None,
                agency.ytd_umkm,
                agency.ytd_total,
                None if agency.ytd_percent is None else round(agency.ytd_percent, 2),
                _("ya") if agency.ytd_percent is not None and agency.ytd_percent < target else "",
            ]

        return header, TableRows(agencies, row)


# --- a person's large exports: the list with progress bars, each one's status and its file


class DownloadsMixin(ReportMixin):
    """Anyone who reads some report (in any scope) has a downloads page; no filter bar."""

    def report_setup(self) -> None:
        if access.reports_home(user=self.request.user) is None:
            raise PermissionDenied(_("Unduhan laporan hanya untuk yang dapat membaca laporan."))
        self.agencies = Agency.objects.none()
        self.form = self.filter = None

    def get_context_data(self, **kwargs):
        # the mixin's context is the filter bar's: a downloads page has none
        return TemplateView.get_context_data(self, **kwargs)


class ExportsView(DownloadsMixin, TemplateView):
    """The exports the person asked for and that have not expired, newest first, each with its progress."""

    template_name = "reports/exports.html"
    shown = 50

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        exports = list(selectors.exports_of(user=self.request.user)[: self.shown])
        context["exports"] = [(export, services.export_progress(export)) for export in exports]
        context["unfinished"] = any(not export.finished for export in exports)
        context["keep_days"] = settings.PEKEN_REPORT_EXPORT_KEEP_DAYS
        return context


class OwnExportMixin(DownloadsMixin):
    """One of the person's own exports (404 for anyone else's, or one that has expired)."""

    http_method_names = ["get", "head", "options"]

    def get_export(self) -> ReportExport:
        return get_object_or_404(selectors.exports_of(user=self.request.user), pk=self.kwargs["pk"])


class ExportStatusView(OwnExportMixin, View):
    """The progress bar's JSON."""

    def get(self, request, pk: int):
        return JsonResponse(services.export_progress(self.get_export()))


class ExportDownloadView(OwnExportMixin, View):
    """A finished export's file."""

    def get(self, request, pk: int):
        export = self.get_export()
        if export.status != ExportStatus.DONE or not export.file:
            raise Http404
        try:
            content = default_storage.open(export.file.name, "rb")
        except FileNotFoundError as missing:
            raise Http404 from missing
        response = FileResponse(
            content, as_attachment=True, filename=export.file_name, content_type=CONTENT_TYPES[export.fmt]
        )
        response["X-Content-Type-Options"] = "nosniff"
        return response
