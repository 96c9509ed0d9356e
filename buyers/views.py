"""The shopper's kecamatan, set from their account pages."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import FormView

from buyers import selectors, services
from buyers.forms import BuyerKecamatanForm


class BuyerKecamatanView(LoginRequiredMixin, FormView):
    template_name = "buyers/kecamatan.html"
    form_class = BuyerKecamatanForm

    def get_initial(self):
        profile = selectors.buyer_profile(user=self.request.user)
        return {"kecamatan": profile.kecamatan if profile else ""}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["active_tab"] = "profile"
        ctx["page_title"] = _("Kecamatan saya")
        ctx["guessed"] = selectors.buyer_kecamatan(user=self.request.user)
        return ctx

    def form_valid(self, form):
        try:
            services.buyer_kecamatan_set(user=self.request.user, actor=self.request.user,
                                         kecamatan=form.cleaned_data["kecamatan"])
        except services.BuyerProfileError as exc:
            form.add_error("kecamatan", str(exc))
            return self.form_invalid(form)
        messages.success(self.request, _("Kecamatan Anda tersimpan."))
        return redirect("customer:profile-view")
