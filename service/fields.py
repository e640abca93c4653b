"""Who may see what: one table of role, resource and field, as data.

The access functions and presenters read it (``cases/access.py``, ``cases/schemas.py``,
``questionnaires/access.py``, ``translation/access.py``); ``docs/access.md`` is generated
from it (``python -m service.fields > docs/access.md``; tests/test_field_access.py fails
when the page is stale). A role missing from a row never sees that field; a condition
narrows which objects a role sees it on.
"""

from dataclasses import dataclass
from enum import StrEnum

from service.core.i18n import N_
from service.models.auth import Role
from service.workflow import ReasonKind


class When(StrEnum):
    """On which objects a role sees a field."""

    ANY = "any case"
    OWN_CLIENT = "own clients' cases"
    OWN_CASE = "own case"
    THEIR_MOTIVE = "cases with the coordinator's motive"
    OPEN_JOB = "own agency's job, while open"
    OWN_LOCATION = "own location's sessions"
    OWN_ORGANISATION = "own organisation's proposals"
    EVERY = "every proposal"


@dataclass(frozen=True)
class Visibility:
    resource: str
    field: str
    roles: dict[Role, When]
    why: str

    def sees(self, role: str) -> bool:
        return role in self.roles


STAFF = {Role.PLANNER: When.ANY, Role.OFFICER: When.ANY, Role.COORDINATOR: When.ANY}
ADMIN = {Role.ADMIN: When.ANY}
LAWYER = {Role.LAWYER: When.OWN_CLIENT}
# The applicant's account, in their words and in translation: only those who decide,
# advise on a motive, represent them or translate it.
ACCOUNT_READERS = {
    Role.OFFICER: When.ANY,
    Role.COORDINATOR: When.THEIR_MOTIVE,
    Role.ADMIN: When.ANY,
    **LAWYER,
}

# The coordinator's advice and the question asked: who decides, and the adviser.
ADVICE_READERS = {Role.OFFICER: When.ANY, Role.COORDINATOR: When.THEIR_MOTIVE, **ADMIN}

# Unit 1F's indicators and what they found: those who decide, unit 1F, the administrator.
ATTENTION_READERS = {Role.OFFICER: When.ANY, Role.UNIT_1F: When.ANY, **ADMIN}
ATTENTION_POINTS = "attention points (answer, span, excerpt, indicator, list version, handling)"
ATTENTION_EVENTS = "attention point events (dismissed, signal raised) and reads of them"

# Fields that event reasons are read as (``REASONS`` below).
EXCLUSION_REASONS = "exclusion_reason and the timeline's reason of an exclusion"
STEP_REASONS = "reason of a step (the service's words, a withdrawal, a term extended, a seat moved)"
INTERNAL_REASONS = "reason of the IND's own handling (a file reassigned to a named officer)"

