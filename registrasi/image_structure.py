"""Images (JPEG, PNG) checked by their structure and copied without their metadata (photos
carry GPS positions and camera serial numbers), segment by segment, never decoded whole; the
copy is what is stored. PDFs: registrasi/file_structure.py.
"""

import re
import tempfile
import zlib

from django.conf import settings
from django.core.files import File
from django.utils.translation import gettext as _

from registrasi.file_structure import refuse

MAX_IMAGE_PIXELS = 50_000_000
IMAGE_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG"}


def clean_image(uploaded_file, *, content_type: str, name: str):
    """The image without its metadata, in a temporary file; refuse what does not decode.

    Nothing is decoded whole (issue 14: a 10 MB upload may raise a worker's peak memory by
    less than 1 MB more than a 10 KB one). The file is copied segment by segment, keeping
    only what draws the picture: for a JPEG its tables, frame, scans and the JFIF and Adobe
    colour headers; for a PNG its header, palette, transparency, colour chunks and image
    data. EXIF (with GPS), XMP, IPTC, comments, text chunks, ICC profiles, thumbnails and
    anything after the image's end marker are dropped. A JPEG's orientation is written again
    as a minimal EXIF block holding only that tag (browsers and WeasyPrint turn the picture
    upright by it). The copy is then checked: a JPEG is decoded at 1/8 scale in grey (every
    scan's coded data read, only a few pixels kept), a PNG's image data is inflated a piece at
    a time and must be exactly as long as its size and colour type say, with valid row filters.
    """
    expected = IMAGE_FORMATS[content_type]
    # An unnamed temporary file: gone when closed or collected, whatever the storage does.
    out = File(tempfile.TemporaryFile(dir=settings.FILE_UPLOAD_TEMP_DIR), name=name)  # noqa: SIM115
    try:
        uploaded_file.seek(0)
        reader = _Reader(uploaded_file)
        copy = _copy_jpeg if expected == "JPEG" else _copy_png
        size = copy(reader, out)
        out.size = out.tell()
        _check_decodes(out, expected, size)
    except _Broken:
        out.close()
        refuse(_("The image cannot be read; take or save it again."), "image_unreadable")
    except BaseException:
        out.close()
        raise
    uploaded_file.seek(0)
    out.seek(0)
    return out


class _Broken(Exception):
    """The image is truncated or malformed."""


def _too_many_pixels(width, height):
    if width * height > MAX_IMAGE_PIXELS:
        refuse(_("The image has too many pixels; resize it and try again."), "image_size")
    if not width or not height:
        raise _Broken


class _Reader:
    """Exact reads from a file, 64 KiB at a time."""

    CHUNK = 64 * 1024

    def __init__(self, file):
        self.file = file
        self.buffer = b""
        self.position = 0

    def _fill(self):
        data = self.file.read(self.CHUNK)
        if not data:
            raise _Broken
        self.buffer = self.buffer[self.position :] + data
        self.position = 0

    def read(self, n):
        while len(self.buffer) - self.position < n:
            self._fill()
        data = self.buffer[self.position : self.position + n]
        self.position += n
        return data

    def pieces(self, n):
        """`n` bytes, as pieces of at most CHUNK bytes."""
        while n:
            if self.position >= len(self.buffer):
                self._fill()
            piece = self.buffer[self.position : self.position + min(n, self.CHUNK)]
            self.position += len(piece)
            n -= len(piece)
            yield piece

    def copy_scan(self, out):
        """Copy entropy-coded data up to the next marker (not a restart marker nor a stuffed
        0xFF00), which stays to be read."""
        while True:
            found = _JPEG_MARKER.search(self.buffer, self.position)
            if found:
                out.write(self.buffer[self.position : found.start()])
                self.position = found.start()
                return
            end = len(self.buffer) - self.buffer.endswith(b"\xff")
            out.write(self.buffer[self.position : end])
            self.position = end
            self._fill()


_JPEG_MARKER = re.compile(rb"\xff[^\x00\xd0-\xd7]")
# Segments kept as they are: frames (SOF0-3, 5-7, 9-11, 13-15; libjpeg refuses the kinds it
# cannot decode), Huffman and arithmetic tables, quantization tables, restart interval, DNL.
_JPEG_KEPT = frozenset(
    [0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF]
    + [0xC4, 0xCC, 0xDB, 0xDD, 0xDC]
)
_JPEG_FRAMES = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
ORIENTATION = 0x0112


def _segment(marker, data):
    return b"\xff" + bytes([marker]) + (len(data) + 2).to_bytes(2, "big") + data


def _orientation(app1):
    from PIL import Image

    exif = Image.Exif()
    try:
        exif.load(app1)
        orientation = exif.get(ORIENTATION, 1)
    except Exception:  # a broken EXIF block is dropped like a whole one  # noqa: BLE001
        return 1
    return orientation if orientation in range(2, 9) else 1


