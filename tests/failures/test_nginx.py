"""deploy/nginx.conf, the reverse proxy of docker-compose, started natively (Debian's nginx)
in front of a real gunicorn: the configuration is valid, requests go through, limit_req
answers 429 past its rate on the public pages and the login form, HTML is gzipped, static
files carry a one-year cache. Runs where nginx is installed (CI installs Debian's nginx)."""

import atexit
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONF = ROOT / "deploy" / "nginx.conf"
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)

pytestmark = pytest.mark.skipif(
    NGINX is None, reason="nginx is not installed (apt-get install nginx)"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_listening(port, process, timeout=15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"process exited with {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"nothing listens on {port} after {timeout}s")


def readable_static() -> Path:
    """A copy of static/ that nginx's unprivileged workers can read wherever the checkout
    lies (a clone in a private folder, such as one made by mktemp -d, is closed to them)."""
    folder = Path(tempfile.mkdtemp(prefix="registrasi-static-"))
    atexit.register(shutil.rmtree, folder, True)
    folder.chmod(0o755)
    shutil.copytree(ROOT / "static", folder / "static")
    return folder / "static"


def local_config(tmp_path, nginx_port, app_port) -> Path:
    """The deployment's file with the addresses and folders of this machine."""
    text = CONF.read_text()
    for old, new in {
        "server web:8000;": f"server 127.0.0.1:{app_port};",
        "listen 8080;": f"listen 127.0.0.1:{nginx_port};",
        "alias /app/static_root/;": f"alias {readable_static()}/;",
        "pid /tmp/nginx.pid;": f"pid {tmp_path / 'nginx.pid'};",
        "error_log /dev/stderr warn;": f"error_log {tmp_path / 'error.log'} warn;",
        "access_log /dev/stdout;": "access_log off;",
        "/tmp/nginx-": f"{tmp_path}/nginx-",
    }.items():
        assert old in text, old
        text = text.replace(old, new)
    path = tmp_path / "nginx.conf"
    path.write_text(text)
    return path


@pytest.fixture(scope="module")
def proxy(tmp_path_factory):
    """gunicorn (the project, SQLite under tmp) behind nginx; yields the proxy's base URL."""
    tmp_path = tmp_path_factory.mktemp("proxy")
    app_port, nginx_port = free_port(), free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "registrasi.settings",
        "REGISTRASI_VAR_DIR": str(tmp_path / "var"),
        "USE_X_FORWARDED_FOR": "true",
        "RATELIMIT_ENABLE": "false",  # the edge's limit is under test, not Django's
    }
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    gunicorn = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "registrasi.wsgi:application", "--workers", "2"]
        + ["--bind", f"127.0.0.1:{app_port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    config = local_config(tmp_path, nginx_port, app_port)
    nginx = None
    try:
        checked = subprocess.run(
            [NGINX, "-t", "-c", str(config), "-p", str(tmp_path)], capture_output=True, text=True
        )
        assert checked.returncode == 0, checked.stderr
        assert "syntax is ok" in checked.stderr and "test is successful" in checked.stderr
        nginx = subprocess.Popen(
            [NGINX, "-c", str(config), "-p", str(tmp_path), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until_listening(app_port, gunicorn)
        wait_until_listening(nginx_port, nginx)
        yield f"http://127.0.0.1:{nginx_port}"
    finally:
        for process in (nginx, gunicorn):
            if process is not None:
                process.terminate()
                process.wait(timeout=10)


def get(url, headers=None):
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def at_once(url, count) -> list[int]:
    """`count` requests sent together, as one client hammering a page would."""
    with ThreadPoolExecutor(max_workers=count) as pool:
        return sorted(pool.map(lambda _: get(url)[0], range(count)))


def test_the_deployment_nginx_config_passes_nginx_t(tmp_path):
    config = local_config(tmp_path, free_port(), free_port())
    checked = subprocess.run(
        [NGINX, "-t", "-c", str(config), "-p", str(tmp_path)], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stderr


def test_requests_go_through_gzipped_and_static_files_are_cached_for_a_year(proxy):
    status, headers, body = get(f"{proxy}/verify/", {"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers.get("Content-Encoding") == "gzip"
    status, headers, _body = get(f"{proxy}/static/css/site.css")
    assert status == 200
    assert "max-age=31536000" in headers["Cache-Control"]


def test_limit_req_answers_429_past_the_rate_on_public_pages_and_login(proxy):
    public = at_once(f"{proxy}/registry/", 40)
    assert public.count(200) >= 20 and public.count(429) >= 10, public
    login = at_once(f"{proxy}/accounts/login/", 20)
    assert login.count(200) >= 10 and login.count(429) >= 5, login
    # Another path is not limited by them.
    assert get(f"{proxy}/healthz")[0] in (200, 503)