TABLE: tuple[Visibility, ...] = (
    Visibility(
        "case",
        "v_number, nationality, state, terms, milestones",
        {**STAFF, **ADMIN, **LAWYER, Role.APPLICANT: When.OWN_CASE},
        "the case file itself",
    ),
    Visibility(
        "case",
        "applicant_name, date_of_birth",
        {**STAFF, **ADMIN, **LAWYER, Role.HOST: When.OWN_LOCATION},
        "the host checks the right person in",
    ),
    Visibility(
        "case",
        "signals (source, reason, and that there is one)",
        {**STAFF, **ADMIN},
        "NV/1F signals stay inside the IND",
    ),
    Visibility(
        "case",
        EXCLUSION_REASONS,
        {**STAFF, **ADMIN},
        "every exclusion (a signal, literacy, language) reads the same neutral text to others",
    ),
    Visibility(
        "timeline",
        STEP_REASONS,
        {**STAFF, **ADMIN, **LAWYER, Role.APPLICANT: When.OWN_CASE},
        "the progress and terms the lawyer follows",
    ),
    Visibility(
        "timeline",
        INTERNAL_REASONS,
        {**STAFF, **ADMIN},
        "staff names stay inside the IND, as in the access log",
    ),
    Visibility(
        "case",
        "vulnerability_notes",
        {**STAFF, **ADMIN, **LAWYER},
        "staff plan around them; the lawyer supplied them",
    ),
    Visibility(
        "case",
        "coordinator_motives",
        {**STAFF, **ADMIN, **LAWYER},
        "never for agencies, hosts or the applicant's kiosk",
    ),
    Visibility(
        "answers",
        "answers",
        {**ACCOUNT_READERS, Role.TRANSLATOR: When.OPEN_JOB, Role.APPLICANT: When.OWN_CASE},
        "the asylum account (the applicant at the kiosk); never the host",
    ),
    Visibility(
        "answers",
        "typed_by (assisted filling: the helper's role per answer, and that the form was "
        "filled in with help)",
        dict(ACCOUNT_READERS),
        "who typed the account weighs with it; the role only, staff names stay inside the IND",
    ),
    Visibility(
        "registration file",
        "answers, answers_nl",
        {Role.OFFICER: When.ANY, Role.ADMIN: When.ANY, **LAWYER},
        "the written registration interview: the registration officer (an officer) prepares "
        "the aanmeldgehoor with it; it travels with the case into the dossier",
    ),
    Visibility(
        "translation job",
        "v_number of the job's case",
        {**STAFF, **ADMIN, Role.TRANSLATOR: When.OPEN_JOB},
        "the agency names its jobs by the case's number, as the IND does",
    ),
    Visibility(
        "translation",
        "answers_nl",
        {**ACCOUNT_READERS, Role.TRANSLATOR: When.OPEN_JOB},
        "the account in Dutch; planners follow the job (agency, due, delivered), not its text",
    ),
    Visibility(
        "corrections",
        "items",
        dict(ACCOUNT_READERS),
        "the lawyer's corrections and additions",
    ),
    Visibility(
        "corrections",
        "attachments (file name, content)",
        dict(ACCOUNT_READERS),
        "the lawyer's evidence beside the corrections",
    ),
    Visibility(
        "consultation",
        "advice",
        ADVICE_READERS,
        "the coordinator's advice to the officer",
    ),
    Visibility(
        "consultation",
        "question",
        ADVICE_READERS,
        "the officer's question to the coordinator or the hard-cases team",
    ),
    Visibility(
        "decision",
        "reason, third_party_weighing",
        {Role.OFFICER: When.ANY, **ADMIN},
        "the officer's motivation, before it is sent",
    ),
    Visibility(
        "decision review",
        "proposal, remarks",
        {Role.OFFICER: When.ANY, **ADMIN},
        "four eyes: seniors review the drafted decision",
    ),
    Visibility(
        "hand-off",
        "reason codes, motivation, estimate",
        {Role.OFFICER: When.ANY, Role.PLANNER: When.ANY, **ADMIN},
        "the physical hearing is planned from it; its answers only for account readers",
    ),
    Visibility(
        "dossier",
        "staff copy (account with every layer, signals, translation versions)",
        {Role.OFFICER: When.ANY, Role.COORDINATOR: When.THEIR_MOTIVE, **ADMIN},
        "the whole file on paper, for those who decide or advise",
    ),
    Visibility(
        "dossier",
        "lawyer's copy (account with every layer)",
        dict(ACCOUNT_READERS),
        "the lawyer's copy leaves out the staff-only parts",
    ),
    Visibility(
        "case",
        ATTENTION_POINTS,
        dict(ATTENTION_READERS),
        "unit 1F's hits in the answers: never an exclusion by themselves, never outside the IND",
    ),
    Visibility(
        "indicator list",
        "indicators (text, Dutch, variants, periods, who added them and why), versions",
        {Role.UNIT_1F: When.ANY, **ADMIN},
        "unit 1F and the security partners keep them; the officer sees a point's indicator",
    ),
    Visibility(
        "attention report",
        "hits per list version, dismissed, signalled, per nationality and month",
        {Role.UNIT_1F: When.ANY, Role.COORDINATOR: When.ANY, **ADMIN},
        "the trade-off the security partners asked to see",
    ),
    Visibility(
        "timeline",
        ATTENTION_EVENTS,
        {**STAFF, Role.UNIT_1F: When.ANY, **ADMIN},
        "that a case was looked at for 1F stays inside the IND",
    ),
    Visibility(
        "access log",
        "who (staff names, request ids)",
        {**STAFF, **ADMIN},
        "the lawyer gets the roles only (GDPR art. 15)",
    ),
    Visibility(
        "access log",
        "role, action, outcome, when",
        {**STAFF, **ADMIN, **LAWYER},
        "the right of access",
    ),
    Visibility(
        "proposal",
        "wording, reason, decision and every step (who, role, when)",
        {Role.PARTNER: When.OWN_ORGANISATION, Role.FORM_OWNER: When.EVERY, Role.ADMIN: When.EVERY},
        "chain partners follow their proposals; other partners' stay theirs",
    ),
)


