"""``ydabm viz``: serve the browser app on this machine, offline (registered by :mod:`ydabm.cli`)."""

from __future__ import annotations

import argparse
import ipaddress
import os
import sys
from pathlib import Path

APP = Path(__file__).resolve().parent / "app.py"
DEFAULT_HOST = "localhost"   # Solara then announces the same address we do (not 127.0.0.1)
DEFAULT_PORT = 8765
# Serve Solara's JavaScript, CSS and fonts from the local CDN cache (filled by ensure_solara_assets),
# and send no telemetry.
SERVER_ENV = {"SOLARA_ASSETS_PROXY": "True", "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False"}


def register(subparsers) -> None:
    """Add the ``viz`` sub-command to the ``ydabm`` parser."""
    viz = subparsers.add_parser("viz", help="serve the browser app (Mesa SolaraViz) on this machine",
                                description="Explore one run in the browser. Serves on loopback unless --host says otherwise.")
    viz.add_argument("--host", default=DEFAULT_HOST, help=f"address to listen on (default {DEFAULT_HOST}, this machine only)")
    viz.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"TCP port (default {DEFAULT_PORT})")
    viz.set_defaults(handler=serve)


def solara_command(host: str, port: int) -> list[str]:
    """The ``solara run`` command line: production mode, no browser launch, no version check."""
    return [sys.executable, "-m", "solara", "run", str(APP), "--production", "--host", host, "--port", str(port),
            "--no-open", "--no-check-version"]


def address(host: str, port: int) -> str:
    """The app's URL: ``localhost`` for a loopback address, IPv6 hosts in brackets.

    Why ``localhost``: Solara sets its session cookie ``SameSite=None; Secure`` (so that the app also
    works inside an iframe), which browsers accept over plain http only from localhost. Asked for
    the page by IP address over http, it falls back to ``SameSite=Lax`` and prints a 12-line warning
    on every page load (``solara/server/starlette.py``). The server still listens on ``host``.
    """
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return f"http://{host}:{port}/"
    if ip.is_loopback:
        return f"http://localhost:{port}/"
    return f"http://[{host}]:{port}/" if ip.version == 6 else f"http://{host}:{port}/"


def serve(args: argparse.Namespace) -> int | None:
    """Fill Solara's asset cache if needed, print the address, then become the Solara server.

    The server replaces this process (exec), so Ctrl+C and a supervisor's SIGTERM reach it directly.
    """
    from .assets import ensure_solara_assets

    if not 1 <= args.port <= 65535:
        print(f"ydabm viz: error: --port: {args.port} is out of range; allowed [1, 65535]", file=sys.stderr)
        return 2
    if ensure_solara_assets(verbose=True):
        print("Filled Solara's offline asset cache (first run).")
    print(f"ydabm viz: serving {address(args.host, args.port)} (Ctrl+C to stop)", flush=True)
    sys.stderr.flush()
    command = solara_command(args.host, args.port)
    os.execve(command[0], command, {**os.environ, **SERVER_ENV})
    return None
