"""What every app's admin shares."""


class ReadOnlyAdminMixin:
    """Records written only through their services: the admin shows them, never adds, changes or deletes."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
