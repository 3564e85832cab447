"""Administrators make ministry accounts here: a user plus the group "staff" or "inspector"."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from registrasi.accounts.forms import UserAdminChangeForm, UserAdminCreationForm
from registrasi.accounts.models import Invitation, Membership, Organization, User


class MembershipInline(admin.StackedInline):
    model = Membership
    extra = 0
    max_num = 1
    raw_id_fields = ["organization"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserAdminChangeForm
    add_form = UserAdminCreationForm
    ordering = ["email"]
    list_display = ["email", "full_name", "roles", "is_active", "is_staff", "date_joined"]
    list_filter = ["groups", "is_active", "is_staff", "is_superuser", "language"]
    search_fields = ["email", "full_name"]
    readonly_fields = ["last_login", "date_joined"]
    filter_horizontal = ["groups", "user_permissions"]
    inlines = [MembershipInline]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Personal details"), {"fields": ["full_name", "language"]}),
        (
            _("Roles and access"),
            {
                "fields": ["is_active", "groups", "is_staff", "is_superuser", "user_permissions"],
                "description": _(
                    "Put ministry officers in the group “staff” and inspectors in the group "
                    "“inspector”. “Admin site access” is only for administrators."
                ),
            },
        ),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": [
                    "email",
                    "full_name",
                    "language",
                    "usable_password",
                    "password1",
                    "password2",
                    "groups",
                ],
            },
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description=_("roles"))
    def roles(self, obj):
        return ", ".join(group.name for group in obj.groups.all())

    def get_inlines(self, request, obj):
        # Only existing accounts can be linked to an organization.
        return self.inlines if obj is not None else []


class OrganizationMembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["legal_name", "nib", "legal_form", "province", "foreign_owned", "created_at"]
    list_filter = ["legal_form", "province", "foreign_owned"]
    search_fields = ["legal_name", "nib", "contact_email"]
    readonly_fields = ["created_at"]
    inlines = [OrganizationMembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organization", "role", "created_at"]
    list_filter = ["role"]
    list_select_related = ["user", "organization"]
    search_fields = ["user__email", "organization__legal_name", "organization__nib"]
    raw_id_fields = ["user", "organization"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Invitations are sent from the members page (the link needs the token, which is never
    stored), so the admin only shows them."""

    list_display = ["email", "organization", "role", "status", "created_at", "expires_at"]
    list_select_related = ["organization"]
    search_fields = ["email", "organization__legal_name"]
    fields = [
        "organization",
        "email",
        "role",
        "invited_by",
        "created_at",
        "expires_at",
        "accepted_at",
        "revoked_at",
    ]
    readonly_fields = fields

    @admin.display(description=_("status"))
    def status(self, obj):
        return obj.status

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
