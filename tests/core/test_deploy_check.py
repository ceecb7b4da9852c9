"""A production configuration passes Django's deployment checklist with no warning at all."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys


def production_env(tmp_path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        # DJANGO_ALLOW_ASYNC_UNSAFE is set by the browser tests for this process; production never has it.
        if k
        not in ("PYTEST_VERSION", "TRADEWIND_TESTING", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(64),  # 86 characters, high entropy
        ALLOWED_HOSTS="crm.example.com",
        SECURE_HTTPS="1",
        TRADEWIND_DATA_DIR=str(tmp_path),
    )
    return env


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tradewind", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean(tmp_path):
    env = production_env(tmp_path)
    done = run(["check", "--deploy", "--fail-level", "WARNING"], env)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "WARNINGS" not in output and "ERRORS" not in output
    assert "no issues" in output
    assert not (tmp_path / "secret_key").exists()  # the key came from the environment


def test_check_deploy_catches_an_insecure_setup(tmp_path):
    """The same check fails loudly without HTTPS and with DEBUG on: the test above can fail."""
    env = production_env(tmp_path)
    env.update(DEBUG="1", SECURE_HTTPS="0")
    done = run(["check", "--deploy", "--fail-level", "WARNING"], env)
    output = done.stdout + done.stderr
    assert done.returncode != 0
    assert "security.W018" in output  # DEBUG on in deployment
    assert "security.W008" in output or "security.W004" in output  # no SSL redirect / HSTS
