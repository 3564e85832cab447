"""Signal receivers of the certificates app (connected in CertificatesConfig.ready): a saved
or deleted certificate makes the stored public pages out of date (certificates.public_cache).
Bulk writes send no signal: they call public_pages_changed themselves."""

from django.db.models.signals import post_delete, post_save

from certificates.models import Certificate
from certificates.public_cache import public_pages_changed

post_save.connect(public_pages_changed, sender=Certificate, dispatch_uid="public-pages-saved")
post_delete.connect(public_pages_changed, sender=Certificate, dispatch_uid="public-pages-deleted")
