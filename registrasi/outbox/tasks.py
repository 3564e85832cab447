from celery import shared_task


@shared_task(name="registrasi.outbox.tasks.relay_outbox", acks_late=True)
def relay_outbox() -> int:
    """Periodic (beat): hand to Celery the tasks still waiting in the outbox."""
    from registrasi import outbox

    return outbox.relay()
