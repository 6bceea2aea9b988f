"""A local mail catcher: an SMTP server (aiosmtpd) that stores every message it receives as a `.eml` file.

`make run` starts it when no mail server is configured, so a user sees their first alerts without one:
`python -m nkru.edge.catcher --dir .data/mail --port 8025`, with NKRU_SMTP_URL=smtp://127.0.0.1:8025.
Files are named by arrival time and a hash of the content; open them with any mail client.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import signal
import threading
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from nkru.clock import utcnow
from nkru.paths import data_dir


class MaildirHandler:
    """aiosmtpd handler: write each accepted message to `directory` (atomically: temp file, then rename)."""

    def __init__(self, directory: Path):
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or envelope.content
        data = content if isinstance(content, bytes) else content.encode("utf-8")
        stamp = utcnow().strftime("%Y%m%dT%H%M%S%fZ")
        name = f"{stamp}-{hashlib.sha256(data).hexdigest()[:12]}.eml"
        header = f"X-Nkru-Envelope-To: {', '.join(envelope.rcpt_tos)}\r\n".encode()
        tmp = self.directory / f".{name}.tmp"
        tmp.write_bytes(header + data)
        os.replace(tmp, self.directory / name)
        return "250 Message accepted for delivery"


def start(directory: Path, host: str = "127.0.0.1", port: int = 8025) -> Controller:
    """Start the catcher in a background thread; stop it with `.stop()`."""
    controller = Controller(MaildirHandler(directory), hostname=host, port=port)
    controller.start()
    return controller


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m nkru.edge.catcher", description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=data_dir() / "mail", help="where to store .eml files")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8025, help="port to listen on (default 8025)")
    args = parser.parse_args(argv)
    # Handlers first: once the server answers, a stop signal must always end it cleanly.
    stopped = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stopped.set())
    controller = start(args.dir, args.host, args.port)
    print(
        f"nkru mail catcher: listening on {args.host}:{args.port}, saving messages to {args.dir.resolve()}/ "
        f"(NKRU_SMTP_URL=smtp://{args.host}:{args.port})",
        flush=True,
    )
    try:
        stopped.wait()
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
