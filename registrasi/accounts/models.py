import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registrasi.accounts.constants import (
    INSPECTOR_GROUP,
    STAFF_GROUP,
    DisputeDocumentKind,
    DisputeState,
    LegalForm,
    MembershipRole,
    Province,
)
from registrasi.accounts.validators import validate_nib, validate_phone
from registrasi.tokens import HashedToken, hash_token  # noqa: F401 (hash_token: for callers)

EMAIL_MAX_LENGTH = 254  # models.EmailField's default, the column of User.email


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, email):
        # A value longer than the column names nobody; asking the database would only let a
        # megabyte of input reach a LIKE pattern (SQLite refuses it with an error, a 500).
        if email is None or len(email) > EMAIL_MAX_LENGTH or "\x00" in email:
            raise self.model.DoesNotExist
        return self.get(email__iexact=email)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in with an email address.

    `is_staff` is Django's admin flag only; ministry roles are the groups `staff` and
    `inspector` (see roles.py).
    """

    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200)
    language = models.CharField(
        _("preferred language"), max_length=8, choices=settings.LANGUAGES, default="id"
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("admin site access"), default=False)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
        ]

    def __str__(self):
        return self.email

    def get_full_name(self):
        return self.full_name or self.email

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email

    def _group_names(self):
        if not hasattr(self, "_cached_group_names"):
            self._cached_group_names = set(self.groups.values_list("name", flat=True))
        return self._cached_group_names

    @property
    def is_ministry_staff(self):
        return STAFF_GROUP in self._group_names()

    @property
    def is_inspector(self):
        return INSPECTOR_GROUP in self._group_names()

    @property
    def membership(self):
        """The user's membership of an organization, or None (cached per instance)."""
        if not hasattr(self, "_cached_membership"):
            self._cached_membership = (
                Membership.objects.select_related("organization").filter(user=self).first()
            )
        return self._cached_membership

    @property
    def organization(self):
        membership = self.membership
        return membership.organization if membership else None

    @property
    def is_applicant(self):
        return self.membership is not None


class OrganizationQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        if user.is_ministry_staff:
            return self
        return self.filter(memberships__user=user)


class Organization(models.Model):
    """A call-center business: the tenant."""

    legal_name = models.CharField(_("legal name"), max_length=255)
    legal_form = models.CharField(_("legal form"), max_length=16, choices=LegalForm.choices)
    nib = models.CharField(
        _("NIB (business identification number)"),
        max_length=13,
        unique=True,
        validators=[validate_nib],
        help_text=_("13 digits, as issued by OSS."),
    )
    address = models.TextField(_("registered address"))
    province = models.CharField(_("province"), max_length=32, choices=Province.choices)
    foreign_owned = models.BooleanField(_("foreign ownership"), default=False)
    contact_email = models.EmailField(_("contact email"))
    contact_phone = models.CharField(_("contact phone"), max_length=24, validators=[validate_phone])
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    require_second_factor = models.BooleanField(
        _("members must use a second factor"),
        default=False,
        help_text=_("Every member logs in with an authenticator code as well as a password."),
    )

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["legal_name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(nib__regex=r"^[0-9]{13}$"), name="accounts_org_nib_13_digits"
            ),
        ]

    def __str__(self):
        return self.legal_name


class Membership(models.Model):
    """Links a user to the one organization they work for."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership_record"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(
        _("role"), max_length=16, choices=MembershipRole.choices, default=MembershipRole.MEMBER
    )
    created_at = models.DateTimeField(_("joined"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["created_at"]

    def __str__(self):
        return f"{self.user} @ {self.organization} ({self.role})"

    @property
    def is_owner(self):
        return self.role == MembershipRole.OWNER


class InvitationQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not user.is_authenticated or user.membership is None:
            return self.none()
        return self.filter(organization_id=user.membership.organization_id)


class Invitation(HashedToken):
    """An owner's invitation to join their organization. Only the token's hash is stored
    (token_hash, created_at, expires_at and revoked_at come from HashedToken)."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("email address"))
    role = models.CharField(
        _("role"), max_length=16, choices=MembershipRole.choices, default=MembershipRole.MEMBER
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta(HashedToken.Meta):
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self):
        return f"{self.email} → {self.organization}"

    @property
    def is_usable(self):
        return self.accepted_at is None and super().is_usable

    @property
    def status(self):
        if self.accepted_at:
            return _("accepted")
        if self.revoked_at:
            return _("revoked")
        if self.is_expired:
            return _("expired")
        return _("pending")


