"""The seller centre (/penjual/pusat/): a shop's own products, prices and stock, orders and sales.

Every view works on one shop the signed-in user belongs to (chosen with
``?toko=`` and remembered in the session, else their first) and looks every
object up within that shop, so another shop's product, order or upload is a
404, never its data. Users who belong to no shop get 403.
"""

import base64
import hashlib

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import DetailView, FormView, ListView, TemplateView
from oscar.core.loading import get_model

from catalogue_ext import services as catalogue_services
from catalogue_ext.abstract_models import ListingStatus
from peken.csv_upload import errors_shown
from peken.imports import import_job_context, import_job_progress, import_jobs_of
from peken.models import ImportJob, ImportKind
from sellers import selectors, services
from sellers.centre_forms import CentreTaxForm, ListingForm, StockCsvForm, listing_form_initial
from sellers.order_extras import order_extras
from sellers.stock_csv import MAX_BYTES as MAX_CSV_BYTES
from sellers.stock_csv import stock_csv_template

Partner = get_model("partner", "Partner")

SESSION_KEY = "peken_centre_shop"
PAGE_SIZE = 20
# The file a seller has previewed and not yet confirmed: one per session.
STOCK_PREVIEW_KEY = "peken_stock_preview"
PREVIEW_SHOWN = 200  # changed rows listed on the preview page


class SellerCentreMixin(LoginRequiredMixin):
    """Resolves ``self.seller``: the shop this user works for that the centre shows."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        shops = selectors.centre_shops(user=request.user)
        wanted = request.GET.get("toko") or request.session.get(SESSION_KEY)
        seller = None
        if wanted:
            try:
                seller = shops.filter(pk=int(wanted)).first()
            except (TypeError, ValueError):
                seller = None
            if seller is None and "toko" in request.GET:
                raise Http404(_("Toko tidak ditemukan."))
        seller = seller or shops.first()
        if seller is None:
            raise PermissionDenied(_("Pusat penjual hanya untuk pemilik toko."))
        request.session[SESSION_KEY] = seller.pk
        self.seller = seller
        self.shops = shops
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["seller"] = self.seller
        ctx["shops"] = self.shops
        return ctx


class CentreHomeView(SellerCentreMixin, TemplateView):
    template_name = "sellers/centre/home.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        products = selectors.centre_products(seller=self.seller)
        ctx["product_count"] = products.count()
        ctx["off_sale_count"] = products.filter(
            listing_status__in=(ListingStatus.HELD, ListingStatus.REJECTED)
        ).count()
        ctx["order_count"] = selectors.centre_orders(seller=self.seller).count()
        ctx["sales"] = selectors.centre_sales_totals(seller=self.seller)
        return ctx


class CentreProductListView(SellerCentreMixin, ListView):
    template_name = "sellers/centre/products.html"
    context_object_name = "products"
    paginate_by = PAGE_SIZE

    def get_queryset(self):
        return selectors.centre_products(seller=self.seller)


class CentreProductCreateView(SellerCentreMixin, FormView):
    template_name = "sellers/centre/product_form.html"
    form_class = ListingForm

    def form_valid(self, form):
        product = catalogue_services.listing_create(
            seller=self.seller, actor=self.request.user, data=form.cleaned_data
        )
        if product.listing_status == ListingStatus.HELD:
            messages.warning(
                self.request,
                _("%(title)s tersimpan, tetapi ditahan sampai diperiksa petugas.") % {"title": product.title},
            )
        else:
            messages.success(
                self.request,
                _("%(title)s tersimpan dan tayang; petugas akan memeriksanya.") % {"title": product.title},
            )
        return redirect("sellers:centre-products")


class CentreProductEditView(SellerCentreMixin, FormView):
    template_name = "sellers/centre/product_form.html"
    form_class = ListingForm

    def get_product(self):
        if not hasattr(self, "product"):
            products = selectors.centre_products(seller=self.seller)
            self.product = get_object_or_404(products, pk=self.kwargs["pk"])
            self.record = self.product.own_records[0]
        return self.product

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "product": self.get_product()}

    def get_initial(self):
        return listing_form_initial(product=self.get_product(), record=self.record)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["product"] = self.get_product()
        ctx["record"] = self.record
        ctx["decisions"] = self.product.decisions.select_related("actor")[:10]
        return ctx

    def form_valid(self, form):
        changed = catalogue_services.listing_update(
            product=self.get_product(), seller=self.seller, actor=self.request.user, data=form.cleaned_data
        )
        if not changed:
            messages.info(self.request, _("Tidak ada perubahan."))
        else:
            messages.success(
                self.request, _("Perubahan %(title)s tersimpan.") % {"title": form.cleaned_data["title"]}
            )
        return redirect("sellers:centre-products")


class CentreStockCsvView(SellerCentreMixin, View):
    """The shop's current SKUs, titles, prices and stock as a CSV to fill in."""

    def get(self, request, *args, **kwargs):
        body = stock_csv_template(selectors.centre_stock_records(seller=self.seller))
        response = HttpResponse(body, content_type="text/csv; charset=utf-8")
        name = f"stok-{self.seller.code or self.seller.pk}.csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


