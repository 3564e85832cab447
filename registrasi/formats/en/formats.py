# English as read in Indonesia: day before month, 24-hour clock (not "Nov. 30, 2026, 8:28 p.m."),
# every moment in Jakarta time with its zone named ("WIB"). registrasi/formats/display.py
# uses these.
DATE_FORMAT = "j F Y"  # 30 November 2026
DATETIME_FORMAT = "j F Y, H:i T"  # 30 November 2026, 20:28 WIB
TIME_FORMAT = "H:i"  # 20:28
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
FIRST_DAY_OF_WEEK = 1
# The project's own kinds (registrasi.formats.display).
DATETIME_SECONDS_FORMAT = "j F Y, H:i:s T"  # 30 November 2026, 20:28:05 WIB
TIME_SECONDS_FORMAT = "H:i:s"  # 20:28:05
WEEKDAY_DATE_FORMAT = "l, j F Y"  # Monday, 30 November 2026
WINDOW_FORMAT = "{day}, {start}–{end} {zone}"  # Tuesday, 1 December 2026, 09:00–12:00 WIB
