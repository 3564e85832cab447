from django.core.management.base import BaseCommand

from registrasi import outbox


class Command(BaseCommand):
    help = "Hand to Celery every task still waiting in the outbox (the beat task does it too)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--all", action="store_true", help="Include rows younger than the relay delay."
        )

    def handle(self, *args, **options):
        count = outbox.relay(older_than=0 if options["all"] else None)
        pending = outbox.pending().count()
        self.stdout.write(f"handed over {count}; still pending {pending}")
