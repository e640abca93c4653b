"""Reading what the development SMTP sink received (``var/mail/*.eml``)."""

from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

from service.core.errors import NotFound

NAME_PATTERN = r"^[0-9T]+-[0-9a-f]{8}\.eml$"


@dataclass(frozen=True)
class Received:
    name: str
    to: str
    subject: str
    date: str
    message_id: str
    text: str
    html: str
    attachments: list[str]


def _parse(path: Path) -> Received:
    email = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
    assert isinstance(email, EmailMessage)
    text = email.get_body(preferencelist=("plain",))
    html = email.get_body(preferencelist=("html",))
    return Received(
        name=path.name,
        to=str(email["To"] or ""),
        subject=str(email["Subject"] or ""),
        date=str(email["Date"] or ""),
        message_id=str(email["Message-ID"] or ""),
        text=text.get_content() if text else "",
        html=html.get_content() if html else "",
        attachments=[part.get_filename() or "" for part in email.iter_attachments()],
    )


def received(directory: Path, limit: int = 200) -> list[Received]:
    """The newest mail first (file names start with the arrival time)."""
    if not directory.is_dir():
        return []
    paths = sorted(directory.glob("*.eml"), reverse=True)[:limit]
    return [_parse(path) for path in paths]


def one(directory: Path, name: str) -> Received:
    path = directory / name
    if path.parent != directory or not path.is_file():
        raise NotFound("No such mail in the development mailbox.")
    return _parse(path)
