import oscar.apps.customer.apps as apps
from django.urls import path
from oscar.core.loading import feature_hidden, get_class


class CustomerConfig(apps.CustomerConfig):
    """Oscar's account pages, with registration confirmed by email and no wishlists while hidden."""

    name = "buyers.customer"

    def ready(self):
        super().ready()
        self.register_sent_view = get_class("customer.views", "RegistrationSentView")
        self.register_confirm_view = get_class("customer.views", "RegistrationConfirmView")

    def get_urls(self):
        urls = [
            path("register/sent/", self.register_sent_view.as_view(), name="register-sent"),
            path(
                "register/confirm/<str:uidb64>/<str:token>/",
                self.register_confirm_view.as_view(),
                name="register-confirm",
            ),
        ]
        # Oscar hides the wishlist buttons but still serves the account's wishlist pages.
        if feature_hidden("wishlists"):
            return urls + [url for url in super().get_urls() if not (url.name or "").startswith("wishlists-")]
        return urls + super().get_urls()
