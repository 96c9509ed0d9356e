import oscar.apps.partner.apps as apps


class PartnerConfig(apps.PartnerConfig):
    """Oscar's partner app: each partner is a Peken seller (a shop)."""

    name = "sellers"
