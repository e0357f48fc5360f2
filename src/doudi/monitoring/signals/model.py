"""Signal definitions as loaded from a city's YAML file (no Django import)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal


class WindowUnit(enum.StrEnum):
    DAYS = "days"
    WEEKS = "weeks"
    MONTHS = "months"


class LimitUnit(enum.StrEnum):
    DAYS = "days"
    WORKING_DAYS = "working_days"


class RuleType(enum.StrEnum):
    """The computation that turns facts into a signal, one function per type."""

    NEW_FACT = "new_fact"
    DEATH = "death"
    FACT_ENDED = "fact_ended"
    SPENDING_SHARE = "spending_share"
    INCOME_DROP = "income_drop"
    TURNING_AGE = "turning_age"
    ALONE_WITHOUT_CONTACT = "alone_without_contact"
    INCOME_BELOW = "income_below"


class FactSource(enum.StrEnum):
    """The table a fact is stored in: the registry's PersonFact or an ExchangeFact."""

    REGISTRY = "registry"
    EXCHANGE = "exchange"


@dataclass(frozen=True)
class Window:
    """A length of time back from the scan day, in whole days, weeks or months."""

    amount: int
    unit: WindowUnit

    def start(self, day: date) -> date:
        """Return the first day inside the window that ends on `day`."""
        if self.unit == WindowUnit.DAYS:
            return day - timedelta(days=self.amount)
        if self.unit == WindowUnit.WEEKS:
            return day - timedelta(weeks=self.amount)
        return _months_before(day, self.amount)

    def end(self, start: date) -> date:
        """Return the last day of the window that starts on `start`."""
        if self.unit == WindowUnit.DAYS:
            return start + timedelta(days=self.amount)
        if self.unit == WindowUnit.WEEKS:
            return start + timedelta(weeks=self.amount)
        return _months_before(start, -self.amount)

    def months(self) -> Decimal:
        """Return the window's length in months (30.4375 days a month)."""
        if self.unit == WindowUnit.MONTHS:
            return Decimal(self.amount)
        days = self.amount * (7 if self.unit == WindowUnit.WEEKS else 1)
        return Decimal(days) / Decimal("30.4375")


def _months_before(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    # The 31st of a month minus one month is the last day of the shorter month.
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has 28 days")


@dataclass(frozen=True)
class ResponseLimit:
    """How long the community worker has to respond to a warning."""

    amount: int
    unit: LimitUnit


@dataclass(frozen=True)
class FactFilter:
    """The facts a rule reads: source, kind, item and value conditions.

    Money is in fen. `min_grade`/`max_grade` apply to the registry's grade,
    `min_quantity`/`max_quantity` to an exchange fact's quantity (a
    disability certificate's grade, months in arrears).
    """

    source: FactSource
    kind: str
    item: str = ""
    codes: tuple[str, ...] = ()
    min_grade: int | None = None
    max_grade: int | None = None
    min_quantity: Decimal | None = None
    max_quantity: Decimal | None = None
    min_amount_fen: int | None = None


@dataclass(frozen=True)
class Rule:
    """A rule's type and its parameters; unused parameters keep their defaults."""

    type: RuleType
    facts: tuple[FactFilter, ...] = ()
    min_age: int | None = None
    max_age: int | None = None
    age: int | None = None
    main_earner: bool = False
    min_share: Decimal | None = None
    min_amount_fen: int | None = None
    max_per_capita_fen: int | None = None
    max_assets_per_capita_fen: int | None = None
    hukou: str | None = None


@dataclass(frozen=True)
class SignalDefinition:
    """One signal: what fires it, its weight, reason, window and category.

    `validity` is how far back the triggering event may lie, and so how long a
    warning raised by it stays valid. `line` is where it is defined.
    """

    code: str
    weight: Decimal
    category: str
    validity: Window
    reasons: dict[str, str]
    rule: Rule
    respond_within: ResponseLimit | None = None
    line: int = 0

    def reason(self, lang: str) -> str:
        """Return the reason in `lang` ("zh" or "en"), or in Chinese."""
        base = lang.split("-")[0].lower()
        return self.reasons.get(base) or self.reasons["zh"]


@dataclass(frozen=True)
class CheckDefinition:
    """The missed-assistance or exit check for one scheme, as a reason code."""

    code: str
    kind: str
    scheme: str
    weight: Decimal
    category: str
    reasons: dict[str, str]
    respond_within: ResponseLimit | None = None

    def reason(self, lang: str) -> str:
        base = lang.split("-")[0].lower()
        return self.reasons.get(base) or self.reasons["zh"]


@dataclass(frozen=True)
class SignalSet:
    """A city's whole file: its signals, checks and shared settings."""

    signals: tuple[SignalDefinition, ...]
    checks: tuple[CheckDefinition, ...] = ()
    warn_at: Decimal = Decimal(0)
    respond_within: ResponseLimit = ResponseLimit(5, LimitUnit.WORKING_DAYS)
    source: str = ""
    by_code: dict[str, SignalDefinition] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        self.by_code.update({signal.code: signal for signal in self.signals})

    def max_window(self) -> Window:
        """Return the longest validity window, for how far back to read facts."""
        today = date(2000, 1, 1)
        return min(
            (signal.validity for signal in self.signals),
            key=lambda window: window.start(today),
            default=Window(0, WindowUnit.DAYS),
        )
