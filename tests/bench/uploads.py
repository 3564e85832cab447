"""Peak memory of a document upload under gunicorn (issue 14): a 10 MB PDF must raise a
worker's peak resident memory by less than 1 MB more than a 10 KB one.

gunicorn (one sync worker, tests.bench.settings) serves the small bench database; an
applicant with a draft application (logged in by a session made beforehand, as
tests/bench/worker.py does) POSTs real PDFs to the document upload view
(applications:upload, document type "other"). Each upload is measured on a fresh worker:
the worker is restarted, warmed by one 10 KB upload (every import and cache the view needs),
then its peak RSS is reset (`5` written to /proc/<pid>/clear_refs), and after the measured
upload the growth is VmHWM minus the VmRSS just before it, both read from /proc/<pid>/status
from outside the worker. A fresh worker per upload matters: memory a previous large upload
freed stays in the process and would hide the next one's growth. gunicorn runs in the
project's folder, so it reads gunicorn.conf.py as in production (bodies read 64 KiB at a
time).

Three large documents, all made of real JPEG pages (random pixels, so that nothing shrinks
them): a ten-page 10 MB scan (about 1 MB a page), a single page holding one 10 MB image (the
worst case for a parser that loads a stream whole), and a two-page 2 MB scan (the largest
kind Django would hold in memory with a FILE_UPLOAD_MAX_MEMORY_SIZE of 2 MiB or more).
Rounds alternate the 10 KB PDF and each large one; each row is the median growth of the
large file minus the median growth of the 10 KB one, and must stay under 1 MB.

A photo too (inspectors' evidence, scanned documents): a 10 MB JPEG of random pixels (about
13 megapixels, baseline, as cameras write them) carrying EXIF with a GPS position and the
orientation 6 (a phone held upright), against a 10 KB JPEG. Every worker is warmed by a 10 KB
PDF and a 10 KB JPEG (Pillow's imports are not the upload's memory).

    python tests/bench/uploads.py postgres://postgres@127.0.0.1:5432/bench_small
"""

import http.client
import io
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

try:
    import procs  # tests/bench/procs.py, beside this file (run as a script)
