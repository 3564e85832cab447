"""The daily scan's writes (certificates.tasks.daily_scan): lift suspensions whose planned
end passed, hand over to renewals that took effect, expire certificates whose validity
passed. Each is idempotent: a second run (or two at once) changes nothing more. Re-exported
by certificates.services.
"""

import datetime

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_noop

from certificates.constants import CertificateState, SanctionKind
from certificates.models import Certificate, Sanction
from certificates.sanctioning import carry_sanctions
from certificates.sanctions import sanctions_in_force
from registrasi.dates import today
from registrasi.services import NotAllowed, notify, run_transition

S = CertificateState


def certificates_expire(*, on: datetime.date | None = None) -> int:
    """Move active or suspended certificates whose validity has passed to `expired` (run
    daily, after the hand-over to renewals that took effect)."""
    on = on or today()
    count = 0
    expired = Certificate.objects.filter(state__in=(S.ACTIVE, S.SUSPENDED), expires_on__lt=on)
    # A plain list of ids, unordered: a server-side cursor (iterator) is planned for its first
    # rows and walked a whole index at 100,000 certificates; this reads only the (state,
    # expires_on) range due (a day's worth of ids).
    for pk in list(expired.order_by().values_list("pk", flat=True)):
        with transaction.atomic():
            certificate = Certificate.objects.get(pk=pk)
            try:
                run_transition(
                    obj=certificate,
                    name="expire",
                    actor=None,
                )
            except NotAllowed:  # changed meanwhile (suspended, revoked): nothing to do
                continue
        count += 1
    return count


def certificates_hand_over(*, on: datetime.date | None = None) -> int:
    """Supersede certificates whose renewal took effect (run daily, before expiring): the old
    one ended yesterday or earlier and its successor is valid from `on` or earlier. The
    successor (active, or suspended as it was issued) inherits what the old one was
    sanctioned with since the renewal was approved."""
    on = on or today()
    successors = Certificate.objects.filter(
        supersedes=OuterRef("pk"), state__in=(S.ACTIVE, S.SUSPENDED), valid_from__lte=on
    )
    due = Certificate.objects.filter(state__in=(S.ACTIVE, S.SUSPENDED), expires_on__lt=on).filter(
        Exists(successors)
    )
    count = 0
    for pk in list(due.order_by().values_list("pk", flat=True)):
        with transaction.atomic():
            basis = Certificate.objects.select_for_update().get(pk=pk)
            in_force = sanctions_in_force(basis)  # read before the state changes
            try:
                basis = run_transition(
                    obj=basis,
                    name="hand_over",
                    actor=None,
                ).obj
            except NotAllowed:
                continue
            successor = basis.superseded_by.order_by("-pk").first()
            carry_sanctions(in_force=in_force, certificate=successor, actor=None)
        count += 1
    return count


def suspensions_lift_ended(*, on: datetime.date | None = None) -> int:
    """Reinstate suspended certificates whose suspension's planned end (`until`) has passed
    (run daily). Suspensions without an end wait for staff."""
    on = on or today()
    ended = (
        Sanction.objects.filter(
            kind=SanctionKind.SUSPENSION,
            certificate__state=S.SUSPENDED,
            ends_on__lt=on,
        )
        .order_by("certificate_id", "-created_at", "-id")
        .values_list("certificate_id", "pk")
    )
    latest = {}
    for certificate_id, sanction_id in ended:
        latest.setdefault(certificate_id, sanction_id)
    count = 0
    for certificate_id, sanction_id in latest.items():
        try:
            count += _lift_suspension(certificate_id, sanction_id, on)
        except NotAllowed:  # changed meanwhile (reinstated, revoked): nothing to do
            continue
    return count


def _lift_suspension(certificate_id: int, sanction_id: int, on: datetime.date) -> bool:
    """Lift the suspension `sanction_id` of the certificate unless it was suspended again
    since; the reinstatement is recorded first, so the audit event names it (a refused
    transition rolls it back)."""
    with transaction.atomic():
        newest = (
            Sanction.objects.filter(certificate_id=certificate_id, kind=SanctionKind.SUSPENSION)
            .order_by("-created_at", "-id")
            .values_list("pk", flat=True)
            .first()
        )
        if newest != sanction_id:  # suspended again since, with another end
            return False
        reinstatement = Sanction.objects.create(
            certificate_id=certificate_id,
            kind=SanctionKind.REINSTATEMENT,
            # Stored as the source sentence, translated when shown (Sanction.reason_text).
            reason=gettext_noop("The suspension ended on its planned date."),
            starts_on=on,
            created_by=None,
        )
        done = run_transition(
            obj=Certificate.objects.get(pk=certificate_id),
            name="lift_suspension",
            actor=None,
            data={"sanction": reinstatement.pk},
        )
        notify(done.event)
    return True
