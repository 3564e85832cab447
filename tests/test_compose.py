"""docker-compose.yml and the Dockerfile describe the whole deployment (docker is not run here)."""

import re
import shlex
from pathlib import Path

import pytest
import yaml
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
REQUIRED_VARIABLES = [
    "DJANGO_ENV",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "SITE_URL",
    "DATABASE_URL",
    "REDIS_URL",
    "EMAIL_URL",
    "AWS_STORAGE_BUCKET_NAME",
    "AWS_S3_ENDPOINT_URL",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
]
APP_SERVICES = ["web", "worker", "beat"]


@pytest.fixture(scope="module")
def services():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]


@pytest.fixture(scope="module")
def dockerfile():
    return (ROOT / "Dockerfile").read_text()


def command_of(service):
    command = service.get("command", [])
    return command if isinstance(command, list) else shlex.split(command)


def image_of(service):
    return service.get("image", "")


def variables_the_app_reads():
    """Every environment variable named in the settings (env.str("X"), env.db("X"), ...):
    registrasi/settings.py and its parts, registrasi/settings_parts/*.py."""
    files = [
        ROOT / "registrasi" / "settings.py",
        *(ROOT / "registrasi" / "settings_parts").glob("*.py"),
    ]
    source = "\n".join(path.read_text() for path in files)
    return set(re.findall(r"""(?:env|Env\(\))\.\w+\(\s*["']([A-Z][A-Z0-9_]+)["']""", source))


def test_every_part_of_the_deployment_is_a_service(services):
    for name in ["web", "worker", "beat", "db", "redis"]:
        assert name in services, name
    images = [image_of(service) for service in services.values()]
    assert any(image.startswith("postgres:16") for image in images)
    assert any(image.startswith("redis:7") for image in images)
    assert any(re.match(r"(minio/minio|motoserver/moto)\b", image) for image in images), images
    assert any(image.startswith("axllent/mailpit") for image in images), images


def test_the_web_service_runs_gunicorn_on_the_wsgi_app(services, dockerfile):
    web = services["web"]
    command = command_of(web)
    assert command == [] or command[0] == "gunicorn"  # [] means the image's CMD
    assert 'CMD ["gunicorn", "registrasi.wsgi:application"' in dockerfile
    # Only the proxy is published; web answers it on the compose network.
    assert "ports" not in web and "8000" in [str(port) for port in web["expose"]]


def test_nginx_proxies_to_web_with_the_deploy_config_and_the_static_files(services):
    proxy = services["proxy"]
    assert proxy["image"].startswith("nginx:")
    assert "./deploy/nginx.conf:/etc/nginx/nginx.conf:ro" in proxy["volumes"]
    assert "static:/app/static_root:ro" in proxy["volumes"]
    assert any(str(port).endswith(":8080") for port in proxy["ports"])
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    assert "server web:8000;" in conf and "listen 8080;" in conf
    assert "collectstatic" in command_of(services["migrate"])[-1]


def queues_of(service) -> set[str]:
    command = command_of(service)
    assert command[:4] == ["celery", "-A", "registrasi", "worker"]
    return set(command[command.index("-Q") + 1].split(","))


def test_pdfs_and_everything_else_have_separate_workers(services):
    assert queues_of(services["worker"]) == {"default"}
    assert queues_of(services["worker-pdf"]) == {"pdf"}
    # The queues the settings route tasks to are all consumed.
    routed = {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()}
    assert routed | {settings.CELERY_TASK_DEFAULT_QUEUE} == {"default", "pdf"}
    # One render at a time, in a process renewed now and then (WeasyPrint holds memory).
    pdf = command_of(services["worker-pdf"])
    assert pdf[pdf.index("--concurrency") + 1] == "1" and "--max-tasks-per-child" in pdf


def test_a_lost_workers_messages_come_back_after_the_longest_task_and_retry_wait():
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert settings.CELERY_TASK_TIME_LIMIT < visibility <= 30 * 60
    assert visibility > settings.EMAIL_RETRY_BACKOFF_MAX


def test_there_is_exactly_one_beat(services):
    beats = [name for name, svc in services.items() if "beat" in command_of(svc)]
    assert beats == ["beat"]
    assert services["beat"].get("deploy", {}).get("replicas", 1) == 1
    assert "scale" not in services["beat"]


def test_migrations_run_once_before_the_app_starts(services):
    assert "migrate" in " ".join(command_of(services["migrate"]))
    for name in APP_SERVICES:
        depends_on = services[name]["depends_on"]
        assert depends_on["migrate"]["condition"] == "service_completed_successfully", name


@pytest.mark.parametrize("name", ["web", "worker", "worker-pdf", "beat", "migrate"])
def test_the_app_services_get_every_variable_the_app_needs(services, name):
    environment = services[name]["environment"]
    missing = [variable for variable in REQUIRED_VARIABLES if variable not in environment]
    assert missing == []
    assert environment["DJANGO_ENV"] == "production"
    assert environment["EMAIL_URL"].startswith("smtp://")
    assert environment["REDIS_URL"].startswith("redis://redis:")
    assert environment["DATABASE_URL"].startswith("postgres://")


def test_the_app_reads_the_variables_compose_passes(services):
    # A misspelt name in compose would be silently ignored by the app.
    read = variables_the_app_reads()
    assert {"SECRET_KEY", "DATABASE_URL", "REDIS_URL", "EMAIL_URL"} <= read
    passed = set(services["web"]["environment"])
    assert passed - read == set()


def test_web_and_worker_share_the_signing_key(services):
    for name in ["web", "worker", "worker-pdf", "migrate"]:
        assert "signing:/app/var/signing" in services[name]["volumes"], name
    assert "make_signing_key" in command_of(services["migrate"])[-1]


def test_compose_refuses_to_start_without_a_secret_key(services):
    assert services["web"]["environment"]["SECRET_KEY"].startswith("${SECRET_KEY:?")


def test_the_bucket_setup_script_is_valid_python(services):
    command = command_of(services["migrate"])[-1]
    script = re.search(r'python -c "(.*)"', command, re.S).group(1)
    compile(script, "migrate-bucket", "exec")


def test_the_image_is_python_311_slim_with_the_pdf_and_magic_libraries(dockerfile):
    assert re.findall(r"^FROM (\S+)", dockerfile, re.M) == ["python:3.11-slim-bookworm"]
    for package in ["libmagic1", "libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0"]:
        assert package in dockerfile, package
    assert "fonts-" in dockerfile
    assert "pip install ." in dockerfile


def test_the_image_runs_as_an_unprivileged_user(dockerfile):
    users = re.findall(r"^USER (\S+)", dockerfile, re.M)
    assert users and users[-1] not in {"root", "0"}


def test_the_build_context_leaves_out_local_state(dockerfile):
    ignored = (ROOT / ".dockerignore").read_text().split()
    for entry in [".git", ".venv", "var", ".env"]:
        assert entry in ignored, entry