except ImportError:  # imported as tests.bench.uploads (tests/test_upload_memory.py)
    from tests.bench import procs

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
PORT = int(os.environ.get("BENCH_UPLOAD_PORT", "8783"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
GOAL_KB = 1024  # the large upload's extra peak over the small one's: under 1 MB
SMALL = "10 KB PDF"
SMALL_JPEG = "10 KB JPEG"
# name: bytes. Uploaded as name.jpg; measured against SMALL_JPEG.
LARGE_JPEG = {"10 MB JPEG, EXIF GPS, rotated": 10_000_000}
# name: (bytes, pages). The 2 MB one: the largest upload Django would keep in memory with
# FILE_UPLOAD_MAX_MEMORY_SIZE at its default (2.5 MB) or at the 2 MiB this project had.
LARGE = {
    "10 MB PDF, 10 scanned pages": (10_000_000, 10),
    "10 MB PDF, one 10 MB image": (10_000_000, 1),
    "2 MB PDF, 2 scanned pages": (2_000_000, 2),
}
SMALL_BYTES = 10_000
CSRF = "benchcsrfbenchcsrfbenchcsrfbench"  # 32 characters: an unmasked CSRF secret

# Run in a Django process on the bench database: an applicant's session for a draft
# application of their organization.
SESSION_SCRIPT = """
import json, django
django.setup()
from django.conf import settings
from django.test import Client
from django.urls import reverse
from applications.models import Application
from registrasi.accounts.models import Membership
from tests.second_factor import login_verified

Client._login = login_verified
application = Application.objects.filter(state="draft").order_by("pk").first()
owner = Membership.objects.filter(organization=application.organization).order_by("pk")[0].user
client = Client()
client.force_login(owner)
print(json.dumps({
    "session": client.cookies[settings.SESSION_COOKIE_NAME].value,
    "session_cookie": settings.SESSION_COOKIE_NAME,
    "csrf_cookie": settings.CSRF_COOKIE_NAME,
    "url": reverse("applications:upload", args=[application.pk]),
}))
"""


def _noise_jpeg(rng, side, quality=85):
    from PIL import Image

    pixels = rng.randbytes(side * side * 3)
    out = io.BytesIO()
    Image.frombytes("RGB", (side, side), pixels).save(out, "JPEG", quality=quality)
    return out.getvalue()


def _jpeg_of_about(rng, size):
    """A JPEG of random pixels of about `size` bytes (within a few percent)."""
    side = max(16, int((size / 0.76) ** 0.5))  # about 0.76 bytes a pixel at quality 85
    data = _noise_jpeg(rng, side)
    side = max(16, int(side * (size / len(data)) ** 0.5))
    return _noise_jpeg(rng, side), side


def pdf_of(images):
    """A PDF with one A4 page per (jpeg bytes, side) image, written by hand: catalog, page
    tree, and for each page its dictionary, content stream and image XObject."""
    objects = []  # bodies, numbered from 1
    kids = []
    for n, (jpeg, side) in enumerate(images):
        first = 3 + 3 * n
        kids.append(f"{first} 0 R")
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents {first + 1} 0 R "
            f"/Resources << /XObject << /Im0 {first + 2} 0 R >> >> >>".encode()
        )
        content = b"q 595 0 0 595 0 123 cm /Im0 Do Q"
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content))
        objects.append(
            b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceRGB "
            b"/BitsPerComponent 8 /Filter /DCTDecode /Length %d >>\nstream\n%s\nendstream"
            % (side, side, len(jpeg), jpeg)
        )
    objects.insert(0, b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.insert(1, f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(kids)} >>".encode())
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


def _photo_of_about(rng, size):
    """A JPEG of about `size` bytes as a phone writes it: EXIF with a camera, a GPS position
    and the orientation 6 right after its start."""
    from PIL import Image

    exif = Image.Exif()
    exif[0x010F], exif[0x0110], exif[0x0112] = "PhoneMaker", "Model X", 6
    exif[0x8825] = {1: "S", 2: (6.0, 12.0, 30.0), 3: "E", 4: (106.0, 49.0, 10.0)}
    block = exif.tobytes()
    jpeg, _side = _jpeg_of_about(rng, size - len(block) - 4)
    return jpeg[:2] + b"\xff\xe1" + (len(block) + 2).to_bytes(2, "big") + block + jpeg[2:]


def documents():
    """{name: bytes}: the 10 KB PDF, the three large ones, the 10 KB and 10 MB JPEGs."""
    rng = random.Random(14)
    docs = {SMALL: pdf_of([_jpeg_of_about(rng, SMALL_BYTES - 1200)])}
    for name, (size, pages) in LARGE.items():
        docs[name] = pdf_of([_jpeg_of_about(rng, size // pages - 1200)] * pages)
    docs[SMALL_JPEG] = _photo_of_about(rng, SMALL_BYTES)
    for name, size in LARGE_JPEG.items():
        docs[name] = _photo_of_about(rng, size)
    return docs


def _is_jpeg(name):
    return name == SMALL_JPEG or name in LARGE_JPEG


def server_env(database_url, var_dir):
    # Uploaded files go to a temporary folder, removed afterwards.
    return procs.server_env(database_url, REGISTRASI_VAR_DIR=str(var_dir))


def session_for(env):
    out = subprocess.run(
        [PYTHON, "-c", SESSION_SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if out.returncode:
        raise RuntimeError(f"upload bench: no applicant session:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _status(pid):
    """{"VmRSS": kB, "VmHWM": kB} of a process."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0])
    return values


class Server:
    """gunicorn with one sync worker; `fresh_worker()` replaces the worker by a new one."""

    def __init__(self, env):
        self.process = subprocess.Popen(
            [GUNICORN, "registrasi.wsgi:application", "-w", "1", "-k", "sync", "-t", "120"]
            + ["-b", f"127.0.0.1:{PORT}"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.worker = None
        self.fresh_worker()

    def _wait_ready(self):
        for _ in range(300):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{PORT}/bench/hello/", timeout=5)
                return
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError("upload bench: gunicorn exited") from None
                time.sleep(0.1)
        raise RuntimeError("upload bench: gunicorn did not answer")

    def fresh_worker(self):
        old = self.worker
        if old is not None:
            os.kill(old, signal.SIGTERM)
        for _ in range(600):
            workers = [pid for pid in procs.children(self.process.pid) if pid != old]
            if len(workers) == 1 and (old is None or not Path(f"/proc/{old}").exists()):
                self.worker = workers[0]
                self._wait_ready()
                return self.worker
            time.sleep(0.05)
        raise RuntimeError("upload bench: no fresh gunicorn worker")

    def close(self):
        self.process.terminate()
        self.process.wait(timeout=30)


def post(session, name, data):
    """POST one PDF (or JPEG: name ending .jpg) to the upload view; the view must accept it
    (a redirect)."""
    ext, kind = ("jpg", "image/jpeg") if name.endswith(".jpg") else ("pdf", "application/pdf")
    name = name.removesuffix(".jpg")
    boundary = "benchboundary" + os.urandom(8).hex()
    fields = {"csrfmiddlewaretoken": CSRF, "document_type": "other"}
    body = io.BytesIO()
    for key, value in fields.items():
        body.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n'
            f"{value}\r\n".encode()
        )
    body.write(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
        f'filename="{name}.{ext}"\r\nContent-Type: {kind}\r\n\r\n'.encode()
    )
    body.write(data)
    body.write(f"\r\n--{boundary}--\r\n".encode())
    cookies = f"{session['session_cookie']}={session['session']}; {session['csrf_cookie']}={CSRF}"
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=120)
    try:
        connection.request(
            "POST",
            session["url"],
            body=body.getvalue(),
            headers={
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "Cookie": cookies,
                "Host": "127.0.0.1",
            },
        )
        response = connection.getresponse()
        text = response.read()
    finally:
        connection.close()
    if response.status != 302 or "/documents" not in (response.getheader("Location") or ""):
        raise RuntimeError(
            f"upload bench: the upload of {name} was not accepted ({response.status} "
            f"{response.getheader('Location')}): {text[:500]!r}"
        )


def growth_kb(server, session, name, data, warm):
    """The peak RSS growth (kB) of a fresh, warmed worker during one upload; `warm`: the
    uploads ({name: bytes}) made first."""
    worker = server.fresh_worker()
    for warm_name, warm_data in warm.items():
        post(session, "warm-up" + (".jpg" if _is_jpeg(warm_name) else ""), warm_data)
    Path(f"/proc/{worker}/clear_refs").write_text("5")  # VmHWM := VmRSS
    before = _status(worker)["VmRSS"]
    slug = name.replace(" ", "-").replace(",", "")
    post(session, slug + (".jpg" if _is_jpeg(name) else ""), data)
    return _status(worker)["VmHWM"] - before


def measure(database_url):
    """{name: (median peak growth in kB, file size in bytes)} for every upload."""
    docs = documents()
    var_dir = Path(tempfile.mkdtemp(prefix="bench-uploads-"))
    env = server_env(database_url, var_dir)
    try:
        session = session_for(env)
        server = Server(env)
        try:
            samples = {name: [] for name in docs}
            for _ in range(ROUNDS):
                for name, data in docs.items():
                    warm = {SMALL: docs[SMALL], SMALL_JPEG: docs[SMALL_JPEG]}
                    samples[name].append(growth_kb(server, session, name, data, warm))
        finally:
            server.close()
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)
    return {name: (statistics.median(s), len(docs[name])) for name, s in samples.items()}


def rows(database_url):
    """(name, size in bytes, peak growth kB, the 10 KB upload's growth kB, difference kB,
    met) for each 10 MB document."""
    results = measure(database_url)
    table = []
    for name in [*LARGE, *LARGE_JPEG]:
        growth, size = results[name]
        small = results[SMALL_JPEG if _is_jpeg(name) else SMALL][0]
        table.append((name, size, growth, small, growth - small, growth - small < GOAL_KB))
    return table


def report(database_url):
    """Print the table (for tests/bench/run.py); returns the names of the goals missed."""
    table = rows(database_url)
    print(
        f"\nupload peak memory under gunicorn (1 sync worker, gunicorn.conf.py), small database; "
        f"medians of {ROUNDS} alternated rounds, a fresh warmed worker per upload"
    )
    print(f"{'upload':32} {'bytes':>10} {'peak +kB':>9} {'10 KB':>7} {'extra':>7} goal    met")
    for name, size, growth, small, extra, met in table:
        mark = "yes" if met else "NO"
        print(f"{name:32} {size:10d} {growth:9.0f} {small:7.0f} {extra:7.0f} <{GOAL_KB}kB  {mark}")
    return [f"upload: {name}" for name, *_rest, met in table if not met]


def main():
    report(sys.argv[1])


if __name__ == "__main__":
    main()