def _orientation_segment(orientation):
    from PIL import Image

    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    data = exif.tobytes()
    return _segment(0xE1, data if data.startswith(b"Exif\0\0") else b"Exif\0\0" + data)


def _copy_jpeg(reader, out):
    """Copy the JPEG's picture segments to `out`; return its (width, height)."""
    if reader.read(2) != b"\xff\xd8":
        refuse(_("The image is not the type its name says."), "image_type")
    out.write(b"\xff\xd8")
    headers = {}  # the JFIF, EXIF-orientation and Adobe segments, written before the tables
    met = set()  # the first of each kind only
    written = False
    size = None
    while True:
        if reader.read(1) != b"\xff":
            raise _Broken
        marker = reader.read(1)[0]
        while marker == 0xFF:  # fill bytes
            marker = reader.read(1)[0]
        if marker == 0xD9:  # EOI: anything after it is dropped
            if size is None or not written:
                raise _Broken
            out.write(b"\xff\xd9")
            return size
        if marker == 0x01 or 0xD0 <= marker <= 0xD7 or marker == 0xD8:
            raise _Broken  # no segment stands alone here
        length = int.from_bytes(reader.read(2), "big")
        if length < 2:
            raise _Broken
        data = reader.read(length - 2)
        if marker == 0xE0 and data.startswith(b"JFIF\0") and len(data) >= 14:
            if "jfif" not in met:
                headers["jfif"] = _segment(0xE0, data[:12] + b"\0\0")  # without its thumbnail
            met.add("jfif")
        elif marker == 0xE1 and data.startswith(b"Exif\0\0"):
            if "exif" not in met:
                orientation = _orientation(data)
                if orientation != 1:
                    headers["exif"] = _orientation_segment(orientation)
            met.add("exif")
        elif marker == 0xEE and data.startswith(b"Adobe") and len(data) >= 12:
            if "adobe" not in met:
                headers["adobe"] = _segment(0xEE, data[:12])
            met.add("adobe")
        elif marker in _JPEG_KEPT or marker == 0xDA:
            for key in ("jfif", "exif", "adobe"):
                out.write(headers.pop(key, b""))
            written = True
            if marker in _JPEG_FRAMES:
                if size is not None or len(data) < 6:
                    raise _Broken
                size = (int.from_bytes(data[3:5], "big"), int.from_bytes(data[1:3], "big"))
                _too_many_pixels(*size)
            if marker == 0xDA and size is None:
                raise _Broken
            out.write(_segment(marker, data))
            if marker == 0xDA:
                reader.copy_scan(out)
        # Anything else (other APPn, COM, JPGn) is dropped.


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Ancillary chunks kept: transparency and colour rendering (gAMA, cHRM, sRGB, sBIT, bKGD)
# and the pixel size (pHYs); with their exact lengths (None: checked elsewhere).
_PNG_KEPT = {b"tRNS": None, b"gAMA": 4, b"cHRM": 32, b"sRGB": 1, b"pHYs": 9, b"sBIT": None}
_PNG_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
_PNG_DEPTHS = {0: (1, 2, 4, 8, 16), 2: (8, 16), 3: (1, 2, 4, 8), 4: (8, 16), 6: (8, 16)}
_ADAM7 = ((0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2))
_ADAM7 += ((0, 1, 1, 2),)


