"""Special-category data is encrypted at rest (service/core/crypto.py).

The stored bytes hold no plaintext, a ciphertext moved to another row does not
decrypt, plaintext cannot reach an encrypted column by accident, and rotation leaves
every value readable once the old key is gone.
"""

import base64
import json
import os
import uuid
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Session

from service.cases.schemas import SignalIn
from service.cases.service import add_signal
from service.cli import run_migrations
from service.core import crypto
from service.core.actor import Actor
from service.core.clock import utcnow
from service.core.crypto import (
    DataKeyError,
    PlaintextRefused,
    UnreadableValue,
    get_keyring,
    parse_keys,
)
from service.core.db import make_engine
from service.core.rotation import key_use, places, rotate_batch
from service.core.settings import Settings, get_settings
from service.models import AnswerSet, Base, Case, Signal
from service.workflow import CaseState
from tests.factories import Factory
from tests.test_migrations import postgres_url, sqlite_url  # noqa: F401 - fixtures

SECRET_ANSWER = "Ik ben bekeerd tot het christendom in de kerk van Tabriz"


def key(seed: bytes) -> str:
    return base64.urlsafe_b64encode(seed.ljust(32, b"k")).decode()


@pytest.fixture
def use_keys(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str, str], None]]:
    """Switch the data keys for the rest of the test (and restore them after)."""

    def switch(spec: str, active: str = "") -> None:
        monkeypatch.setenv("HEARING_DATA_KEYS", spec)
        monkeypatch.setenv("HEARING_DATA_KEY_ACTIVE", active)
        get_settings.cache_clear()
        get_keyring.cache_clear()

    yield switch
    monkeypatch.delenv("HEARING_DATA_KEYS", raising=False)
    monkeypatch.delenv("HEARING_DATA_KEY_ACTIVE", raising=False)
    get_settings.cache_clear()
    get_keyring.cache_clear()


def raw(db: Session, table: str, column: str, row_id: object) -> str:
    value = db.execute(
        text(f"SELECT {column} FROM {table} WHERE id = :id"),  # noqa: S608 - fixed names
        {"id": _key(db, row_id)},
    ).scalar_one()
    return str(value)


def _key(db: Session, row_id: object) -> object:
    return row_id.hex if db.get_bind().dialect.name == "sqlite" else row_id  # type: ignore[attr-defined]


def answered_case(factory: Factory, **overrides: object) -> tuple[Case, AnswerSet]:
    case = factory.case_in(CaseState.IN_PROGRESS, **overrides)
    answer_set = factory.db.query(AnswerSet).filter_by(case_id=case.id).one()
    answer_set.answers = {"q1": SECRET_ANSWER}
    factory.db.flush()
    return case, answer_set


def test_a_stored_answer_is_not_in_plain_text_in_the_table(db: Session, factory: Factory) -> None:
    case, answer_set = answered_case(factory, applicant_name="Maryam Rezaei")
    stored = raw(db, "answer_sets", "answers", answer_set.id)
    assert SECRET_ANSWER not in stored
    assert "Tabriz" not in stored
    assert stored.startswith(f"{get_keyring().active}:")
    assert "Rezaei" not in raw(db, "cases", "applicant_name", case.id)
    # ...while the ORM reads plaintext, also after a fresh load.
    db.expire_all()
    assert db.get(AnswerSet, answer_set.id).answers == {"q1": SECRET_ANSWER}  # type: ignore[union-attr]
    assert db.get(Case, case.id).applicant_name == "Maryam Rezaei"  # type: ignore[union-attr]


def test_a_stored_answer_is_not_in_the_sqlite_database_file(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'file.db'}"
    run_migrations(url)
    engine = make_engine(url, pool_size=1)
    with Session(engine) as db:
        factory = Factory(db)
        case, _ = answered_case(factory)
        marker = f"form-{case.id.hex[:8]}"  # a plain column: proves the search finds text
        db.execute(update(Case).where(Case.id == case.id).values(nationality="SY"))
        db.execute(text("UPDATE answer_sets SET form_id = :m"), {"m": marker})
        db.commit()
    engine.dispose()
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("file.db*"))
    assert marker.encode() in stored
    assert SECRET_ANSWER.encode() not in stored
    assert "Tabriz".encode("utf-16-le") not in stored


