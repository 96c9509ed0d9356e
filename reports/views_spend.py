"""The spend report: paid official purchases by a dimension of the reader's choosing (?per=), its
headline figures and the spend by kecamatan as bars; the paid orders behind each row; the export."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.generic import TemplateView, View
from oscar.core.loading import get_model

from reports import services, spend
from reports.charts import amount_bars
from reports.views import ExportMixin, ReportMixin

Category = get_model("catalogue", "Category")
Partner = get_model("partner", "Partner")
DEFAULT_PER = "opd"


def _per(request) -> str:
    per = request.GET.get("per", "")
    return per if per in spend.DIMENSIONS else DEFAULT_PER


class SharesSplitMixin:
    """Before the report reads, the payments paid since the last split are split (one statement,
    nothing to do when the beat task has just run): every paid order shows at once."""

    def get(self, request, *args, **kwargs):
        services.spend_shares_split()
        return super().get(request, *args, **kwargs)


class SpendView(SharesSplitMixin, ReportMixin, TemplateView):
    """Spend per agency, seller, kecamatan, scale, category or month, with the headline figures."""

    template_name = "reports/spend.html"
    uses_category = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        per = _per(self.request)
        context.update(
            per=per,
            per_label=spend.DIMENSIONS[per],
            dimensions=spend.DIMENSIONS,
            hidden_fields=[("per", per)],
            # the dimension switch and a row's purchases keep the filter bar, not the sort or page
            switch_query=self.query(without=("sort", "halaman", "per")),
            drill_query=self.query(without=("sort", "halaman", "per", "kategori")),
        )
        if self.filter is None:
            return context
        sort, rows = spend.spend_rows(
            agencies=self.agencies, f=self.filter, per=per, sort=self.request.GET.get("sort", "")
        )
        if per == "kecamatan":
            by_kecamatan = rows
        else:
            _sort, by_kecamatan = spend.spend_rows(agencies=self.agencies, f=self.filter, per="kecamatan")
        largest = sorted(by_kecamatan, key=lambda row: (-row.amount, row.label))
        context.update(
            page=self.page(rows),
            sort=sort,
            sorts=self.sort_links(sort, spend.ROW_SORTS),
            summary=spend.spend_summary(agencies=self.agencies, f=self.filter),
            chart=amount_bars([(row.label, row.amount) for row in largest if row.amount]),
            own_category=self.filter.category.path if self.filter.category else "",
        )
        return context


class SpendPurchasesView(SharesSplitMixin, ReportMixin, TemplateView):
    """The paid orders behind one row of the spend report (?per=&kunci=), or all of the period's."""

    template_name = "reports/spend_purchases.html"
    uses_category = True

    def _row_label(self, per: str, key: str) -> str:
        # an agency only among those the reader may read: its name is not shown otherwise
        if per == "opd" and key.isdigit():
            return get_object_or_404(self.agencies, pk=int(key)).name
        if per == "penjual" and key.isdigit():
            return get_object_or_404(Partner, pk=int(key)).name
        if per == "kategori" and key != spend.NONE_KEY:
            return get_object_or_404(Category, path=key).name
        return spend.row_label(per, key)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        per, key = self.request.GET.get("per", ""), self.request.GET.get("kunci", "")
        if per and (per not in spend.DIMENSIONS or not key):
            raise Http404
        context.update(
            per=per,
            key=key,
            dimension=spend.DIMENSIONS.get(per, ""),
            hidden_fields=[("per", per), ("kunci", key)] if per else [],
            back_query=self.query(without=("sort", "halaman", "kunci")),
        )
        if self.filter is None:
            return context
        try:
            context["row_label"] = self._row_label(per, key) if per else ""
            sort, rows = spend.spend_purchases(
                agencies=self.agencies, f=self.filter, per=per, key=key, sort=self.request.GET.get("sort", "")
            )
        except ValueError:
            raise Http404 from None
        context.update(
            page=self.page(rows),
            total=rows.total,
            count=rows.count(),
            sort=sort,
            sorts=self.sort_links(sort, spend.PURCHASE_SORTS),
        )
        return context


class SpendExportView(SharesSplitMixin, ExportMixin, View):
    """Every row of the spend breakdown the page shows (?per=), with its orders and share."""

    name = "belanja"

    def table(self):
        per = _per(self.request)
        _sort, rows = spend.spend_rows(
            agencies=self.agencies, f=self.filter, per=per, sort=self.request.GET.get("sort", "")
        )
        seller = per == "penjual"
        header = [
            str(spend.DIMENSIONS[per]),
            *([_("Kecamatan penjual"), _("Skala usaha")] if seller else []),
            _("Belanja dibayar (bruto)"),
            _("Pesanan dibayar"),
            _("Porsi (%)"),
        ]
        table = (
            [
                row.label,
                *([row.kecamatan, row.scale_label] if seller else []),
                row.amount,
                row.orders,
                None if row.share is None else round(row.share, 2),
            ]
            for row in rows
        )
        return header, table