def _png_rows(width, height, depth, colour, interlaced):
    """(bytes a row, rows) of each pass (one pass unless interlaced)."""
    bits = depth * _PNG_CHANNELS[colour]
    if not interlaced:
        return [((width * bits + 7) // 8, height)]
    passes = []
    for x0, y0, dx, dy in _ADAM7:
        columns = (width - x0 + dx - 1) // dx if width > x0 else 0
        rows = (height - y0 + dy - 1) // dy if height > y0 else 0
        if columns and rows:
            passes.append(((columns * bits + 7) // 8, rows))
    return passes


def _filter_offsets(passes):
    at = 0
    for row_bytes, rows in passes:
        for _row in range(rows):
            yield at
            at += row_bytes + 1


class _PngData:
    """The IDAT stream inflated a piece at a time: exactly `expected` bytes, every row's filter
    type 0 to 4."""

    def __init__(self, passes):
        self.inflater = zlib.decompressobj()
        self.expected = sum((row_bytes + 1) * rows for row_bytes, rows in passes)
        self.seen = 0
        self.filters = _filter_offsets(passes)
        self.next_filter = next(self.filters, None)

    def feed(self, data):
        while data:
            if self.inflater.eof:
                raise _Broken  # data after the end of the compressed stream
            try:
                pixels = self.inflater.decompress(data, 64 * 1024)
            except zlib.error:
                raise _Broken from None
            data = self.inflater.unconsumed_tail
            end = self.seen + len(pixels)
            if end > self.expected:
                raise _Broken
            while self.next_filter is not None and self.next_filter < end:
                if pixels[self.next_filter - self.seen] > 4:
                    raise _Broken
                self.next_filter = next(self.filters, None)
            self.seen = end
        if self.inflater.unused_data:
            raise _Broken

    def check_complete(self):
        if not self.inflater.eof or self.seen != self.expected:
            raise _Broken


def _copy_png(reader, out):
    """Copy the PNG's picture chunks to `out`; return its (width, height)."""
    if reader.read(8) != PNG_SIGNATURE:
        refuse(_("The image is not the type its name says."), "image_type")
    out.write(PNG_SIGNATURE)
    header = None
    palette = False
    palette_entries = 0
    data = None  # _PngData once the header is read
    idat = "before"  # before, in, after
    while True:
        length = int.from_bytes(reader.read(4), "big")
        kind = reader.read(4)
        if length > 0x7FFFFFFF or not kind.isalpha():
            raise _Broken
        crc = zlib.crc32(kind)
        if kind == b"IDAT":
            if header is None or idat == "after" or (header[3] == 3 and not palette):
                raise _Broken
            idat = "in"
            out.write(length.to_bytes(4, "big") + kind)
            for piece in reader.pieces(length):
                crc = zlib.crc32(piece, crc)
                data.feed(piece)
                out.write(piece)
            if int.from_bytes(reader.read(4), "big") != crc:
                raise _Broken
            out.write(crc.to_bytes(4, "big"))
            continue
        if idat == "in":
            idat = "after"
        if kind in (b"IHDR", b"PLTE", b"IEND") or (kind in _PNG_KEPT and idat == "before"):
            if length > 1024:
                raise _Broken
            body = reader.read(length)
            crc = zlib.crc32(body, crc)
            if int.from_bytes(reader.read(4), "big") != crc:
                raise _Broken
            if (kind == b"IHDR") != (header is None):
                raise _Broken  # IHDR first, once
            if kind == b"IHDR":
                header = _png_header(body)
                data = _PngData(_png_rows(*header[:4], header[4]))
            elif kind == b"PLTE":
                if palette or idat != "before" or header[3] in (0, 4) or length % 3:
                    raise _Broken
                if not 0 < length // 3 <= min(256, 2 ** header[2]):
                    raise _Broken
                palette = True
                palette_entries = length // 3
            elif kind == b"IEND":
                if length or idat == "before":
                    raise _Broken
                data.check_complete()
                out.write(b"\0\0\0\0IEND" + crc.to_bytes(4, "big"))
                return header[:2]
            elif not _png_chunk_fits(kind, length, header[3], palette_entries):
                continue  # a malformed colour chunk: dropped, nothing hides in it
            out.write(length.to_bytes(4, "big") + kind + body + crc.to_bytes(4, "big"))
            continue
        if header is None or not kind[0:1].islower():
            raise _Broken  # an unknown critical chunk: no decoder could draw the image
        for piece in reader.pieces(length):  # dropped: text, EXIF, time, ICC, unknown
            crc = zlib.crc32(piece, crc)
        if int.from_bytes(reader.read(4), "big") != crc:
            raise _Broken


def _png_chunk_fits(kind, length, colour, palette_entries):
    """Whether a kept ancillary chunk has the length its kind and the colour type allow."""
    if kind == b"tRNS":
        if colour == 3:
            return 0 < length <= palette_entries
        return length == {0: 2, 2: 6}.get(colour)
    if kind == b"sBIT":
        return length == {0: 1, 2: 3, 3: 3, 4: 2, 6: 4}[colour]
    return length == _PNG_KEPT[kind]


def _png_header(body):
    if len(body) != 13:
        raise _Broken
    width, height = int.from_bytes(body[0:4], "big"), int.from_bytes(body[4:8], "big")
    depth, colour, compression, filtering, interlace = body[8:13]
    if colour not in _PNG_DEPTHS or depth not in _PNG_DEPTHS[colour]:
        raise _Broken
    if compression or filtering or interlace not in (0, 1):
        raise _Broken
    _too_many_pixels(width, height)
    return width, height, depth, colour, interlace


def _check_decodes(out, expected, size):
    """Pillow must read the copy as `expected` of `size`; a JPEG's scans are decoded at 1/8
    scale in grey, which reads all their coded data and keeps few pixels."""
    from PIL import Image, ImageFile, UnidentifiedImageError

    out.seek(0)
    # WeasyPrint, once imported, lets Pillow accept truncated or broken data everywhere in
    # the process; not here.
    lenient, ImageFile.LOAD_TRUNCATED_IMAGES = ImageFile.LOAD_TRUNCATED_IMAGES, False
    try:
        with Image.open(out, formats=[expected]) as image:
            if image.size != size:
                raise _Broken
            if expected == "JPEG":
                image.draft("L", (max(1, size[0] // 8), max(1, size[1] // 8)))
                image.load()
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise _Broken from None
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = lenient
