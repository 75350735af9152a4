"""Write docs/cli.md from the real --help texts.  python docs/gen_cli.py"""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from collabsheet.cli import cli

COMMANDS = ["validate", "grant", "rank", "run", "close", "init", "report", "notify", "demo",
            "rules"]


def reference() -> str:
    runner = CliRunner()
    parts = ["# collabsheet command reference", "",
             "Generated from the real `--help` texts by `python docs/gen_cli.py`; a test fails "
             "when they drift apart.", ""]
    for args in ([], *([c] for c in COMMANDS)):
        result = runner.invoke(cli, [*args, "--help"], prog_name="collabsheet",
                               terminal_width=100)
        title = "collabsheet " + " ".join(args) if args else "collabsheet"
        parts += [f"## {title}", "", "```", result.output.rstrip(), "```", ""]
    return "\n".join(parts)


if __name__ == "__main__":
    Path(__file__).with_name("cli.md").write_text(reference(), encoding="utf-8")
