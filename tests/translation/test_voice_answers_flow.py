"""A spoken answer from the kiosk to the decision: the agency's package (XLIFF, the
recording, a manifest with hashes), its transcription and Dutch per unit, the lawyer's
and the officer's pages playing the recording beside both texts, the lawyer's
correction of the transcription, and the PDF dossier saying the answer was spoken."""

import hashlib
import io
import json
import zipfile

import pytest
from lxml import etree
from sqlalchemy.orm import Session

from service.core.audio import probe
from service.core.settings import get_settings
from service.dossier import service as dossier
from service.models import Role
from service.models.cases import Case
from service.translation import service as translation
from service.translation.xliff import NAMESPACE
from service.workflow import CaseState
from tests.dossier.test_dossier import pdf_text
from tests.factories import Factory
from tests.helpers import API, csrf_of, if_match, ok, sign_in
from tests.questionnaires.audio import spoken_wav, webm_opus

KEY = "reasons_account.voice"
TRANSCRIPTION = "غادرت قريتي في عام ألفين وخمسة عشر بسبب الحرب."
DUTCH = "Ik verliet mijn dorp in 2015 vanwege de oorlog."
CORRECTION = "Mijn cliënt zei 'mijn stad', niet 'mijn dorp'."
HTML = {"accept": "text/html", "accept-language": "nl"}


@pytest.fixture(autouse=True)
def spoken_form(monkeypatch: pytest.MonkeyPatch) -> None:
    """A policy whose form version allows spoken answers to its open questions
    (written-hearing@3); the tests' default policy names the first version, typed only."""
    monkeypatch.setattr(get_settings(), "eligibility_policy", "ind-2026")


