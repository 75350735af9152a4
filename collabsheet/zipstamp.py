"""Workbooks collabsheet generates (templates, the example office) made byte-identical from run
to run: every zip entry's time and the document's modified time pinned to one date."""

from __future__ import annotations

import io
import re
import zipfile


def pinned(xlsx: bytes, stamp: tuple[int, int, int]) -> bytes:
    """The same package with every zip time and the document's modified time set to ``stamp``,
    so that generated workbooks are byte-identical from run to run."""
    year, month, day = stamp
    src = zipfile.ZipFile(io.BytesIO(xlsx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*",
                              rb"\g<1>" + f"{year:04d}-{month:02d}-{day:02d}T00:00:00Z".encode(),
                              data)
            entry = zipfile.ZipInfo(info.filename, (year, month, day, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(entry, data)
    return out.getvalue()
