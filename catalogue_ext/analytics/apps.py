import oscar.apps.analytics.apps as apps


class AnalyticsConfig(apps.AnalyticsConfig):
    """Oscar's analytics models, without its signal receivers.

    Oscar counts every product view, basket add, search and purchase with an
    UPDATE inside the shopper's request, which puts writes on the storefront's
    hottest pages. Peken's reports are built from orders instead.
    """

    name = "catalogue_ext.analytics"

    def ready(self):
        pass
