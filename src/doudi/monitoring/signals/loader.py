"""Read a city's signal file, rejecting a malformed definition with its line.

The file is parsed with `yaml.compose`, so that every error names the line of
the value that is wrong. No Django import: the scan benchmark and the tests
load files directly.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Final

import yaml

from doudi.monitoring.signals.model import (
    CheckDefinition,
    FactFilter,
    FactSource,
    LimitUnit,
    ResponseLimit,
    Rule,
    RuleType,
    SignalDefinition,
    SignalSet,
    Window,
    WindowUnit,
)

CATEGORIES: Final = frozenset(
    {
        "illness",
        "disability",
        "schooling",
        "unemployment",
        "spending",
        "income",
        "bereavement",
        "ageing",
        "isolation",
        "benefit",
        "missed_assistance",
        "exit_check",
    }
)
LANGUAGES: Final = ("zh", "en")
CODE_PATTERN: Final = re.compile(r"[a-z][a-z0-9_]{0,63}")
# Warning.risk_score and SignalWeight.weight hold 2 decimal places.
MAX_WEIGHT: Final = Decimal("9999.99")
# A window longer than ten years would read the whole fact history.
MAX_WINDOW_DAYS: Final = {
    WindowUnit.DAYS: 3660,
    WindowUnit.WEEKS: 523,
    WindowUnit.MONTHS: 120,
}
MAX_LIMIT: Final = 365
CHECK_KINDS: Final = ("missed", "exit")

FILE_KEYS: Final = {"version", "warn_at", "respond_within", "schemes", "checks"}
SIGNAL_KEYS: Final = {
    "code",
    "weight",
    "category",
    "validity",
    "reason",
    "rule",
    "respond_within",
}
FILTER_KEYS: Final = {
    "source",
    "kind",
    "item",
    "codes",
    "min_grade",
    "max_grade",
    "min_quantity",
    "max_quantity",
    "min_amount_yuan",
}
# The keys each rule type accepts beside `type`, and those it requires.
RULE_KEYS: Final[Mapping[RuleType, tuple[set[str], set[str]]]] = {
    RuleType.NEW_FACT: ({"facts", "min_age", "max_age"}, {"facts"}),
    RuleType.DEATH: ({"facts", "min_age", "max_age", "main_earner"}, {"facts"}),
    RuleType.FACT_ENDED: ({"facts"}, {"facts"}),
    RuleType.SPENDING_SHARE: (
        {"facts", "min_share", "min_amount_yuan"},
        {"facts", "min_share"},
    ),
    RuleType.INCOME_DROP: ({"min_share"}, {"min_share"}),
    RuleType.TURNING_AGE: ({"age"}, {"age"}),
    RuleType.ALONE_WITHOUT_CONTACT: ({"facts", "min_age"}, {"facts"}),
    RuleType.INCOME_BELOW: (
        {"max_per_capita_yuan", "max_financial_assets_per_capita_yuan", "hukou"},
        {"max_per_capita_yuan"},
    ),
}
HUKOU_TYPES: Final = ("local", "elsewhere")


class SignalFileError(ValueError):
    """A signal file that cannot be used, with the line of the problem."""

    def __init__(self, source: str, line: int | None, problem: str) -> None:
        self.source, self.line, self.problem = source, line, problem
        where = f"{source}, line {line}" if line else source
        super().__init__(f"{where}: {problem}")


def load_signals(path: Path, *, allowed_exchange_kinds: Collection[str]) -> SignalSet:
    """Load the signal file at `path`; raise SignalFileError if it is malformed.

    A rule may read department facts only of `allowed_exchange_kinds`, the
    kinds that may be used without the household's authorisation.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise SignalFileError(
            str(path), None, f"invalid UTF-8 ({error}). Save the file as UTF-8."
        ) from error
    return parse_signals(
        text, source=str(path), allowed_exchange_kinds=allowed_exchange_kinds
    )


