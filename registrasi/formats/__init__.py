"""One date style per language, for pages, emails and PDFs alike (issue 15, point 12).

Django reads these modules first (settings.FORMAT_MODULE_PATH), so `{{ value }}`,
`{{ value|date }}`, `|date:"DATE_FORMAT"`, `|date:"DATETIME_FORMAT"` and `date_format()` in
Python all give the same style: "30 November 2026" and "30 November 2026, 20.28" in
Indonesian, "30 November 2026" and "30 November 2026, 20:28" in English. Templates should
use those names (or the `dates` library's `day` and `moment` filters), never a pattern of
their own such as "j M Y". Money has its own single format: registrasi.money.
"""
