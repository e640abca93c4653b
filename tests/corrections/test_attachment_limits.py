"""Issue 14.5: attachment names with NUL or bytes that are not UTF-8 were stored as sent,
and a case took any number of attachments (49.7 MB on one case). Names are cleaned; a
case holds at most 20 attachments and 30 MB of them; refusals are clear 422s."""

import io

from PIL import Image
from sqlalchemy import func, select

from service.core.settings import get_settings
from service.core.uploads import clean_filename
from service.models import Role
from service.models.corrections import Attachment
from service.workflow import CaseState
from tests.helpers import API, assert_problem, csrf_of, if_match, ok, sign_in

HTML = {"accept": "text/html"}


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, format="PNG")
    return buffer.getvalue()


def raw_upload(client, url, headers, filename: bytes, data: bytes):
    """A multipart body with the file name's bytes exactly as given."""
    boundary = b"b0undary14"
    body = (
        b"--"
        + boundary
        + b'\r\nContent-Disposition: form-data; name="file"; filename="'
        + filename
        + b'"\r\nContent-Type: application/octet-stream\r\n\r\n'
        + data
        + b"\r\n--"
        + boundary
        + b"--\r\n"
    )
    content_type = f"multipart/form-data; boundary={boundary.decode()}"
    return client.post(url, headers={**headers, "Content-Type": content_type}, content=body)


def test_a_name_with_nul_or_bytes_that_are_not_utf8_is_stored_clean(client, db, factory):
    case = factory.case_in(CaseState.WITH_LAWYER)
    lawyer = factory.person(Role.LAWYER)
    url = f"{API}/cases/{case.id}/corrections/attachments"
    for sent, stored in (
        (b"brief\x00.pdf", "brief.pdf"),
        (b"\x81\x9fverklaring.png", "verklaring.png"),  # C1 bytes: not UTF-8
        (b"..\\..\\C:\\fakepath\\scan.png", "scan.png"),
        (b"\x00\x00", "attachment"),
    ):
        headers = if_match(client, case.id, lawyer.headers)
        answer = ok(raw_upload(client, url, headers, sent, png()), 201)
        assert answer["attachments"][-1]["filename"] == stored
    read = ok(client.get(f"{API}/cases/{case.id}/corrections", headers=lawyer.headers))
    names = [a["filename"] for a in read["attachments"]]
    assert names == ["brief.pdf", "verklaring.png", "scan.png", "attachment"]


def test_the_name_rule():
    assert clean_filename("a\x00b.pdf") == "ab.pdf"
    assert clean_filename("cod\u202egpj.exe") == "codgpj.exe"  # no direction override
    assert clean_filename("\u0646\u0627\u0645\u0647\u200c\u0647\u0627.pdf").endswith(".pdf")
    assert clean_filename("x" * 300) == "x" * 200
    assert clean_filename("..") == "attachment"


def test_a_case_holds_at_most_twenty_attachments(client, db, factory):
    case = factory.case_in(CaseState.WITH_LAWYER)
    lawyer = factory.person(Role.LAWYER)
    url = f"{API}/cases/{case.id}/corrections/attachments"
    limit = get_settings().attachments_per_case
    for number in range(limit):
        headers = if_match(client, case.id, lawyer.headers)
        ok(client.post(url, headers=headers, files={"file": (f"p{number}.png", png())}), 201)

    headers = if_match(client, case.id, lawyer.headers)
    refused = client.post(url, headers=headers, files={"file": ("one-more.png", png())})

    problem = assert_problem(refused, 422, "attachment_limit_reached")
    assert f"{limit} attachments" in problem["detail"]
    assert db.scalar(select(func.count(Attachment.id))) == limit


def big_png(megabytes: float) -> bytes:
    """PNG by its first bytes (what the service judges), ``megabytes`` long."""
    data = png()
    return data + b"\x00" * (int(megabytes * 2**20) - len(data))


def test_a_case_holds_at_most_thirty_megabytes_of_attachments(client, db, factory):
    case = factory.case_in(CaseState.WITH_LAWYER)
    lawyer = factory.person(Role.LAWYER)
    url = f"{API}/cases/{case.id}/corrections/attachments"
    for number in range(3):
        headers = if_match(client, case.id, lawyer.headers)
        ok(client.post(url, headers=headers, files={"file": (f"{number}.png", big_png(9.5))}), 201)

    headers = if_match(client, case.id, lawyer.headers)
    refused = client.post(url, headers=headers, files={"file": ("more.png", big_png(2))})

    problem = assert_problem(refused, 422, "attachment_limit_reached")
    assert "30 MB together" in problem["detail"]
    assert db.scalar(select(func.count(Attachment.id))) == 3


def test_the_page_says_so_beside_the_upload_in_dutch(client, db, factory):
    case = factory.case_in(CaseState.WITH_LAWYER)
    lawyer = factory.person(Role.LAWYER)
    url = f"{API}/cases/{case.id}/corrections/attachments"
    for number in range(get_settings().attachments_per_case):
        headers = if_match(client, case.id, lawyer.headers)
        ok(client.post(url, headers=headers, files={"file": (f"p{number}.png", png())}), 201)
    sign_in(client, lawyer.user.username)
    page = client.get(f"/lawyer/cases/{case.id}/translation", headers=HTML)
    version = page.text.split('name="version" value="')[1].split('"')[0]

    refused = client.post(
        f"/lawyer/cases/{case.id}/attachments",
        data={"csrf_token": csrf_of(page.text), "version": version},
        files={"file": ("one-more.png", png(), "image/png")},
        headers=HTML,
    )

    assert refused.status_code == 422
    assert "Een zaak heeft ten hoogste 20 bijlagen" in refused.text
