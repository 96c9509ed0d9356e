"""Shop registration: the form, and the owner's view of where their application stands."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db import IntegrityError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView

from sellers import services
from sellers.forms import SellerRegistrationForm


class SellerRegisterView(LoginRequiredMixin, FormView):
    template_name = "sellers/register.html"
    form_class = SellerRegistrationForm

    def form_valid(self, form):
        try:
            services.seller_register(user=self.request.user, data=form.cleaned_data)
        except IntegrityError:  # the same NIB registered a moment ago by someone else
            form.add_error("nib", _("NIB ini sudah terdaftar untuk toko lain."))
            return self.form_invalid(form)
        messages.success(self.request, _("Pendaftaran toko terkirim. Kami akan memverifikasinya."))
        return redirect("sellers:mine")


class MySellersView(LoginRequiredMixin, TemplateView):
    """The shops this user owns and the status of each."""

    template_name = "sellers/mine.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["sellers"] = self.request.user.partners.prefetch_related("decisions").order_by("-id")
        return ctx
