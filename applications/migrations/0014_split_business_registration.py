"""One upload slot per required document (issue 15): the "business registration (NIB and deed
of establishment)" type becomes two required types, "nib" and "deed_of_establishment".

Existing applications keep everything and nothing becomes invalid: each business_registration
document becomes the NIB document (same row, same versions, same reviews), and a deed of
establishment document is added beside it with a copy of each of its versions on the SAME
stored file (nothing is copied in storage; like a renewal's carried documents), with the same
number, upload time, uploader and review. So the old combined file fills both slots: an
accepted one stays accepted for both, a pending one waits for review in both, a rejected one
asks for both to be replaced, and a draft still has what it needs to be submitted. The pages
say when two slots hold the same file (applications.documents.mark_shared_files); the
applicant may replace either with a separate file.

Reversing it merges back: the NIB document becomes business_registration again; a deed
document holding only such copies is removed (nothing is lost: the NIB document has the same
files), and one with a file of its own becomes an "other" document, so no upload is lost."""

from django.db import migrations, models

OLD = "business_registration"
NIB = "nib"
DEED = "deed_of_establishment"
OTHER = "other"
BATCH = 500

COPIED = (
    "number",
    "original_name",
    "size",
    "sha256",
    "content_type",
    "uploaded_by_id",
    "review_status",
    "review_reason",
    "reviewed_by_id",
    "reviewed_at",
)


def split_business_registration(apps, schema_editor):
    document_model = apps.get_model("applications", "Document")
    version_model = apps.get_model("applications", "DocumentVersion")
    has_deed = document_model.objects.filter(document_type=DEED).values("application_id")
    old_ids = list(
        document_model.objects.filter(document_type=OLD)
        .exclude(application_id__in=has_deed)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    copy_of = {}  # version pk -> its copy's pk
    carried = []  # the copies of versions carried over from an earlier application
    for start in range(0, len(old_ids), BATCH):
        olds = list(document_model.objects.filter(pk__in=old_ids[start : start + BATCH]))
        deeds = document_model.objects.bulk_create(
            [document_model(application_id=d.application_id, document_type=DEED) for d in olds]
        )
        for old, deed in zip(olds, deeds, strict=True):
            deed.created_at = old.created_at  # auto_now_add: bulk_update keeps the given value
        document_model.objects.bulk_update(deeds, ["created_at"])
        deed_for = {old.pk: deed.pk for old, deed in zip(olds, deeds, strict=True)}
        versions = list(
            version_model.objects.filter(document_id__in=deed_for).order_by("document_id", "number")
        )
        copies = version_model.objects.bulk_create(
            [
                version_model(
                    document_id=deed_for[v.document_id],
                    file=v.file.name,
                    carried_from_id=v.carried_from_id,
                    **{name: getattr(v, name) for name in COPIED},
                )
                for v in versions
            ]
        )
        for version, copy in zip(versions, copies, strict=True):
            copy.uploaded_at = version.uploaded_at
            copy_of[version.pk] = copy.pk
            if version.carried_from_id is not None:
                carried.append(copy)
        version_model.objects.bulk_update(copies, ["uploaded_at"])
    # A follow-up's deed copy is carried from the copy of the version its NIB was carried
    # from (the deed of the certificate's application), when that was split too.
    moved = []
    for copy in carried:
        if copy.carried_from_id in copy_of:
            copy.carried_from_id = copy_of[copy.carried_from_id]
            moved.append(copy)
    version_model.objects.bulk_update(moved, ["carried_from"], batch_size=BATCH)
    document_model.objects.filter(document_type=OLD).update(document_type=NIB)


def merge_business_registration(apps, schema_editor):
    document_model = apps.get_model("applications", "Document")
    version_model = apps.get_model("applications", "DocumentVersion")
    nib_versions = {}  # (application, number, sha256, size) -> NIB version pk
    for v in version_model.objects.filter(document__document_type=NIB).values(
        "pk", "document__application_id", "number", "sha256", "size"
    ):
        key = (v["document__application_id"], v["number"], v["sha256"], v["size"])
        nib_versions[key] = v["pk"]
    twin = {}  # a deed version that copies an NIB version -> that NIB version
    own_file = set()  # deed documents with a file of their own
    for v in version_model.objects.filter(document__document_type=DEED).values(
        "pk", "document_id", "document__application_id", "number", "sha256", "size"
    ):
        key = (v["document__application_id"], v["number"], v["sha256"], v["size"])
        if key in nib_versions:
            twin[v["pk"]] = nib_versions[key]
        else:
            own_file.add(v["document_id"])
    deeds = document_model.objects.filter(document_type=DEED)
    removed = list(deeds.exclude(pk__in=own_file).values_list("pk", flat=True))
    # Versions carried from a copy about to be removed are carried from its NIB twin (the
    # same stored file) instead.
    for version in version_model.objects.filter(
        carried_from__document_id__in=removed
    ).only("pk", "carried_from_id"):
        version_model.objects.filter(pk=version.pk).update(
            carried_from_id=twin[version.carried_from_id]
        )
    version_model.objects.filter(document_id__in=removed).delete()
    document_model.objects.filter(pk__in=removed).delete()
    deeds.update(document_type=OTHER)
    document_model.objects.filter(document_type=NIB).update(document_type=OLD)


class Migration(migrations.Migration):
    dependencies = [("applications", "0013_documents_to_review_flag")]

    operations = [
        migrations.AlterField(
            model_name="document",
            name="document_type",
            field=models.CharField(
                choices=[
                    ("nib", "Business identification number (NIB)"),
                    ("deed_of_establishment", "Deed of establishment"),
                    ("sop_manual", "Standard operating procedures (SOP) manual"),
                    ("training_programme", "Agent training and management programme"),
                    ("data_protection_policy", "Data protection and privacy policy"),
                    ("organisation_chart", "Organisation chart with supervisors"),
                    ("other", "Other document"),
                ],
                max_length=32,
                verbose_name="type",
            ),
        ),
        migrations.RunPython(
            split_business_registration, merge_business_registration, elidable=False
        ),
    ]
