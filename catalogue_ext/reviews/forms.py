from django import forms
from django.utils.translation import gettext_lazy as _
from oscar.apps.catalogue.reviews.forms import SortReviewsForm, VoteForm  # noqa: F401 (Oscar's, unchanged)

SCORE_CHOICES = [(n, "★" * n) for n in range(5, 0, -1)]


class ProductReviewForm(forms.Form):
    """A buyer's review of a product they received: stars, and a few words if they like."""

    score = forms.TypedChoiceField(
        label=_("Nilai"),
        coerce=int,
        choices=SCORE_CHOICES,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Pilih 1 sampai 5 bintang."),
            "invalid_choice": _("Pilih 1 sampai 5 bintang."),
        },
    )
    title = forms.CharField(label=_("Judul (boleh kosong)"), max_length=255, required=False)
    body = forms.CharField(
        label=_("Ulasan (boleh kosong)"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, product=None, *args, user=None, instance=None, **kwargs):
        # Oscar's create view passes the product, the user and a model instance; reviews are
        # written through catalogue_ext.reviews.services instead.
        super().__init__(*args, **kwargs)
        self.product = product
        self.user = user


class OrderProductReviewForm(ProductReviewForm):
    """The same review, given from a received order's rating page: which product it is about."""

    product = forms.IntegerField(widget=forms.HiddenInput)
