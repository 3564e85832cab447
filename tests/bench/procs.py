"""What the bench's server measures share: the environment of a gunicorn started on a bench
database, and the child processes of a process (read from /proc)."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def server_env(database_url, **extra):
    """The environment of a bench gunicorn on `database_url` (DEBUG off, bench settings)."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "false",
        "DJANGO_SETTINGS_MODULE": "tests.bench.settings",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PYTHONPATH": str(ROOT),
        **extra,
    }


def children(pid):
    """The ids of the processes whose parent is `pid`."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry))
    return found
