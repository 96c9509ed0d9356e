"""Oscar's account views where Peken answers differently: signing out, registering."""

from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import generic
from oscar.apps.customer import views

from buyers import services


class LogoutView(views.LogoutView):
    """Sign out by POST only: a link or image on another site cannot sign a shopper out.

    A GET (an old bookmark) shows a page asking to confirm, with the button that posts.
    """

    def get(self, request, *args, **kwargs):
        return TemplateResponse(request, "oscar/customer/logout_confirm.html")

    def post(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class RegisterUserMixin:
    """Registration answers "check your inbox" whether or not the address has an account."""

    def register_user(self, form):
        services.customer_register(
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password1"],
            language=self.request.LANGUAGE_CODE,
        )
        return redirect("customer:register-sent")


class AccountRegistrationView(RegisterUserMixin, views.AccountRegistrationView):
    def form_valid(self, form):
        return self.register_user(form)


class AccountAuthView(RegisterUserMixin, views.AccountAuthView):
    """Oscar's sign-in page with its registration form, which registers as above."""

    def validate_registration_form(self):
        form = self.get_registration_form(bind_data=True)
        if form.is_valid():
            return self.register_user(form)
        return self.render_to_response(self.get_context_data(registration_form=form))


class RegistrationSentView(generic.TemplateView):
    template_name = "oscar/customer/registration_sent.html"


class RegistrationConfirmView(generic.View):
    """The link in the registration email: switches the account on and signs its owner in."""

    def get(self, request, uidb64: str, token: str):
        user = services.customer_confirm(uidb64=uidb64, token=token)
        if user is None:
            messages.error(
                request,
                _(
                    "Tautan aktivasi ini tidak berlaku atau sudah dipakai. "
                    "Silakan masuk, atau daftar lagi untuk mendapat tautan baru."
                ),
            )
            return redirect("customer:login")
        auth_login(request, user, backend="oscar.apps.customer.auth_backends.EmailBackend")
        messages.success(request, _("Akun Anda sudah aktif. Selamat datang di Peken!"))
        return redirect(reverse("customer:summary"))
