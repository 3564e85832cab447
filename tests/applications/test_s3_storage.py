"""Documents on S3-compatible storage: moto in server mode, reached over HTTP like any S3."""

import urllib.error
import urllib.request

import boto3
import pytest
from moto.server import ThreadedMotoServer

from applications import services
from applications.constants import DocumentType
from applications.documents import document_download_response
from tests.applications.factories import PDF_BYTES, ApplicationFactory, pdf_upload

BUCKET = "registrasi-private-test"


@pytest.fixture(scope="module")
def s3_endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )
    client.create_bucket(Bucket=BUCKET)
    yield endpoint, client
    server.stop()


@pytest.fixture
def s3_storage(settings, s3_endpoint):
    endpoint, client = s3_endpoint
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": endpoint,
                "region_name": "us-east-1",
                "access_key": "test",
                "secret_key": "test",
                "default_acl": None,
                "querystring_auth": True,
                "querystring_expire": 300,
                "file_overwrite": False,
            },
        },
    }
    return client


def upload_sop(applicant, name="SOP final.pdf"):
    application = ApplicationFactory(created_by=applicant)
    return services.document_upload(
        application=application,
        actor=applicant,
        document_type=DocumentType.SOP_MANUAL,
        uploaded_file=pdf_upload(name),
    )


def test_an_upload_is_stored_in_the_bucket_under_a_random_name(applicant, s3_storage):
    version = upload_sop(applicant)

    stored = s3_storage.get_object(Bucket=BUCKET, Key=version.file.name)["Body"].read()
    assert stored == PDF_BYTES
    assert "SOP" not in version.file.name
    assert version.original_name == "SOP final.pdf"


def test_a_reupload_adds_an_object_and_keeps_the_first(applicant, s3_storage):
    first = upload_sop(applicant)
    second = services.document_upload(
        application=first.document.application,
        actor=applicant,
        document_type=DocumentType.SOP_MANUAL,
        uploaded_file=pdf_upload("SOP final.pdf"),
    )

    keys = {item["Key"] for item in s3_storage.list_objects_v2(Bucket=BUCKET)["Contents"]}
    assert {first.file.name, second.file.name} <= keys
    assert first.file.name != second.file.name


def test_the_object_is_private_and_only_the_signed_link_opens_it(applicant, s3_storage):
    version = upload_sop(applicant)
    endpoint = s3_storage.meta.endpoint_url

    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{endpoint}/{BUCKET}/{version.file.name}")
    assert refused.value.code == 403

    response = document_download_response(version=version)
    assert response.status_code == 302
    with urllib.request.urlopen(response["Location"]) as signed:
        assert signed.read() == PDF_BYTES
        assert "attachment" in signed.headers["Content-Disposition"]
