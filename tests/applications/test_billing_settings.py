"""Production refuses to start with the billing simulator unless told explicitly, and
without the callback's shared secret from the environment."""

from tests.test_production_settings import production, run_check  # noqa: F401 (fixture)


def test_production_refuses_the_simulator(run_check):  # noqa: F811
    result = run_check(**production(BILLING_BACKEND="simulator", BILLING_GATEWAY_URL=None))
    assert result.returncode != 0
    assert "BILLING_BACKEND is the simulator in production" in result.stderr


def test_production_runs_the_simulator_only_when_told_explicitly(run_check):  # noqa: F811
    result = run_check(
        **production(BILLING_BACKEND="simulator", BILLING_ALLOW_SIMULATOR_IN_PRODUCTION="true")
    )
    assert result.returncode == 0, result.stderr


def test_production_needs_the_callback_secret(run_check):  # noqa: F811
    result = run_check(**production(BILLING_CALLBACK_SECRET=None))
    assert result.returncode != 0
    assert "BILLING_CALLBACK_SECRET must be set" in result.stderr


def test_the_http_backend_needs_the_gateway_url(run_check):  # noqa: F811
    result = run_check(**production(BILLING_GATEWAY_URL=None))
    assert result.returncode != 0
    assert "BILLING_GATEWAY_URL" in result.stderr


def test_the_production_configuration_with_the_gateway_starts(run_check):  # noqa: F811
    result = run_check(**production())
    assert result.returncode == 0, result.stderr
