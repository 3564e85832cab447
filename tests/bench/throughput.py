"""Throughput of the public pages under gunicorn against a bare Django view (issue 14): the
same workers serve /bench/hello/ (tests/bench/urls.py), /registry/, a name search and
/verify/<number>/; wrk loads each URL in turn, round after round (alternated, so the
machine's noise falls on every URL alike), and each page's ratio is the median of its
requests a second over the median of the bare view's. Visitors without cookies, as wrk is:
the cached path of certificates.public_cache.

    python tests/bench/throughput.py postgres://postgres@127.0.0.1:5432/bench_large

Needs wrk (Debian: apt-get install wrk) and gunicorn (the project's dependencies).
"""

import os
import re
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from procs import server_env  # tests/bench/procs.py, beside this file

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
PORT = int(os.environ.get("BENCH_PORT", "8781"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
SECONDS = int(os.environ.get("BENCH_WRK_SECONDS", "5"))
CONNECTIONS = int(os.environ.get("BENCH_WRK_CONNECTIONS", "20"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
GOAL = 0.5
BARE = "bare view"
RATE = re.compile(r"Requests/sec:\s+([\d.]+)")
ERRORS = re.compile(r"Non-2xx or 3xx responses: (\d+)")


def active_number(database_url):
    sql = "SELECT number FROM certificates_certificate WHERE state = 'active' ORDER BY id LIMIT 1"
    out = subprocess.run(["psql", database_url, "-tAc", sql], capture_output=True, text=True)
    return out.stdout.strip()


def urls(database_url):
    base = f"http://127.0.0.1:{PORT}"
    return {
        BARE: f"{base}/bench/hello/",
        "register": f"{base}/registry/",
        "register, name search": f"{base}/registry/?q=Layanan+Pelanggan",
        "verify": f"{base}/verify/{active_number(database_url)}/",
    }


def start(database_url):
    server = subprocess.Popen(
        [GUNICORN, "registrasi.wsgi:application", "-w", str(WORKERS), "-b", f"127.0.0.1:{PORT}"],
        cwd=ROOT,
        env=server_env(database_url),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/bench/hello/", timeout=2)
            return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("gunicorn did not start")


def wrk(url, seconds=SECONDS, connections=CONNECTIONS):
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    errors = ERRORS.search(out)
    return float(RATE.search(out).group(1)), int(errors.group(1)) if errors else 0


def measure(database_url):
    """{name: (median requests/s, non-2xx/3xx responses)} and the 5xx-free load check."""
    server = start(database_url)
    try:
        targets = urls(database_url)
        for url in targets.values():  # warm: fill each worker's cache
            for _ in range(WORKERS * 2):
                urllib.request.urlopen(url, timeout=30).read()
        samples = {name: [] for name in targets}
        errors = dict.fromkeys(targets, 0)
        for _ in range(ROUNDS):
            for name, url in targets.items():
                rate, bad = wrk(url)
                samples[name].append(rate)
                errors[name] += bad
        load = wrk(targets["verify"], seconds=15, connections=200)
    finally:
        server.terminate()
        server.wait(timeout=30)
    return {name: (statistics.median(s), errors[name]) for name, s in samples.items()}, load


def rows(database_url):
    """(name, page req/s, bare req/s, ratio, met) for each public page, and the load row."""
    results, load = measure(database_url)
    bare = results[BARE][0]
    table = []
    for name, (rate, errors) in results.items():
        if name != BARE:
            ratio = rate / bare if bare else 0.0
            table.append((name, rate, bare, ratio, ratio >= GOAL and errors == 0))
    return table, load


def main():
    database_url = sys.argv[1]
    table, (load_rate, load_errors) = rows(database_url)
    print(f"{'page':28} {'req/s':>8} {'bare':>8} {'ratio':>6} {'goal':>5}  met")
    for name, rate, bare, ratio, met in table:
        mark = "yes" if met else "NO"
        print(f"{name:28} {rate:8.0f} {bare:8.0f} {ratio:6.2f} {GOAL:5.1f}  {mark}")
    print(f"verify, 200 connections 15 s: {load_rate:.0f} req/s, {load_errors} non-2xx/3xx")


if __name__ == "__main__":
    main()
