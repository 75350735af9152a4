"""Render the People and Commendations tabs, as collabsheet writes them for the demo office, to
PNG (docs/*.png). Needs LibreOffice (soffice) and poppler (pdftoppm):

    python docs/make_pictures.py
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import openpyxl

from collabsheet import api, render
from collabsheet.sources.package import replace_tabs

HERE = Path(__file__).resolve().parent


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        demo = work / api.DEMO_NAME
        res = api.demo(demo).results
        day = api.DEMO_AS_OF
        for tab, name in ((render.people_tab(res, "en", day), "people-tab"),
                          (render.commendations_tab(res, "en", day), "commendations-tab")):
            book = work / f"{name}.xlsx"
            wb = openpyxl.Workbook()
            wb.active.title = "empty"
            wb.save(book)
            replace_tabs(book, [tab])  # the very writer `rank --write` uses
            subprocess.run(["soffice", "--headless", "--norestore", "--convert-to", "pdf",
                            "--outdir", str(work), str(book)], check=True, capture_output=True)
            subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile",
                            str(work / f"{name}.pdf"), str(work / name)], check=True)
            shutil.copyfile(work / f"{name}.png", HERE / f"{name}.png")
            print(HERE / f"{name}.png")


if __name__ == "__main__":
    main()
