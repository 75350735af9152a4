"""Printing the HTML report to PDF (and a PNG of its first page) with a headless Chromium.

Chromium is not a Python package: it is looked for on the PATH (or COLLABSHEET_BROWSER), and
without one the caller says exactly what to install. The browser runs with a throwaway
profile and no network, on a copy of the page in a temporary folder.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from .errors import SourceError
from .phrases import said
from .sources.filesafe import write_whole

NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
TIMEOUT = 120


def find() -> str | None:
    chosen = os.environ.get("COLLABSHEET_BROWSER")
    if chosen:
        return shutil.which(chosen) or (chosen if Path(chosen).is_file() else None)
    return next((found for name in NAMES if (found := shutil.which(name))), None)


def _run(browser: str, args: list[str], page: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="collabsheet-browser-") as profile:
        cmd = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
               "--disable-extensions", "--disable-dev-shm-usage", "--hide-scrollbars",
               "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
               f"--user-data-dir={profile}", *args, page.resolve().as_uri()]
        try:
            done = subprocess.run(cmd, capture_output=True, timeout=TIMEOUT,
                                  stdin=subprocess.DEVNULL)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise SourceError(said("browser_failed", browser=browser,
                                   why=type(exc).__name__)) from None
        if done.returncode != 0:
            lines = done.stderr.decode("utf-8", "replace").strip().splitlines()
            raise SourceError(said("browser_failed", browser=browser,
                                   why=(lines[-1] if lines else f"exit {done.returncode}")[:160]))


def _browser() -> str:
    found = find()
    if found is None:
        raise SourceError(said("no_browser"))
    return found


def print_pdf(html: str, pdf: Path) -> None:
    """``html`` printed to ``pdf`` on A4 as the page's print CSS lays it out; ``pdf`` is
    replaced only once the browser has written it whole."""
    browser = _browser()
    with tempfile.TemporaryDirectory(prefix="collabsheet-print-") as tmp:
        page, out = Path(tmp) / "report.html", Path(tmp) / "report.pdf"
        page.write_text(html, encoding="utf-8")
        _run(browser, ["--no-pdf-header-footer", f"--print-to-pdf={out}"], page)
        if not out.exists() or out.stat().st_size == 0:
            raise SourceError(said("browser_failed", browser=browser, why="no PDF"))
        write_whole(pdf, out.read_bytes())


def screenshot(html: str, png: Path, width: int = 900, height: int = 1270) -> None:
    """The top of the page as a PNG (README's picture)."""
    browser = _browser()
    with tempfile.TemporaryDirectory(prefix="collabsheet-shot-") as tmp:
        page, out = Path(tmp) / "report.html", Path(tmp) / "shot.png"
        page.write_text(html, encoding="utf-8")
        _run(browser, [f"--screenshot={out}", f"--window-size={width},{height}"], page)
        write_whole(png, out.read_bytes())
