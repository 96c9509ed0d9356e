"""The buyer's checkout page, status moves by seller and buyer, and a seller's delivery terms."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView
from oscar.core.loading import get_model

from checkout.shipping.services import FEE_FIELDS, seller_delivery_update
from orders import selectors, services
from orders.forms import DeliveryTermsForm, OrderTransitionForm
from orders.statuses import Party
from peken.money import rupiah_format
from sellers.centre import SellerCentreMixin

Order = get_model("order", "Order")
SellerDelivery = get_model("shipping", "SellerDelivery")


class CheckoutGroupView(LoginRequiredMixin, TemplateView):
    """One checkout of the buyer: every seller's order under the reference they were given."""

    template_name = "orders/checkout_group.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        orders = list(selectors.checkout_orders(user=self.request.user, reference=kwargs["reference"]))
        if not orders:
            raise Http404
        ctx.update(reference=kwargs["reference"], orders=orders, total=sum(o.total_incl_tax for o in orders))
        return ctx


class OrderTransitionView(LoginRequiredMixin, View):
    """POST a status move on one order, as its seller or its buyer; anyone else gets 404."""

    def post(self, request, number):
        order = get_object_or_404(Order.objects.select_related("seller"), number=number)
        party = selectors.order_party(order=order, user=request.user)
        if party is None:
            raise Http404
        form = OrderTransitionForm(request.POST)
        if form.is_valid():
            try:
                services.order_status_change(
                    order=order,
                    actor=request.user,
                    party=party,
                    status=form.cleaned_data["status"],
                    reason=form.cleaned_data["reason"],
                )
                order.refresh_from_db(fields=["status"])
                messages.success(
                    request,
                    _("Pesanan %(number)s kini %(status)s.")
                    % {"number": order.number, "status": order.status_label},
                )
            except services.OrderStatusError as error:
                messages.error(request, str(error))
        else:
            messages.error(request, _("Pilih status yang dituju."))
        if party == Party.SELLER:
            return redirect("sellers:centre-order-detail", number=order.number)
        return redirect("customer:order", order_number=order.number)


class DeliveryTermsView(SellerCentreMixin, FormView):
    """A seller sets its delivery fees; pickup at the shop is always offered."""

    template_name = "orders/delivery_terms.html"
    form_class = DeliveryTermsForm

    def get_initial(self):
        delivery = SellerDelivery.objects.filter(seller=self.seller).first()
        fees = {f: getattr(delivery, f) for f in FEE_FIELDS} if delivery else {}
        return {f: rupiah_format(fee, symbol=False) for f, fee in fees.items() if fee is not None}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["near_km"], ctx["middle_km"] = settings.PEKEN_DELIVERY_BANDS_KM
        return ctx

    def form_valid(self, form):
        seller_delivery_update(
            seller=self.seller, actor=self.request.user, fees={f: form.cleaned_data[f] for f in FEE_FIELDS}
        )
        messages.success(self.request, _("Ongkir toko tersimpan."))
        return redirect("orders:delivery-terms")