class CentreStockUploadView(SellerCentreMixin, FormView):
    """Upload the filled-in CSV; the history of price and stock changes below."""

    template_name = "sellers/centre/stock.html"
    form_class = StockCsvForm

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["updates"] = selectors.centre_stock_updates(seller=self.seller)[:PAGE_SIZE]
        return ctx

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        content = upload.read(MAX_CSV_BYTES + 1)
        try:
            preview = services.stock_csv_preview(seller=self.seller, content=content)
        except services.StockRowsInvalid as exc:
            return self.render_to_response(self.get_context_data(form=form, **errors_shown(exc.errors)))
        digest = hashlib.sha256(content).hexdigest()
        self.request.session[STOCK_PREVIEW_KEY] = {
            "seller": self.seller.pk,
            "file_name": upload.name,
            "digest": digest,
            "content": base64.b64encode(content).decode("ascii"),
            "seen": preview.seen,
        }
        return stock_preview_render(self, preview=preview, file_name=upload.name, digest=digest)


def stock_preview_render(view, *, preview, file_name: str, digest: str, stale: bool = False):
    """The preview page: changed rows old -> new, those with warnings first, and the confirm button.

    A file of thousands of changes lists the first PREVIEW_SHOWN (every warning
    comes before them) and counts the rest, so the page stays small.
    """
    changes = sorted(preview.changes, key=lambda change: not change.warnings)
    return TemplateResponse(
        view.request,
        "sellers/centre/stock_preview.html",
        {
            "seller": view.seller,
            "shops": view.shops,
            "preview": preview,
            "file_name": file_name,
            "digest": digest,
            "stale": stale,
            "changes_shown": changes[:PREVIEW_SHOWN],
            "changes_more": max(0, len(changes) - PREVIEW_SHOWN),
            "background": len(preview.seen) > settings.PEKEN_CSV_BACKGROUND_ROWS,
        },
    )


class CentreStockConfirmView(SellerCentreMixin, View):
    """Apply the file the seller has just previewed, exactly that file, once they confirm."""

    def post(self, request, *args, **kwargs):
        pending = request.session.get(STOCK_PREVIEW_KEY)
        if (
            not pending
            or pending["seller"] != self.seller.pk
            or request.POST.get("digest") != pending["digest"]
        ):
            messages.error(request, _("Pratinjau ini tidak ada lagi. Unggah berkasnya sekali lagi."))
            return redirect("sellers:centre-stock-upload")
        try:
            update = services.stock_csv_apply_start(
                seller=self.seller,
                actor=request.user,
                file_name=pending["file_name"],
                content=base64.b64decode(pending["content"]),
                seen=pending["seen"],
            )
        except services.StockCsvStale as exc:
            request.session[STOCK_PREVIEW_KEY] = {**pending, "seen": exc.preview.seen}
            return stock_preview_render(
                self,
                preview=exc.preview,
                file_name=pending["file_name"],
                digest=pending["digest"],
                stale=True,
            )
        except services.StockRowsInvalid as exc:
            del request.session[STOCK_PREVIEW_KEY]
            return TemplateResponse(
                request,
                "sellers/centre/stock.html",
                {
                    "seller": self.seller,
                    "shops": self.shops,
                    "form": StockCsvForm(),
                    **errors_shown(exc.errors),
                    "updates": selectors.centre_stock_updates(seller=self.seller)[:PAGE_SIZE],
                },
            )
        del request.session[STOCK_PREVIEW_KEY]
        if isinstance(update, ImportJob):  # a big file: a worker applies it while the page shows progress
            return redirect("sellers:centre-stock-job", pk=update.pk)
        n = update.rows_applied
        messages.success(
            request,
            ngettext("%(n)d baris diubah dari %(file)s.", "%(n)d baris diubah dari %(file)s.", n)
            % {"n": n, "file": update.file_name},
        )
        return redirect("sellers:centre-stock-update", pk=update.pk)


