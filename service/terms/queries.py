from collections.abc import Sequence

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from service.models.cases import Case
from service.models.terms import Term, TermStep


def running(db: Session, limit: int = 200) -> Sequence[Row[Term, str]]:
    """Running terms with the case's V-number, the soonest due first (the whole-procedure
    target aside: it runs beside every other term)."""
    return db.execute(
        select(Term, Case.v_number)
        .join(Case, Case.id == Term.case_id)
        .where(Term.closed_at.is_(None), Term.step != TermStep.TARGET)
        .order_by(Term.due_at)
        .limit(limit)
    ).all()