def test_two_ciphertexts_swapped_between_rows_fail_to_decrypt(
    db: Session, factory: Factory
) -> None:
    _, first = answered_case(factory)
    _, second = answered_case(factory)
    one, two = (raw(db, "answer_sets", "answers", s.id) for s in (first, second))
    swap = text("UPDATE answer_sets SET answers = :value WHERE id = :id")
    db.execute(swap, {"value": two, "id": _key(db, first.id)})
    db.execute(swap, {"value": one, "id": _key(db, second.id)})
    db.expire_all()
    with pytest.raises(UnreadableValue):
        db.get(AnswerSet, first.id)


def test_values_sealed_together_open_in_their_own_place_only() -> None:
    """``seal_many`` (bulk writes) seals as ``seal_value`` does: each value its own nonce,
    bound to its row and column; an empty value stays empty."""
    ids = [uuid.uuid4() for _ in range(3)]
    values = [(ids[0], "Amal Haddad"), (ids[1], None), (ids[2], "Amal Haddad")]
    first, nothing, last = crypto.seal_many(Case.applicant_name, values)
    assert nothing is None
    assert first is not None
    assert last is not None
    assert first.token != last.token  # the same name, each its own nonce
    assert crypto.open_value(Case.applicant_name, ids[0], first) == "Amal Haddad"
    assert crypto.open_value(Case.applicant_name, ids[2], last) == "Amal Haddad"
    with pytest.raises(UnreadableValue):
        crypto.open_value(Case.applicant_name, ids[2], first)  # another row's
    with pytest.raises(UnreadableValue):
        crypto.open_value(Case.vulnerability_notes, ids[0], first)  # another column's
    with pytest.raises(TypeError):
        crypto.seal_many(Case.date_of_birth, [(ids[0], "1990-01-01")])  # a date column


def test_a_ciphertext_moved_to_another_column_of_its_row_fails_to_decrypt(
    db: Session, factory: Factory
) -> None:
    case = factory.case(vulnerability_notes="Traumatised; needs breaks")
    name = raw(db, "cases", "applicant_name", case.id)
    db.execute(
        text("UPDATE cases SET vulnerability_notes = :v WHERE id = :id"),
        {"v": name, "id": _key(db, case.id)},
    )
    db.expire_all()
    with pytest.raises(UnreadableValue):
        db.get(Case, case.id)


def test_plaintext_given_to_an_encrypted_column_is_refused(db: Session, factory: Factory) -> None:
    _, answer_set = answered_case(factory)
    with pytest.raises(StatementError) as refused:
        db.execute(
            update(AnswerSet).where(AnswerSet.id == answer_set.id).values(answers={"q1": "x"})
        )
    assert isinstance(refused.value.orig, PlaintextRefused)


def test_rotation_leaves_every_row_readable_after_the_old_key_is_removed(
    db: Session, factory: Factory, use_keys: Callable[[str, str], None]
) -> None:
    use_keys(f"old:{key(b'old')}", "")
    case = factory.case_in(
        CaseState.IN_PROGRESS, applicant_name="Yonas Tesfay", vulnerability_notes="hearing aid"
    )
    factory.db.add(Signal(case_id=case.id, kind="nv", source="AIVD", reason="contact"))
    answer_set = db.query(AnswerSet).filter_by(case_id=case.id).one()
    answer_set.answers = {"q1": SECRET_ANSWER}
    db.flush()
    assert key_use(db, Base.metadata)["old"] > 0

    use_keys(f"new:{key(b'new')},old:{key(b'old')}", "new")
    for place in places(Base.metadata):
        while rotate_batch(db, place, size=2)[0]:
            pass
    assert set(key_use(db, Base.metadata)) == {"new"}

    use_keys(f"new:{key(b'new')}", "")
    db.expire_all()
    reloaded = db.get(Case, case.id)
    assert reloaded is not None
    assert (reloaded.applicant_name, reloaded.vulnerability_notes) == (
        "Yonas Tesfay",
        "hearing aid",
    )
    assert [(s.source, s.reason) for s in reloaded.signals] == [("AIVD", "contact")]
    assert db.get(AnswerSet, answer_set.id).answers == {"q1": SECRET_ANSWER}  # type: ignore[union-attr]


