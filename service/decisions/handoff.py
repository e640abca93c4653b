"""The hand-off record for the physical hearing (nader gehoor): what its planning needs to
know, as JSON and as a PDF."""

from functools import partial

from sqlalchemy.orm import Session

from service.core.actor import Actor
from service.core.formatting import country_in, local_moment
from service.core.i18n import gettext_for
from service.core.templating import templates
from service.decisions import queries
from service.decisions.schemas import HandoffOut
from service.decisions.service import handoff_of
from service.fields import visibility
from service.models.auth import User
from service.models.cases import Case
from service.models.decisions import HearingReason

# What a reader of the hand-off who may not read the account gets instead of the layers.
NO_LAYERS: dict[str, object] = {"items": [], "general_additions": []}


def handoff_record(db: Session, case: Case, actor: Actor) -> HandoffOut:
    """The hand-off; the answers with their layers only for those who may read the
    account (service/fields.py: a planner plans the hearing without reading it)."""
    handoff = handoff_of(db, case.id)
    account = visibility("answers", "answers").sees(actor.role)
    by = db.get(User, handoff.handed_over_by_id) if handoff.handed_over_by_id else None
    return HandoffOut(
        case_id=case.id,
        v_number=case.v_number,
        nationality=case.nationality,
        track=case.track,
        reason_codes=[HearingReason(c) for c in handoff.reason_codes],
        motivation=handoff.motivation,
        estimated_days=handoff.estimated_days,
        actual_days=handoff.actual_days,
        handed_over_at=handoff.handed_over_at,
        handed_over_by=by.display_name if by else None,
        layers=queries.layers_of(db, case.id).as_json() if account else dict(NO_LAYERS),
    )


def handoff_pdf(record: HandoffOut, language: str = "nl") -> bytes:
    """The same record on paper (WeasyPrint), for the hearing officer's file."""
    html = templates.get_template("officer/handoff_pdf.html").render(
        record=record,
        _=gettext_for(language),
        lang=language,
        country=partial(country_in, language=language),
        moment=partial(local_moment, language=language),
    )
    from weasyprint import HTML  # heavy (~1 s): loaded on first use, not at start-up

    pdf: bytes = HTML(string=html).write_pdf()
    return pdf
