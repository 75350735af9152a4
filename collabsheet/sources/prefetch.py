"""The largest tab of a workbook parsed in other processes, started as early as possible.

calamine holds the GIL while it parses, so a thread would not overlap it; fresh Pythons that
import only fastexcel and pyarrow do, one slice of the tab's rows each (see ``partread``). The
command line starts them before it imports pandas (``start``); the .xlsx backend takes them
over (``take``) or starts its own. Only the standard library is imported here.

Nothing is left behind by a run that is killed: the readers end with the process that started
them (``partread.die_with_parent``), and their files are named ``collabsheet-<pid>-...``, so a
later read removes those of a process that is gone (``remove_stale``).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import weakref
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import LimitError, SourceError
from ..phrases import said
from .opc import Refused, check_sizes, sheet_parts
from .sheetscan import CELL_BUDGET, too_far

PARALLEL_BYTES = 32 << 20
SLICES = max(2, min(4, (os.cpu_count() or 2) - 1))

_ROOT = str(Path(__file__).resolve().parents[2])
_CHILD = ("import sys; sys.path.insert(0, sys.argv.pop(1)); "
          "from collabsheet.sources.partread import main; main(sys.argv[1:])")


class ChildRead:
    """One tab parsed by fastexcel in ``slices`` fresh Python processes, a slice of its rows
    each (see ``partread``), handed back as Arrow files and put together here."""

    def __init__(self, path: Path, title: str, slices: int | None = None):
        self.title = title
        slices = slices or SLICES
        self.files: list[Path] = []
        self.outs: list[Path] = []
        self.procs: list[subprocess.Popen[bytes]] = []
        remove_stale()
        for k in range(slices):
            xlsx, out = (self._temp(suffix) for suffix in (".xlsx", ".arrow"))
            self.outs.append(out)
            self.procs.append(subprocess.Popen(
                [sys.executable, "-c", _CHILD, _ROOT, str(os.getpid()), str(path), title,
                 str(k), str(slices), str(xlsx), str(out)],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL))
        self._finalizer = weakref.finalize(self, _stop, self.procs, self.files)

    def _temp(self, suffix: str) -> Path:
        fd, name = tempfile.mkstemp(prefix=f"collabsheet-{os.getpid()}-", suffix=suffix)
        os.close(fd)
        self.files.append(Path(name))
        return Path(name)

    def _answer(self, k: int, name: str) -> dict[str, Any]:
        stdout, stderr = self.procs[k].communicate()
        try:
            answer: dict[str, Any] = json.loads(stdout.decode("utf-8").strip().splitlines()[-1])
        except (ValueError, IndexError):
            detail = stderr.decode("utf-8", "replace").strip().splitlines()
            raise SourceError(said("tab_unreadable", path=name, tab=self.title,
                                   why=detail[-1] if detail else "the reader stopped")) from None
        if "error" in answer:
            raise SourceError(said("tab_unreadable", path=name, tab=self.title,
                                   why=short(RuntimeError(answer["error"]))))
        return answer

    def result(self, name: str) -> tuple[Any, list[tuple[int, int, str]], list[int],
                                         list[str], list[tuple[int, int]]] | None:
        """The tab as one record batch, its error cells, its absolute column indexes, its
        merged ranges and its formula cells without a saved value (0-based sheet row, column);
        None if the sheet could not be cut or its rows are out of order (read it whole
        instead)."""
        import pyarrow as pa

        answers = [self._answer(k, name) for k in range(len(self.procs))]
        refused = [a for a in answers if "refused" in a]
        if refused:
            raise LimitError(f"{name}: {self._refusal(answers, refused)}", tab=self.title)
        if any("unsplittable" in a for a in answers):
            return None
        parts = []
        for out, answer in zip(self.outs, answers, strict=True):
            with pa.OSFile(str(out), "rb") as f:
                table = pa.ipc.open_file(f).read_all()
            parts.append(Slice(table, answer["offset"], [int(i) for i in answer["indexes"]],
                               [(int(r), int(c), str(d)) for r, c, d in answer["errors"]]))
        unsaved = sorted((int(r), int(c)) for a in answers for r, c in a.get("unsaved", []))
        try:
            return (*Slices(parts, answers[-1]["merged"], self.title).joined(),
                    answers[-1]["merged"], unsaved)
        except Refused as exc:
            raise LimitError(f"{name}: {exc}", tab=self.title) from None
        except ValueError:
            return None

    def _refusal(self, answers: list[dict[str, Any]], refused: list[dict[str, Any]]) -> str:
        """A slice saw only its own rows: the tab's span is the farthest row of every slice
        and the farthest column of the refused ones."""
        extents = [a["extent"] for a in refused if a.get("extent")]
        if not extents:
            return str(refused[0]["refused"])
        lows = [(int(e[0]), e[3]) for e in extents] + [
            (int(a.get("rows") or 0), a.get("down")) for a in answers if "refused" not in a]
        rows, down = max(lows, key=lambda low: low[0])
        widest = max(extents, key=lambda e: int(e[1]))
        right = widest[2]
        got = too_far(self.title, rows, int(widest[1]),
                      (int(right[0]), int(right[1])) if right else None,
                      (int(down[0]), int(down[1])) if down else None)
        return str(got if got is not None else refused[0]["refused"])

    def close(self) -> None:
        self._finalizer()


@dataclass
class Slice:
    """One process's rows: ``offset`` is the sheet row (0-based) of its first row, None if it
    has none; ``indexes`` are its absolute column positions; ``errors`` (row, column, detail)
    are relative to it."""

    table: Any
    offset: int | None
    indexes: list[int]
    errors: list[tuple[int, int, str]]


@dataclass
class Slices:
    """Every slice of a tab in sheet order, and the tab's merged ranges (the last one's)."""

    parts: list[Slice]
    merged: list[str]
    title: str = ""

    def joined(self) -> tuple[Any, list[tuple[int, int, str]], list[int]]:
        """One record batch as fastexcel would give for the whole tab: the columns are the span
        of every slice's columns, and the rows of each slice start at its offset (the gaps are
        rows no slice has, so empty). Refused if the whole spans more than the cell budget
        (each slice kept to it on its own, but one slice's far column with another's far row
        would not be)."""
        import pyarrow as pa

        parts = [p for p in self.parts if p.offset is not None and p.table.num_rows]
        if not parts:
            return pa.RecordBatch.from_pylist([]), [], []
        lo = min(min(p.indexes) for p in parts)
        hi = max(max(p.indexes) for p in parts)
        refused = self._too_far(parts, hi)
        if refused is not None:
            raise refused
        columns: list[list[Any]] = [[] for _ in range(lo, hi + 1)]
        errors: list[tuple[int, int, str]] = []
        length = 0
        for p in parts:
            assert p.offset is not None
            if p.offset < length:
                raise ValueError("rows out of order")
            gap, length = p.offset - length, p.offset + p.table.num_rows
            where = {absolute: i for i, absolute in enumerate(p.indexes)}
            for j, col in enumerate(columns):
                if gap:
                    col.append(pa.nulls(gap, pa.string()))
                i = where.get(lo + j)
                col.append(pa.nulls(p.table.num_rows, pa.string()) if i is None
                           else p.table.column(i).cast(pa.string()))
            errors.extend((p.offset + r, p.indexes[c] - lo, d) for r, c, d in p.errors)
        arrays = [pa.concat_arrays([c for piece in col for c in _chunks(piece)])
                  for col in columns]
        batch = pa.RecordBatch.from_arrays(arrays, names=[f"c{i}" for i in range(lo, hi + 1)])
        return batch, errors, list(range(lo, hi + 1))


    def _too_far(self, parts: list[Slice], hi: int) -> Refused | None:
        rows = max((p.offset or 0) + p.table.num_rows for p in parts)
        if rows * (hi + 1) <= CELL_BUDGET:
            return None
        import pyarrow.compute as pc

        right = down = None
        for p in parts:  # the first cell of the farthest column, the first of the last row
            if max(p.indexes) == hi and right is None:
                i = p.indexes.index(hi)
                first = pc.indices_nonzero(pc.is_valid(p.table.column(i)))
                right = ((p.offset or 0) + (first[0].as_py() if len(first) else 0), hi)
            if (p.offset or 0) + p.table.num_rows == rows:
                last = [j for j in range(p.table.num_columns)
                        if p.table.column(j)[p.table.num_rows - 1].is_valid]
                down = (rows - 1, p.indexes[last[0]] if last else hi)
        return too_far(self.title, rows, hi + 1, right, down)


def _chunks(piece: Any) -> list[Any]:
    return list(piece.chunks) if hasattr(piece, "chunks") else [piece]


def _stop(procs: list[subprocess.Popen[bytes]], files: list[Path]) -> None:
    """Stop the readers that still run and remove their files; also runs when a read is
    dropped unfinished (an error before the tab was looked up)."""
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
        proc.communicate()
    for f in files:
        f.unlink(missing_ok=True)


_OURS = re.compile(r"collabsheet-(\d+)-\w+\.(?:xlsx|arrow)")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (OSError, OverflowError):  # another user's process, say: leave its files alone
        return True
    return True


def remove_stale(folder: str | None = None) -> list[Path]:
    """Remove the slice files (``collabsheet-<pid>-XXXX.xlsx`` and ``.arrow``) whose process is
    gone, killed before it could remove them; the files removed. Not on Windows, where
    ``os.kill(pid, 0)`` would end the process rather than look for it."""
    if os.name == "nt":
        return []
    where = Path(folder or tempfile.gettempdir())
    removed = []
    try:
        names = [e.name for e in os.scandir(where) if e.name.startswith("collabsheet-")]
    except OSError:
        return []
    for name in names:
        m = _OURS.fullmatch(name)
        if m is None or int(m.group(1)) == os.getpid() or _alive(int(m.group(1))):
            continue
        try:
            (where / name).unlink()
        except OSError:
            continue
        removed.append(where / name)
    return removed


def short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__


def largest(path: Path, titles: list[str] | None = None) -> str | None:
    """The one tab worth a second process, if any (its sheet XML is over PARALLEL_BYTES); None
    also for a package past the size limits (``opc.check_sizes``): no reader starts for it, and
    the .xlsx backend refuses it when it opens the file."""
    try:
        with zipfile.ZipFile(path) as zf:
            check_sizes(zf)
            parts = sheet_parts(zf)
            sizes = {t: zf.getinfo(p).file_size for t, p in parts.items()
                     if titles is None or t in titles}
    except (KeyError, ValueError, zipfile.BadZipFile, OSError, UnicodeDecodeError, Refused):
        return None
    if not sizes:
        return None
    title = max(sizes, key=lambda t: sizes[t])
    return title if sizes[title] >= PARALLEL_BYTES else None


_started: dict[tuple[str, int, int, str], ChildRead] = {}


def _key(path: Path, title: str) -> tuple[str, int, int, str] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (str(path.resolve()), st.st_size, st.st_mtime_ns, title)


def start(path: str | os.PathLike[str]) -> None:
    """Begin parsing the largest tab of a local workbook, if it is large; never raises."""
    from .sniff import kind, refusal

    target = Path(path)
    try:
        if not target.is_file() or kind(target) != "xlsx" or refusal(target, "xlsx"):
            return
        title = largest(target)
        key = _key(target, title) if title is not None else None
        if title is not None and key is not None and key not in _started:
            _started[key] = ChildRead(target, title)
    except (OSError, ValueError):
        return


def take(path: Path, title: str) -> ChildRead | None:
    """The read ``start`` began for this tab of this very file, if any."""
    key = _key(path, title)
    return _started.pop(key, None) if key is not None else None


def stop_all() -> None:
    """Stop the reads that were started but never taken (a command that failed first)."""
    while _started:
        _, child = _started.popitem()
        child.close()
