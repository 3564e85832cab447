"""Admin pieces shared by the apps."""


class ReadOnlyAdminMixin:
    """For records that change only through the services (which lock, check and audit): the
    admin shows them and lets nobody add, edit or delete."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
