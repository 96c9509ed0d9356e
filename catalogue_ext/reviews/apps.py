import oscar.apps.catalogue.reviews.apps as apps


class CatalogueReviewsConfig(apps.CatalogueReviewsConfig):
    """Oscar's product reviews, open only to buyers who received the product."""

    name = "catalogue_ext.reviews"
