from django.core.management.base import BaseCommand, CommandError

from applications.billing.settlement import SettlementFileError, settlement_import


class Command(BaseCommand):
    help = "Import the billing system's daily settlement CSV (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("path", help="CSV: billing_code,ntpn,ntb,amount,paid_at,channel")

    def handle(self, *args, path, **options):
        try:
            with open(path, "rb") as handle:
                result = settlement_import(data=handle.read())
        except (OSError, SettlementFileError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"confirmed {len(result.confirmed)}, already confirmed {len(result.already)}, "
            f"applied from settlement {len(result.applied)}, unmatched {len(result.unmatched)}"
        )
        for line, row, why in result.unmatched:
            self.stdout.write(f"  line {line}: {why}: {row.get('billing_code')} {row.get('ntpn')}")
