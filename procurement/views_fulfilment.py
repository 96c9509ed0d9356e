"""Receipt pages of official orders: the "Penerimaan barang" inbox and one order's handovers (BAST).

Access, view by view (tests/test_procurement_access.py walks them all):
- inbox: everyone signed in sees the orders waiting for them (none for most);
- an order's receipt page: the agency's PPK and penerima barang record deliveries and close the
  order short (procurement.selectors_fulfilment.receive_refusal, which also refuses the purchase's
  requester); the requester, the agency's approvers (and active delegates) and treasurer, and
  auditors read its history; anyone else gets 404. A reader who posts is refused (403) with the
  message naming who can record.
Anonymous visitors are sent to sign in.
"""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Sum
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext as _
from django.views.generic import TemplateView
from oscar.core.loading import get_model

from orders.statuses import UNSOLD, OrderStatus
from peken.money import rupiah_format
from procurement import selectors
from procurement import selectors_fulfilment as fulfilment
from procurement.forms_fulfilment import CloseShortForm, GoodsReceiptForm
from procurement.models import GoodsReceiptLine, OrderShortClosure, Requisition
from procurement.services import ReceiptRefused, goods_receipt_record, order_close_short
from procurement.views_buying import client_ip

Order = get_model("order", "Order")
Line = get_model("order", "Line")


def order_for_reader(request, number: str) -> tuple:
    """The official order ``number`` and its requisition, or 404 for a person who may not read it."""
    found = fulfilment.official_order_for_reader(user=request.user, number=number)
    if found is None:
        raise Http404
    return found


def awaited_by_order(orders) -> dict[int, list[tuple[str, int]]]:
    """(title, quantity still awaited) of each line of ``orders`` still awaited, by order id (3 queries)."""
    ids = [order.pk for order in orders]
    received = dict(
        GoodsReceiptLine.objects.filter(order_line__order_id__in=ids)
        .values("order_line_id")
        .annotate(n=Sum("quantity_received"))
        .values_list("order_line_id", "n")
    )
    closed = set(OrderShortClosure.objects.filter(order_id__in=ids).values_list("order_id", flat=True))
    awaited: dict[int, list[tuple[str, int]]] = {pk: [] for pk in ids}
    for line in Line.objects.filter(order_id__in=ids).order_by("order_id", "pk"):
        left = line.quantity - received.get(line.pk, 0)
        if left > 0 and line.order_id not in closed:
            awaited[line.order_id].append((line.title, left))
    return awaited


def awaited_text(progress) -> str:
    return ", ".join(f"{p.line.title} ({p.outstanding})" for p in progress if p.outstanding)


class ReceiptInboxView(LoginRequiredMixin, TemplateView):
    """Penerimaan barang: official orders on their way to the person's agencies, oldest first."""

    template_name = "procurement/fulfilment/inbox.html"

    def get_context_data(self, **kwargs):
        orders = list(fulfilment.orders_to_receive(user=self.request.user))
        requisitions = {
            r.checkout_reference: r
            for r in Requisition.objects.filter(
                checkout_reference__in={order.checkout_reference for order in orders}
            ).select_related("agency")
        }
        awaited = awaited_by_order(orders)
        rows = [
            {
                "order": order,
                "requisition": requisitions.get(order.checkout_reference),
                "awaited": awaited[order.pk],
            }
            for order in orders
        ]
        return super().get_context_data(rows=rows, **kwargs)


