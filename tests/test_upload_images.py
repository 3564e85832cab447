"""JPEG and PNG uploads are copied without their metadata, segment by segment, never decoded
whole (issue 14): what is stored draws the same pixels, carries no EXIF, GPS, XMP, IPTC,
comments, text chunks, ICC profiles or trailing data, stays upright, and what does not decode,
claims the wrong type or has too many pixels is refused."""

import io
import random
import struct
import tracemalloc
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from PIL import Image, ImageOps

from registrasi import image_structure
from registrasi.image_structure import clean_image
from registrasi.uploads import validate_upload
from tests.bench.uploads import _jpeg_of_about
from tests.test_upload_memory import s3_options  # noqa: F401  (the fixture)

GPS_SECRET = b"GPSSECRET"


def _temporary(data, name):
    kind = "image/png" if name.endswith(".png") else "image/jpeg"
    upload = TemporaryUploadedFile(name, kind, len(data), None)
    upload.write(data)
    upload.seek(0)
    return upload


def _clean(data, name="photo.jpg", content_type=None):
    content_type = content_type or ("image/png" if name.endswith(".png") else "image/jpeg")
    return clean_image(_temporary(data, name), content_type=content_type, name=name).read()


def _refused(data, name="photo.jpg", content_type=None):
    with pytest.raises(ValidationError) as refused:
        _clean(data, name, content_type)
    return refused.value.code


def _pixels(data, mode="RGB"):
    with Image.open(io.BytesIO(data)) as image:
        return image.size, image.convert(mode).tobytes()


def _segment(marker, body):
    return b"\xff" + bytes([marker]) + struct.pack(">H", len(body) + 2) + body


def _photo(size=(64, 48), mode="RGB", **save):
    rng = random.Random(9)
    image = Image.frombytes(mode, size, rng.randbytes(size[0] * size[1] * len(mode)))
    out = io.BytesIO()
    image.save(out, "JPEG", **save)
    return out.getvalue()


def _gps_exif(orientation=None):
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x0110] = "Model X"
    exif[0x8825] = {1: "S", 2: (6.0, 12.0, 30.0), 27: GPS_SECRET}
    if orientation:
        exif[0x0112] = orientation
    return exif


def _with_metadata(jpeg, orientation=None):
    """A JPEG with every kind of metadata a camera or an editor writes, spread around."""
    xmp = b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta>XMPSECRET</x:xmpmeta>"
    iptc = b"Photoshop 3.0\x008BIM\x04\x04\0\0\0\0\0\x0c\x1c\x02\x50\0\x09IPTCSECRET"
    icc = b"ICC_PROFILE\0\x01\x01" + b"ICCSECRET" * 20
    jfif_thumb = b"JFIF\0\x01\x01\0\0\x01\0\x01\x02\x02" + b"THUMBSECRET!"  # 2x2 thumbnail
    head = (
        _segment(0xE0, jfif_thumb)
        + _segment(0xE1, _gps_exif(orientation).tobytes())
        + _segment(0xE1, xmp)
        + _segment(0xE2, icc)
        + _segment(0xED, iptc)
        + _segment(0xFE, b"COMSECRET")
        + _segment(0xE5, b"VENDORSECRET")
    )
    body = jpeg[2:]
    if body.startswith(b"\xff\xe0"):  # Pillow's own JFIF segment: replaced by the one above
        body = body[2 + struct.unpack(">H", body[2:4])[0] :]
    return b"\xff\xd8" + head + body


SECRETS = [
    b"PhoneMaker",
    GPS_SECRET,
    b"XMPSECRET",
    b"ICCSECRET",
    b"IPTCSECRET",
    b"COMSECRET",
    b"VENDORSECRET",
    b"THUMBSECRET",
]


def test_a_jpeg_keeps_its_pixels_and_loses_all_its_metadata():
    original = _with_metadata(_photo())
    assert all(secret in original for secret in SECRETS)
    stored = _clean(original)
    assert not [secret for secret in SECRETS if secret in stored]
    assert b"Exif" not in stored
    assert _pixels(stored) == _pixels(original)  # the coded data itself, not a re-encoding
    with Image.open(io.BytesIO(stored)) as image:
        assert dict(image.getexif()) == {}
        assert "icc_profile" not in image.info


