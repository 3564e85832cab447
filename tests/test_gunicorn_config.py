"""gunicorn.conf.py (read by every gunicorn started in the project's folder, the Docker
image's included): request bodies come off the socket in Django's upload chunk size, not
gunicorn's 1 MiB reads, so a large upload does not raise a worker's peak memory (issue 14;
tests/bench/uploads.py measures it)."""

import runpy
from pathlib import Path

from gunicorn.http.body import Body, LengthReader
from gunicorn.http.unreader import SocketUnreader

ROOT = Path(__file__).resolve().parents[1]
CHUNK = 64 * 1024


class FakeSocket:
    def __init__(self, data):
        self.data = data
        self.sizes = []

    def recv(self, size):
        self.sizes.append(size)
        chunk, self.data = self.data[:size], self.data[size:]
        return chunk


def test_a_request_body_is_taken_from_the_socket_64_kib_at_a_time(monkeypatch):
    monkeypatch.setattr(SocketUnreader, "max_body_chunk", SocketUnreader.max_body_chunk)
    runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    body = bytes(range(256)) * (3 * 1024 * 4)  # 3 MiB
    socket = FakeSocket(body)
    reader = Body(LengthReader(SocketUnreader(socket), len(body)))
    # As Django's multipart parser reads: its upload handlers' chunk size at a time.
    assert b"".join(iter(lambda: reader.read(CHUNK), b"")) == body
    assert max(socket.sizes) <= CHUNK


def test_the_docker_image_runs_gunicorn_beside_its_config():
    dockerfile = (ROOT / "Dockerfile").read_text()
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert "WORKDIR /app" in dockerfile and "COPY . ." in dockerfile
    assert "gunicorn.conf.py" not in ignored and "*.py" not in ignored
