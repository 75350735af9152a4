"""Write the rule table of docs/rules.md from the catalogue.  python docs/gen_rules.py"""

from __future__ import annotations

import re
from pathlib import Path

from collabsheet.output import rules_markdown

PAGE = Path(__file__).with_name("rules.md")
_BLOCK = re.compile(r"(<!-- catalogue -->\n).*?(<!-- /catalogue -->)", re.S)


def page(text: str) -> str:
    """``text`` with its catalogue block made from the declarations."""
    return _BLOCK.sub(lambda m: m.group(1) + rules_markdown() + "\n" + m.group(2), text)


if __name__ == "__main__":
    PAGE.write_text(page(PAGE.read_text(encoding="utf-8")), encoding="utf-8")
