"""``midline serve``: the web app on a local address."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from midline.cli.app import app
from midline.web.settings import (
    DEFAULT_ANALYSIS_WORKERS,
    DEFAULT_UPLOAD_LIMIT,
    Settings,
    default_data_dir,
)


@app.command("serve")
def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on (127.0.0.1 = this computer only)."),
    port: int = typer.Option(8000, help="Port to listen on."),
    db: str | None = typer.Option(
        None, help="Database URL or SQLite path (default: $MIDLINE_DB, else the user data folder)."
    ),
    data_dir: Annotated[
        Path | None,
        typer.Option(
            help="Uploads and the session key (default: the user data folder's web/).", show_default=False
        ),
    ] = None,
    upload_limit_mb: int = typer.Option(DEFAULT_UPLOAD_LIMIT // (1024 * 1024), help="Largest upload, MB."),
    workers: int = typer.Option(
        DEFAULT_ANALYSIS_WORKERS,
        min=1,
        max=32,
        help="Uploaded videos analysed at the same time; more wait in the queue.",
    ),
    https_only: bool = typer.Option(False, help="Mark the session cookie Secure (when served over TLS)."),
    https: bool = typer.Option(
        False,
        help="Serve HTTPS with a self-signed certificate for this machine's names and LAN addresses"
        " (made once in the data folder): browsers give /live the camera only over HTTPS or on localhost.",
    ),
) -> None:
    """Run the web app: sign up, plans, exercise library, log; JSON API under /api, docs at /docs."""
    import uvicorn

    from midline.web import create_app

    settings = Settings(
        db=db,
        data_dir=data_dir or default_data_dir(),
        upload_limit=upload_limit_mb * 1024 * 1024,
        analysis_workers=workers,
        https_only=https_only or https,
    )
    cert_file = key_file = None
    if https:
        from midline.web.tls import announce, ensure_certificate

        cert = ensure_certificate(settings.data_dir, [host])
        cert_file, key_file = str(cert.cert_path), str(cert.key_path)
        typer.echo(announce(cert, host, port))
    else:
        typer.echo(f"midline on http://{host}:{port}/ (API docs at /docs); Ctrl-C stops it")
    app = create_app(settings)
    uvicorn.run(app, host=host, port=port, log_level="warning", ssl_certfile=cert_file, ssl_keyfile=key_file)
