"""`report-rag app` and `report-rag serve`: the two long-running servers over one library
(the Streamlit UI, the HTTP API), started with the settings this command resolved."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from report_rag.settings import Settings


def cmd_app(args: argparse.Namespace, settings: Settings) -> int:
    """Serve the web UI (app/main.py) with Streamlit, over the same settings as this command."""
    import importlib.util
    import os

    from report_rag.errors import MissingDependencyError

    if importlib.util.find_spec("streamlit") is None:
        raise MissingDependencyError("streamlit", "ui", "The web UI")
    # Found by name, not imported: the UI sits above every layer of report_rag.
    app_spec = importlib.util.find_spec("report_rag_app")
    if app_spec is None or not app_spec.submodule_search_locations:
        raise MissingDependencyError("report_rag_app", "ui", "The web UI")
    script = Path(next(iter(app_spec.submodule_search_locations))) / "main.py"
    url = f"http://{args.host}:{args.port}"
    command = [
        sys.executable, "-m", "streamlit", "run", str(script),
        "--server.address", args.host, "--server.port", str(args.port),
        "--server.headless", "true", "--server.fileWatcherType", "none",
        "--server.maxUploadSize", str(settings.ui.max_upload_mb),
        "--browser.gatherUsageStats", "false", "--client.toolbarMode", "minimal",
    ]
    # The UI reads Settings() from the environment: hand it the home this command resolved.
    env = {**os.environ, "REPORT_RAG_HOME": str(settings.home)}
    print(f"report-rag UI at {url}  (library: {settings.home}; Ctrl+C stops it)", flush=True)
    # Become the server (no child left behind when a supervisor stops this process).
    os.execve(sys.executable, command, env)
    return 1  # not reached


_LOOPBACK = ("127.0.0.1", "localhost", "::1")


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    """Serve the HTTP API with uvicorn; keys are required to listen beyond this machine."""
    import importlib.util

    from report_rag.errors import ConfigError, MissingDependencyError

    if args.host not in _LOOPBACK and not settings.api.keys:
        raise ConfigError(
            f"refusing to serve on {args.host} without API keys: set REPORT_RAG_API_KEYS "
            "(comma-separated), or bind 127.0.0.1"
        )
    if importlib.util.find_spec("uvicorn") is None or importlib.util.find_spec("fastapi") is None:
        raise MissingDependencyError("fastapi", "api", "The HTTP API")
    import uvicorn

    from report_rag.api import create_app
    from report_rag.api.discovery import announced

    workers = getattr(args, "workers", 1)
    if workers < 1:
        raise ConfigError("--workers must be at least 1")
    print(f"report-rag API at http://{args.host}:{args.port}/docs  (library: {settings.home}"
          + (f", {workers} processes" if workers > 1 else "") + ")", flush=True)
    # While it runs, `report-rag ask` on this library asks it (its models stay warm).
    with announced(settings.home, args.host, args.port):
        if workers == 1:
            uvicorn.run(create_app(settings), host=args.host, port=args.port, log_level="warning")
            return 0
        # Several processes: each builds its app from the environment (the settings this
        # command resolved travel as REPORT_RAG_HOME) and follows the others' writes.
        import os

        os.environ["REPORT_RAG_HOME"] = str(settings.home)
        uvicorn.run("report_rag.api.app:app_from_environment", factory=True, host=args.host, port=args.port,
                    workers=workers, log_level="warning")
    return 0
