from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from certificates.signing import key_paths, make_self_signed


class Command(BaseCommand):
    help = (
        "Write a self-signed signing key and certificate (PEM) for development and tests, "
        "at CERTIFICATE_SIGNING_KEY / CERTIFICATE_SIGNING_CERT unless given."
    )

    def add_arguments(self, parser):
        parser.add_argument("--key", help="Where to write the private key (PEM).")
        parser.add_argument("--cert", help="Where to write the certificate (PEM).")
        parser.add_argument(
            "--force", action="store_true", help="Replace an existing key and certificate."
        )

    def handle(self, *args, key=None, cert=None, force=False, **options):
        default_key, default_cert = key_paths()
        key_path = Path(key) if key else default_key
        cert_path = Path(cert) if cert else default_cert
        existing = [p for p in (key_path, cert_path) if p.exists()]
        if existing and not force:
            # Replacing the key silently would make every issued PDF fail verification.
            raise CommandError(
                f"{', '.join(map(str, existing))} exists; pass --force to replace it "
                "(PDFs signed with the old key will no longer verify)."
            )
        make_self_signed(key_path, cert_path)
        self.stdout.write(self.style.SUCCESS(f"Wrote {key_path} and {cert_path}."))