class SignupRequest(models.Model):
    """A sign-up waiting for its email address to be confirmed.

    Neither the account nor the organization exists yet: the NIB is not claimed until the
    person proves the address is theirs by opening the link sent to it. An unconfirmed
    request expires (`expires_at`) and claims nothing; the daily scan deletes it. The
    password is kept only as Django's hash; the link's token only as its SHA-256.
    """

    email = models.EmailField(_("email address"))
    full_name = models.CharField(_("full name"), max_length=200)
    language = models.CharField(_("preferred language"), max_length=8, choices=settings.LANGUAGES)
    password_hash = models.CharField(max_length=128, editable=False)
    legal_name = models.CharField(_("legal name"), max_length=255)
    legal_form = models.CharField(_("legal form"), max_length=16, choices=LegalForm.choices)
    nib = models.CharField(_("NIB"), max_length=13, validators=[validate_nib])
    address = models.TextField(_("registered address"))
    province = models.CharField(_("province"), max_length=32, choices=Province.choices)
    foreign_owned = models.BooleanField(_("foreign ownership"), default=False)
    contact_email = models.EmailField(_("contact email"))
    contact_phone = models.CharField(_("contact phone"), max_length=24, validators=[validate_phone])
    privacy_version = models.CharField(_("privacy notice accepted"), max_length=32, blank=True)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)

    class Meta:
        verbose_name = _("sign-up request")
        verbose_name_plural = _("sign-up requests")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.email} ({self.nib})"

    @property
    def is_usable(self):
        return self.confirmed_at is None and self.expires_at > timezone.now()


class NibDispute(models.Model):
    """A company saying an organization registered under its NIB is not the one claiming it.

    Filed without an account: the claimant's email address is confirmed through a link first
    (until then the dispute is `unconfirmed` and staff do not see it). Staff read the deed and
    the NIB document and decide; an upheld dispute moves the organization to the claimant
    (accounts.services.dispute_decide).
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="disputes"
    )
    email = models.EmailField(_("email address"))
    full_name = models.CharField(_("full name"), max_length=200)
    language = models.CharField(_("preferred language"), max_length=8, choices=settings.LANGUAGES)
    statement = models.TextField(_("statement"))
    state = models.CharField(
        _("state"), max_length=16, choices=DisputeState.choices, default=DisputeState.UNCONFIRMED
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("filed"), auto_now_add=True)
    expires_at = models.DateTimeField(_("confirm before"))
    confirmed_at = models.DateTimeField(_("email confirmed"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_reason = models.TextField(_("reason for the decision"), blank=True)

    class Meta:
        verbose_name = _("NIB dispute")
        verbose_name_plural = _("NIB disputes")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.organization.nib}: {self.email}"

    @property
    def is_confirmable(self):
        return self.state == DisputeState.UNCONFIRMED and self.expires_at > timezone.now()


def dispute_upload_to(instance, filename):
    """A random name: the original name never reaches the storage path."""
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"disputes/{uuid.uuid4().hex}.{ext}"


class DisputeDocument(models.Model):
    dispute = models.ForeignKey(NibDispute, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=8, choices=DisputeDocumentKind.choices)
    file = models.FileField(_("file"), upload_to=dispute_upload_to, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    content_type = models.CharField(_("content type"), max_length=64)

    class Meta:
        verbose_name = _("dispute document")
        verbose_name_plural = _("dispute documents")
        ordering = ["kind"]
        constraints = [
            models.UniqueConstraint(fields=["dispute", "kind"], name="accounts_dispute_doc_once")
        ]

    def __str__(self):
        return self.original_name


class PrivacyAcceptance(models.Model):
    """A person accepted a version of the privacy notice (registrasi.accounts.privacy)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="privacy_acceptances"
    )
    version = models.CharField(_("version"), max_length=32)
    accepted_at = models.DateTimeField(_("accepted"), auto_now_add=True)

    class Meta:
        verbose_name = _("privacy notice acceptance")
        verbose_name_plural = _("privacy notice acceptances")
        ordering = ["-accepted_at"]

    def __str__(self):
        return f"{self.user} {self.version}"


class ReadKind(models.TextChoices):
    DOCUMENT = "document", _("document")
    PHOTO = "photo", _("inspection photo")
    REPORT = "report", _("inspection report")
    CERTIFICATE = "certificate", _("certificate")


class ReadEvent(models.Model):
    """Someone opened or downloaded a file holding personal data (registrasi.accounts.reads).
    Kept apart from the audit log, which records changes: reads are many and never change
    anything. Rows are only ever added."""

    reader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=16, choices=ReadKind.choices)
    content_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.PROTECT, related_name="+"
    )
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(_("file"), max_length=255)
    application_id = models.PositiveIntegerField(null=True, blank=True, db_index=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    read_at = models.DateTimeField(_("read"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("read of a file")
        verbose_name_plural = _("reads of files")
        ordering = ["-read_at", "-id"]
        indexes = [models.Index(fields=["organization", "read_at"])]

    def __str__(self):
        return f"{self.read_at:%Y-%m-%d %H:%M} {self.reader} {self.object_repr}"
