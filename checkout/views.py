from django.conf import settings
from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from oscar.apps.checkout import views
from oscar.apps.checkout.exceptions import FailedPreCondition
from oscar.core.loading import get_class

from buyers import selectors as buyer_selectors
from checkout.shipping.forms import SellerShippingForm, ShippingAddressForm, UserAddressForm
from checkout.shipping.selectors import basket_sellers, basket_shipping_options
from orders import selectors as order_selectors
from payments import services as payment_services
from payments.exceptions import CARD_ERROR_DEFAULT, CARD_ERROR_MESSAGES, PaymentGatewayError
from peken import city
from peken.money import rupiah_format

PaymentMethodForm = get_class("checkout.forms", "PaymentMethodForm")
CARD = get_class("checkout.forms", "CARD")


class PaymentDetailsView(views.PaymentDetailsView):
    """Choose how to pay (card or on delivery), preview, pay by card, place the order.

    Card: the preview page asks for a PaymentIntent (POST action=card_intent, JSON
    back), Stripe.js confirms the card in the browser, and the page then posts the
    usual action=place_order; handle_payment checks with Stripe that it was paid.
    """

    def check_a_valid_shipping_method_is_captured(self):
        # Oscar's check, reading the shipping once, plus: every shop of the
        # basket has a way the shopper chose (never a pickup they did not pick).
        basket = self.request.basket
        method = None
        if self.checkout_session.is_shipping_method_set(basket):
            method = self.get_shipping_method(
                basket=basket, shipping_address=self.get_shipping_address(basket=basket)
            )
        if method is None or getattr(method, "unchosen", None):
            raise FailedPreCondition(
                url=reverse("checkout:shipping-method"),
                message=_("Pilih cara terima barang untuk setiap toko di keranjang."),
            )

    def check_pre_conditions(self, request):
        # A second click that arrives after the first placed the order finds the basket
        # gone (or its last unit taken by itself): it lands on the first one's thank-you page.
        try:
            super().check_pre_conditions(request)
        except FailedPreCondition:
            placed = self._placed_by_an_earlier_click(request)
            if placed is None:
                raise
            self.checkout_placed(placed)
            raise FailedPreCondition(url=self.get_success_url()) from None

    def _placed_by_an_earlier_click(self, request):
        """The order already placed from the basket this "Buat pesanan" form was for, if any."""
        basket_id = request.POST.get("basket", "")
        if (
            request.method != "POST"
            or request.POST.get("action") != "place_order"
            or not request.user.is_authenticated
            or not basket_id.isdigit()
        ):
            return None
        return order_selectors.basket_first_order(basket_id=int(basket_id), user=request.user)

    def check_payment_data_is_captured(self, request):
        if request.method == "POST" and request.POST.get("action") != "place_order":
            return  # the payment form itself is being submitted
        if not self.checkout_session.payment_method():
            raise FailedPreCondition(
                url=reverse("checkout:payment-details"),
                message=_("Pilih cara bayar terlebih dahulu."),
            )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        method = self.checkout_session.payment_method()
        ctx.setdefault("payment_form", PaymentMethodForm(initial={"method": method}))
        ctx["payment_method_label"] = dict(PaymentMethodForm.base_fields["method"].choices).get(method)
        if self.preview and method == CARD:
            ctx["card_payment"] = {
                "publishable_key": settings.STRIPE_PUBLISHABLE_KEY,
                "js_url": settings.STRIPE_JS_URL,
                "test_mode": bool(settings.STRIPE_API_BASE),
                "messages": {code: str(text) for code, text in CARD_ERROR_MESSAGES.items()}
                | {"default": str(CARD_ERROR_DEFAULT)},
                # the intent states in which the page may place the order, as the server decides them
                "paid_statuses": [str(status) for status in payment_services.PAID_INTENT_STATUSES],
            }
        return ctx

    def post(self, request, *args, **kwargs):
        if self.preview and request.POST.get("action") == "card_intent":
            return self.card_intent(request)
        return super().post(request, *args, **kwargs)

    def card_intent(self, request):
        """JSON for Stripe.js: the client secret of this basket's PaymentIntent for the checkout total."""
        if self.checkout_session.payment_method() != CARD:
            return JsonResponse({"error": _("Pilih pembayaran kartu terlebih dahulu.")}, status=400)
        total = self.build_submission()["order_total"]
        if total is None:
            return JsonResponse({"error": _("Pilih cara pengiriman terlebih dahulu.")}, status=400)
        try:
            payment = payment_services.payment_intent_for_basket(
                basket=request.basket, user=request.user, amount=total.incl_tax
            )
        except payment_services.PaymentNotCompleted as error:
            return JsonResponse({"error": str(error)}, status=400)
        except PaymentGatewayError as error:
            return JsonResponse({"error": error.message}, status=502)
        return JsonResponse(
            {
                "reference": payment.reference,
                "client_secret": payment.intent.client_secret,
                "status": payment.intent.status,
                "amount": rupiah_format(payment.amount),
            }
        )

    def handle_payment_details_submission(self, request):
        form = PaymentMethodForm(request.POST)
        if not form.is_valid():
            return self.render_payment_details(request, payment_form=form)
        self.checkout_session.pay_by(form.cleaned_data["method"])
        return redirect("checkout:preview")


