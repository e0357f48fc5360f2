"""The payee account of an award: holder's name and account number together."""

from __future__ import annotations

import json
from dataclasses import dataclass


@dataclass(frozen=True)
class Payee:
    holder: str
    number: str

    def encode(self) -> str:
        """Return the JSON text that `Award.payee` stores (encrypted)."""
        return json.dumps(
            {"holder": self.holder, "number": self.number},
            ensure_ascii=False,
            sort_keys=True,
        )

    @classmethod
    def decode(cls, text: str) -> Payee:
        data = json.loads(text)
        return cls(holder=str(data["holder"]), number=str(data["number"]))
