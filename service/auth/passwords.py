"""The password rule: long enough, not guessable by zxcvbn's estimate, not breached.

zxcvbn (Dropbox's estimator) knows English words, names and common passwords; we add
Dutch words and names, and check a bundled list of passwords known from breaches
(offline: no password ever leaves the service). The user's own username, name and
e-mail count as words an attacker would try first. Word lists: ``wordlists/README.md``.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from zxcvbn import zxcvbn
from zxcvbn.matching import add_frequency_lists

from service.core.i18n import N_

WORDLISTS = Path(__file__).parent / "wordlists"
MIN_LENGTH = 12
# zxcvbn's 0..4 scale; 4 is "very unguessable: strong protection from offline slow-hash
# scenario" (10^10 guesses and more). 3 would let "mijnwachtwoord1" through.
MIN_SCORE = 4
DUTCH_LISTS = ("dutch-common-words", "dutch-wikipedia", "dutch-first-names", "dutch-last-names")

TOO_SHORT = N_("Choose a password of at least 12 characters.")
BREACHED = N_(
    "This password appears in a list of passwords known from data breaches. Choose another."
)
TOO_WEAK = N_(
    "This password is too easy to guess. Use a longer sentence of unrelated words; "
    "avoid names, dates and common words."
)


def _words(name: str) -> list[str]:
    return (WORDLISTS / f"{name}.txt").read_text(encoding="utf-8").split()


@cache
def _load() -> frozenset[str]:
    """Teach zxcvbn the Dutch lists once per process; return the breached passwords."""
    add_frequency_lists({name: _words(name) for name in DUTCH_LISTS})
    return frozenset(word.lower() for word in _words("breached-passwords"))


@dataclass(frozen=True)
class Verdict:
    """``problem`` is an English msgid (translated where shown), or None when acceptable."""

    problem: str | None
    score: int

    @property
    def ok(self) -> bool:
        return self.problem is None


def judge(password: str, user_inputs: Iterable[str] = ()) -> Verdict:
    """Whether ``password`` may be used by the person described by ``user_inputs``."""
    breached = _load()
    if len(password) < MIN_LENGTH:
        return Verdict(TOO_SHORT, 0)
    if password.lower() in breached:
        return Verdict(BREACHED, 0)
    words = [part for value in user_inputs for part in _parts(value)]
    score = int(zxcvbn(password[:100], user_inputs=words)["score"])
    return Verdict(None if score >= MIN_SCORE else TOO_WEAK, score)


def _parts(value: str) -> list[str]:
    """A username ``planner.jansen`` or e-mail also yields ``planner`` and ``jansen``."""
    lowered = value.lower()
    pieces = lowered.replace("@", " ").replace(".", " ").replace("_", " ").replace("-", " ")
    return [lowered, *pieces.split()]