def test_a_value_under_a_removed_key_is_unreadable_not_wrong(
    db: Session, factory: Factory, use_keys: Callable[[str, str], None]
) -> None:
    use_keys(f"gone:{key(b'gone')}", "")
    case = factory.case(applicant_name="Ali Hassan")
    use_keys(f"other:{key(b'other')}", "")
    db.expire_all()
    with pytest.raises(UnreadableValue, match="no data key 'gone'"):
        db.get(Case, case.id)


def test_production_refuses_missing_or_public_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    secret = "x" * 10 + "abcdefghijklmnopqrstuvwxyz0123456789"
    with pytest.raises(ValueError, match="HEARING_DATA_KEYS"):
        Settings(env="production", secret_key=secret)
    monkeypatch.setattr(crypto, "get_settings", lambda: _production(secret))
    get_keyring.cache_clear()
    try:
        with pytest.raises(DataKeyError, match="public dev data key"):
            get_keyring()
    finally:
        get_keyring.cache_clear()


def _production(secret: str) -> Settings:
    from pydantic import SecretStr

    return Settings(
        env="production",
        secret_key=secret,
        data_keys=SecretStr(f"live:{key(b'live')},dev:{crypto.DEV_KEY}"),
    )


@pytest.mark.parametrize(
    "spec",
    [
        "nokey",
        "k1:not base64!",
        f"k1:{base64.urlsafe_b64encode(b'short').decode()}",
        "1x:" + key(b"a"),
    ],
)
def test_malformed_keys_are_refused_with_a_reason(spec: str) -> None:
    with pytest.raises(DataKeyError):
        parse_keys(spec)


def test_keys_are_never_in_the_settings_repr(use_keys: Callable[[str, str], None]) -> None:
    secret = key(b"hidden")
    use_keys(f"k1:{secret}", "")
    assert secret not in repr(get_settings())
    assert secret not in str(get_settings().model_dump())
    assert secret not in repr(get_keyring())
    assert os.environ["HEARING_DATA_KEYS"].endswith(secret)


@pytest.mark.own_database
@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_the_migration_seals_existing_rows_and_opens_them_on_the_way_down(
    backend: str, request: pytest.FixtureRequest
) -> None:
    from alembic import command
    from sqlalchemy import create_engine

    from tests.test_migrations import alembic_config

    url = request.getfixturevalue("sqlite_url" if backend == "sqlite" else "postgres_url")
    config = alembic_config(url)
    command.upgrade(config, "4bc4b61f8cef")
    engine = create_engine(url)
    case_id = uuid.uuid4()
    row_id = case_id.hex if backend == "sqlite" else case_id
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO cases (id, v_number, applicant_name, date_of_birth, nationality,"
                " languages, date_of_application, literacy, coordinator_motives,"
                " vulnerability_notes, state, created_at, updated_at, version)"
                " VALUES (:id, '1234567890', 'Maryam Rezaei', '1990-02-03', 'IR', '[\"fa\"]',"
                " '2019-11-04', 'known', '[]', 'hearing aid', 'imported', :now, :now, 1)"
            ),
            {"id": row_id, "now": utcnow()},
        )
    command.upgrade(config, "head")
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT applicant_name, date_of_birth FROM cases")).one()
    assert "Rezaei" not in str(stored)
    with Session(engine) as db:
        case = db.get(Case, case_id)
        assert case is not None
        assert (case.applicant_name, case.date_of_birth) == ("Maryam Rezaei", date(1990, 2, 3))
    command.downgrade(config, "4bc4b61f8cef")
    with engine.connect() as conn:
        plain = conn.execute(text("SELECT applicant_name, vulnerability_notes FROM cases")).one()
    assert tuple(plain) == ("Maryam Rezaei", "hearing aid")
    engine.dispose()


