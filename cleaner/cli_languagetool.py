"""``cleaner languagetool ...``: install, start, stop and inspect the grammar server.

Mounted by the main CLI with ``app.add_typer(app, name="languagetool")``. Errors are
printed as ``cleaner error: <message>`` with exit code 2, like every other command;
``status`` exits 1 when no server is running so scripts can test for it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import TypeVar

import typer

from cleaner.errors import CleanerError
from cleaner.languagetool.install import (
    DEFAULT_VERSION,
    check_prerequisites,
    find_installation,
    install,
    languagetool_root,
)
from cleaner.languagetool.server import (
    DEFAULT_XMX,
    URL_ENV,
    external_url,
    server_status,
    start_server,
    stop_server,
)

app = typer.Typer(help="Install and run the LanguageTool grammar server.", no_args_is_help=True)

F = TypeVar("F", bound=Callable[..., None])


def _friendly_errors(func: F) -> F:
    """Turn CleanerError into the one-line message and exit code 2 used across cleaner."""

    @wraps(func)
    def wrapper(*args: object, **kwargs: object) -> None:
        try:
            func(*args, **kwargs)
        except CleanerError as e:
            typer.echo(f"cleaner error: {e}", err=True)
            raise typer.Exit(2) from None

    return wrapper  # type: ignore[return-value]


@app.command("install")
@_friendly_errors
def install_cmd(
    version: str = typer.Option(DEFAULT_VERSION, "--version", help="LanguageTool version."),
    force: bool = typer.Option(False, "--force", help="Reinstall even if already installed."),
) -> None:
    """Fetch LanguageTool from Maven Central into the cache (~245 MB) and verify it starts."""
    found = find_installation(version)
    if found is not None and not force:
        typer.echo(f"LanguageTool {version} already installed at {found.path}")
        return
    check_prerequisites()  # fail before announcing a download
    typer.echo(f"Installing LanguageTool {version} with Maven into "
               f"{languagetool_root() / version} (about 245 MB, a minute or two)...",
               err=True)
    started = time.monotonic()
    inst = install(version, force=force)
    if inst.already_installed:
        typer.echo(f"LanguageTool {version} already installed at {inst.path}")
    else:
        typer.echo(f"LanguageTool {version} installed at {inst.path} "
                   f"({time.monotonic() - started:.0f} s)")


@app.command("start")
@_friendly_errors
def start_cmd(
    port: int | None = typer.Option(
        None, "--port", help="Port on 127.0.0.1 (default: a free one)."),
    xmx: str = typer.Option(DEFAULT_XMX, "--xmx", help="Java heap size, e.g. 512m or 2g."),
    idle_timeout: float | None = typer.Option(
        None, "--idle-timeout", help="Stop after this many seconds unused (default: never)."),
    version: str = typer.Option(DEFAULT_VERSION, "--version", help="LanguageTool version."),
    wait: float = typer.Option(
        60.0, "--wait", help="Seconds to wait for the server to be healthy."),
) -> None:
    """Start the shared server in the background; later runs reuse it."""
    info = start_server(version, port=port, xmx=xmx, idle_timeout=idle_timeout, wait=wait)
    if not info.managed:
        typer.echo(f"using the LanguageTool server at {info.url} from {URL_ENV}; "
                   "nothing started")
        return
    idle = f", stops after {info.idle_timeout:g} s idle" if info.idle_timeout else ""
    typer.echo(f"LanguageTool {info.version} running at {info.url} (pid {info.pid}{idle})")


@app.command("stop")
@_friendly_errors
def stop_cmd() -> None:
    """Stop the shared server (a server given by CLEANER_LANGUAGETOOL_URL is left alone)."""
    if external_url() is not None:
        typer.echo(f"{URL_ENV} is set; the server there is not managed by cleaner")
        return
    info = server_status()
    if stop_server():
        pid = f" (pid {info.pid})" if info is not None else ""
        typer.echo(f"stopped the LanguageTool server{pid}")
    else:
        typer.echo("no LanguageTool server was running")


@app.command("status")
@_friendly_errors
def status_cmd() -> None:
    """Show url, pid, version and health; exit 1 if no server is running."""
    info = server_status()
    if info is None:
        typer.echo("no LanguageTool server running")
        raise typer.Exit(1)
    typer.echo(f"url: {info.url}")
    typer.echo(f"pid: {info.pid if info.managed else '-'} "
               f"({'managed' if info.managed else 'external, from ' + URL_ENV})")
    typer.echo(f"version: {info.version}")
    typer.echo(f"health: {'ok' if info.healthy else 'NOT ANSWERING'}")
    if info.managed:
        idle = f"{info.idle_timeout:g} s" if info.idle_timeout else "none"
        typer.echo(f"idle timeout: {idle}{' (started on demand)' if info.on_demand else ''}")
        if info.log_path:
            typer.echo(f"log: {info.log_path}")
    if not info.healthy:
        raise typer.Exit(1)