@pytest.fixture(scope="module")
def speech(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    wav = tmp_path_factory.mktemp("voice") / "answer.wav"
    spoken_wav("I left my village in two thousand and fifteen because of the war.", wav)
    return webm_opus(wav)


def spoken_case(client, factory: Factory, speech: bytes) -> Case:
    """An Arabic form with a spoken answer to the account of reasons, handed in."""
    case = factory.case_in(CaseState.IN_PROGRESS)
    fields = {"seconds": str(probe(speech).duration), "sha256": hashlib.sha256(speech).hexdigest()}
    ok(
        client.put(
            f"{API}/kiosk/questions/reasons_account/recording",
            headers=factory.applicant_headers(case),
            data=fields,
            files={"file": ("answer.webm", speech, "audio/webm")},
        )
    )
    factory.driver().drive(case, CaseState.SUBMITTED)
    return case


def agency_returns(xlf: bytes) -> bytes:
    """What the agency's tool sends back: every target filled, the spoken unit with its
    transcription as <note from="transcription">."""
    root = etree.fromstring(xlf)
    for unit in root.iter(f"{{{NAMESPACE}}}trans-unit"):
        target = unit.find(f"{{{NAMESPACE}}}target")
        if target is None:
            target = etree.SubElement(unit, f"{{{NAMESPACE}}}target")
        spoken = unit.get("id") == KEY
        target.text = DUTCH if spoken else f"[NL] {unit.get('id')}"
        if spoken:
            note = etree.SubElement(unit, f"{{{NAMESPACE}}}note")
            note.set("from", "transcription")
            note.text = TRANSCRIPTION
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def test_a_spoken_answer_through_the_agency_the_lawyer_the_officer_and_the_pdf(
    client, db: Session, factory: Factory, speech: bytes
) -> None:
    case = spoken_case(client, factory, speech)
    job = translation.request(db, case, factory.person(Role.PLANNER).actor, factory.agency().name)
    translator = factory.person(Role.TRANSLATOR)

    # The package: the XLIFF, the recording, and a manifest whose hashes hold.
    download = client.get(f"{API}/translations/{job.id}/package", headers=translator.headers)
    assert download.status_code == 200
    assert download.headers["content-type"] == "application/zip"
    package = zipfile.ZipFile(io.BytesIO(download.content))
    manifest = json.loads(package.read("manifest.json"))
    paths = {f["path"] for f in manifest["files"]}
    assert f"recordings/{KEY}.ogg" in paths
    for entry in manifest["files"]:
        assert hashlib.sha256(package.read(entry["path"])).hexdigest() == entry["sha256"]
    ogg = package.read(f"recordings/{KEY}.ogg")
    assert ogg[:4] == b"OggS"
    assert abs(probe(ogg).duration - probe(speech).duration) < 0.05
    xlf_name = next(p for p in paths if p.endswith(".xlf"))
    xlf = package.read(xlf_name)
    unit = etree.fromstring(xlf).find(f".//{{{NAMESPACE}}}trans-unit[@id='{KEY}']")
    assert unit is not None
    assert f"recordings/{KEY}.ogg" in etree.tostring(unit).decode()  # the unit names it

    # The agency returns the transcription and the Dutch per unit.
    returned = client.put(
        f"{API}/translations/{job.id}/xliff",
        headers=translator.headers,
        files={"file": ("job.xlf", agency_returns(xlf), "application/xliff+xml")},
    )
    delivered = ok(returned)
    assert delivered["transcriptions"] == {KEY: TRANSCRIPTION}
    assert delivered["answers_nl"][KEY] == DUTCH
    assert case.state is CaseState.WITH_LAWYER

    # The lawyer hears it beside both texts and corrects the transcription.
    lawyer = factory.person(Role.LAWYER)
    db.commit()
    sign_in(client, lawyer.user.username)
    page = client.get(f"/lawyer/cases/{case.id}/translation", headers=HTML)
    assert page.status_code == 200, page.text
    audio = f'src="/cases/{case.id}/recordings/{KEY}.ogg"'
    assert audio in page.text
    assert TRANSCRIPTION in page.text
    assert DUTCH in page.text
    heard = client.get(f"/cases/{case.id}/recordings/{KEY}.ogg")
    assert heard.status_code == 200
    assert heard.content == ogg
    item = {"kind": "content", "answer_key": KEY, "text": CORRECTION}
    ok(
        client.post(
            f"{API}/cases/{case.id}/corrections/items",
            headers=if_match(client, case.id, lawyer.headers),
            json={"items": [item]},
        ),
        201,
    )
    ok(
        client.post(
            f"{API}/cases/{case.id}/corrections/send",
            headers=if_match(client, case.id, lawyer.headers),
        )
    )
    assert case.state is CaseState.READY_FOR_DECISION
    corrected = client.get(f"/lawyer/cases/{case.id}/translation", headers=HTML).text
    assert "Correctie van de transcriptie" in corrected

    # The officer's workbench: the recording, the transcription, the translation, the
    # lawyer's correction.
    officer = factory.officer()
    db.commit()
    client.cookies.clear()
    sign_in(client, officer.user.username)
    token = client.get("/officer", headers=HTML)
    taken = client.post(
        "/officer/take-next",
        data={"csrf_token": csrf_of(token.text)},
        headers=HTML,
        follow_redirects=False,
    )
    assert taken.headers["location"] == f"/officer/cases/{case.id}"
    bench = client.get(taken.headers["location"], headers=HTML).text
    assert f'src="/cases/{case.id}/recordings/{KEY}.ogg"' in bench
    assert TRANSCRIPTION in bench
    assert DUTCH in bench
    assert CORRECTION.replace("'", "&#39;") in bench
    assert client.get(f"/cases/{case.id}/recordings/{KEY}.ogg").content == ogg

    # The PDF: spoken, how long, the recording's hash, the transcription, the Dutch.
    pdf = dossier.render_pdf(dossier.content(db, case, "staff"))
    text = pdf_text(pdf)
    sha = hashlib.sha256(ogg).hexdigest()
    assert "Gesproken antwoord" in text
    assert sha[:16] in text.replace("\n", "")
    assert DUTCH in text
    assert CORRECTION in text
    assert "Transcriptie" in text
    transcribed = [w for w in TRANSCRIPTION.rstrip(".").split() if len(w) > 2]
    found = [w for w in transcribed if w in text]
    assert len(found) >= len(transcribed) // 2, (found, text[:3000])


def test_the_agency_page_plays_the_recording_beside_transcription_and_dutch(
    client, db: Session, factory: Factory, speech: bytes
) -> None:
    case = spoken_case(client, factory, speech)
    job = translation.request(db, case, factory.person(Role.PLANNER).actor, factory.agency().name)
    translator = factory.person(Role.TRANSLATOR)
    db.commit()
    sign_in(client, translator.user.username)
    assert (
        f'href="/agency/jobs/{job.id}/package"'
        in client.get(f"/agency/jobs/{job.id}", headers=HTML).text
    )
    url = f"/agency/jobs/{job.id}/translate"
    form = client.get(url, headers=HTML)
    assert f'src="/agency/jobs/{job.id}/recordings/{KEY}.ogg"' in form.text
    assert f'name="tr-{KEY}"' in form.text
    assert f'name="nl-{KEY}"' in form.text
    played = client.get(f"/agency/jobs/{job.id}/recordings/{KEY}.ogg")
    assert played.status_code == 200
    assert played.content[:4] == b"OggS"

    dutch = {f"nl-{item.key}": f"[NL] {item.key}" for item in translation.source_items(db, job)}
    dutch[f"nl-{KEY}"] = DUTCH
    token = {"csrf_token": csrf_of(form.text)}
    # Without the transcription: refused, the message beside its box, nothing kept.
    refused = client.post(url, data=token | dutch, headers=HTML)
    assert refused.status_code == 422
    assert "Schrijf op wat de aanvrager in de opname zegt" in refused.text
    assert DUTCH in refused.text  # what was typed stays
    db.refresh(job)
    assert job.delivered_at is None
    done = client.post(
        url, data=token | dutch | {f"tr-{KEY}": TRANSCRIPTION}, headers=HTML, follow_redirects=False
    )
    assert done.status_code == 303, done.text
    db.refresh(job)
    assert job.transcriptions == {KEY: TRANSCRIPTION}
    assert job.answers_nl[KEY] == DUTCH