def test_hearing_keys_rotate_reseals_everything_and_says_when_the_old_key_may_go(
    tmp_path: Path,
) -> None:
    import subprocess
    import sys

    from tests.live import drop_database, engine_for, fresh_database, seeded

    old, new = f"old:{key(b'old')}", f"new:{key(b'new')}"

    def hearing(keys: str, *args: str) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "HEARING_DATABASE_URL": url, "HEARING_DATA_KEYS": keys}
        env.pop("HEARING_DATA_KEY_ACTIVE", None)
        return subprocess.run(  # noqa: S603 - our own fixed command
            [sys.executable, "-m", "service.cli", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    os.environ["HEARING_DATA_KEYS"] = old
    get_settings.cache_clear()
    get_keyring.cache_clear()
    url = fresh_database(tmp_path, "rotation")
    try:
        with engine_for(url) as engine, seeded(engine) as factory:
            answered_case(factory, applicant_name="Nadia Yousef")
            case_id = factory.case(vulnerability_notes="wheelchair").id
    finally:
        del os.environ["HEARING_DATA_KEYS"]
        get_settings.cache_clear()
        get_keyring.cache_clear()
    try:
        rotated = hearing(f"{new},{old}", "keys", "rotate", "--batch", "2")
        assert rotated.returncode == 0, rotated.stderr
        assert "no stored value uses any key but 'new'" in rotated.stdout
        status = hearing(new, "keys", "status")
        assert "new:" in status.stdout
        assert "old:" not in status.stdout
        with engine_for(url) as engine, Session(engine) as db:
            os.environ["HEARING_DATA_KEYS"] = new
            get_settings.cache_clear()
            get_keyring.cache_clear()
            assert db.get_one(Case, case_id).vulnerability_notes == "wheelchair"
    finally:
        os.environ.pop("HEARING_DATA_KEYS", None)
        get_settings.cache_clear()
        get_keyring.cache_clear()
        drop_database(url)


# --- event reasons, exclusion reasons, stored answers (issue 14) -------------------------

SIGNAL_SOURCE = "AIVD-ambtsbericht-Kx7"
SIGNAL_WHY = "informant-melding-7731"
DECISION_WHY = "antwoorden wijzen op 1F-betrokkenheid Qz9"


def _cells(db: Session) -> Iterator[tuple[str, str]]:
    """Every stored value of every table, as the database hands it out (no ORM types)."""
    for table in Base.metadata.sorted_tables:
        for row in db.execute(text(f"SELECT * FROM {table.name}")):  # noqa: S608 - own names
            for value in row:
                if isinstance(value, (bytes, memoryview)):
                    yield table.name, bytes(value).decode("latin-1")
                elif value is not None:
                    yield table.name, str(value)


def test_after_a_walk_through_the_api_no_signal_source_or_decision_reason_is_stored_in_plain(
    client, db: Session, factory: Factory
) -> None:
    """A signal's source and an officer's motivation end up in an exclusion reason, event
    reasons and the stored answers of Idempotency-Keys: all sealed (SQLite and PostgreSQL)."""
    from service.models import Role
    from tests.helpers import API, ok

    planner, officer = factory.person(Role.PLANNER), factory.person(Role.OFFICER)
    signal = {"kind": "nv", "source": SIGNAL_SOURCE, "reason": SIGNAL_WHY}
    invited = factory.case_in(CaseState.INVITED)
    ready = factory.case_in(CaseState.READY_FOR_DECISION)
    db.commit()

    def keyed(key: str) -> dict[str, str]:
        return {**planner.headers, "Idempotency-Key": key}

    # A case registered with a signal: the answer (with the source) is stored for the key.
    data = factory.case_data(signals=[signal]).model_dump(mode="json")
    created = ok(client.post(f"{API}/cases", json=data, headers=keyed("create-1")), 201)
    ok(client.post(f"{API}/cases/{created['id']}/screening", headers=keyed("screen-1")))
    # A signal on an open case: its source goes into the exclusion reason and the event.
    ok(client.post(f"{API}/cases/{invited.id}/signals", json=signal, headers=keyed("sig-1")), 201)
    # An officer's motivation: the decision and its event.
    ok(client.post(f"{API}/cases/{ready.id}/claim", headers=officer.headers))
    decision = {"outcome": "decided_on_form", "kind": "grant", "reason": DECISION_WHY}
    headers = {**officer.headers, "Idempotency-Key": "decide-1"}
    ok(client.post(f"{API}/cases/{ready.id}/decision", json=decision, headers=headers), 201)

    # The walk put them where the issue found them (read through the service)...
    staff = ok(client.get(f"{API}/cases/{invited.id}", headers=planner.headers))
    assert SIGNAL_SOURCE in staff["exclusion_reason"]
    events = ok(client.get(f"{API}/cases/{ready.id}/timeline", headers=officer.headers))
    assert DECISION_WHY in events[-1]["reason"]
    # ...and no table holds them in plain text.
    found = [
        (table, secret)
        for table, value in _cells(db)
        for secret in (SIGNAL_SOURCE, SIGNAL_WHY, DECISION_WHY)
        if secret in value
    ]
    assert not found, found


def test_an_event_reason_moved_to_another_case_or_kind_fails_to_decrypt(
    db: Session, factory: Factory
) -> None:
    """Event rows are numbered on insert, so their reasons are bound to the case and the
    kind of text: one moved to another case's row, or relabelled as a kind more people
    may read, does not open."""
    from service.cases.queries import timeline

    excluded = factory.case_in(CaseState.SCREENED)
    other = factory.case_in(CaseState.SCREENED)
    signal = SignalIn(kind="1f", source=SIGNAL_SOURCE, reason=SIGNAL_WHY)
    add_signal(db, excluded, signal, Actor(role="officer"))
    last = timeline(db, excluded.id)[-1]
    assert SIGNAL_SOURCE in last.reason
    stored = db.execute(
        text("SELECT reason FROM case_events WHERE id = :id"), {"id": last.id}
    ).scalar_one()
    assert SIGNAL_SOURCE not in stored
    relabel = text("UPDATE case_events SET reason_kind = 'step' WHERE id = :id")
    db.execute(relabel, {"id": last.id})
    db.expire_all()
    with pytest.raises(UnreadableValue):
        timeline(db, excluded.id)
    db.execute(
        text("UPDATE case_events SET reason_kind = 'exclusion' WHERE id = :id"), {"id": last.id}
    )
    moved = text(
        "UPDATE case_events SET reason = :value WHERE case_id = :case AND event = 'screen_eligible'"
    )
    db.execute(moved, {"value": stored, "case": _key(db, other.id)})
    db.expire_all()
    assert SIGNAL_SOURCE in timeline(db, excluded.id)[-1].reason
    with pytest.raises(UnreadableValue):
        timeline(db, other.id)


@pytest.mark.own_database
@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_the_migration_gives_events_their_kind_and_seals_reasons_and_stored_answers(
    backend: str, request: pytest.FixtureRequest
) -> None:
    from alembic import command
    from sqlalchemy import create_engine

    from service.models import CaseEventRow, IdempotentAnswer
    from service.workflow import ReasonKind
    from tests.test_migrations import alembic_config

    before = "6b0d4c1e2f3a"
    url = request.getfixturevalue("sqlite_url" if backend == "sqlite" else "postgres_url")
    config = alembic_config(url)
    command.upgrade(config, before)
    engine = create_engine(url)
    case_id, answer_id = uuid.uuid4(), uuid.uuid4()

    def key_of(row_id: uuid.UUID) -> object:
        return row_id.hex if backend == "sqlite" else row_id

    def sealed(column: str, value: str) -> str:
        token = crypto.seal_at("text", "cases", column, case_id, value)
        assert token is not None
        return token.token

    exclusion = f"NV signal from {SIGNAL_SOURCE}: physical hearing required"
    events = [  # event, to_state, reason, restricted, the kind it should get
        ("import", "imported", "case registered", False, ReasonKind.STEP),
        ("exclude", "excluded", exclusion, True, ReasonKind.EXCLUSION),
        ("decide_on_form", "decided_on_form", DECISION_WHY, False, ReasonKind.DECISION),
        ("send_back", "claimed", "four eyes: sent back: weigh it", False, ReasonKind.REVIEW),
        ("decide_on_form", "decided_on_form", "four eyes: approved", False, ReasonKind.REVIEW),
        ("reassign", "claimed", "reassigned to A. Officer", False, ReasonKind.INTERNAL),
    ]
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO cases (id, v_number, applicant_name, nationality, languages,"
                " date_of_application, literacy, coordinator_motives, vulnerability_notes,"
                " state, exclusion_reason, created_at, updated_at, version)"
                " VALUES (:id, '1234567891', :name, 'SY', '[\"ar\"]', '2019-11-04', 'known',"
                " '[]', :notes, 'excluded', :why, :now, :now, 1)"
            ),
            {
                "id": key_of(case_id),
                "name": sealed("applicant_name", "Amal Haddad"),
                "notes": sealed("vulnerability_notes", ""),
                "why": exclusion,
                "now": utcnow(),
            },
        )
        for event, to_state, reason, restricted, _ in events:
            conn.execute(
                text(
                    "INSERT INTO case_events (case_id, event, to_state, actor_role, at,"
                    " reason, restricted) VALUES (:case, :event, :to, 'officer', :now,"
                    " :reason, :restricted)"
                ),
                {
                    "case": key_of(case_id),
                    "event": event,
                    "to": to_state,
                    "now": utcnow(),
                    "reason": reason,
                    "restricted": restricted,
                },
            )
        conn.execute(
            text(
                "INSERT INTO idempotency_keys (id, actor, key, request_hash, status, body,"
                " created_at) VALUES (:id, 'someone', 'k1', :hash, 201, :body, :now)"
            ),
            {
                "id": key_of(answer_id),
                "hash": "0" * 64,
                "body": json.dumps({"signals": [{"source": SIGNAL_SOURCE}]}),
                "now": utcnow(),
            },
        )
    try:
        command.upgrade(config, "head")
        with Session(engine) as db:
            stored = [value for _, value in _cells(db)]
            assert not [v for v in stored if SIGNAL_SOURCE in v or DECISION_WHY in v]
            case = db.get_one(Case, case_id)
            assert case.exclusion_reason == exclusion
            rows = db.scalars(select(CaseEventRow).order_by(CaseEventRow.id)).all()
            assert [(r.reason, r.reason_kind) for r in rows] == [(e[2], e[4]) for e in events]
            answer = db.get_one(IdempotentAnswer, answer_id)
            assert SIGNAL_SOURCE in answer.body
        command.downgrade(config, before)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT exclusion_reason FROM cases")).scalar() == exclusion
            plain = conn.execute(
                text("SELECT reason, restricted FROM case_events ORDER BY id")
            ).all()
            assert [r.reason for r in plain] == [e[2] for e in events]
            assert [bool(r.restricted) for r in plain] == [
                e[4] is ReasonKind.EXCLUSION for e in events
            ]
            body = conn.execute(text("SELECT body FROM idempotency_keys")).scalar()
            assert json.loads(body) == {"signals": [{"source": SIGNAL_SOURCE}]}
    finally:
        engine.dispose()


def test_the_case_list_opens_no_vulnerability_notes(db: Session, factory: Factory) -> None:
    """The planner's list never shows a case's vulnerability notes: its query does not read
    them, so none is decrypted for a page, and code that asked for them would fail."""
    from sqlalchemy.exc import InvalidRequestError

    from service.cases.queries import CaseFilter, search_cases
    from service.models import Role

    case = factory.case(vulnerability_notes="Heeft rust nodig tussen de vragen.")
    planner = factory.person(Role.PLANNER)
    db.flush()
    db.expunge_all()  # as a new request's session
    page = search_cases(db, planner.actor, CaseFilter())
    listed = next(c for c in page.cases if c.id == case.id)
    assert "applicant_name" in listed.__dict__  # read, and opened
    assert "vulnerability_notes" not in listed.__dict__
    with pytest.raises(InvalidRequestError):
        _ = listed.vulnerability_notes
