"""Enqueue the PDF render again for certificates without a stored PDF (what beat runs)."""

from django.core.management.base import BaseCommand

from certificates.models import Certificate
from certificates.services import certificates_reconcile


class Command(BaseCommand):
    help = "Render again the certificate PDFs that are missing (lost task, failed render)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="List them; enqueue nothing.")

    def handle(self, *args, dry_run=False, **options):
        ids = certificates_reconcile(dry_run=dry_run)
        numbers = dict(Certificate.objects.filter(pk__in=ids).values_list("pk", "number"))
        verb = "would enqueue" if dry_run else "enqueued"
        for pk in ids:
            self.stdout.write(f"{verb}: render_certificate_pdf({pk}) {numbers.get(pk, '')}")
        self.stdout.write(f"{len(ids)} certificate PDF(s) {verb}.")
