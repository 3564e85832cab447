"""`manage.py load_demo_world`: the demo accounts, then the demo world (certificates.demo).

`load_demo_data --world` (what `make run` runs) calls this after the accounts."""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from certificates.demo import build_world
from registrasi.accounts.management.commands.load_demo_data import PEOPLE
from registrasi.accounts.models import User


def demo_person(role: str) -> User:
    email = next(person.email for person in PEOPLE if person.role == role)
    return User.objects.get(email__iexact=email)


class Command(BaseCommand):
    help = _("Fill the demo organizations with applications, inspections and certificates.")

    def add_arguments(self, parser):
        parser.add_argument(
            "--skip-accounts",
            action="store_true",
            help="The demo accounts exist already (load_demo_data --world calls it so).",
        )

    def handle(self, *args, **options):
        if getattr(settings, "PRODUCTION", False):
            raise CommandError(_("Refusing to load the demo world in production."))
        if not options["skip_accounts"]:
            call_command("load_demo_data", stdout=self.stdout)
        built = build_world(staff=demo_person("staff"), inspector=demo_person("inspector"))
        if not any(built.values()):
            self.stdout.write(_("The demo world exists already: nothing added."))
            return
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Demo world: %(applications)s applications, %(inspections)s inspections, "
                    "%(certificates)s certificates."
                )
                % built
            )
        )