class CentreStockUpdateView(SellerCentreMixin, DetailView):
    """What one upload or product edit changed."""

    template_name = "sellers/centre/stock_update.html"
    context_object_name = "update"

    def get_queryset(self):
        return selectors.centre_stock_updates(seller=self.seller)


class CentreStockJobMixin(SellerCentreMixin):
    """A big upload being applied by a worker, looked up within this shop's own jobs."""

    def get_job(self) -> ImportJob:
        return get_object_or_404(
            import_jobs_of(owner=self.seller, kind=ImportKind.STOCK_CSV), pk=self.kwargs["pk"]
        )


class CentreStockJobView(CentreStockJobMixin, TemplateView):
    """Its progress bar while it runs (peken/import-progress.js), then what it changed or why not."""

    template_name = "sellers/centre/stock_job.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), **import_job_context(job=self.get_job())}


class CentreStockJobStatusView(CentreStockJobMixin, View):
    """The progress bar's JSON: status, rows done and total."""

    def get(self, request, *args, **kwargs):
        return JsonResponse(import_job_progress(job=self.get_job()))


class CentreOrderListView(SellerCentreMixin, ListView):
    template_name = "sellers/centre/orders.html"
    context_object_name = "orders"
    paginate_by = PAGE_SIZE

    def get_queryset(self):
        return selectors.centre_orders(seller=self.seller)


class CentreOrderDetailView(SellerCentreMixin, DetailView):
    """One order as this shop sees it: only its own lines and their total."""

    template_name = "sellers/centre/order_detail.html"
    context_object_name = "order"
    slug_field = slug_url_kwarg = "number"

    def get_queryset(self):
        return selectors.centre_orders(seller=self.seller).select_related("shipping_address")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["lines"] = selectors.centre_order_lines(seller=self.seller, order=self.object)
        # blocks other apps add (an official order's agency and contact: sellers/order_extras.py)
        ctx["extras"] = order_extras(order=self.object)
        # this shop's goods and the delivery fee: the whole order, as every order has one shop
        ctx["own_total"] = (self.object.seller_total or 0) + self.object.shipping_incl_tax
        return ctx


class CentreOrderPrintView(CentreOrderDetailView):
    """The order as one printable sheet for the shop: buyer, delivery, lines and total."""

    template_name = "sellers/centre/order_print.html"


class CentreTaxView(SellerCentreMixin, FormView):
    """The shop's tax facts (PKP, NITKU, PP 55, turnover statement, PBJT, koperasi), each change recorded."""

    template_name = "sellers/centre/tax.html"
    form_class = CentreTaxForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "seller": self.seller}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        year = self.seller.omzet_statement_year
        ctx["statement_year_before"] = year if year and year != ctx["form"].statement_year else None
        ctx["changes"] = [
            {
                "when": change.date_created,
                "source": change.get_source_display(),
                "fields": [str(Partner._meta.get_field(name).verbose_name) for name in change.changes],
            }
            for change in selectors.centre_data_changes(seller=self.seller)[:PAGE_SIZE]
        ]
        return ctx

    def form_valid(self, form):
        change = services.seller_tax_facts_update(
            seller=self.seller, actor=self.request.user, data=form.cleaned_data
        )
        if change is None:
            messages.info(self.request, _("Tidak ada perubahan."))
        else:
            messages.success(self.request, _("Data pajak toko tersimpan."))
        return redirect("sellers:centre-tax")


class CentreSalesView(SellerCentreMixin, TemplateView):
    template_name = "sellers/centre/sales.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), **selectors.centre_sales(seller=self.seller)}
