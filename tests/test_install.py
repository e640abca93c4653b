"""The README's set-up builds a fresh virtualenv from the lock with the machine's own
Python and pip, and nothing a newer release on the index brings can change it.

On 2026-11 the install failed on every new machine: the lock pinned fonttools 4.68.0,
but pip resolved WeasyPrint's ``fonttools[woff]`` to the newest release on the index,
which --require-hashes then refused. The set-up now installs the complete lock without
resolving (``--no-deps``) and proves with ``pip check`` that nothing is missing."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LOCKS = ("requirements.lock", "requirements-build.lock")


def _pins(lock: str) -> dict[str, str]:
    text = (ROOT / lock).read_text()
    return dict(re.findall(r"^([A-Za-z0-9_.\-]+)==([^\s\\]+)", text, flags=re.MULTILINE))


def test_every_locked_requirement_is_pinned_with_a_hash() -> None:
    for lock in LOCKS:
        requirements = [
            line
            for line in (ROOT / lock).read_text().splitlines()
            if line and not line.startswith((" ", "#"))
        ]
        assert requirements, lock
        for line in requirements:
            assert re.match(r"^[A-Za-z0-9_.\-]+==\S+ \\$", line), f"{lock}: not pinned: {line}"


@pytest.mark.own_database  # three minutes of pip, no database
def test_a_fresh_virtualenv_from_the_lock_installs_exactly_the_lock(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    environment = {key: value for key, value in os.environ.items() if key != "VIRTUAL_ENV"}
    # The machine's own Python (the one this venv was made from), not the test venv's.
    environment["PATH"] = os.pathsep.join(
        part for part in environment["PATH"].split(os.pathsep) if ".venv" not in part
    )
    result = subprocess.run(  # noqa: S603 - our own fixed command
        [shutil.which("bash") or "/bin/bash", ".ci/dev", "setup"],
        cwd=ROOT,
        env={**environment, "HEARING_VENV": str(venv)},
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert (venv / "bin" / "hearing").exists()

    frozen = subprocess.run(  # noqa: S603 - our own fixed command
        [str(venv / "bin" / "python"), "-m", "pip", "freeze", "--all", "--exclude-editable"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    installed = dict(re.findall(r"^([A-Za-z0-9_.\-]+)==(\S+)$", frozen, flags=re.MULTILINE))
    locked = {**_pins(LOCKS[0]), **_pins(LOCKS[1])}

    def canonical(name: str) -> str:
        return re.sub(r"[-_.]+", "-", name).lower()

    installed = {canonical(name): version for name, version in installed.items()}
    for name, version in locked.items():
        assert installed.get(canonical(name)) == version, f"{name}: locked {version}"
    extra = set(installed) - {canonical(name) for name in locked} - {"pip", "wheel"}
    assert not extra, f"installed but not in the lock: {sorted(extra)}"
    assert sys.version_info[:2] == (3, 11)
