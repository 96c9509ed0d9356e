"""Catalogue, category and search pages, read straight from the database.

Oscar routes these through Haystack; Peken asks PostgreSQL (full-text index)
through catalogue_ext.selectors, so a listing costs the same few queries
whatever the page size or catalogue size.
"""

import hashlib
from urllib.parse import unquote

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.paginator import InvalidPage, Paginator
from django.http import Http404, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.cache import patch_cache_control
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.generic import ListView, View
from oscar.apps.search.signals import user_search
from oscar.core.loading import get_class, get_model

from buyers.selectors import buyer_kecamatan
from catalogue_ext import selectors

BrowseCategoryForm = get_class("search.forms", "BrowseCategoryForm")
CategoryForm = get_class("search.forms", "CategoryForm")
SearchForm = get_class("search.forms", "SearchForm")
Category = get_model("catalogue", "Category")


COUNT_SECONDS = 60


def result_count(object_list) -> int:
    """How many products a listing holds, cached for a minute under its SQL.

    Counting a large category costs more than the page itself (tens of ms at
    100,000 products). A stale count only changes the number shown and the
    page links: a page always shows its full slice of products.
    """
    # A Rekomendasi listing is counted through the queryset it ranks.
    queryset = getattr(object_list, "queryset", object_list)
    if queryset.query.is_empty():
        return 0
    sql, params = queryset.order_by().query.sql_with_params()
    key = f"peken:count:{hashlib.sha256(repr((sql, params)).encode()).hexdigest()}"
    return cache.get_or_set(key, queryset.count, COUNT_SECONDS)


class CachedCountPaginator(Paginator):
    """A paginator whose count is ``result_count``'s, cached for a minute."""

    @cached_property
    def count(self) -> int:
        return result_count(self.object_list)

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        return self._get_page(self.object_list[bottom : bottom + self.per_page], number, self)


class ProductListView(ListView):
    form_class = BrowseCategoryForm
    paginator_class = CachedCountPaginator
    context_object_name = "products"
    category = None

    def get_paginate_by(self, queryset):
        return selectors.products_per_page(self.request.GET.get("per_page"))

    def paginate_queryset(self, queryset, page_size):
        try:
            return super().paginate_queryset(queryset, page_size)
        except Http404 as exc:
            raise InvalidPage from exc

    def get_form(self):
        return self.form_class(self.request.GET)

    def buyer_kecamatan(self, sort: str) -> str | None:
        """Where the signed-in shopper lives, looked up only when the order uses it."""
        if sort != selectors.ProductSort.RECOMMENDED:
            return None
        return buyer_kecamatan(user=self.request.user)

    def get_queryset(self):
        self.form = self.get_form()
        sort = self.form.sort()
        return selectors.product_list(
            category=self.category,
            sort=sort,
            kecamatan=self.form.chosen_kecamatan(),
            buyer_kecamatan=self.buyer_kecamatan(sort),
        )

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except InvalidPage:
            messages.error(request, _("Nomor halaman tidak valid."))
            return redirect(request.path)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["form"] = self.form
        ctx["page"] = ctx["page_obj"]
        return ctx


class CatalogueView(ProductListView):
    template_name = "oscar/catalogue/browse.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["summary"] = _("Semua produk")
        return ctx


class ProductCategoryView(ProductListView):
    form_class = CategoryForm
    template_name = "oscar/catalogue/category.html"

    def get(self, request, *args, **kwargs):
        self.category = get_object_or_404(Category, pk=self.kwargs["pk"])
        if not (self.category.is_public or request.user.is_staff):
            raise Http404()
        expected_path = self.category.get_absolute_url()
        if unquote(expected_path) != unquote(request.path):
            return HttpResponsePermanentRedirect(expected_path)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["category"] = self.category
        return ctx


class FacetedSearchView(ProductListView):
    """Keeps Oscar's name so Oscar's search app config and URLs find it."""

    form_class = SearchForm
    template_name = "oscar/search/results.html"
    context_object_name = "results"

    def get_form(self):
        return self.form_class(self.request.GET)

    def get_queryset(self):
        self.form = self.get_form()
        self.query = self.form.query()
        user_search.send(sender=self, session=self.request.session, user=self.request.user, query=self.query)
        sort = self.form.sort()
        search = {
            "sort": sort,
            "kecamatan": self.form.chosen_kecamatan(),
            "buyer_kecamatan": self.buyer_kecamatan(sort),
        }
        results = selectors.product_search(query=self.query, **search)
        # Few or no results: perhaps a typing mistake. With none at all, show what the
        # corrected words find rather than an empty page.
        self.correction, self.corrected = None, False
        if self.query and (found := result_count(results)) <= selectors.FEW_RESULTS:
            self.correction = selectors.search_correction(query=self.query)
            if self.correction and not found:
                results = selectors.product_search(query=self.correction, **search)
                self.corrected = True
        return results

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["query"] = self.query
        ctx["search_form"] = self.form
        ctx["correction"] = self.correction
        ctx["corrected"] = self.corrected
        if self.correction:
            params = self.request.GET.copy()
            params["q"] = self.correction
            params.pop("page", None)
            ctx["correction_url"] = f"{self.request.path}?{params.urlencode()}"
        return ctx


class SearchSuggestionsView(View):
    """Titles and categories for the header search box as the shopper types (JSON, cached)."""

    def get(self, request, *args, **kwargs):
        prefix = request.GET.get("q", "")[: SearchForm.base_fields["q"].max_length]
        response = JsonResponse(selectors.search_suggestions(prefix=prefix))
        patch_cache_control(response, public=True, max_age=settings.PEKEN_SEARCH_SUGGEST_CACHE_SECONDS)
        return response
