"""The PDF structure check reads the upload where it is, without holding its streams' data
(issue 14: a 10 MB upload may raise peak memory by less than 1 MB more than a 10 KB one;
tests/bench/uploads.py measures it under gunicorn), and is as strict as before: dictionaries
packed in object streams are still read and walked."""

import io
import os
import tracemalloc

import pypdf  # imported before tracemalloc starts: its import is not the upload's memory
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import TemporaryUploadedFile

from registrasi.file_structure import check_pdf
from tests.bench.uploads import pdf_of

assert pypdf


def _temporary_upload(data, name="scan.pdf"):
    upload = TemporaryUploadedFile(name, "application/pdf", len(data), None)
    upload.write(data)
    upload.seek(0)
    return upload


def _pdf_with_xref_stream(objects, compressed):
    """A PDF 1.5 by hand: `objects` {number: body} written plainly, `compressed` {number:
    body} packed in object stream 90 (padded past 1 KiB, so it is no tiny read), and a
    cross-reference stream (object 91)."""
    parts, offsets, position = [], [], 0
    for body in compressed.values():
        offsets.append(position)
        parts.append(body)
        position += len(body) + 1
    header = " ".join(f"{n} {o}" for n, o in zip(compressed, offsets, strict=True)) + " "
    packed = (header + " ".join(parts)).encode() + b" " * 2000
    objects = {
        **objects,
        90: b"<< /Type /ObjStm /N %d /First %d /Length %d >>\nstream\n%s\nendstream"
        % (len(compressed), len(header), len(packed), packed),
    }
    out = io.BytesIO()
    out.write(b"%PDF-1.5\n")
    where = {}
    for number, body in objects.items():
        where[number] = out.tell()
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    where[91] = out.tell()
    rows = []
    for number in range(92):
        if number in where:
            rows.append(b"\x01" + where[number].to_bytes(4, "big") + b"\x00\x00")
        elif number in compressed:
            index = list(compressed).index(number)
            rows.append(b"\x02" + (90).to_bytes(4, "big") + index.to_bytes(2, "big"))
        else:
            rows.append(b"\x00" + b"\x00" * 4 + b"\xff\xff")
    table = b"".join(rows)
    out.write(
        b"91 0 obj\n<< /Type /XRef /Size 92 /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n"
        b"%s\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % (len(table), table, where[91])
    )
    return out.getvalue()


def test_the_check_does_not_hold_a_large_pdf_in_memory():
    # A 4 MB image stream: before, the whole file was copied into memory and pypdf kept the
    # image's data besides.
    data = pdf_of([(os.urandom(4_000_000), 2000)])
    upload = _temporary_upload(data)
    tracemalloc.start()
    try:
        check_pdf(upload)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 500_000
    assert upload.tell() == 0


def _catalog(extra=b""):
    return {
        # Walked last to first: with `extra`, object stream 90 is met before object 5.
        1: b"<< /Type /Catalog /Pages 2 0 R /Aaa 5 0 R" + extra + b" >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    }


SCRIPT = {5: "<< /S /JavaScript /JS (app.alert\\(1\\)) >>"}


@pytest.mark.parametrize(
    "extra",
    [b"", b" /Zzz 90 0 R"],
    ids=["packed", "packed, its object stream also referenced (walked first, data skipped)"],
)
def test_a_script_packed_in_an_object_stream_is_refused(extra):
    upload = _temporary_upload(_pdf_with_xref_stream(_catalog(extra), SCRIPT))
    with pytest.raises(ValidationError) as refused:
        check_pdf(upload)
    assert refused.value.code == "pdf_active_content"


def test_a_harmless_pdf_with_an_object_stream_is_accepted():
    harmless = {5: "<< /S /GoTo /D [3 0 R /Fit] >>"}
    check_pdf(_temporary_upload(_pdf_with_xref_stream(_catalog(b" /Zzz 90 0 R"), harmless)))


def test_a_pdf_with_a_wrong_stream_length_is_still_accepted():
    # pypdf repairs a too-short /Length by reading on to "endstream"; the check then walks
    # the file again with its streams read, and accepts it as before.
    data = pdf_of([(os.urandom(3000), 30)])
    data = data.replace(b"/Length 3000 ", b"/Length 2500 ")
    check_pdf(_temporary_upload(data))


@pytest.fixture
def s3_options(monkeypatch):
    """The S3 storage's OPTIONS as the settings build them when a bucket is set."""
    import importlib

    from moto.server import ThreadedMotoServer

    module = importlib.import_module("registrasi.settings_parts.files")
    monkeypatch.setenv("AWS_STORAGE_BUCKET_NAME", "registrasi-memory-test")
    try:
        options = dict(importlib.reload(module).DEFAULT_STORAGE["OPTIONS"])
    finally:
        monkeypatch.delenv("AWS_STORAGE_BUCKET_NAME")
        importlib.reload(module)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    options.update(endpoint_url=f"http://{host}:{port}", access_key="test", secret_key="test")
    yield options
    server.stop()


def test_an_upload_goes_to_s3_in_one_put_from_its_temporary_file(s3_options):
    # boto3's default: a file over 8 MB in 8 MB parts held in memory, on threads.
    from storages.backends.s3 import S3Storage

    storage = S3Storage(**s3_options)
    client = storage.connection.meta.client
    client.create_bucket(Bucket=s3_options["bucket_name"])
    calls = []
    client.meta.events.register("before-call.s3", lambda model, **kw: calls.append(model.name))
    storage.save("scan.pdf", _temporary_upload(os.urandom(9 * 1024 * 1024)))
    assert calls.count("PutObject") == 1
    assert "CreateMultipartUpload" not in calls


def test_an_upload_over_256_kib_goes_to_a_temporary_file_as_it_arrives(rf):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = pdf_of([(os.urandom(300 * 1024), 300)])
    request = rf.post("/", {"file": SimpleUploadedFile("scan.pdf", data, "application/pdf")})
    assert isinstance(request.FILES["file"], TemporaryUploadedFile)
