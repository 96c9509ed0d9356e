"""Shop registration, the owner's view of where it stands, and the verifiers' queue and decisions."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.generic import FormView, ListView, TemplateView
from oscar.core.loading import get_model

from catalogue_ext import selectors as catalogue_selectors
from catalogue_ext import services as catalogue_services
from catalogue_ext.abstract_models import SupplyKind
from catalogue_ext.reviews import selectors as review_selectors
from catalogue_ext.reviews import services as review_services
from catalogue_ext.reviews.forms import OrderProductReviewForm
from catalogue_ext.search.views import ProductListView
from orders.statuses import OrderStatus
from peken import city
from sellers import permissions, registration_photo, selectors, services
from sellers.abstract_models import SellerStatus
from sellers.forms import ListingDecisionForm, SellerDecisionForm, SellerRatingForm, SellerRegistrationForm

Order = get_model("order", "Order")


class SellerRegisterView(LoginRequiredMixin, FormView):
    """The registration form; a photo it accepted is kept (and shown) until the rest is valid."""

    template_name = "sellers/register.html"
    form_class = SellerRegistrationForm
    held_photo = None

    def get_form_kwargs(self):
        if self.request.method == "POST":
            self.held_photo = registration_photo.photo_held(
                user=self.request.user, token=self.request.POST.get("photo_held", "")
            )
        return {**super().get_form_kwargs(), "held_photo": self.held_photo}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["kelurahan_by_kecamatan"] = {k: city.kelurahan_names(k) for k in city.kecamatan_names()}
        ctx["held_photo"] = self.held_photo
        return ctx

    def form_invalid(self, form):
        photo = form.cleaned_data.get("photo")
        if isinstance(photo, UploadedFile):  # a new photo, accepted: keep it for the next try
            registration_photo.photo_release(held=self.held_photo)
            self.held_photo = registration_photo.photo_hold(user=self.request.user, photo=photo)
            form.held_photo_use(self.held_photo)
        return super().form_invalid(form)

    def form_valid(self, form):
        try:
            services.seller_register(user=self.request.user, data=form.cleaned_data)
        except IntegrityError:  # the same NIB registered a moment ago by someone else
            form.add_error("nib", _("NIB ini sudah terdaftar untuk toko lain."))
            return self.form_invalid(form)
        registration_photo.photo_release(held=self.held_photo)  # the shop has its own copy now
        messages.success(self.request, _("Pendaftaran toko terkirim. Kami akan memverifikasinya."))
        return redirect("sellers:mine")


class MySellersView(LoginRequiredMixin, TemplateView):
    """The shops this user owns and the status of each."""

    template_name = "sellers/mine.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["sellers"] = self.request.user.partners.prefetch_related("decisions").order_by("-id")
        return ctx


class VerifierRequiredMixin(PermissionRequiredMixin):
    permission_required = permissions.VERIFY_SELLER
    raise_exception = True


class VerificationQueueView(VerifierRequiredMixin, ListView):
    """Shops waiting for a decision, oldest first; active and suspended shops below."""

    template_name = "sellers/verification/queue.html"
    context_object_name = "pending"

    def get_queryset(self):
        return selectors.sellers_pending()

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["suspended"] = selectors.sellers_with_status(SellerStatus.SUSPENDED)
        return ctx


class VerificationDecisionView(VerifierRequiredMixin, FormView):
    """One shop's registration data and history, and the decision form."""

    template_name = "sellers/verification/decide.html"
    form_class = SellerDecisionForm

    def dispatch(self, request, *args, **kwargs):
        self.seller = get_object_or_404(selectors.sellers_for_verification(), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "seller": self.seller}

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "seller": self.seller,
            "same_nik": selectors.sellers_sharing_nik(seller=self.seller),
            # tax facts a shop changes itself after verification show up here too
            "data_changes": self.seller.data_changes.select_related("actor")[:10],
        }

    def form_valid(self, form):
        try:
            services.seller_status_change(
                seller=self.seller,
                actor=self.request.user,
                status=form.cleaned_data["status"],
                reason=form.cleaned_data["reason"],
            )
        except services.SellerStatusError as exc:
            form.add_error(None, str(exc))
            return self.form_invalid(form)
        messages.success(self.request, _("Keputusan untuk %(shop)s tersimpan.") % {"shop": self.seller.name})
        return redirect("sellers:verification-queue")


class ReportQueueView(VerifierRequiredMixin, ListView):
    """Open reports on listings, oldest first, with what a verifier needs to settle them."""

    template_name = "sellers/verification/reports.html"
    context_object_name = "reports"

    def get_queryset(self):
        return catalogue_selectors.listing_reports_open()

    def post(self, request, *args, **kwargs):
        report = get_object_or_404(catalogue_selectors.listing_reports_open(), pk=request.POST.get("report"))
        remove = request.POST.get("action") == "remove"
        try:
            catalogue_services.listing_report_settle(
                report=report, actor=request.user, remove=remove, note=request.POST.get("note", "").strip()
            )
        except catalogue_services.ReportError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Produk diturunkan.") if remove else _("Laporan diabaikan."))
        return redirect("sellers:verification-reports")