# What those who may not read a reason read instead ("" for no reason at all). Every
# exclusion reads the same, so none tells of a signal.
NEUTRAL_EXCLUSION = N_("excluded from the written hearing: a physical hearing is required")


def visibility(resource: str, field: str) -> Visibility:
    for row in TABLE:
        if row.resource == resource and row.field == field:
            return row
    raise KeyError(f"no visibility rule for {resource}.{field}")


def roles_seeing(resource: str, field: str) -> frozenset[Role]:
    return frozenset(visibility(resource, field).roles)


# Each kind of event text reads like the field it tells of: a decision's motivation in
# the timeline is the decision's motivation (the narrower rule wins where a text is two
# things: the motivation for a physical hearing is also the hand-off's, for planners).
REASONS: dict[ReasonKind, tuple[Visibility, str]] = {
    ReasonKind.STEP: (visibility("timeline", STEP_REASONS), ""),
    ReasonKind.INTERNAL: (visibility("timeline", INTERNAL_REASONS), ""),
    ReasonKind.EXCLUSION: (visibility("case", EXCLUSION_REASONS), NEUTRAL_EXCLUSION),
    ReasonKind.DECISION: (visibility("decision", "reason, third_party_weighing"), ""),
    ReasonKind.REVIEW: (visibility("decision review", "proposal, remarks"), ""),
}


def readable_reason(kind: ReasonKind | str, text: str, role: str) -> str:
    """An event's reason as ``role`` may read it: the text, or what stands in for it."""
    rule, instead = REASONS[ReasonKind(kind)]
    return text if rule.sees(role) else instead


def markdown() -> str:
    """The published table (docs/access.md)."""
    roles = list(Role)
    lines = [
        "# Who may see what",
        "",
        "Generated from `service/fields.py` (`python -m service.fields > docs/access.md`);",
        "a test fails when this page and the table differ. A blank cell: never.",
        "",
        "| resource | field | " + " | ".join(r.value for r in roles) + " | why |",
        "| --- | --- | " + " | ".join("---" for _ in roles) + " | --- |",
    ]
    for row in TABLE:
        cells = [row.roles[r].value if r in row.roles else "" for r in roles]
        lines.append(f"| {row.resource} | {row.field} | " + " | ".join(cells) + f" | {row.why} |")
    lines += [
        "",
        "## Reasons in a case's timeline",
        "",
        "Each event's reason is written with its kind (`ReasonKind`, `service/workflow.py`);",
        "it is read like the field of the table above that the kind names. Who may not read",
        "it reads the text in the last column instead (blank: no reason).",
        "",
        "| kind | read as | instead |",
        "| --- | --- | --- |",
    ]
    for kind, (rule, instead) in REASONS.items():
        lines.append(f"| {kind.value} | {rule.resource}: {rule.field} | {instead} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(markdown(), end="")
