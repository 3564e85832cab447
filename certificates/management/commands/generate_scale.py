"""Fill the database with national-scale data for measuring (make bench); the rows and their
states are certificates.scale_data's Generator (bulk inserts, bypassing the services on
purpose). Never with production settings; adds to a database that has applications only when
--force says so.

    manage.py generate_scale --applications 100000 [--certificates 60000] [--seed 1]
"""

import random
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from applications.models import Application
from certificates.scale_data import Generator


class Command(BaseCommand):
    help = (
        "Fill the database with realistic rows at national scale, for measuring (not production)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--applications", type=int, required=True)
        parser.add_argument(
            "--certificates", type=int, help="default: 60%% of the applications (at most all)"
        )
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--force", action="store_true", help="add to a database that already has applications"
        )

    def handle(self, *args, applications, certificates, seed, force, **options):
        if getattr(settings, "PRODUCTION", False):
            raise CommandError("generate_scale refuses to run with production settings.")
        if applications < 1:
            raise CommandError("--applications must be at least 1.")
        if certificates is None:
            certificates = applications * 6 // 10
        if not 0 <= certificates <= applications:
            raise CommandError("--certificates must be between 0 and --applications.")
        if Application.objects.exists() and not force:
            raise CommandError("The database has applications already: use --force to add more.")
        started = time.monotonic()
        counts = Generator(random.Random(seed)).run(applications, certificates)
        took = time.monotonic() - started
        summary = ", ".join(f"{n} {name}" for name, n in counts.items())
        self.stdout.write(f"Generated {summary} in {took:.1f} s.")