@pytest.mark.parametrize(
    "kind, save",
    [
        ("progressive", {"progressive": True}),
        ("restart intervals", {"restart_marker_blocks": 1}),
        ("grey", {}),
        ("CMYK (Adobe segment kept)", {}),
    ],
)
def test_each_kind_of_jpeg_keeps_its_pixels(kind, save):
    mode = {"grey": "L", "CMYK (Adobe segment kept)": "CMYK"}.get(kind, "RGB")
    original = _with_metadata(_photo(mode=mode, **save))
    stored = _clean(original)
    assert _pixels(stored, mode) == _pixels(original, mode)
    assert not [secret for secret in SECRETS if secret in stored]
    if mode == "CMYK":
        assert b"Adobe" in stored


@pytest.mark.parametrize("tail", [b"<?php system($_GET['c']); ?>", b"PK\x03\x04zipzipzip"])
def test_a_polyglot_tail_after_the_jpeg_end_is_dropped(tail):
    original = _photo() + tail
    stored = _clean(original)
    assert stored.endswith(b"\xff\xd9")
    assert tail not in stored
    assert _pixels(stored) == _pixels(original)


@pytest.mark.parametrize("orientation, upright", [(6, (48, 64)), (3, (64, 48)), (8, (48, 64))])
def test_a_sideways_photo_keeps_only_its_orientation(orientation, upright):
    original = _with_metadata(_photo(), orientation=orientation)
    stored = _clean(original)
    with Image.open(io.BytesIO(stored)) as image:
        assert dict(image.getexif()) == {0x0112: orientation}
        assert ImageOps.exif_transpose(image).size == upright
    assert GPS_SECRET not in stored


