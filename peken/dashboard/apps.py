from oscar.apps.dashboard import apps


class DashboardConfig(apps.DashboardConfig):
    name = "peken.dashboard"
