import oscar.apps.search.apps as apps
from django.urls import path
from oscar.core.loading import get_class


class SearchConfig(apps.SearchConfig):
    """Oscar's search app, answered by PostgreSQL instead of a search engine."""

    name = "catalogue_ext.search"

    def ready(self):
        super().ready()
        self.suggestions_view = get_class("search.views", "SearchSuggestionsView")

    def get_urls(self):
        return super().get_urls() + self.post_process_urls(
            [
                path("saran/", self.suggestions_view.as_view(), name="suggestions"),
            ]
        )
