"""The receipts of certificate emails are audit.EmailDelivery rows now (see 0010, which
copied what it could); whether a reminder was delivered is read from them."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("certificates", "0010_email_through_audit_events")]

    operations = [
        migrations.RemoveField(model_name="expiryreminder", name="delivered_at"),
        migrations.DeleteModel(name="CertificateNotification"),
    ]
