"""``hearing forms check``: every form valid, every text in every language, published
versions unchanged, each policy's forms present, the kiosk interface fully translated."""

from dataclasses import dataclass, field

import yaml
from babel.messages.extract import extract_from_dir
from pydantic import ValidationError

from service.core.errors import DomainError
from service.core.settings import PROJECT_ROOT
from service.eligibility.policy import available_versions, load_policy
from service.questionnaires.forms import (
    PUBLISHED_REGISTRY,
    FormDefinition,
    available_forms,
    forms_dir,
    load_form,
    published_hashes,
)
from service.questionnaires.kiosk_texts import KIOSK_LANGUAGES, missing_kiosk_texts

KIOSK_SOURCES = [("templates/kiosk/**.html", "jinja2"), ("service/questionnaires/**.py", "python")]
KIOSK_KEYWORDS = {"k_": None, "K_": None}


@dataclass
class Report:
    forms: list[FormDefinition] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def kiosk_texts_in_sources() -> set[str]:
    found = extract_from_dir(
        str(PROJECT_ROOT), method_map=KIOSK_SOURCES, keywords=KIOSK_KEYWORDS, comment_tags=()
    )
    return {message for _, _, message, _, _ in found if isinstance(message, str)}


def check_forms() -> Report:
    report = Report()
    registry = published_hashes()
    for form_id, version in available_forms():
        key = f"{form_id}@{version}"
        try:
            form = load_form(form_id, version)
        except (ValidationError, DomainError, yaml.YAMLError) as exc:
            report.problems.append(f"{key}: invalid definition: {exc}")
            continue
        report.forms.append(form)
        if (form.id, form.version) != (form_id, version):
            report.problems.append(f"{key}: the file declares {form.key}")
        if key not in registry:
            report.problems.append(f"{key}: not published (hearing forms publish {form_id})")
        elif registry[key] != form.content_hash:
            report.problems.append(
                f"{key}: a published version changed (hash {form.content_hash[:12]}, "
                f"published {registry[key][:12]}); publish a new version instead"
            )
    present = {f.key for f in report.forms}
    report.problems += [f"{k}: published but missing" for k in registry if k not in present]
    by_key = {f.key: f for f in report.forms}
    for policy_version in available_versions():
        policy = load_policy(policy_version)
        for purpose, form_key in policy.forms.items():
            mapped = by_key.get(form_key)
            if mapped is None:
                report.problems.append(f"policy {policy_version}: no {form_key} for {purpose}")
                continue
            missing = sorted(policy.form_languages - set(mapped.languages))
            if missing:
                report.problems.append(
                    f"policy {policy_version}: {form_key} lacks {', '.join(missing)}"
                )
    for language, texts in missing_kiosk_texts(kiosk_texts_in_sources()).items():
        report.problems.append(
            f"kiosk interface '{language}': {len(texts)} texts untranslated, e.g. {texts[0]!r}"
        )
    return report


def publish(form_id: str) -> list[str]:
    """Pin the hash of every version of ``form_id`` not yet published; never re-pin."""
    registry = published_hashes()
    added = []
    for found_id, version in available_forms():
        key = f"{found_id}@{version}"
        if found_id == form_id and key not in registry:
            registry[key] = load_form(found_id, version).content_hash
            added.append(key)
    header = (
        "# Published questionnaire versions and their content hashes (SHA-256).\n"
        "# A published version never changes; `hearing forms check` compares each file.\n"
    )
    body = yaml.safe_dump(dict(sorted(registry.items())), sort_keys=False)
    (forms_dir() / PUBLISHED_REGISTRY).write_text(header + body, encoding="utf-8")
    return added


__all__ = ["KIOSK_LANGUAGES", "Report", "check_forms", "publish"]
