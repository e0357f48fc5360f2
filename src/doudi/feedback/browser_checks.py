"""Checks of the resident pages in Chromium: WCAG 2.2 AA and elder mode.

axe-core runs only the rules tagged for WCAG 2.0, 2.1 and 2.2 levels A and
AA, with the target-size rule switched on, and every violation counts,
whatever its impact. Elder mode follows the MIIT age-friendly rules for
websites (2021): main text at least 18 pt (24 CSS px), headings at least
30 pt (40 CSS px), line spacing at least 1.3, targets at least 60 x 60 CSS
px. The checks look inside <main>, which is what these pages own.
"""

from __future__ import annotations

from typing import Any, Final

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, ViewportSize

WCAG_TAGS: Final = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_OPTIONS: Final[dict[str, Any]] = {
    "runOnly": {"type": "tag", "values": WCAG_TAGS},
    "rules": {"target-size": {"enabled": True}},
    "resultTypes": ["violations"],
}
ELDER_TEXT_PX: Final = 24
ELDER_HEADING_PX: Final = 40
ELDER_LINE_SPACING: Final = 1.3
ELDER_TARGET_PX: Final = 60
PHONE: Final[ViewportSize] = {"width": 390, "height": 844}

# Runs in the page; returns one line per element that breaks an elder rule.
_ELDER_SCRIPT: Final = """
([textPx, headingPx, spacing, targetPx]) => {
  const problems = [];
  const main = document.querySelector("main");
  const describe = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
    + (el.className ? "." + String(el.className).replace(/ /g, ".") : "")
    + " «" + (el.textContent || el.value || "").trim().slice(0, 30) + "»";
  const visible = (el) => {
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.height > 0;
  };
  for (const el of main.querySelectorAll("p, li, label, legend, td, th, dd, dt")) {
    if (!visible(el) || !el.textContent.trim()) continue;
    const style = getComputedStyle(el);
    const size = parseFloat(style.fontSize);
    if (size < textPx) problems.push("text " + size + "px: " + describe(el));
    const line = parseFloat(style.lineHeight);
    if (!isNaN(line) && line < spacing * size - 0.01) {
      problems.push("line height " + line + "px: " + describe(el));
    }
  }
  for (const el of main.querySelectorAll("h1, h2, h3, h4, h5, h6")) {
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (size < headingPx) problems.push("heading " + size + "px: " + describe(el));
  }
  const targets = main.querySelectorAll(
    "a[href], button, select, textarea, label.choice, "
    + "input:not([type=hidden]):not([type=radio]):not([type=checkbox])"
  );
  for (const el of targets) {
    if (!visible(el)) continue;
    const box = el.getBoundingClientRect();
    if (box.width < targetPx - 0.5 || box.height < targetPx - 0.5) {
      problems.push("target " + Math.round(box.width) + "x" + Math.round(box.height)
        + ": " + describe(el));
    }
  }
  const popups = "a[target=_blank], dialog, [role=dialog]";
  for (const el of document.querySelectorAll(popups)) {
    problems.push("pop-up: " + describe(el));
  }
  return problems;
}
"""


def wcag_violations(page: Page) -> list[str]:
    """Return axe-core's WCAG 2.2 A and AA violations on the page, of any impact."""
    results = Axe().run(page, options=AXE_OPTIONS)
    return [
        f"{violation['id']} ({violation['impact']}): "
        + ", ".join(str(node["target"]) for node in violation["nodes"])
        for violation in results.response["violations"]
    ]


def elder_problems(page: Page) -> list[str]:
    """Return the elements of <main> that break an elder-mode rule."""
    limits = [ELDER_TEXT_PX, ELDER_HEADING_PX, ELDER_LINE_SPACING, ELDER_TARGET_PX]
    problems: list[str] = page.evaluate(_ELDER_SCRIPT, limits)
    return problems


def set_elder_mode(page: Page, base_url: str, enabled: bool) -> None:
    page.context.add_cookies(
        [
            {
                "name": "doudi_elder_mode",
                "value": "1" if enabled else "0",
                "url": base_url,
            }
        ]
    )
