"""The household's declaration on applying: income by kind, assets, situation.

The declaration is stored on the case as encrypted JSON. Money is integer
fen: income per month, assets as value on the day of the application.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from doudi.registry.choices import AssetKind, IncomeKind

# A declared figure above this is a typing error (a billion yuan).
MAX_FEN = 100_000_000_000
MAX_SITUATION_CHARACTERS = 4000


@dataclass(frozen=True)
class DeclaredIncome:
    kind: str
    amount_fen: int
    # The member who earns it; None where the household declared a total.
    person_id: int | None = None


@dataclass(frozen=True)
class DeclaredAsset:
    kind: str
    value_fen: int
    count: int = 1


@dataclass(frozen=True)
class Declaration:
    incomes: tuple[DeclaredIncome, ...] = ()
    assets: tuple[DeclaredAsset, ...] = ()
    # The members' situation in the household's words: illness, disability,
    # work, schooling, care needs.
    situation: str = ""

    @property
    def monthly_income_fen(self) -> int:
        return sum(item.amount_fen for item in self.incomes)

    @property
    def assets_fen(self) -> int:
        return sum(item.value_fen for item in self.assets)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str | None) -> Declaration:
        if not text:
            return cls()
        data = json.loads(text)
        return cls(
            incomes=tuple(DeclaredIncome(**item) for item in data.get("incomes", [])),
            assets=tuple(DeclaredAsset(**item) for item in data.get("assets", [])),
            situation=str(data.get("situation", "")),
        )


def validate(declaration: Declaration, member_ids: Iterable[int]) -> None:
    """Raise ValidationError naming the first declared value that is invalid."""
    members = set(member_ids)
    for income in declaration.incomes:
        if income.kind not in IncomeKind.values:
            raise ValidationError(
                _("%(kind)s is not a kind of income; use one of: %(allowed)s.")
                % {"kind": income.kind, "allowed": ", ".join(IncomeKind.values)}
            )
        _check_fen(income.amount_fen, str(IncomeKind(income.kind).label))
        if income.person_id is not None and income.person_id not in members:
            raise ValidationError(
                _(
                    "Person %(person)s is not a member of this household: choose a "
                    "current member for the income “%(kind)s”."
                )
                % {"person": income.person_id, "kind": IncomeKind(income.kind).label}
            )
    for asset in declaration.assets:
        if asset.kind not in AssetKind.values:
            raise ValidationError(
                _("%(kind)s is not a kind of asset; use one of: %(allowed)s.")
                % {"kind": asset.kind, "allowed": ", ".join(AssetKind.values)}
            )
        label = str(AssetKind(asset.kind).label)
        _check_fen(asset.value_fen, label)
        if asset.count < 1:
            raise ValidationError(
                _("The number of “%(kind)s” is %(count)s; enter 1 or more.")
                % {"kind": label, "count": asset.count}
            )
    if len(declaration.situation) > MAX_SITUATION_CHARACTERS:
        raise ValidationError(
            _("The situation has %(count)d characters; shorten it to %(limit)d.")
            % {
                "count": len(declaration.situation),
                "limit": MAX_SITUATION_CHARACTERS,
            }
        )


def _check_fen(amount: object, kind: str) -> None:
    # `kind` is the translated label of the income or asset kind.
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise ValidationError(
            _("The amount %(value)r of “%(kind)s” is not a whole number of fen.")
            % {"kind": kind, "value": amount}
        )
    if not 0 <= amount <= MAX_FEN:
        raise ValidationError(
            _(
                "The amount %(value)s fen of “%(kind)s” is out of range: enter 0 "
                "to %(max)s."
            )
            % {"kind": kind, "value": amount, "max": MAX_FEN}
        )
