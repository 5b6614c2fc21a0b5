"""Safe launching: loopback by default, no telemetry, auth from the environment, share only on request."""

from __future__ import annotations

import ipaddress
import os
import socket
import sys
from collections.abc import Callable, Mapping, MutableMapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import gradio as gr

USER_ENV = "QA_UI_USER"
PASSWORD_ENV = "QA_UI_PASSWORD"

# Switches that keep Gradio, Chroma and the Hugging Face libraries from phoning home.
QUIET_ENV = {
    "GRADIO_ANALYTICS_ENABLED": "False",
    "ANONYMIZED_TELEMETRY": "False",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "DO_NOT_TRACK": "1",
}


class LaunchError(Exception):
    """The launch options are unsafe or inconsistent; the message says what to change."""


def quiet_environment(environ: MutableMapping[str, str] | None = None) -> None:
    """Turn telemetry off; must run before gradio or chromadb is imported."""
    env = os.environ if environ is None else environ
    for key, value in QUIET_ENV.items():
        env[key] = value


def is_loopback(host: str) -> bool:
    """True when `host` only listens on this machine (127.0.0.0/8, ::1, localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        try:
            return all(ipaddress.ip_address(info[4][0]).is_loopback for info in socket.getaddrinfo(host, None))
        except OSError:
            return False


def auth_from_env(environ: Mapping[str, str] | None = None) -> tuple[str, str] | None:
    """(user, password) from QA_UI_USER / QA_UI_PASSWORD, None when neither is set."""
    env = os.environ if environ is None else environ
    user, password = env.get(USER_ENV, ""), env.get(PASSWORD_ENV, "")
    if not user and not password:
        return None
    if not user or not password:
        raise LaunchError(f"set both {USER_ENV} and {PASSWORD_ENV} (only one is set)")
    return user, password


def launch_options(host: str, port: int, share: bool, environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Keyword arguments for `Blocks.launch`, with a warning when the app is exposed without a password."""
    auth = auth_from_env(environ)
    if (share or not is_loopback(host)) and auth is None:
        where = "a public share link" if share else f"{host}"
        print(
            f"WARNING: listening on {where} without a password; anyone who can reach it can read "
            f"and change the index. Set {USER_ENV} and {PASSWORD_ENV}.",
            file=sys.stderr,
        )
    return {
        "server_name": host,
        "server_port": port,
        "share": share,
        "auth": auth,
        "auth_message": "Sign in to News QA." if auth else None,
        "footer_links": ["api"],
        "run_history": False,
        "enable_monitoring": False,
        "mcp_server": False,
        "ssr_mode": False,
        "pwa": False,
        "show_error": False,
    }


CONCURRENCY_ENV = "QA_UI_CONCURRENCY"
DEFAULT_CONCURRENCY = 8  # questions answered at once; ingestion runs on its own worker thread


def concurrency(environ: Mapping[str, str] | None = None) -> int:
    """How many questions the app answers at once (QA_UI_CONCURRENCY)."""
    env = os.environ if environ is None else environ
    raw = env.get(CONCURRENCY_ENV, "")
    try:
        return max(1, int(raw)) if raw.strip() else DEFAULT_CONCURRENCY
    except ValueError:
        raise LaunchError(f"{CONCURRENCY_ENV}={raw!r} is not a whole number: fix or unset it") from None


def launch(demo: gr.Blocks, options: dict[str, Any], on_started: Callable[[], None] | None = None, **page: Any) -> None:
    """Start the server, run `on_started` once it answers (so the page loads meanwhile), then block."""
    demo.queue(default_concurrency_limit=concurrency())
    demo.launch(**options, **page, prevent_thread_lock=True)
    if on_started is not None:
        on_started()
    demo.block_thread()
