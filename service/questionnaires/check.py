"""``hearing forms check``: every form valid, every text in every language, published
versions unchanged (text and spoken prompts), every prompt present, whole and of a sane
length, each policy's forms present and published, the kiosk interface fully translated.
A version not yet in ``forms/published.yaml`` is a draft."""

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
    published_registry,
)
from service.questionnaires.kiosk_texts import KIOSK_LANGUAGES, missing_kiosk_texts
from service.questionnaires.prompts import (
    generate_placeholders,
    load_manifest,
    manifest_hash,
    prompt_problems,
)

KIOSK_SOURCES = [("templates/kiosk/**.html", "jinja2"), ("service/questionnaires/**.py", "python")]
KIOSK_KEYWORDS = {"k_": None, "K_": None}


@dataclass
class Report:
    forms: list[FormDefinition] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    drafts: list[str] = field(default_factory=list)  # versions not yet published


def kiosk_texts_in_sources() -> set[str]:
    found = extract_from_dir(
        str(PROJECT_ROOT), method_map=KIOSK_SOURCES, keywords=KIOSK_KEYWORDS, comment_tags=()
    )
    return {message for _, _, message, _, _ in found if isinstance(message, str)}


def check_forms(*, prompts: bool = True) -> Report:
    """Every problem of the forms; ``prompts`` also decodes every spoken prompt (slow:
    the pages leave it out and show the prompts' status instead)."""
    report = Report()
    pinned = published_registry()
    registry = {key: entry["content"] for key, entry in pinned.items()}
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
            # A draft: interpreters record its prompts; `hearing forms publish` freezes it.
            report.drafts.append(key)
        elif registry[key] != form.content_hash:
            report.problems.append(
                f"{key}: a published version changed (hash {form.content_hash[:12]}, "
                f"published {registry[key][:12]}); publish a new version instead"
            )
        if prompts:
            report.problems += prompt_problems(form, pinned.get(key, {}).get("prompts"))
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
            if form_key in report.drafts:
                report.problems.append(f"policy {policy_version}: {form_key} is a draft")
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


class NotPublishable(Exception):
    """A version whose prompts are not all there, whole and of a sane length."""


def publish(form_id: str) -> list[str]:
    """Pin the content hash and the prompts' record of every version of ``form_id`` not
    yet published; a version published before prompts existed gets its prompts pinned
    once. Never re-pins; refuses a version whose prompts have a problem."""
    registry = published_registry()
    added = []
    for found_id, version in available_forms():
        key = f"{found_id}@{version}"
        entry = registry.get(key)
        if found_id != form_id or (entry is not None and "prompts" in entry):
            continue
        form = load_form(found_id, version)
        problems = prompt_problems(form, None)
        if problems:
            raise NotPublishable("; ".join(problems[:10]))
        prompts = manifest_hash(load_manifest(found_id, version))
        registry[key] = {"content": form.content_hash if entry is None else entry["content"]}
        registry[key]["prompts"] = prompts
        added.append(key)
    header = (
        "# Published questionnaire versions: the SHA-256 of their content and of the record\n"
        "# of their spoken prompts (forms/media/<form>/<version>/prompts.yaml). A published\n"
        "# version never changes; `hearing forms check` compares each file.\n"
    )
    body = yaml.safe_dump(dict(sorted(registry.items())), sort_keys=False)
    (forms_dir() / PUBLISHED_REGISTRY).write_text(header + body, encoding="utf-8")
    return added


def generate_prompts() -> dict[str, object]:
    """``hearing forms prompts --generate``: placeholders for every form version."""
    registry = published_registry()
    done: dict[str, object] = {}
    for form_id, version in available_forms():
        form = load_form(form_id, version)
        pinned = "prompts" in registry.get(form.key, {})
        done[form.key] = generate_placeholders(form, published=pinned)
    return done


__all__ = [
    "KIOSK_LANGUAGES",
    "NotPublishable",
    "Report",
    "check_forms",
    "generate_prompts",
    "publish",
]
