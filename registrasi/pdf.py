"""PDF rendering shared by certificates and inspection reports.

Only the project's own autoescaped templates are rendered, and WeasyPrint's URL fetcher
serves only files under static/ (fonts, images): a company name holding HTML or a file://
URL is printed as text and reads nothing. The fonts ship in static/fonts so a PDF looks the
same on every machine (the page-number footer names that font too). Every PDF is PDF/A-3b
and tagged. WeasyPrint is imported inside the function: web processes never load it.
"""

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.template.loader import render_to_string

STATIC_DIR = (Path(settings.BASE_DIR) / "static").resolve()
BASE_URL = STATIC_DIR.as_uri() + "/"


@dataclass(frozen=True)
class RenderedPdf:
    pdf: bytes
    html: str


class ForbiddenResource(ValueError):
    pass


def static_path_for(url: str) -> Path:
    """The file under static/ that `url` names, or ForbiddenResource."""
    parts = urlsplit(url)
    if parts.scheme != "file":
        raise ForbiddenResource(f"Only the project's static files may be used: {url}")
    path = Path(unquote(parts.path)).resolve()
    if not path.is_relative_to(STATIC_DIR) or not path.is_file():
        raise ForbiddenResource(f"Not one of the project's static files: {url}")
    return path


def make_url_fetcher():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            path = static_path_for(url)
            return URLFetcherResponse(path.as_uri(), body=path.read_bytes())

    return StaticOnlyFetcher()


def render_pdf(template_name: str, context: dict) -> RenderedPdf:
    """Render `template_name` (autoescaped Django template) to PDF bytes; return the HTML too
    so tests can read what was printed."""
    html = render_to_string(template_name, context)
    return RenderedPdf(pdf=html_to_pdf(html), html=html)


# Archival (PDF/A-3b: fonts embedded, colours and metadata declared) and tagged for screen
# readers, as far as WeasyPrint goes. A PAdES signature appended afterwards keeps both.
PDF_OPTIONS = {"pdf_variant": "pdf/a-3b", "pdf_tags": True}


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML

    document = HTML(string=html, base_url=BASE_URL, url_fetcher=make_url_fetcher())
    return document.write_pdf(**PDF_OPTIONS)
