import uuid
from datetime import datetime

from pydantic import BaseModel
from sqlalchemy.orm import Session

from service.models.cases import Case
from service.models.registration import RegistrationFile
from service.registration.queries import Figures
from service.registration.service import answers_of, file_of


class SelectedOut(BaseModel):
    case_id: uuid.UUID
    v_number: str
    state: str
    track: str | None


class AnswerOut(BaseModel):
    key: str
    question_nl: str
    question: str
    answer: str
    answer_nl: str


class RegistrationFileOut(BaseModel):
    """A prepared file for the aanmeldgehoor: the answers as given and in Dutch."""

    case_id: uuid.UUID
    v_number: str
    form: str
    language: str
    selected_at: datetime | None
    submitted_at: datetime | None
    prepared_at: datetime
    answers: list[AnswerOut]

    @classmethod
    def of_case(cls, db: Session, case: Case) -> "RegistrationFileOut | None":
        """The case's registration interview, when it took one: for the later hearing."""
        found = file_of(db, case.id)
        return cls.present(found, case) if found else None

    @classmethod
    def present(cls, registration: RegistrationFile, case: Case) -> "RegistrationFileOut":
        return cls(
            case_id=case.id,
            v_number=case.v_number,
            form=f"{registration.form_id}@{registration.form_version}",
            language=registration.language,
            selected_at=registration.selected_at,
            submitted_at=registration.submitted_at,
            prepared_at=registration.prepared_at,
            answers=[AnswerOut(**vars(a)) for a in answers_of(registration)],
        )


class FiguresOut(BaseModel):
    selected: int
    underway: int
    prepared: int
    mean_days_to_prepared: float | None
    median_days_to_prepared: float | None
    mean_days_translation: float | None

    @classmethod
    def present(cls, figures: Figures) -> "FiguresOut":
        return cls(**vars(figures))
