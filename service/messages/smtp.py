"""Sending one e-mail over SMTP, as the settings say (plain, STARTTLS or implicit TLS)."""

import smtplib
import ssl
from email.message import EmailMessage

from service.core.settings import Settings


def send(email: EmailMessage, settings: Settings) -> None:
    """Hand ``email`` to the SMTP server; raises ``smtplib.SMTPException`` or ``OSError``."""
    host, port, timeout = settings.smtp_host, settings.smtp_port, settings.smtp_timeout_seconds
    context = ssl.create_default_context()
    server: smtplib.SMTP
    if settings.smtp_security == "tls":
        server = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
    else:
        server = smtplib.SMTP(host, port, timeout=timeout)
    with server:
        if settings.smtp_security == "starttls":
            server.starttls(context=context)
        if settings.smtp_username:
            server.login(settings.smtp_username, settings.smtp_password)
        server.send_message(email)
