"""The parts of registrasi/settings.py, one topic each, read in the order it imports them."""
