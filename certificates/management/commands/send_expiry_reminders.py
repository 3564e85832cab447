"""Send the expiry reminders due today (what the daily scan does), or list them (--dry-run)."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from certificates.reminders import due_reminders, send_due_reminders
from registrasi.dates import today


class Command(BaseCommand):
    help = "Email the expiry reminders due (180/90/30/7 days before expiry and on the day)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would be sent; send nothing."
        )
        parser.add_argument("--date", help="Act as if today were this day (YYYY-MM-DD).")

    def handle(self, *args, dry_run=False, date=None, **options):
        on = self._day(date)
        if dry_run:
            due = [d for d in due_reminders(on) if d.milestone is not None]
            for item in due:
                self.stdout.write(self._line(item, "would send"))
            self.stdout.write(f"{len(due)} reminder(s) would be sent on {on.isoformat()}.")
            return
        sent = send_due_reminders(on=on)
        for item in sent:
            self.stdout.write(self._line(item, "sent"))
        self.stdout.write(f"{len(sent)} reminder(s) sent on {on.isoformat()}.")

    @staticmethod
    def _day(raw):
        if not raw:
            return today()
        try:
            return datetime.date.fromisoformat(raw)
        except ValueError as exc:
            raise CommandError(f"--date: {exc}") from exc

    @staticmethod
    def _line(item, verb):
        certificate = item.certificate
        return (
            f"{verb}: {certificate.number} ({certificate.legal_name}), expires "
            f"{certificate.expires_on.isoformat()}, milestone {item.milestone} days"
        )
