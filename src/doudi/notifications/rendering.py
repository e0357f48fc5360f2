"""Load the message templates and render one in a recipient's language.

Plain Python: the templates are data in message_templates.yaml.
"""

from __future__ import annotations

import functools
import string
from dataclasses import dataclass
from pathlib import Path

import yaml

TEMPLATE_FILE = Path(__file__).with_name("message_templates.yaml")
LANGUAGES = ("zh-hans", "en")


class TemplateError(ValueError):
    """A template name, language or context that cannot be rendered."""


@dataclass(frozen=True)
class Template:
    name: str
    urgent: bool
    inbox: bool
    placeholders: tuple[str, ...]
    wechat_template_id: str
    texts: dict[str, dict[str, str]]


@dataclass(frozen=True)
class Rendered:
    """A template filled in for one recipient, in one language."""

    template: Template
    language: str
    subject: str
    body: str
    params: dict[str, str]

    @property
    def sms_template_code(self) -> str:
        return self.template.texts[self.language]["sms_template_code"]


def _parse(name: str, entry: dict[str, object]) -> Template:
    texts = {language: dict(entry[language]) for language in LANGUAGES}  # type: ignore[call-overload]
    return Template(
        name=name,
        urgent=bool(entry["urgent"]),
        inbox=bool(entry["inbox"]),
        placeholders=tuple(entry["placeholders"]),  # type: ignore[arg-type]
        wechat_template_id=str(entry["wechat_template_id"]),
        texts=texts,
    )


@functools.cache
def templates() -> dict[str, Template]:
    data = yaml.safe_load(TEMPLATE_FILE.read_text(encoding="utf-8"))
    return {name: _parse(name, entry) for name, entry in data.items()}


def get_template(name: str) -> Template:
    try:
        return templates()[name]
    except KeyError:
        known = ", ".join(sorted(templates()))
        raise TemplateError(
            f"unknown notification template {name!r}: use one of {known}"
        ) from None


def _check_context(template: Template, context: dict[str, str]) -> None:
    missing = [name for name in template.placeholders if name not in context]
    if missing:
        raise TemplateError(
            f"template {template.name!r} is missing context "
            f"{', '.join(missing)}: pass every placeholder as a string"
        )
    for name, value in context.items():
        if not isinstance(value, str):
            raise TemplateError(
                f"context {name!r} of template {template.name!r} is "
                f"{type(value).__name__}: pass a string"
            )


def _fill(text: str, context: dict[str, str]) -> str:
    # Only named fields: a context value is inserted as text, never formatted.
    fields = [field for _, field, _, _ in string.Formatter().parse(text) if field]
    return text.format_map({field: context[field] for field in fields})


def render(name: str, language: str, context: dict[str, str]) -> Rendered:
    """Fill template `name` in `language` (zh-hans or en) with `context`."""
    template = get_template(name)
    if language not in LANGUAGES:
        raise TemplateError(
            f"unknown language {language!r}: use one of {', '.join(LANGUAGES)}"
        )
    _check_context(template, context)
    params = {name: context[name] for name in template.placeholders}
    text = template.texts[language]
    return Rendered(
        template=template,
        language=language,
        subject=_fill(text["subject"], params),
        body=_fill(text["body"], params),
        params=params,
    )
