"""The shopper's kecamatan, set from their account pages, and the language switcher."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views import i18n
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
            services.buyer_kecamatan_set(
                user=self.request.user, actor=self.request.user, kecamatan=form.cleaned_data["kecamatan"]
            )
        except services.BuyerProfileError as exc:
            form.add_error("kecamatan", str(exc))
            return self.form_invalid(form)
        messages.success(self.request, _("Kecamatan Anda tersimpan."))
        return redirect("customer:profile-view")


def language_set(request):
    """Django's set_language; a signed-in person's choice is also kept for the emails we send them."""
    response = i18n.set_language(request)
    language = request.POST.get(i18n.LANGUAGE_QUERY_PARAMETER)
    if request.method == "POST" and request.user.is_authenticated and language in dict(settings.LANGUAGES):
        services.buyer_language_set(user=request.user, language=language)
    return response
