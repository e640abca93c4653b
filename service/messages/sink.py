"""The development SMTP server: ``hearing serve`` starts it (outside production) so that
the worker's e-mail lands in ``var/mail/`` as .eml files, readable at ``/dev/mail``."""

import logging
import socket
import uuid
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope
from aiosmtpd.smtp import Session as SmtpSession

from service.core.clock import utcnow

log = logging.getLogger(__name__)
# aiosmtpd logs eight INFO lines per message ("mail.log"); the sink says one line itself.
logging.getLogger("mail.log").setLevel(logging.WARNING)


class MailDirectory:
    """An aiosmtpd handler that keeps each message as one file, named in arrival order."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    async def handle_DATA(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: SmtpSession, envelope: Envelope
    ) -> str:
        self.directory.mkdir(parents=True, exist_ok=True)
        content: Any = envelope.original_content or envelope.content or b""
        data = content if isinstance(content, bytes) else str(content).encode()
        name = f"{utcnow():%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:8]}.eml"
        (self.directory / name).write_bytes(data)
        log.info("development mail: %s for %s", name, ", ".join(envelope.rcpt_tos))
        return "250 Message accepted for delivery"


def start_sink(directory: Path, host: str, port: int) -> Controller:
    """Start the sink in a thread of this process; raises OSError if the port is taken."""
    # At once: aiosmtpd's controller only says so after its 5 s ready timeout.
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.bind((host, port))
    controller = Controller(MailDirectory(directory), hostname=host, port=port)
    controller.start()
    return controller