class OrderReceiptView(LoginRequiredMixin, TemplateView):
    """One official order: its lines and earlier handovers; the PPK or receiver records the next one."""

    template_name = "procurement/fulfilment/receipt.html"
    http_method_names = ["get", "post"]

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.order, self.requisition = order_for_reader(request, kwargs["number"])
        self.refusal = fulfilment.receive_refusal(user=request.user, requisition=self.requisition)
        self.progress = fulfilment.order_progress(order=self.order)
        return super().dispatch(request, *args, **kwargs)

    @property
    def receivable(self) -> bool:
        return self.order.status in fulfilment.RECEIVABLE

    def receipt_form(self, data=None) -> GoodsReceiptForm:
        return GoodsReceiptForm(data, progress=self.progress, prefix="bast")

    def close_form(self, data=None) -> CloseShortForm:
        return CloseShortForm(data, prefix="tutup")

    def get_context_data(self, **kwargs):
        user, order, progress = self.request.user, self.order, self.progress
        may_record = not self.refusal and self.receivable
        context = {
            "order": order,
            "requisition": self.requisition,
            "progress": progress,
            "accepted_amount": fulfilment.order_accepted_amount(progress),
            "awaited_amount": sum((p.unit_price * p.outstanding for p in progress), Decimal(0)),
            "receipts": list(fulfilment.order_receipts(order=order)),
            "closure": OrderShortClosure.objects.select_related("actor").filter(order=order).first(),
            "payment": fulfilment.order_payment(order=order),
            "receivable": self.receivable,
            "complete": order.status == OrderStatus.RECEIVED,
            "unsold": order.status in UNSOLD,
            "may_record": may_record,
            "refusal": self.refusal,
            "sees_requisition": self.requisition.requester_id == user.pk
            or self.requisition.agency_id in selectors.approver_agency_ids(user=user),
        }
        if may_record:
            context.setdefault("receipt_form", self.receipt_form())
            context.setdefault("close_form", self.close_form())
        return super().get_context_data(**{**context, **kwargs})

    def refused(self):
        """A reader who posts: the page again, saying who records receipts (403)."""
        return self.render_to_response(self.get_context_data(refused=self.refusal), status=403)

    def invalid(self, **forms):
        """The page again with the form as typed; with no form to show (nothing to record), its refusal."""
        context = self.get_context_data(**forms)
        if not context["may_record"]:
            context["refused"] = " ".join(e for form in forms.values() for e in form.non_field_errors())
        return self.render_to_response(context)

    def post(self, request, number):
        if self.refusal:
            return self.refused()
        form = self.receipt_form(request.POST)
        if not form.is_valid():
            return self.invalid(receipt_form=form)
        try:
            receipt = goods_receipt_record(
                order=self.order,
                actor=request.user,
                received_on=form.cleaned_data["received_on"],
                lines=form.received_lines(),
                note=form.cleaned_data["note"],
                ip=client_ip(request),
            )
        except ReceiptRefused as error:
            form.add_error(None, str(error))
            return self.invalid(receipt_form=form)
        messages.success(request, self.recorded_message(receipt))
        return redirect("procurement:receipt", number=self.order.number)

    def recorded_message(self, receipt) -> str:
        """BAST N recorded, what its rejections gave back to the budget, and what comes next."""
        lines = list(receipt.lines.select_related("order_line"))
        rejected = sum(
            (line.order_line.unit_price_incl_tax * line.quantity_rejected for line in lines), Decimal(0)
        )
        parts = [
            _("BAST nomor %(seq)d pesanan %(number)s tercatat.")
            % {"seq": receipt.seq, "number": self.order.number}
        ]
        if rejected:
            parts.append(
                _("Nilai barang yang ditolak, %(amount)s, dikembalikan ke mata anggaran.")
                % {"amount": rupiah_format(rejected)}
            )
        else:
            parts.append(_("Semua yang datang diterima baik; tidak ada nilai yang dikembalikan."))
        self.order.refresh_from_db()
        if self.order.status == OrderStatus.RECEIVED:
            parts.append(_("Semua barang sudah diterima: pesanan selesai dan menunggu pembayaran bendahara."))
        else:
            awaited = awaited_text(fulfilment.order_progress(order=self.order))
            parts.append(_("Masih ditunggu: %(items)s.") % {"items": awaited})
        return " ".join(parts)


class OrderCloseShortView(OrderReceiptView):
    """Close an official order as short-delivered, with a reason (POST); what never came is released."""

    http_method_names = ["post"]

    def post(self, request, number):
        if self.refusal:
            return self.refused()
        form = self.close_form(request.POST)
        if not form.is_valid():
            return self.invalid(close_form=form)
        try:
            closure = order_close_short(
                order=self.order,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                ip=client_ip(request),
            )
        except ReceiptRefused as error:
            form.add_error(None, str(error))
            return self.invalid(close_form=form)
        parts = [
            _(
                "Pesanan %(number)s ditutup dengan kekurangan; %(amount)s yang tidak dikirim "
                "dikembalikan ke mata anggaran."
            )
            % {"number": self.order.number, "amount": rupiah_format(closure.amount_released)}
        ]
        if fulfilment.order_accepted_amount(fulfilment.order_progress(order=self.order)):
            parts.append(_("Yang diterima baik menunggu pembayaran bendahara."))
        else:
            parts.append(_("Tidak ada barang yang diterima, jadi tidak ada yang dibayar."))
        messages.success(request, " ".join(parts))
        return redirect("procurement:receipt", number=self.order.number)


urlpatterns = [
    path("penerimaan/", ReceiptInboxView.as_view(), name="receipts"),
    path("penerimaan/<str:number>/", OrderReceiptView.as_view(), name="receipt"),
    path("penerimaan/<str:number>/tutup/", OrderCloseShortView.as_view(), name="receipt-close"),
]
