"""The development mailbox: the SMTP sink `hearing serve` starts keeps each e-mail as a
file, and /dev/mail shows it (never in production)."""

import logging
import time
from email.message import EmailMessage

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from service.cli import _start_mail_sink
from service.core.settings import Settings, get_settings
from service.main import create_app
from service.messages import smtp
from service.models import Role
from tests.helpers import sign_in
from tests.messages.smtp_server import free_port


@pytest.fixture
def sink(tmp_path, monkeypatch, capsys):
    port = free_port()
    settings = get_settings()
    for name, value in {
        "smtp_host": "127.0.0.1",
        "smtp_port": port,
        "mail_sink_dir": tmp_path / "mail",
    }.items():
        monkeypatch.setattr(settings, name, value)
    _start_mail_sink(settings, "http://127.0.0.1:8000/dev/mail")
    assert "read what was sent at http://127.0.0.1:8000/dev/mail" in capsys.readouterr().out
    # A second serve process finds the port taken and carries on without a sink.
    _start_mail_sink(settings, "http://127.0.0.1:8001/dev/mail")
    assert "no SMTP sink started" in capsys.readouterr().out
    return settings


def test_sent_mail_shows_in_the_development_mailbox(client, db, factory, sink):
    email = EmailMessage()
    email["Message-ID"] = "<test-1@hearing.example>"
    email["From"], email["To"] = sink.mail_from, "lawyer@example.nl"
    email["Subject"] = "Uitnodiging, zaak 1234567890"
    email.set_content("Geachte advocaat,\n\nTekst.")
    email.add_alternative("<p>Geachte advocaat,</p>", subtype="html")
    smtp.send(email, sink)
    [stored] = list(sink.mail_sink_dir.glob("*.eml"))

    person = factory.person(Role.LAWYER)
    db.commit()
    sign_in(client, person.user.username)
    listing = client.get("/dev/mail")
    assert listing.status_code == 200
    assert "Uitnodiging, zaak 1234567890" in listing.text
    assert f'href="/dev/mail/{stored.name}"' in listing.text
    one = client.get(f"/dev/mail/{stored.name}")
    assert one.status_code == 200
    assert "Geachte advocaat," in one.text
    assert "&lt;p&gt;Geachte advocaat,&lt;/p&gt;" in one.text  # the HTML part as source
    assert client.get("/dev/mail/..%2Fhearing.db").status_code in (404, 422)
    assert client.get("/dev/mail/20260101T000000000000-0000abcd.eml").status_code == 404


def test_no_development_mailbox_in_production(monkeypatch):
    production = Settings(
        env="production",
        secret_key="x" * 20 + "abcdefghijklmnop",
        data_keys=SecretStr("live:" + "A" * 43 + "="),
    )
    monkeypatch.setattr("service.main.get_settings", lambda: production)
    with TestClient(create_app()) as client:
        html = {"accept": "text/html"}
        assert client.get("/dev/mail", headers=html, follow_redirects=False).status_code == 404
        # The party's own messages are there (behind sign-in).
        assert client.get("/messages", headers=html, follow_redirects=False).status_code == 303


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get("/dev/mail", headers={"accept": "text/html"}, follow_redirects=False)
    assert response.status_code in (302, 303, 307)


def test_the_sink_logs_one_line_per_delivered_message(sink, caplog):
    email = EmailMessage()
    email["From"], email["To"] = sink.mail_from, "lawyer@example.nl"
    email["Subject"] = "Herinnering"
    email.set_content("Tekst.")
    with caplog.at_level(logging.DEBUG):
        smtp.send(email, sink)
        smtp.send(email, sink)
    # The sink's thread logs after the reply; wait for both lines.
    for _ in range(50):
        if len([r for r in caplog.records if r.name == "service.messages.sink"]) == 2:
            break
        time.sleep(0.05)
    lines = [r for r in caplog.records if r.levelno >= logging.INFO]
    assert [r.name for r in lines] == ["service.messages.sink"] * 2, [r.getMessage() for r in lines]
    assert "lawyer@example.nl" in lines[0].getMessage()
