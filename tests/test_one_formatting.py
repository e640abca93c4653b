"""One formatting of dates, times and durations (issue 15): the PDF dossier and the
e-mails say dates as the pages do ('19 jan 2027', Dutch local time), never the ISO
'2027-01-19' beside '15 dec 2026', and a short handling time is not '0.13 minuten'."""

import re
from datetime import timedelta

from sqlalchemy import select

from service.core.formatting import duration
from service.dossier.access import STAFF_COPY
from service.dossier.rendering import render_in_this_process
from service.dossier.service import content
from service.models.messages import Message
from service.workflow import CaseState
from tests.dossier.test_dossier import pdf_text

ISO_DAY = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
DUTCH_DAY = re.compile(r"\b\d{1,2} (jan|feb|mrt|apr|mei|jun|jul|aug|sep|okt|nov|dec) \d{4}\b")


def test_the_dossier_pdf_says_every_date_one_way(db, factory):
    case = factory.case_in(CaseState.WITH_LAWYER)
    text = pdf_text(render_in_this_process(content(db, case, STAFF_COPY)))
    # The dates the dossier gives (the answers are the applicant's own text).
    text = text.split("Vragen en antwoorden")[0]
    assert DUTCH_DAY.search(text), text[:1500]
    assert not ISO_DAY.search(text), ISO_DAY.findall(text)


def test_the_emails_say_dates_as_the_pages_do(db, factory):
    case = factory.case_in(CaseState.WITH_LAWYER)
    bodies = db.scalars(select(Message.body_text).where(Message.case_id == case.id)).all()
    assert bodies
    assert any(DUTCH_DAY.search(body) for body in bodies), bodies
    assert not any(ISO_DAY.search(body) for body in bodies), bodies


def test_a_short_handling_time_reads_in_words():
    assert duration(0.5, "nl") == "30 seconden"
    assert duration(12, "nl") == "12 minuten"
    assert duration(timedelta(hours=3), "nl") == "3 uur"