class ShippingMethodView(views.ShippingMethodView):
    """Each seller of the basket gets its own choice: pickup, or its delivery at its fee."""

    def get(self, request, *args, **kwargs):
        if not request.basket.is_shipping_required():
            return super().get(request, *args, **kwargs)
        if not self.checkout_session.is_shipping_address_set():
            messages.error(request, _("Pilih alamat pengiriman terlebih dahulu."))
            return redirect("checkout:shipping-address")
        return self.render_to_response(self.get_context_data())

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        self.checkout_session.choose_seller_shipping(form.choices())
        return self.get_success_response()

    def _options(self):
        if not hasattr(self, "_seller_options"):
            address = self.get_shipping_address(self.request.basket)
            self._seller_options = basket_shipping_options(
                basket=self.request.basket, shipping_address=address
            )
        return self._seller_options

    def get_form(self, form_class=None):
        sellers = {s.pk: s for s in basket_sellers(self.request.basket)}
        return SellerShippingForm(
            self.request.POST or None,
            options=self._options(),
            sellers=sellers,
            chosen=self.checkout_session.seller_shipping(),
        )

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", self.get_form())
        ctx = super(views.ShippingMethodView, self).get_context_data(**kwargs)
        lines_by_seller: dict[int, list] = {}
        for line in self.request.basket.all_lines():
            lines_by_seller.setdefault(line.stockrecord.partner_id, []).append(line)
        address = self.get_shipping_address(self.request.basket)
        ctx["buyer_kecamatan"] = city.kecamatan_of_address(address) if address else ""
        ctx["seller_groups"] = [
            {
                "seller": line_list[0].stockrecord.partner,
                "lines": line_list,
                "field": ctx["form"][f"toko_{seller_id}"],
                "options": self._options()[seller_id],
            }
            for seller_id, line_list in lines_by_seller.items()
        ]
        return ctx


class ThankYouView(views.ThankYouView):
    """The thank-you page lists every seller's order of the checkout under its reference."""

    def get_context_data(self, *args, **kwargs):
        ctx = super().get_context_data(*args, **kwargs)
        order = ctx["order"]
        ctx["checkout_orders"] = (
            order_selectors.checkout_orders(user=order.user, reference=order.checkout_reference)
            if order.checkout_reference and order.user
            else [order]
        )
        return ctx


class ShippingAddressView(views.ShippingAddressView):
    """Oscar's address step, asking for the kecamatan that delivery fees depend on and a phone number.

    A new address starts from the kecamatan the shopper told us (their
    profile, else their default address). A saved address without a phone
    number is sent to its edit page first: the shop needs a number to call.
    """

    form_class = ShippingAddressForm

    def get_initial(self):
        initial = super().get_initial()
        if not initial and self.request.user.is_authenticated:
            kecamatan = buyer_selectors.buyer_kecamatan(user=self.request.user)
            if kecamatan:
                initial = {"line3": f"Kec. {kecamatan}"}
        return initial

    def post(self, request, *args, **kwargs):
        if request.user.is_authenticated and "address_id" in request.POST:
            # Oscar looks the id up unchecked: a foreign or non-numeric one would be a server error.
            address_id = request.POST["address_id"]
            address = (
                request.user.addresses.filter(pk=address_id).first()
                if address_id.isascii() and address_id.isdigit() and len(address_id) < 10
                else None
            )
            if address is None:
                messages.error(
                    request,
                    _(
                        "Alamat itu tidak ada di buku alamat Anda. Pilih salah satu alamat "
                        "di bawah, atau isi alamat baru."
                    ),
                )
                return redirect("checkout:shipping-address")
            if request.POST.get("action") == "ship_to" and not address.phone_number:
                messages.error(
                    request,
                    _(
                        "Alamat ini belum punya nomor HP. Tambahkan nomornya dulu: "
                        "toko menghubungi Anda lewat nomor ini."
                    ),
                )
                return redirect("checkout:user-address-update", pk=address.pk)
        return super().post(request, *args, **kwargs)


class UserAddressUpdateView(views.UserAddressUpdateView):
    """A saved address edited from the checkout, phone number required."""

    form_class = UserAddressForm
