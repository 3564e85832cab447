"""Uploads checked by their structure, not only by their first bytes.

libmagic reads the first bytes: a file that starts like a PDF but is not one, or a real PDF
that runs JavaScript when opened, passes it. Here a PDF must parse (pypdf), not be encrypted,
and carry no JavaScript, no automatic or launch actions and no embedded files. Images:
registrasi/image_structure.py.
"""

import io
import logging

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

# Names in a PDF that make a viewer run or open something by itself.
FORBIDDEN_PDF_NAMES = frozenset(
    {
        "/JavaScript",
        "/JS",
        "/AA",  # additional actions: on page open, on field focus, ...
        "/Launch",
        "/EmbeddedFile",
        "/EmbeddedFiles",
        "/RichMedia",
        "/SubmitForm",
        "/ImportData",
        "/GoToR",
        "/GoToE",
    }
)
# Actions a viewer may run by itself. An /OpenAction that only opens a page (/GoTo, or a bare
# destination, which Word and scanners write) is harmless; any other opening action is refused.
HARMLESS_ACTIONS = frozenset({"/GoTo"})
# Enough for any real document; a deeper or larger object graph is refused, not walked.
MAX_PDF_OBJECTS = 200_000


def refuse(message, code):
    raise ValidationError(message, code=code)


def check_pdf(uploaded_file) -> None:
    """Refuse a PDF that does not parse, is encrypted or carries active content.

    The file is read where it is (the upload's temporary file), without the data of its
    streams (`_WithoutStreamData`): the check needs the dictionaries only, and a 10 MB scan
    is not held in memory. A file that only parses when its streams are read (a damaged
    stream length that pypdf repairs by reading on to "endstream") is walked again, whole.
    """
    from pypdf.errors import PyPdfError

    parse_errors = (PyPdfError, ValueError, KeyError, TypeError, AttributeError, RecursionError)
    try:
        try:
            found = _walk_pdf(uploaded_file, skip_stream_data=True)
        except parse_errors:
            found = _walk_pdf(uploaded_file, skip_stream_data=False)
    except ValidationError:
        raise
    except parse_errors as exc:
        logger.info("PDF refused, it does not parse: %r", exc)
        refuse(_("The file is not a readable PDF; save or scan it again."), "pdf_unreadable")
    finally:
        uploaded_file.seek(0)
    if found:
        refuse(
            _(
                "The PDF contains scripts, automatic actions or attached files (%(names)s); "
                "print it to a new PDF and upload that."
            )
            % {"names": ", ".join(sorted(found))},
            "pdf_active_content",
        )


def _walk_pdf(uploaded_file, *, skip_stream_data) -> set:
    """The forbidden names of the PDF (see `_active_content`); refuse an encrypted one."""
    import pypdf

    uploaded_file.seek(0)
    stream = _WithoutStreamData(uploaded_file)
    reader = _lean_reader(pypdf.PdfReader)(stream, strict=False)
    stream.skipping = skip_stream_data  # from here on, only dictionaries are needed
    if reader.is_encrypted:
        refuse(_("The PDF is password-protected; upload it without a password."), "pdf_encrypted")
    found = _active_content(reader)
    len(reader.pages)  # every page must be reachable
    return found


# A read this large while the objects are walked is a stream's data (pypdf reads the tokens of
# dictionaries a few bytes at a time).
SKIP_READS_FROM = 1024


class _WithoutStreamData:
    """The uploaded file as pypdf reads it for the check, without the data of its streams.

    The check looks at dictionaries only, never at what a page draws or an image holds; but
    pypdf reads a stream's data whole as soon as it resolves the stream, and keeps it: a
    scanned 10 MB PDF would be held in memory once more. Once `skipping` is set, a large
    read (a stream's data) moves past the bytes and returns nothing; while pypdf reads an
    object stream (compressed dictionaries, see `_lean_reader`) or the cross-reference data
    (while the reader is built), everything is read.
    """

    def __init__(self, file):
        self.file = file
        self.skipping = False

    def read(self, size=-1):
        if self.skipping and size is not None and size >= SKIP_READS_FROM:
            start = self.file.tell()
            end = self.file.seek(0, io.SEEK_END)
            if start + size <= end:
                self.file.seek(start + size)
                return b""
            self.file.seek(start)
        return self.file.read(size)

    def seek(self, offset, whence=io.SEEK_SET):
        return self.file.seek(offset, whence)

    def tell(self):
        return self.file.tell()


def _lean_reader(reader_class):
    """A PdfReader that reads object streams whole: the dictionaries packed in them are what
    the check walks. An object stream met earlier as a plain object (its data skipped) is
    read again."""

    class LeanReader(reader_class):
        def _get_object_from_stream(self, indirect_reference):
            stream = getattr(self, "stream", None)
            if not getattr(stream, "skipping", False):  # building the reader: nothing skipped
                return super()._get_object_from_stream(indirect_reference)
            number, _index = self.xref_objStm[indirect_reference.idnum]
            self.resolved_objects.pop((0, number), None)
            stream.skipping = False
            try:
                return super()._get_object_from_stream(indirect_reference)
            finally:
                stream.skipping = True

    return LeanReader


def _active_content(reader) -> set:
    """The forbidden names found anywhere in the document's objects (trailer, catalog,
    pages, annotations, names tree), walked once each."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    found, seen = set(), set()
    stack = [reader.trailer]
    while stack:
        obj = stack.pop()
        if isinstance(obj, IndirectObject):
            key = (obj.idnum, obj.generation)
            if key in seen:
                continue
            seen.add(key)
            if len(seen) > MAX_PDF_OBJECTS:
                raise ValueError("too many objects")
            obj = obj.get_object()
        if isinstance(obj, DictionaryObject):
            found.update(name for name in obj if name in FORBIDDEN_PDF_NAMES)
            if "/OpenAction" in obj and not _opens_a_page(obj["/OpenAction"]):
                found.add("/OpenAction")
            if obj.get("/S") in ("/JavaScript", "/Launch", "/SubmitForm", "/ImportData"):
                found.add(str(obj["/S"]))
            stack.extend(obj.values())
        elif isinstance(obj, ArrayObject):
            stack.extend(obj)
    return found


def _opens_a_page(action) -> bool:
    from pypdf.generic import ArrayObject, DictionaryObject

    action = action.get_object()
    if isinstance(action, ArrayObject):
        return True  # a destination: [page /Fit]
    return isinstance(action, DictionaryObject) and action.get("/S") in HARMLESS_ACTIONS
