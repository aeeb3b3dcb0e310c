"""End-to-end browser harness: serve a Solara app offline and drive it with Debian's Chromium.

Used by the browser tests (``@pytest.mark.browser``)::

    with serve_solara(app_py) as server, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_page()
        network = guard_network(page.context)
        page.goto(server.url)
        ...
        assert network.external == []
        assert "Traceback" not in server.output()

Chromium is not optional: if /usr/bin/chromium is missing the test fails (CI installs it with
``apt-get install -y chromium``; never ``playwright install``, which downloads from the internet).
"""

from __future__ import annotations

import ipaddress
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import IO
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = Path("/usr/bin/chromium")

CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
)

# Environment of the Solara server: serve assets from the local CDN cache, and make a cache miss
# fail on a closed loopback port instead of being fetched quietly from cdn.jsdelivr.net (which
# would hide a missing asset wherever the internet is reachable). No telemetry.
SOLARA_OFFLINE_ENV = {
    "SOLARA_ASSETS_PROXY": "True",
    "SOLARA_ASSETS_CDN": "http://127.0.0.1:9/npm/",
    "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
    "PYTHONUNBUFFERED": "1",
}


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class SolaraServer:
    """A running Solara server.

    Attributes:
        url: the app's address, e.g. ``http://localhost:43121/``. The server listens on 127.0.0.1;
            the page is asked for as ``localhost``, where Solara sets its session cookie
            ``SameSite=None; Secure`` without warning (by IP address over http it warns on every page).
        log: the file receiving the server's stdout and stderr.
    """

    url: str
    log: IO[str]

    def output(self) -> str:
        """Everything the server has printed so far."""
        self.log.flush()
        self.log.seek(0)
        return self.log.read()


@contextmanager
def serve_solara(app_path_or_module: str | Path, port: int | None = None, timeout: float = 60) -> Iterator[SolaraServer]:
    """Run ``solara run <app> --production`` on loopback for the duration of the block.

    Args:
        app_path_or_module: A ``.py`` file or an importable module that defines ``page`` or ``Page``.
        port: TCP port; a free one by default.
        timeout: Seconds to wait for the server to answer ``/readyz``.

    Yields:
        The server: its URL and its output so far.

    The server's output is printed if it fails to start or if the block raises. The server is
    terminated (SIGTERM, then SIGKILL after 10 s) when the block exits.
    """
    port = free_port() if port is None else port
    app = Path(app_path_or_module)
    cwd = app.resolve().parent if app.suffix == ".py" else None
    command = [
        sys.executable, "-m", "solara", "run", str(app.resolve() if cwd else app_path_or_module),
        "--production", "--host", "127.0.0.1", "--port", str(port),
        "--no-open", "--no-check-version",
    ]  # fmt: skip
    url = f"http://localhost:{port}/"
    with tempfile.TemporaryFile("w+") as log:
        server = subprocess.Popen(
            command, cwd=cwd, env={**os.environ, **SOLARA_OFFLINE_ENV}, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            _wait_until_ready(server, f"http://127.0.0.1:{port}/readyz", timeout)
            yield SolaraServer(url, log)
        except BaseException:
            _print_log(log, command)
            raise
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def _wait_until_ready(server: subprocess.Popen, ready_url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"Solara server exited with code {server.returncode} before answering")
        try:
            with urllib.request.urlopen(ready_url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    raise TimeoutError(f"Solara server did not answer {ready_url} within {timeout} s")


def _print_log(log, command: list[str]) -> None:
    log.flush()
    log.seek(0)
    print(f"--- output of `{' '.join(command)}` ---\n{log.read()}--- end of server output ---", file=sys.stderr)


def launch_chromium(playwright):
    """Launch Debian's headless Chromium through Playwright (never a Playwright-downloaded browser).

    Args:
        playwright: The object from ``playwright.sync_api.sync_playwright()``.

    Returns:
        A Playwright ``Browser``.
    """
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} not found: browser tests need Debian's Chromium (`apt-get install -y chromium`). "
            "Do not run `playwright install`.",
            pytrace=False,
        )
    return playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=list(CHROMIUM_ARGS))


def is_loopback(url: str) -> bool:
    """True if the URL's host is localhost or a loopback address."""
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass
class NetworkLog:
    """What a page asked of the network.

    Attributes:
        external: URLs of requests and websockets to non-loopback hosts; all were aborted.
        failed: Loopback requests that failed or got a status >= 400 (e.g. a Solara CDN cache miss),
            as ``"<status or error> <url>"``.
    """

    external: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def guard_network(context) -> NetworkLog:
    """Abort and record every request from ``context`` to a non-loopback host; record failed ones.

    Args:
        context: A Playwright ``BrowserContext`` (``page.context``); routes apply to all its pages.

    Returns:
        A `NetworkLog` that fills up while the pages run.
    """
    log = NetworkLog()

    def route(route):
        if is_loopback(route.request.url):
            route.continue_()
        else:
            log.external.append(route.request.url)
            route.abort("blockedbyclient")

    def external_websocket(websocket):
        log.external.append(websocket.url)
        websocket.close()

    def on_response(response):
        if response.status >= 400:
            log.failed.append(f"{response.status} {response.url}")

    def on_request_failed(request):
        if is_loopback(request.url):
            log.failed.append(f"{request.failure} {request.url}")

    context.route("**/*", route)
    context.route_web_socket(lambda url: not is_loopback(url), external_websocket)
    context.on("response", on_response)
    context.on("requestfailed", on_request_failed)
    return log


@contextmanager
def screenshot_on_failure(page, path: Path) -> Iterator[None]:
    """Save a screenshot of ``page`` to ``path`` if the block raises, then re-raise."""
    try:
        yield
    except Exception:
        path.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=path)
        raise


def assert_stayed_offline(network) -> None:
    """The page asked no host off loopback, and every loopback request was answered."""
    assert network.external == [], "the page requested non-loopback hosts"
    assert network.failed == [], "loopback requests failed (a Solara CDN cache miss?)"