def parse_signals(
    text: str, *, source: str, allowed_exchange_kinds: Collection[str]
) -> SignalSet:
    """Parse signal definitions from YAML text; `source` names it in errors."""
    reader = _Reader(source, frozenset(allowed_exchange_kinds))
    return reader.file(reader.compose(text))


Items = dict[str, tuple[yaml.Node, yaml.Node]]


class _Reader:
    def __init__(self, source: str, allowed_kinds: frozenset[str]) -> None:
        self.source = source
        self.allowed_kinds = allowed_kinds

    def error(self, node: yaml.Node, problem: str) -> SignalFileError:
        return SignalFileError(self.source, node.start_mark.line + 1, problem)

    def compose(self, text: str) -> yaml.Node:
        try:
            root = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            line = mark.line + 1 if mark is not None else None
            raise SignalFileError(
                self.source, line, f"invalid YAML: {error.problem}. Fix the syntax."
            ) from error
        except yaml.YAMLError as error:
            raise SignalFileError(
                self.source, None, f"invalid YAML: {error}. Fix the syntax."
            ) from error
        if root is None:
            raise SignalFileError(
                self.source, 1, "the file is empty. It needs a 'signals:' list."
            )
        return root

    # --- The file ------------------------------------------------------------

    def file(self, root: yaml.Node) -> SignalSet:
        items = self.mapping(root, "the signal file")
        self.check_keys(root, items, FILE_KEYS | {"signals"}, {"signals"}, "the file")
        if "version" in items and self.integer(items["version"][1], "version") != 1:
            raise self.error(items["version"][1], "version must be 1.")
        warn_at = Decimal(0)
        if "warn_at" in items:
            warn_at = self.weight(items["warn_at"][1], "warn_at")
        respond = ResponseLimit(5, LimitUnit.WORKING_DAYS)
        if "respond_within" in items:
            respond = self.limit(items["respond_within"][1])
        signals = self.signals(items["signals"][1])
        checks: tuple[CheckDefinition, ...] = ()
        if "checks" in items:
            labels = self.scheme_labels(items, root)
            checks = self.checks(items["checks"][1], labels, {s.code for s in signals})
        return SignalSet(
            signals=signals,
            checks=checks,
            warn_at=warn_at,
            respond_within=respond,
            source=self.source,
        )

    def signals(self, node: yaml.Node) -> tuple[SignalDefinition, ...]:
        if not isinstance(node, yaml.SequenceNode) or not node.value:
            raise self.error(node, "'signals' must be a non-empty list of signals.")
        seen: dict[str, int] = {}
        result = []
        for item in node.value:
            signal = self.signal(item)
            if signal.code in seen:
                raise self.error(
                    item,
                    f"signal code {signal.code!r} is already defined on line "
                    f"{seen[signal.code]}. Give each signal its own code.",
                )
            seen[signal.code] = signal.line
            result.append(signal)
        return tuple(result)

    def signal(self, node: yaml.Node) -> SignalDefinition:
        items = self.mapping(node, "a signal")
        required = SIGNAL_KEYS - {"respond_within"}
        self.check_keys(node, items, SIGNAL_KEYS, required, "a signal")
        code_node = items["code"][1]
        code = self.text(code_node, "code")
        if not CODE_PATTERN.fullmatch(code):
            raise self.error(
                code_node,
                f"signal code {code!r} is invalid. Use lower-case letters, digits "
                "and underscores, starting with a letter, at most 64 characters.",
            )
        return SignalDefinition(
            code=code,
            weight=self.weight(items["weight"][1], "weight"),
            category=self.category(items["category"][1]),
            validity=self.window(items["validity"][1]),
            reasons=self.reasons(items["reason"][1]),
            rule=self.rule(items["rule"][1]),
            respond_within=(
                self.limit(items["respond_within"][1])
                if "respond_within" in items
                else None
            ),
            line=node.start_mark.line + 1,
        )

    # --- Checks --------------------------------------------------------------

    def scheme_labels(self, items: Items, root: yaml.Node) -> dict[str, dict[str, str]]:
        if "schemes" not in items:
            raise self.error(
                root, "'checks' needs 'schemes:' with each scheme's name in zh and en."
            )
        node = items["schemes"][1]
        return {
            scheme: self.reasons(value)
            for scheme, (_, value) in self.mapping(node, "schemes").items()
        }

    def checks(
        self,
        node: yaml.Node,
        labels: Mapping[str, Mapping[str, str]],
        signal_codes: set[str],
    ) -> tuple[CheckDefinition, ...]:
        items = self.mapping(node, "checks")
        self.check_keys(node, items, set(CHECK_KINDS), set(), "checks")
        result = []
        for kind, (_, value) in items.items():
            result.extend(self.check(kind, value, labels))
        return tuple(result)

    def check(
        self, kind: str, node: yaml.Node, labels: Mapping[str, Mapping[str, str]]
    ) -> list[CheckDefinition]:
        keys = {"schemes", "weight", "category", "reason", "respond_within"}
        items = self.mapping(node, f"the {kind} check")
        self.check_keys(node, items, keys, keys - {"respond_within"}, f"'{kind}'")
        reasons = self.reasons(items["reason"][1])
        for lang, text in reasons.items():
            if "{scheme}" not in text:
                raise self.error(
                    items["reason"][1],
                    f"the {lang} reason of the {kind} check has no '{{scheme}}' "
                    "placeholder. Add it where the scheme's name belongs.",
                )
        limit = None
        if "respond_within" in items:
            limit = self.limit(items["respond_within"][1])
        weight = self.weight(items["weight"][1], "weight")
        category = self.category(items["category"][1])
        definitions = []
        for scheme_node in self.sequence(items["schemes"][1], "schemes"):
            scheme = self.text(scheme_node, "scheme")
            if scheme not in labels:
                raise self.error(
                    scheme_node,
                    f"scheme {scheme!r} has no name under 'schemes:'. Add it there.",
                )
            texts = {
                lang: text.replace("{scheme}", labels[scheme][lang])
                for lang, text in reasons.items()
            }
            definitions.append(
                CheckDefinition(
                    code=f"{kind}:{scheme}",
                    kind=kind,
                    scheme=scheme,
                    weight=weight,
                    category=category,
                    reasons=texts,
                    respond_within=limit,
                )
            )
        return definitions

    # --- Rules ---------------------------------------------------------------

    def rule(self, node: yaml.Node) -> Rule:
        items = self.mapping(node, "a rule")
        if "type" not in items:
            raise self.error(node, "the rule has no 'type'. Add one of: " + _names())
        type_node = items.pop("type")[1]
        name = self.text(type_node, "type")
        try:
            rule_type = RuleType(name)
        except ValueError:
            raise self.error(
                type_node, f"rule type {name!r} is unknown. Use one of: {_names()}."
            ) from None
        allowed, required = RULE_KEYS[rule_type]
        self.check_keys(node, items, allowed, required, f"the {name} rule")
        return Rule(
            type=rule_type,
            facts=self.filters(items["facts"][1]) if "facts" in items else (),
            min_age=self.optional_age(items, "min_age"),
            max_age=self.optional_age(items, "max_age"),
            age=self.optional_age(items, "age"),
            main_earner=self.flag(items, "main_earner"),
            min_share=self.optional_share(items),
            min_amount_fen=self.optional_fen(items, "min_amount_yuan"),
            max_per_capita_fen=self.optional_fen(items, "max_per_capita_yuan"),
            max_assets_per_capita_fen=self.optional_fen(
                items, "max_financial_assets_per_capita_yuan"
            ),
            hukou=self.optional_hukou(items),
        )

    def optional_hukou(self, items: Items) -> str | None:
        if "hukou" not in items:
            return None
        node = items["hukou"][1]
        value = self.text(node, "hukou")
        if value not in HUKOU_TYPES:
            raise self.error(
                node, f"hukou {value!r} is unknown. Use local or elsewhere."
            )
        return value

    def filters(self, node: yaml.Node) -> tuple[FactFilter, ...]:
        result = tuple(self.filter(item) for item in self.sequence(node, "facts"))
        if not result:
            raise self.error(node, "'facts' is empty. List at least one kind of fact.")
        return result

    def filter(self, node: yaml.Node) -> FactFilter:
        items = self.mapping(node, "a fact filter")
        self.check_keys(node, items, FILTER_KEYS, {"source", "kind"}, "a fact filter")
        source_node = items["source"][1]
        source_name = self.text(source_node, "source")
        if source_name not in {member.value for member in FactSource}:
            raise self.error(
                source_node,
                f"fact source {source_name!r} is unknown. Use registry or exchange.",
            )
        source = FactSource(source_name)
        kind_node = items["kind"][1]
        kind = self.text(kind_node, "kind")
        if source == FactSource.EXCHANGE and kind not in self.allowed_kinds:
            raise self.error(
                kind_node,
                f"department records of kind {kind!r} need the household's "
                "authorisation and cannot be used for monitoring. Use one of: "
                + ", ".join(sorted(self.allowed_kinds))
                + ".",
            )
        codes: tuple[str, ...] = ()
        if "codes" in items:
            codes = tuple(
                self.text(code, "code")
                for code in self.sequence(items["codes"][1], "codes")
            )
        return FactFilter(
            source=source,
            kind=kind,
            item=self.text(items["item"][1], "item") if "item" in items else "",
            codes=codes,
            min_grade=self.optional_int(items, "min_grade", 1, 4),
            max_grade=self.optional_int(items, "max_grade", 1, 4),
            min_quantity=self.optional_decimal(items, "min_quantity"),
            max_quantity=self.optional_decimal(items, "max_quantity"),
            min_amount_fen=self.optional_fen(items, "min_amount_yuan"),
        )

    # --- Values --------------------------------------------------------------

    def weight(self, node: yaml.Node, field: str) -> Decimal:
        value = self.decimal(node, field)
        if value < 0 or value > MAX_WEIGHT or value != round(value, 2):
            raise self.error(
                node,
                f"{field} {value} is out of range. Use a number from 0 to "
                f"{MAX_WEIGHT} with at most 2 decimal places.",
            )
        return value

    def category(self, node: yaml.Node) -> str:
        value = self.text(node, "category")
        if value not in CATEGORIES:
            raise self.error(
                node,
                f"monitoring category {value!r} is unknown. Use one of: "
                + ", ".join(sorted(CATEGORIES))
                + ".",
            )
        return value

    def window(self, node: yaml.Node) -> Window:
        amount, unit = self.amount_and_unit(node, "validity", WindowUnit)
        limit = MAX_WINDOW_DAYS[WindowUnit(unit)]
        if not 1 <= amount <= limit:
            raise self.error(
                node,
                f"validity {amount} {unit} is out of range. Use 1 to {limit} {unit}.",
            )
        return Window(amount, WindowUnit(unit))

    def limit(self, node: yaml.Node) -> ResponseLimit:
        amount, unit = self.amount_and_unit(node, "respond_within", LimitUnit)
        if not 1 <= amount <= MAX_LIMIT:
            raise self.error(
                node,
                f"respond_within {amount} {unit} is out of range. "
                f"Use 1 to {MAX_LIMIT} {unit}.",
            )
        return ResponseLimit(amount, LimitUnit(unit))

    def amount_and_unit(
        self, node: yaml.Node, field: str, units: type[WindowUnit] | type[LimitUnit]
    ) -> tuple[int, str]:
        items = self.mapping(node, field)
        self.check_keys(node, items, {"amount", "unit"}, {"amount", "unit"}, field)
        unit_node = items["unit"][1]
        unit = self.text(unit_node, "unit")
        if unit not in {member.value for member in units}:
            raise self.error(
                unit_node,
                f"unit {unit!r} of {field} is unknown. Use one of: "
                + ", ".join(member.value for member in units)
                + ".",
            )
        return self.integer(items["amount"][1], f"{field} amount"), unit

    def reasons(self, node: yaml.Node) -> dict[str, str]:
        items = self.mapping(node, "reason")
        self.check_keys(node, items, set(LANGUAGES), set(LANGUAGES), "reason")
        return {lang: self.text(items[lang][1], f"reason {lang}") for lang in LANGUAGES}

    def optional_age(self, items: Items, key: str) -> int | None:
        return self.optional_int(items, key, 0, 120)

    def optional_int(self, items: Items, key: str, low: int, high: int) -> int | None:
        if key not in items:
            return None
        node = items[key][1]
        value = self.integer(node, key)
        if not low <= value <= high:
            raise self.error(node, f"{key} {value} is out of range. Use {low}-{high}.")
        return value

    def optional_share(self, items: Items) -> Decimal | None:
        if "min_share" not in items:
            return None
        node = items["min_share"][1]
        value = self.decimal(node, "min_share")
        if not 0 < value <= 100:
            raise self.error(
                node,
                f"min_share {value} is out of range. Use a share above 0, "
                "such as 0.3 for 30 %.",
            )
        return value

    def optional_decimal(self, items: Items, key: str) -> Decimal | None:
        if key not in items:
            return None
        node = items[key][1]
        value = self.decimal(node, key)
        if value < 0:
            raise self.error(node, f"{key} {value} is negative. Use 0 or more.")
        return value

    def optional_fen(self, items: Items, key: str) -> int | None:
        value = self.optional_decimal(items, key)
        if value is None:
            return None
        if value != round(value, 2):
            raise self.error(
                items[key][1], f"{key} {value} has more than 2 decimal places."
            )
        return int(value * 100)

    def flag(self, items: Items, key: str) -> bool:
        if key not in items:
            return False
        node = items[key][1]
        if not isinstance(node, yaml.ScalarNode) or node.value not in {
            "true",
            "false",
        }:
            raise self.error(node, f"{key} must be true or false.")
        return bool(node.value == "true")

    def decimal(self, node: yaml.Node, field: str) -> Decimal:
        if not isinstance(node, yaml.ScalarNode) or node.style is not None:
            raise self.error(node, f"{field} must be a number, not quoted text.")
        try:
            value = Decimal(node.value)
        except InvalidOperation:
            raise self.error(
                node, f"{field} {node.value!r} is not a number. Write it as 1.5."
            ) from None
        if not value.is_finite():
            raise self.error(node, f"{field} {node.value!r} is not a finite number.")
        return value

    def integer(self, node: yaml.Node, field: str) -> int:
        value = self.decimal(node, field)
        if value != value.to_integral_value():
            raise self.error(node, f"{field} {value} is not a whole number.")
        return int(value)

    def text(self, node: yaml.Node, field: str) -> str:
        if not isinstance(node, yaml.ScalarNode) or not str(node.value).strip():
            raise self.error(node, f"{field} must be non-empty text.")
        return str(node.value).strip()

    def sequence(self, node: yaml.Node, field: str) -> list[yaml.Node]:
        if not isinstance(node, yaml.SequenceNode):
            raise self.error(node, f"{field} must be a list.")
        return list(node.value)

    def mapping(self, node: yaml.Node, what: str) -> Items:
        if not isinstance(node, yaml.MappingNode):
            raise self.error(node, f"{what} must be a mapping of keys to values.")
        items: Items = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in items:
                first = items[key][0].start_mark.line + 1
                raise self.error(
                    key_node, f"key {key!r} repeats the one on line {first}."
                )
            items[key] = (key_node, value_node)
        return items

    def check_keys(
        self,
        node: yaml.Node,
        items: Items,
        allowed: set[str] | frozenset[str],
        required: set[str] | frozenset[str],
        what: str,
    ) -> None:
        for key, (key_node, _) in items.items():
            if key not in allowed:
                raise self.error(
                    key_node,
                    f"key {key!r} is not allowed in {what}. Allowed: "
                    + ", ".join(sorted(allowed))
                    + ".",
                )
        missing = sorted(set(required) - set(items))
        if missing:
            raise self.error(node, f"{what} is missing: {', '.join(missing)}.")


def _names() -> str:
    return ", ".join(rule.value for rule in RuleType)
