import oscar.apps.search.apps as apps


class SearchConfig(apps.SearchConfig):
    """Oscar's search app, answered by PostgreSQL instead of a search engine."""

    name = "catalogue_ext.search"
