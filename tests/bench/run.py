"""make bench: the issue-14 goals measured side by side on two PostgreSQL databases, a small
one (BENCH_SMALL applications, default 1,000) and a large one (BENCH_LARGE, default 100,000).

Each database is built once (migrate + generate_scale) and kept: a rebuild happens when it
is missing or holds another number of applications (BENCH_REBUILD=1 forces it). Building the
large one takes about 15 minutes on a busy 2-core machine; a run on built databases about 3.

Two worker processes (tests/bench/worker.py), one per database, answer timing requests;
every measurement alternates small, large, small, large... for BENCH_ROUNDS rounds (default
5) and takes the medians. A round's figure is the fastest of 5 requests (or runs of a scan
step) after a warm-up: on a shared 2-core machine other work only ever adds time, and the
median of 5 within a round still moved by 2x between rounds of the same 1 ms step. The
table gives both sides, their ratio and the goal; the exit status is 1 when a goal is
missed. Then tests/bench/throughput.py starts gunicorn (2 workers) on the large database
and loads the public pages and a bare view with wrk, alternated.
Last, on the small database: tests/bench/uploads.py (a 10 MB upload's peak memory under
gunicorn) and tests/bench/pdf_pipeline.py (certificate PDFs through real Celery workers;
Redis at BENCH_REDIS_URL, default db 13).

The register's searches: "register, search" looks up one company by its whole name (one
match at either size, as a customer checks a call center); "register, broad search" ("Layanan",
30 matches at 1,000 applications, 2,944 at 100,000, a full page at both sizes) is printed
for information, not as a goal: its matches grow with the data. Its names share their first
word, so they sit together in the register's order, and PostgreSQL walks the order index up
to them (about 24,000 rows at 100,000 applications); sorting the matches instead costs their
number and made the spread-out searches (a city) 30 times slower. Each step of the daily scan
is run 5 times per round (a step alone takes about a millisecond); the reminder step with the
same number due at both sizes (20, tests/bench/worker.py same_number_due), as the goal says.

BENCH_ONLY (comma-separated words) runs only the measures whose names contain one of them,
e.g. BENCH_ONLY="staff queue,throughput"; BENCH_SMALL_DB / BENCH_LARGE_DB name the
databases (one pair per person sharing a server).

    BENCH_DB_URL=postgres://postgres@127.0.0.1:5432 python tests/bench/run.py
"""

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import pdf_pipeline  # noqa: E402  (tests/bench/pdf_pipeline.py)
import throughput  # noqa: E402  (tests/bench/throughput.py, beside this file)
import uploads  # noqa: E402  (tests/bench/uploads.py)

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
SERVER = os.environ.get("BENCH_DB_URL", "postgres://postgres@127.0.0.1:5432")
SIZES = {
    "small": int(os.environ.get("BENCH_SMALL", "1000")),
    "large": int(os.environ.get("BENCH_LARGE", "100000")),
}
NAMES = {
    "small": os.environ.get("BENCH_SMALL_DB", "bench_small"),
    "large": os.environ.get("BENCH_LARGE_DB", "bench_large"),
}
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
ONLY = [word.strip() for word in os.environ.get("BENCH_ONLY", "").split(",") if word.strip()]
PAGE_GOAL = 1.2
SCAN_GOAL = 1.5
# Measured and printed, not goals (see above).
FOR_INFORMATION = ("register, broad search, not cached",)
PAGES = (
    "staff queue",
    "staff queue, documents",
    "desk",
    "desk, to schedule",
    "desk, to decide",
    "desk, payments",
    "staff certificates",
    "applicant dashboard",
    "register",
    "register, page 20",
    "register, name search",
    "verify",
    "register, not cached",
    "register, search, not cached",
    "register, broad search, not cached",
    "verify, not cached",
)
SCAN = ("scan: expire", "scan: hand over", "scan: reminders")


def env_for(size):
    url = f"{SERVER}/{NAMES[size]}"
    return {**os.environ, "DATABASE_URL": url, "DEBUG": "false", "PYTHONPATH": str(ROOT)}


def manage(size, *args, check=True):
    return subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env_for(size),
        check=check,
        capture_output=True,
        text=True,
    )


def psql(sql, database="postgres"):
    return subprocess.run(
        ["psql", f"{SERVER}/{database}", "-tAc", sql], capture_output=True, text=True
    )


def applications_in(size):
    out = psql("SELECT count(*) FROM applications_application", NAMES[size])
    return int(out.stdout.strip()) if out.returncode == 0 and out.stdout.strip() else None


