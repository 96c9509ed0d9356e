from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from oscar.apps.checkout import views
from oscar.apps.checkout.exceptions import FailedPreCondition
from oscar.core.loading import get_class

PaymentMethodForm = get_class("checkout.forms", "PaymentMethodForm")


class PaymentDetailsView(views.PaymentDetailsView):
    """Choose how to pay (pay on delivery for now), preview, place the order."""

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
        return ctx

    def handle_payment_details_submission(self, request):
        form = PaymentMethodForm(request.POST)
        if not form.is_valid():
            return self.render_payment_details(request, payment_form=form)
        self.checkout_session.pay_by(form.cleaned_data["method"])
        return redirect("checkout:preview")
