"""A real SMTP server for tests (aiosmtpd on a free port) that keeps what it receives."""

import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Inbox:
    def __init__(self, on_data: Callable[[], None] | None = None) -> None:
        self.received: list[EmailMessage] = []
        self.recipients: list[list[str]] = []
        self.on_data = on_data

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802
        if self.on_data:
            self.on_data()
        parsed = BytesParser(policy=policy.default).parsebytes(envelope.original_content)
        self.received.append(parsed)
        self.recipients.append(list(envelope.rcpt_tos))
        return "250 OK"


@contextmanager
def smtp_server(port: int, on_data: Callable[[], None] | None = None) -> Iterator[Inbox]:
    inbox = Inbox(on_data)
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()