class ListingQueueView(VerifierRequiredMixin, ListView):
    """New and changed listings waiting for review: held ones (off sale) first."""

    template_name = "sellers/verification/listings.html"
    context_object_name = "listings"
    paginate_by = 30

    def get_queryset(self):
        return catalogue_selectors.listings_for_review()


class ListingDecisionView(VerifierRequiredMixin, FormView):
    """One listing as the buyer would see it, its history, and approve / reject with a reason."""

    template_name = "sellers/verification/listing_decide.html"
    form_class = ListingDecisionForm

    def dispatch(self, request, *args, **kwargs):
        self.product = get_object_or_404(catalogue_selectors.listings_for_review(), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "product": self.product,
            # goods or a service decides an official purchase's tax; blank follows the category
            "supply_kind": SupplyKind(catalogue_selectors.product_supply_kind(self.product)).label,
        }

    def form_valid(self, form):
        try:
            catalogue_services.listing_review(
                product=self.product,
                actor=self.request.user,
                approve=form.cleaned_data["decision"] == "approve",
                reason=form.cleaned_data["reason"],
            )
        except catalogue_services.ListingError as exc:
            form.add_error(None, str(exc))
            return self.form_invalid(form)
        messages.success(
            self.request, _("Keputusan untuk %(title)s tersimpan.") % {"title": self.product.title}
        )
        return redirect("sellers:verification-listings")


class SellerShopView(ProductListView):
    """A shop's page: who and where it is, and its goods on sale."""

    template_name = "sellers/shop.html"

    def get(self, request, *args, **kwargs):
        self.seller = get_object_or_404(selectors.sellers_with_status(SellerStatus.ACTIVE), pk=kwargs["pk"])
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        self.form = self.get_form()
        return catalogue_selectors.product_list(seller=self.seller, sort=self.form.sort())

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["seller"] = self.seller
        ctx["rating"] = selectors.seller_rating_summary([self.seller.pk]).get(self.seller.pk)
        ctx["summary"] = self.seller.name
        ctx["form"].fields.pop("kecamatan")  # one shop is in one kecamatan
        return ctx


class OrderRatingView(LoginRequiredMixin, TemplateView):
    """The buyer rates each shop and each product of one received order, once."""

    template_name = "sellers/rate.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.order = get_object_or_404(Order, number=kwargs["order_number"], user=request.user)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["order"] = self.order
        ctx["sellers"] = selectors.order_sellers_to_rate(order=self.order)
        ctx["form"] = kwargs.get("form") or SellerRatingForm()
        ctx["products"] = review_selectors.order_products_to_review(order=self.order, user=self.request.user)
        posted = kwargs.get("review_form")
        for product in ctx["products"]:
            # Each product's form gets its own ids, so a tapped star label picks that product's star.
            same = posted is not None and posted.data.get("product") == str(product.pk)
            product.review_form = posted if same else OrderProductReviewForm(auto_id=f"id_p{product.pk}_%s")
        ctx["received"] = self.order.status == OrderStatus.RECEIVED
        return ctx

    def post(self, request, *args, **kwargs):
        if "product" in request.POST:
            return self.review_product(request)
        form = SellerRatingForm(request.POST)
        if not form.is_valid():
            messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
            return self.render_to_response(self.get_context_data(form=form))
        seller = get_object_or_404(
            selectors.order_sellers_queryset(order=self.order), pk=form.cleaned_data["seller"]
        )
        try:
            services.seller_rate(
                user=request.user,
                order=self.order,
                seller=seller,
                score=form.cleaned_data["score"],
                comment=form.cleaned_data["comment"],
            )
        except services.RatingError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request, _("Terima kasih atas penilaian Anda untuk %(shop)s.") % {"shop": seller.name}
            )
        return redirect("sellers:rate", order_number=self.order.number)

    def review_product(self, request):
        form = OrderProductReviewForm(data=request.POST)
        if not form.is_valid():
            messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
            return self.render_to_response(self.get_context_data(review_form=form))
        product = get_object_or_404(
            review_selectors.order_products_queryset(order=self.order), pk=form.cleaned_data["product"]
        )
        try:
            review_services.product_review_write(
                user=request.user,
                product=product,
                score=form.cleaned_data["score"],
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
            )
        except review_services.ReviewError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                _("Terima kasih atas ulasan Anda untuk %(product)s.") % {"product": product.get_title()},
            )
        return redirect("sellers:rate", order_number=self.order.number)