def build(size):
    wanted = SIZES[size]
    if os.environ.get("BENCH_REBUILD") != "1" and applications_in(size) == wanted:
        manage(size, "migrate", "--noinput")  # indexes added since the build
        # As autovacuum keeps a live database: the scan measures of earlier runs changed rows
        # and rolled back, which left dead rows and 1,000 entries in the pending list of each
        # trigram GIN index, read by every search (a name search went from 0.5 to 2.5 ms a
        # query on the large database only: the small one scans its table).
        psql("VACUUM ANALYZE", NAMES[size])
        return
    print(f"building {NAMES[size]} with {wanted} applications ...", flush=True)
    started = time.monotonic()
    psql(f'DROP DATABASE IF EXISTS "{NAMES[size]}"')
    psql(f'CREATE DATABASE "{NAMES[size]}"')
    manage(size, "migrate", "--noinput")
    manage(size, "generate_scale", "--applications", str(wanted))
    psql("VACUUM ANALYZE", NAMES[size])
    print(f"  built in {time.monotonic() - started:.0f} s", flush=True)


class Worker:
    def __init__(self, size):
        self.process = subprocess.Popen(
            [PYTHON, str(ROOT / "tests" / "bench" / "worker.py")],
            cwd=ROOT,
            env=env_for(size),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def ask(self, kind, name):
        self.process.stdin.write(json.dumps({"kind": kind, "name": name}) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"bench worker died on {name}")
        return json.loads(line)

    def close(self):
        self.process.stdin.close()
        self.process.wait(timeout=30)


def measure(workers, kind, name):
    samples = {"small": [], "large": []}
    queries = {}
    for _ in range(ROUNDS):
        for size in ("small", "large"):
            answer = workers[size].ask(kind, name)
            samples[size].append(answer["ms"])
            queries[size] = answer["queries"]
    small, large = (statistics.median(samples[s]) for s in ("small", "large"))
    return small, large, queries


def selected(name):
    return not ONLY or any(word in name for word in ONLY)


def main():
    started = time.monotonic()
    for size in SIZES:
        build(size)
    workers = {size: Worker(size) for size in SIZES}
    rows, missed = [], []
    # Other processes slow both sides alike (alternated), but a loaded machine widens the
    # spread: the table says how loaded it was.
    load_before = " ".join(f"{x:.1f}" for x in os.getloadavg())
    try:
        for kind, names, goal in (("page", PAGES, PAGE_GOAL), ("scan", SCAN, SCAN_GOAL)):
            for name in filter(selected, names):
                small, large, queries = measure(workers, kind, name)
                ratio = large / small if small else float("inf")
                same_queries = kind == "scan" or queries["small"] == queries["large"]
                met = ratio <= goal and same_queries
                shown_goal = goal
                if name in FOR_INFORMATION:
                    shown_goal, met = None, None
                rows.append((name, small, large, ratio, shown_goal, queries, met))
                if met is False:
                    missed.append(name)
    finally:
        for worker in workers.values():
            worker.close()
    print(
        f"\nsizes: {SIZES['small']} vs {SIZES['large']} applications; "
        f"medians of {ROUNDS} alternated rounds; load average {load_before} before, "
        f"{' '.join(f'{x:.1f}' for x in os.getloadavg())} after (2 cores)"
    )
    print(
        f"{'measure':34} {'small ms':>9} {'large ms':>9} {'ratio':>6} {'goal':>5} "
        f"{'queries':>9}  met"
    )
    for name, small, large, ratio, goal, queries, met in rows:
        q = f"{queries['small']}/{queries['large']}"
        shown_goal = "-" if goal is None else f"{goal:.1f}"
        mark = "info" if met is None else "yes" if met else "NO"
        print(f"{name:34} {small:9.1f} {large:9.1f} {ratio:6.2f} {shown_goal:>5} {q:>9}  {mark}")
    if selected("throughput"):
        missed += public_throughput()
    if selected("upload"):  # tests/bench/uploads.py: peak memory of a 10 MB upload
        missed += uploads.report(env_for("small")["DATABASE_URL"])
    if selected("pdf"):  # tests/bench/pdf_pipeline.py: real Celery workers (BENCH_REDIS_URL)
        missed += pdf_pipeline.report(env_for("small")["DATABASE_URL"])
    print(f"bench run time: {time.monotonic() - started:.0f} s")
    if missed:
        print(f"goals missed: {', '.join(missed)}")
        sys.exit(1)


def public_throughput():
    """The public pages under gunicorn against a bare view (tests/bench/throughput.py), on
    the large database; returns the names of the goals missed."""
    table, (load_rate, load_errors) = throughput.rows(env_for("large")["DATABASE_URL"])
    print(
        f"\nthroughput under gunicorn ({throughput.WORKERS} workers, wrk), medians of "
        f"{throughput.ROUNDS} alternated rounds, large database"
    )
    print(f"{'page':28} {'req/s':>9} {'bare':>9} {'ratio':>6} {'goal':>5}  met")
    for name, rate, bare, ratio, met in table:
        mark = "yes" if met else "NO"
        print(f"{name:28} {rate:9.0f} {bare:9.0f} {ratio:6.2f} {'>=0.5':>5}  {mark}")
    print(f"verify, 200 connections 15 s: {load_rate:.0f} req/s, {load_errors} non-2xx/3xx")
    missed = [f"throughput: {name}" for name, *_rest, met in table if not met]
    return missed + (["verify under load: 5xx"] if load_errors else [])


if __name__ == "__main__":
    main()
