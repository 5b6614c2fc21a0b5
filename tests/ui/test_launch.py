"""Launch options: loopback by default, a password from the environment, clear refusals."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx

from webui.server import LaunchError, auth_from_env, is_loopback, launch_options

ROOT = Path(__file__).resolve().parents[2]


def test_loopback_addresses_are_recognised():
    assert is_loopback("127.0.0.1")
    assert is_loopback("localhost")
    assert is_loopback("::1")
    assert not is_loopback("0.0.0.0")
    assert not is_loopback("192.168.1.20")


def test_the_password_comes_from_the_environment():
    assert auth_from_env({}) is None
    assert auth_from_env({"QA_UI_USER": "ann", "QA_UI_PASSWORD": "pw"}) == ("ann", "pw")


def test_half_a_login_is_refused():
    try:
        auth_from_env({"QA_UI_USER": "ann"})
    except LaunchError as exc:
        assert "QA_UI_PASSWORD" in str(exc)
    else:
        raise AssertionError("a user without a password was accepted")


def test_the_defaults_stay_on_this_machine_and_quiet(capsys):
    options = launch_options("127.0.0.1", 7860, False, environ={})
    assert options["server_name"] == "127.0.0.1"
    assert options["share"] is False
    assert options["auth"] is None
    assert options["enable_monitoring"] is False and options["run_history"] is False
    assert capsys.readouterr().err == ""


def test_listening_beyond_this_machine_without_a_password_warns(capsys):
    launch_options("0.0.0.0", 7860, False, environ={})
    assert "without a password" in capsys.readouterr().err


def test_app_py_refuses_to_start_with_half_a_login(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("QA_UI_")}
    env.update({"QA_UI_USER": "ann", "QA_INDEX_DIR": str(tmp_path / "index")})
    done = subprocess.run(
        [sys.executable, str(ROOT / "app.py"), "--port", "0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "QA_UI_PASSWORD" in done.stderr


def test_with_a_password_set_the_app_needs_a_login(protected_app):
    user, password = protected_app.auth
    assert httpx.get(protected_app.url + "config").status_code == 401
    with httpx.Client(base_url=protected_app.url) as client:
        wrong = client.post("login", data={"username": user, "password": "nope"})
        assert wrong.status_code >= 400
        right = client.post("login", data={"username": user, "password": password})
        assert right.status_code == 200
        assert client.get("config").status_code == 200
