"""One date style per language, for pages, emails and PDFs alike (issue 15, point 12).

Django reads these modules first (settings.FORMAT_MODULE_PATH), so `{{ value }}`,
`{{ value|date }}` and `date_format()` give the same style as the `dates` template library
(registrasi/formats/filters.py: `|day`, `|weekday`, `|moment`, `|clock`, `|window`, `|hours`)
and its Python side (registrasi/formats/display.py: `format_day`, `format_moment`, ...):
"30 November 2026" and "30 November 2026, 20.28 WIB" in Indonesian, "30 November 2026" and
"30 November 2026, 20:28 WIB" in English, every moment in Jakarta time with its zone named.
Templates never write a pattern of their own such as `|date:"j M Y"` (tests/test_date_style.py
fails on one); machine-readable values (API JSON, attributes, form values) stay ISO 8601.
Money has its own single format: registrasi.money (`|rupiah`, `format_rupiah`).
"""
