"""Write the example office workbooks (English and Korean editions) beside this script.

    python examples/make_example.py [FOLDER]

The office itself is built by collabsheet.example (fixed seed), so `collabsheet demo` uses the
very same data.
"""

from __future__ import annotations

import sys
from pathlib import Path

from collabsheet.example import write_examples

if __name__ == "__main__":
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent
    for path in write_examples(folder):
        print(path)
