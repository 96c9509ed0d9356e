from oscar.apps.basket import middleware


class BasketMiddleware(middleware.BasketMiddleware):
    """Oscar's basket middleware, with the anonymous basket cookie kept to same-site requests.

    Oscar sets the cookie HttpOnly (and Secure with OSCAR_BASKET_COOKIE_SECURE)
    but offers no SameSite setting; Lax keeps it off other sites' sub-requests
    and form posts while a link from elsewhere still opens the shopper's basket.
    """

    cookie_samesite = "Lax"

    def process_response(self, request, response):
        response = super().process_response(request, response)
        cookie = response.cookies.get(self.get_cookie_key(request))
        if cookie is not None:
            cookie["samesite"] = self.cookie_samesite
        return response
