import oscar.apps.wishlists.apps as apps


class WishlistsConfig(apps.WishlistsConfig):
    """Oscar's shared wishlist page, gone (404) while OSCAR_HIDDEN_FEATURES hides wishlists."""

    name = "buyers.wishlists"
    hidable_feature_name = "wishlists"
