from django.contrib.postgres.indexes import GinIndex
from django.db import models

from catalogue_ext.abstract_models import (
    AbstractListingDecision,
    AbstractListingReport,
    AbstractPekenProduct,
    AbstractSearchWord,
)


class Product(AbstractPekenProduct):
    class Meta(AbstractPekenProduct.Meta):
        indexes = [
            GinIndex(fields=["search_vector"], name="product_search_gin"),
            # Storefront listings: public, canonical products, newest first.
            models.Index(
                fields=["-date_created", "-id"],
                name="product_browse_idx",
                condition=models.Q(is_public=True, parent__isnull=True),
            ),
        ]


class ListingReport(AbstractListingReport):
    pass


class ListingDecision(AbstractListingDecision):
    pass


class SearchWord(AbstractSearchWord):
    pass


from oscar.apps.catalogue.models import *  # noqa: E402, F403
