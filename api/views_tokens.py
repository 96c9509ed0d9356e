"""The account page where a person makes, names and revokes their API tokens."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import FormView, View

from api.forms import TokenForm
from api.models import ApiToken
from api.services import api_token_create, api_token_revoke


class TokenListView(LoginRequiredMixin, FormView):
    """The person's tokens and a form for a new one; a new key is shown on this answer only."""

    template_name = "api/tokens.html"
    form_class = TokenForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            page_title=_("Token API"),
            active_tab="api-tokens",
            tokens=ApiToken.objects.filter(user=self.request.user),
            docs_url=reverse("api:docs"),
        )
        return context

    def form_valid(self, form):
        try:
            token, key = api_token_create(
                user=self.request.user, name=form.cleaned_data["name"], scopes=form.cleaned_data["scopes"]
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items() if hasattr(error, "error_dict") else []:
                for problem in problems:
                    form.add_error(field if field in form.fields else None, problem)
            if not hasattr(error, "error_dict"):
                form.add_error(None, error.messages[0])
            return self.form_invalid(form)
        # never stored, never put in a message: shown once, on this page
        return self.render_to_response(self.get_context_data(form=TokenForm(), new_token=token, new_key=key))


class TokenRevokeView(LoginRequiredMixin, View):
    """POST: revoke one of the person's own tokens (another person's token is 404)."""

    def post(self, request, pk: int):
        token = get_object_or_404(ApiToken, pk=pk, user=request.user)
        if api_token_revoke(token=token, actor=request.user):
            messages.success(
                request,
                _("Token “%(name)s” dicabut. Sistem yang memakainya kini ditolak.") % {"name": token.name},
            )
        return redirect("api-tokens")
