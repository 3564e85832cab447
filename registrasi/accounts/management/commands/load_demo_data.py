"""Demo accounts for `make run`: one per role, all with the same password; with --world, the
demo world too (applications, inspections, certificates: certificates/demo.py).

Idempotent: people are found by email and organizations by NIB, so a second run creates
nothing and only puts the demo passwords, roles and memberships back as listed here.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from registrasi.accounts.constants import (
    INSPECTOR_GROUP,
    STAFF_GROUP,
    LegalForm,
    MembershipRole,
    Province,
)
from registrasi.accounts.models import Membership, Organization, User
from registrasi.accounts.roles import add_to_role
from registrasi.accounts.second_factor import AUTHENTICATOR_NAME, secret_of

DEMO_PASSWORD = "Registrasi-Demo-2026"
# Ministry accounts must log in with a second factor. In development the demo ones share this
# known TOTP key (RFC 6238's test key), printed with the logins; never in production.
DEMO_TOTP_KEY = "3132333435363738393031323334353637383930"


@dataclass(frozen=True)
class DemoOrganization:
    legal_name: str
    nib: str
    address: str
    province: str
    contact_email: str
    contact_phone: str
    legal_form: str = LegalForm.PT
    foreign_owned: bool = False


@dataclass(frozen=True)
class DemoPerson:
    role: str  # shown in the printed table
    email: str
    full_name: str
    superuser: bool = False
    admin_site: bool = False  # ministry staff edit the fee schedule in the admin
    group: str | None = None
    organization: DemoOrganization | None = None

    @property
    def needs_second_factor(self):
        return self.superuser or self.admin_site or self.group is not None


NUSANTARA = DemoOrganization(
    legal_name="PT Nusantara Kontak Prima",
    nib="8120104567231",
    address="Jl. Jend. Sudirman Kav. 52-53, Senayan, Kebayoran Baru, Jakarta Selatan 12190",
    province=Province.DKI,
    contact_email="kontak@nusantara.test",
    contact_phone="+62 21 5790 1234",
)
SUARA_PELANGGAN = DemoOrganization(
    legal_name="PT Suara Pelanggan Indonesia",
    nib="9120208814530",
    address="Jl. Asia Afrika No. 133, Kebon Pisang, Sumur Bandung, Kota Bandung 40112",
    province=Province.JABAR,
    contact_email="halo@suarapelanggan.test",
    contact_phone="0812 3456 7890",
    legal_form=LegalForm.PT_PMA,
    foreign_owned=True,
)

PEOPLE = [
    DemoPerson("admin", "admin@registrasi.test", "Administrator Registrasi", superuser=True),
    DemoPerson(
        "staff", "staff@registrasi.test", "Siti Rahmawati", admin_site=True, group=STAFF_GROUP
    ),
    DemoPerson("inspector", "inspektur@registrasi.test", "Budi Santoso", group=INSPECTOR_GROUP),
    DemoPerson("applicant", "pemilik@nusantara.test", "Andi Wijaya", organization=NUSANTARA),
    DemoPerson(
        "applicant", "pemilik@suarapelanggan.test", "Dewi Lestari", organization=SUARA_PELANGGAN
    ),
]


def ensure_organization(spec: DemoOrganization) -> Organization:
    organization, _created = Organization.objects.get_or_create(
        nib=spec.nib,
        defaults={
            "legal_name": spec.legal_name,
            "legal_form": spec.legal_form,
            "address": spec.address,
            "province": spec.province,
            "foreign_owned": spec.foreign_owned,
            "contact_email": spec.contact_email,
            "contact_phone": spec.contact_phone,
        },
    )
    return organization


def ensure_person(spec: DemoPerson, password: str) -> User:
    user = User.objects.filter(email__iexact=spec.email).first()
    if user is None:
        user = User.objects.create_user(spec.email, None, full_name=spec.full_name)
    # Put back what a previous demo session may have changed, so the printed logins work.
    user.set_password(password)
    user.is_active = True
    if spec.superuser:
        user.is_staff = user.is_superuser = True
    elif spec.admin_site:
        user.is_staff = True
    user.save(update_fields=["password", "is_active", "is_staff", "is_superuser"])
    if spec.group:
        add_to_role(user, spec.group)
    if spec.organization:
        Membership.objects.update_or_create(
            user=user,
            defaults={
                "organization": ensure_organization(spec.organization),
                "role": MembershipRole.OWNER,
            },
        )
    return user


def ensure_demo_authenticator(user) -> TOTPDevice:
    """The known demo key as the person's confirmed authenticator (development only)."""
    TOTPDevice.objects.filter(user=user).exclude(name=AUTHENTICATOR_NAME).delete()
    device, _created = TOTPDevice.objects.update_or_create(
        user=user,
        name=AUTHENTICATOR_NAME,
        defaults={"key": DEMO_TOTP_KEY, "confirmed": True, "last_t": -1},
    )
    return device


class Command(BaseCommand):
    help = "Create (or reset) one demo account per role, sharing one password. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Run even with DJANGO_ENV=production (demo passwords are public!).",
        )
        parser.add_argument(
            "--world",
            action="store_true",
            help="Then fill the demo organizations with work (the load_demo_world command).",
        )

    def handle(self, *args, **options):
        if getattr(settings, "PRODUCTION", False) and not options["allow_production"]:
            raise CommandError(
                _("Refusing to load demo accounts with public passwords in production.")
            )
        known_key = not getattr(settings, "PRODUCTION", False)
        device = None
        with transaction.atomic():
            for spec in PEOPLE:
                user = ensure_person(spec, DEMO_PASSWORD)
                if known_key and spec.needs_second_factor:
                    device = ensure_demo_authenticator(user)
        self.print_table()
        if device is not None:
            self.print_second_factor(device)
        else:
            self.stdout.write(
                _("Ministry accounts set up their second factor at their first login.")
            )
        if options["world"]:
            # By the command's name: registrasi imports no app (certificates builds the world).
            call_command("load_demo_world", skip_accounts=True, stdout=self.stdout)

    def print_second_factor(self, device):
        self.stdout.write("")
        self.stdout.write(
            _(
                "Second factor (development only): admin, staff and inspector log in with a "
                "code from an authenticator app holding this key:"
            )
        )
        self.stdout.write(f"  {secret_of(device)}")
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, 0)
        self.stdout.write(
            _("  Code now: %(code)s (a new one every 30 seconds)") % {"code": f"{totp.token():06d}"}
        )

    def print_table(self):
        rows = [(_("role"), _("email"), _("password"), _("organization"))]
        for spec in PEOPLE:
            organization = spec.organization.legal_name if spec.organization else ""
            rows.append((spec.role, spec.email, DEMO_PASSWORD, organization))
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        self.stdout.write(self.style.SUCCESS(_("Demo accounts are ready:")))
        for index, row in enumerate(rows):
            line = "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
            self.stdout.write(line.rstrip())
            if index == 0:
                self.stdout.write("  ".join("-" * width for width in widths))