def test_weasyprint_draws_a_sideways_photo_upright():
    """Photos are shown by browsers and could be printed by WeasyPrint: both turn a picture
    by its orientation tag (CSS image-orientation: from-image, their default)."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    stored = _clean(_with_metadata(_photo(size=(80, 40)), orientation=6))

    class PhotoOnly(URLFetcher):
        def fetch(self, url, headers=None):
            assert url.endswith("photo.jpg")
            return URLFetcherResponse(url, body=stored, headers={"Content-Type": "image/jpeg"})

    html = '<img src="https://example.invalid/photo.jpg" style="image-rendering: auto">'
    document = HTML(string=html, url_fetcher=PhotoOnly()).render()

    def boxes(box):
        yield box
        for child in getattr(box, "children", []):
            yield from boxes(child)

    images = [b for b in boxes(document.pages[0]._page_box) if hasattr(b, "replacement")]
    assert [(image.width, image.height) for image in images] == [(40, 80)]


def _png_chunk(kind, body):
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _png(size=(20, 10), mode="RGBA", **save):
    rng = random.Random(3)
    if mode == "P":
        image = Image.frombytes("P", size, rng.randbytes(size[0] * size[1]))
        image.putpalette(rng.randbytes(768))
    else:
        image = Image.frombytes(mode, size, rng.randbytes(size[0] * size[1] * len(mode)))
    out = io.BytesIO()
    image.save(out, "PNG", **save)
    return out.getvalue()


def _png_with_metadata(png):
    extra = (
        _png_chunk(b"tEXt", b"Author\0TEXTSECRET")
        + _png_chunk(b"zTXt", b"Comment\0\0" + zlib.compress(b"ZTXTSECRET"))
        + _png_chunk(b"iTXt", b"XML:com.adobe.xmp\0\0\0\0\0ITXTSECRET")
        + _png_chunk(b"eXIf", _gps_exif().tobytes()[6:])
        + _png_chunk(b"tIME", b"\x07\xea\x0b\x1e\x0c\x00\x00")
        + _png_chunk(b"iCCP", b"icc\0\0" + zlib.compress(b"ICCSECRET"))
        + _png_chunk(b"vnDr", b"VENDORSECRET")
    )
    cut = 8 + 25  # after the signature and IHDR
    return png[:cut] + extra + png[cut:-12] + _png_chunk(b"tEXt", b"Late\0LATESECRET") + png[-12:]


PNG_SECRETS = [b"TEXTSECRET", b"ITXTSECRET", b"PhoneMaker", b"VENDORSECRET", b"LATESECRET"]


@pytest.mark.parametrize(
    "kind, mode, save",
    [
        ("RGBA", "RGBA", {}),
        ("RGB interlaced", "RGB", {"interlace": 1}),
        ("palette with transparency", "P", {"transparency": 0}),
        ("grey 1 bit", "1", {}),
        ("grey 16 bit", "I;16", {}),
        ("several IDAT chunks", "RGB", {"chunk_size": 100}),
    ],
)
def test_a_png_keeps_its_pixels_and_loses_its_metadata(kind, mode, save):
    chunk_size = save.pop("chunk_size", None)
    if chunk_size:
        original = _png(size=(300, 200), mode=mode, **save)
        original = _split_idat(original, chunk_size)
    else:
        original = _png(mode=mode, **save)
    original = _png_with_metadata(original)
    assert all(secret in original or secret == b"PhoneMaker" for secret in PNG_SECRETS)
    stored = _clean(original, "scan.png")
    assert not [secret for secret in PNG_SECRETS if secret in stored]
    for kind_name in (b"tEXt", b"zTXt", b"iTXt", b"eXIf", b"tIME", b"iCCP", b"vnDr"):
        assert kind_name not in stored
    with Image.open(io.BytesIO(stored)) as image, Image.open(io.BytesIO(original)) as before:
        assert image.mode == before.mode
        assert image.size == before.size
        assert image.tobytes() == before.tobytes()
        assert image.info.get("transparency") == before.info.get("transparency")


def _split_idat(png, size):
    """The same PNG with its image data spread over IDAT chunks of `size` bytes."""
    chunks, at, data = [], 8, b""
    while at < len(png):
        (length,) = struct.unpack(">I", png[at : at + 4])
        kind, body = png[at + 4 : at + 8], png[at + 8 : at + 8 + length]
        if kind == b"IDAT":
            data += body
        else:
            chunks.append((kind, body))
        at += 12 + length
    out = png[:8]
    for kind, body in chunks:
        if kind == b"IEND":
            for start in range(0, len(data), size):
                out += _png_chunk(b"IDAT", data[start : start + size])
        out += _png_chunk(kind, body)
    return out


def test_a_polyglot_tail_after_the_png_end_is_dropped():
    original = _png() + b"<?php system($_GET['c']); ?>"
    stored = _clean(original, "scan.png")
    assert stored.endswith(b"IEND\xaeB`\x82")
    assert b"php" not in stored


def _ihdr_png(width, height, rows, depth=8, colour=2, interlace=0, compress=zlib.compress):
    header = struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, interlace)
    return (
        image_structure.PNG_SIGNATURE
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", compress(rows))
        + _png_chunk(b"IEND", b"")
    )


GOOD_ROWS = (b"\x00" + b"\x80" * 9) * 2  # 3 x 2 RGB, filter type 0


def test_a_hand_made_png_is_accepted():
    assert _clean(_ihdr_png(3, 2, GOOD_ROWS), "x.png").startswith(image_structure.PNG_SIGNATURE)


BROKEN_PNGS = {
    "truncated": _png()[:-40],
    "no IEND": _png()[:-12],
    "wrong CRC": _png()[:-20] + bytes([_png()[-20] ^ 1]) + _png()[-19:],
    "image data too short": _ihdr_png(3, 2, GOOD_ROWS[:-1]),
    "image data too long": _ihdr_png(3, 2, GOOD_ROWS + b"\0"),
    "unknown row filter": _ihdr_png(3, 2, b"\x07" + GOOD_ROWS[1:]),
    "not zlib": _ihdr_png(3, 2, GOOD_ROWS, compress=lambda rows: b"\x78\x9c" + rows),
    "data after the zlib stream": _ihdr_png(
        3, 2, GOOD_ROWS, compress=lambda r: zlib.compress(r) + b"PK"
    ),
    "bad bit depth": _ihdr_png(3, 2, GOOD_ROWS, depth=7),
    "unknown critical chunk": _png()[:33] + _png_chunk(b"XXXX", b"x") + _png()[33:],
    "palette image without palette": _ihdr_png(3, 2, b"\x00\x00\x00\x00" * 2, colour=3),
}


@pytest.mark.parametrize("kind", list(BROKEN_PNGS))
def test_a_broken_png_is_refused(kind):
    assert _refused(BROKEN_PNGS[kind], "scan.png") == "image_unreadable"


def _corrupt_scan(jpeg):
    """The JPEG with bytes in the middle of its scan replaced by an unknown marker."""
    at = jpeg.rindex(b"\xff\xda") + 200
    return jpeg[:at] + b"\xff\x02\x00\x10" + b"\x00" * 12 + jpeg[at + 16 :]


BROKEN_JPEGS = {
    "truncated": _photo()[: len(_photo()) // 2],
    "no end marker": _photo()[:-2],
    "cut in a segment": _photo()[:30],
    "no scan": _photo()[: _photo().rindex(b"\xff\xda")] + b"\xff\xd9",
    "no frame": b"\xff\xd8" + _segment(0xFE, b"hello") + b"\xff\xd9",
    "bytes between segments": b"\xff\xd8\x00\x00" + _photo()[2:],
    "only a header": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    + b"\x00" * 64,
}


@pytest.mark.parametrize("kind", list(BROKEN_JPEGS))
def test_a_broken_jpeg_is_refused(kind):
    assert _refused(BROKEN_JPEGS[kind]) == "image_unreadable"


def _undecodable_jpegs():
    jpeg = _photo(size=(256, 256))
    dht, sos = jpeg.index(b"\xff\xc4"), jpeg.rindex(b"\xff\xda")
    undefined_table = bytearray(jpeg)
    undefined_table[sos + 6] = 0x33  # the first component's Huffman tables: 3, never defined
    garbage = bytearray(jpeg)
    garbage[sos + 20 : sos + 2000] = bytes(
        b if b == 0xFF else 0x55 for b in jpeg[sos + 20 : sos + 2000]
    )
    return {
        "a Huffman table without codes": jpeg[: dht + 5] + b"\x00" * 16 + jpeg[dht + 21 :],
        "an undefined Huffman table": bytes(undefined_table),
        "coded data that is garbage": bytes(garbage),
    }


@pytest.mark.parametrize("weasyprint_loaded", [False, True])
@pytest.mark.parametrize("kind", list(_undecodable_jpegs()))
def test_a_jpeg_whose_coded_data_does_not_decode_is_refused(kind, weasyprint_loaded, monkeypatch):
    from PIL import ImageFile

    # WeasyPrint's import sets this for the whole process: the check must not follow it.
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", weasyprint_loaded)
    assert _refused(_undecodable_jpegs()[kind]) == "image_unreadable"
    assert ImageFile.LOAD_TRUNCATED_IMAGES is weasyprint_loaded


@pytest.mark.parametrize(
    "data, name, content_type",
    [
        (_photo(), "scan.png", "image/png"),
        (_png(), "photo.jpg", "image/jpeg"),
    ],
    ids=["a JPEG called PNG", "a PNG called JPEG"],
)
def test_the_wrong_type_is_refused(data, name, content_type):
    assert _refused(data, name, content_type) == "image_type"
    with pytest.raises(ValidationError):
        validate_upload(SimpleUploadedFile(name, data))


def test_a_jpeg_with_too_many_pixels_is_refused():
    jpeg = _photo()
    sof = jpeg.index(b"\xff\xc0")
    huge = jpeg[: sof + 5] + struct.pack(">HH", 10_000, 10_000) + jpeg[sof + 9 :]
    assert _refused(huge) == "image_size"


def test_a_png_with_too_many_pixels_is_refused():
    assert _refused(_ihdr_png(10_000, 10_000, GOOD_ROWS), "scan.png") == "image_size"


def test_the_limit_is_the_same_for_both(monkeypatch):
    monkeypatch.setattr(image_structure, "MAX_IMAGE_PIXELS", 64 * 48 - 1)
    assert _refused(_photo()) == "image_size"
    monkeypatch.setattr(image_structure, "MAX_IMAGE_PIXELS", 64 * 48)
    assert _clean(_photo())


def test_a_refused_image_leaves_no_temporary_file(tmp_path, settings):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    upload = SimpleUploadedFile("scan.png", BROKEN_PNGS["wrong CRC"])
    with pytest.raises(ValidationError):
        clean_image(upload, content_type="image/png", name="scan.png")
    stored = clean_image(SimpleUploadedFile("ok.png", _png()), content_type="image/png", name="x")
    assert list(tmp_path.iterdir()) == []  # unnamed temporary files
    assert stored.size == len(stored.read())


def _peak(function):
    tracemalloc.start()
    try:
        result = function()
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak, result


def test_a_10_mb_jpeg_is_cleaned_without_holding_it():
    """Before: the photo decoded whole, turned, copied and re-encoded in memory (a 10 MB
    JPEG raised a gunicorn worker's peak by ~156 MB). Now Python holds a few 64 KiB pieces
    and Pillow a 1/8-scale grey picture (not traced here; tests/bench/uploads.py measures the
    worker's resident memory)."""
    data, side = _jpeg_of_about(random.Random(14), 10_000_000)
    data = _with_metadata(data, orientation=6)
    upload = _temporary(data, "photo.jpg")
    peak, stored = _peak(lambda: clean_image(upload, content_type="image/jpeg", name="p.jpg"))
    assert peak < 1_000_000
    assert stored.size > 9_000_000
    assert upload.tell() == 0
    with Image.open(stored) as image:
        assert image.size == (side, side)
        assert dict(image.getexif()) == {0x0112: 6}


def test_a_large_png_is_cleaned_without_holding_it():
    rng = random.Random(5)
    width, height = 1500, 1500
    rows = b"".join(b"\x00" + rng.randbytes(width * 3) for _ in range(height))  # 6.75 MB
    data = _ihdr_png(width, height, rows, compress=lambda r: zlib.compress(r, 1))
    upload = _temporary(data, "scan.png")
    del rows
    peak, stored = _peak(lambda: clean_image(upload, content_type="image/png", name="s.png"))
    assert peak < 1_000_000
    assert stored.size == len(data)


def test_a_colour_chunk_longer_than_its_kind_allows_is_dropped():
    # tRNS of an RGB image holds one colour (6 bytes); more would be a hiding place.
    png = _ihdr_png(3, 2, GOOD_ROWS)
    hidden = _png_chunk(b"tRNS", b"\0\0\0\0\0\0HIDDENPAYLOAD") + _png_chunk(b"gAMA", b"\0" * 9)
    stored = _clean(png[:33] + hidden + png[33:], "scan.png")
    assert b"HIDDEN" not in stored
    assert b"tRNS" not in stored
    assert b"gAMA" not in stored
    assert _pixels(stored) == _pixels(png)


def test_a_cleaned_photo_goes_to_s3_as_it_is(s3_options):  # noqa: F811
    from storages.backends.s3 import S3Storage

    storage = S3Storage(**s3_options)
    client = storage.connection.meta.client
    client.create_bucket(Bucket=s3_options["bucket_name"])
    calls = []
    client.meta.events.register("before-call.s3", lambda model, **kw: calls.append(model.name))
    data, _side = _jpeg_of_about(random.Random(2), 9 * 1024 * 1024)
    checked = validate_upload(_temporary(_with_metadata(data, orientation=6), "site.jpg"))
    name = storage.save("evidence/site.jpg", checked.content)
    assert calls.count("PutObject") == 1
    assert "CreateMultipartUpload" not in calls
    with storage.open(name, "rb") as stored:
        body = stored.read()
    assert len(body) == checked.size
    assert GPS_SECRET not in body
    assert _pixels(body) == _pixels(data)
