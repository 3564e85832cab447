"""CSV and XLSX exports for the ministry desk, streamed: rows are read from the database in
chunks and written as they come, so 100,000 rows never sit in memory as objects. Every export
is audited: who exported what, in which format, with which filters."""

import csv
import datetime
import tempfile

from django.db import transaction
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone

from registrasi.audit.services import audit_record

FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# Cells starting with these are formulas to a spreadsheet: prefixed with ' so a company name
# like "=HYPERLINK(...)" stays text (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def export_record(*, actor, what: str, file_format: str, filters: dict) -> None:
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="export",
            data={"what": what, "format": file_format, "filters": _plain(filters)},
        )


def _plain(filters: dict) -> dict:
    return {k: str(v) for k, v in filters.items() if v not in ("", None, False)}


def safe_cell(value):
    """A value as a spreadsheet should show it: text that would be a formula is quoted,
    dates and numbers stay typed (for XLSX), None is empty."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).replace(tzinfo=None)
    if isinstance(value, bool | int | float | datetime.date):
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


class _Echo:
    def write(self, value):
        return value


def _csv_cell(value):
    value = safe_cell(value)
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return value


def csv_response(*, filename: str, header: list, rows) -> StreamingHttpResponse:
    """A CSV file written row by row as the response is sent (UTF-8 with a BOM so that
    spreadsheet programs read Indonesian names right)."""
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff" + writer.writerow([str(h) for h in header])
        for row in rows:
            yield writer.writerow([_csv_cell(v) for v in row])

    response = StreamingHttpResponse(lines(), content_type=CONTENT_TYPES["csv"])
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def xlsx_response(*, filename: str, sheets) -> FileResponse:
    """An XLSX workbook, one sheet per (title, header, rows), written with openpyxl's
    write-only mode (rows go to a temporary file as they come, not into a workbook in
    memory), then sent from that file in blocks."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for title, header, rows in sheets:
        worksheet = workbook.create_sheet(title=_sheet_title(title))
        worksheet.append([str(h) for h in header])
        for row in rows:
            worksheet.append([safe_cell(v) for v in row])
    # FileResponse closes the file once it is sent; the file system removes it then.
    handle = tempfile.TemporaryFile()  # noqa: SIM115
    workbook.save(handle)
    handle.seek(0)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"{filename}.xlsx",
        content_type=CONTENT_TYPES["xlsx"],
    )


def _sheet_title(title) -> str:
    """Excel refuses these characters in a sheet's name and more than 31 of them."""
    text = str(title)
    for char in "[]:*?/\\":
        text = text.replace(char, " ")
    return text[:31]


def export_response(*, file_format: str, filename: str, sheet: str, header: list, rows):
    if file_format == "xlsx":
        return xlsx_response(filename=filename, sheets=[(sheet, header, rows)])
    return csv_response(filename=filename, header=header, rows=rows)
