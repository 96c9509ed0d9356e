"""Oscar's review pages, with writing limited to buyers who received the product."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from oscar.apps.catalogue.reviews import views

from catalogue_ext.reviews import selectors, services


class CreateProductReview(views.CreateProductReview):
    """Shows the form only to a buyer who may review; anyone else is sent back with the reason."""

    def dispatch(self, request, *args, **kwargs):
        self.product = get_object_or_404(self.product_model, pk=kwargs["product_pk"], is_public=True)
        refusal = selectors.review_refusal(user=request.user, product=self.product)
        if refusal:
            messages.warning(request, refusal)
            return redirect(self.product.get_absolute_url())
        return super(views.CreateProductReview, self).dispatch(request, *args, **kwargs)

    def get_object(self, queryset=None):
        return None

    def form_valid(self, form):
        try:
            self.object = services.product_review_write(
                user=self.request.user,
                product=self.product,
                score=form.cleaned_data["score"],
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
            )
        except services.ReviewError as exc:
            messages.warning(self.request, str(exc))
            return redirect(self.product.get_absolute_url())
        self.send_signal(self.request, None, self.object)
        messages.success(self.request, _("Terima kasih atas ulasan Anda."))
        return redirect(self.product.get_absolute_url())
