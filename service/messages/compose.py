"""E-mail texts from Jinja2 templates (``templates/email/``), plain text and HTML, in
the recipient's language through the Babel catalogues (Dutch first, English second)."""

from dataclasses import dataclass
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from service.core.i18n import N_, gettext_for
from service.core.settings import PROJECT_ROOT
from service.models.messages import MessageKind

_env = Environment(
    loader=FileSystemLoader(PROJECT_ROOT / "templates" / "email"),
    # HTML parts escape every value; plain-text parts are not HTML.
    autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
# A message's paragraphs, one per line of the shared text (templates/email/_texts.jinja).
_env.filters["split_lines"] = lambda text: [
    line.strip() for line in text.splitlines() if line.strip()
]

SUBJECTS: dict[MessageKind, str] = {
    MessageKind.INVITATION: N_("Invitation to a written hearing, case %(v_number)s"),
    MessageKind.REPLY_REMINDER: N_("Reminder: reply to the invitation, case %(v_number)s"),
    MessageKind.CONSENT_RECORDED: N_("Consent recorded, case %(v_number)s"),
    MessageKind.SESSION_PLANNED: N_("Session planned, case %(v_number)s"),
    MessageKind.TRANSLATION_READY: N_("Translation ready for corrections, case %(v_number)s"),
    MessageKind.CORRECTIONS_ENDING: N_("The corrections term is ending, case %(v_number)s"),
    MessageKind.OUTCOME: N_("Outcome of the written hearing, case %(v_number)s"),
}


@dataclass(frozen=True)
class Composed:
    subject: str
    text: str
    html: str


def compose(kind: MessageKind, language: str, context: dict[str, Any]) -> Composed:
    """Render one message; ``context`` holds the V-number and nothing else about the
    applicant (no names, no answers): the e-mail leaves the IND's systems."""
    gettext = gettext_for(language)
    values = {**context, "_": gettext, "lang": language}
    return Composed(
        subject=gettext(SUBJECTS[kind]) % {"v_number": context["v_number"]},
        text=_env.get_template(f"{kind.value}.txt").render(values),
        html=_env.get_template(f"{kind.value}.html").render(values),
    )
