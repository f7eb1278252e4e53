"""Parser benchmark: digests whose cells hold 1 MB of pathological text, against a normal digest.

    python bench/parser.py [--size 1000000] [--runs 7]

Each case is one digest of about ``--size`` bytes: a real header and a few real rows around one
row whose title (or summary) cell holds a run meant to make a backtracking parser go quadratic
(blanks, '[', '](', backslashes, '|', a long word). The baseline is a normal digest of the same
size built from real rows, parsed in the same run. Figures are the median of ``--runs`` parses in
ms, the ratio to the baseline, and the growth from a quarter of the size to the whole (about 4 when
parsing is linear, 16 when it is quadratic).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.digest import parse_digest

ROOT = Path(__file__).resolve().parent.parent
HEAD = "## Papers for 2025-01-06\n\n| Title | Authors | Summary |\n|-------|---------|---------|\n"
ROW = (
    "| {title} (Read more on [arXiv](https://arxiv.org/abs/2501.{n:05d}) or "
    "[HuggingFace](https://huggingface.co/papers/2501.{n:05d}))| Ann, Bo | {summary} |\n"
)


def normal(size: int) -> str:
    """Real-looking rows until the digest is ``size`` characters long."""
    summary = (ROOT / "seeds" / "2025-03-19.md").read_text(encoding="utf-8").splitlines()[6]
    summary = summary.rsplit("|", 2)[-2].strip()
    rows, n = [HEAD], 1
    while sum(map(len, rows)) < size:
        rows.append(ROW.format(title=f"Paper number {n}", n=n, summary=summary))
        n += 1
    return "".join(rows)


def pathological(run: str, size: int, where: str) -> str:
    body = (run * (size // len(run) + 1))[:size]
    title, summary = ("Odd " + body, "Short.") if where == "title" else ("Odd", body)
    rows = [ROW.format(title=f"Paper {n}", n=n, summary="Fine.") for n in range(1, 4)]
    return HEAD + rows[0] + ROW.format(title=title, n=9, summary=summary) + "".join(rows[1:])


def median_ms(parse: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        parse()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    base_text = normal(args.size)
    base = median_ms(lambda: parse_digest(base_text, "d.md"), args.runs)
    print(f"normal digest, {len(base_text):,} chars: {base:.1f} ms (baseline)")
    runs = {
        "blanks": " ",
        "'['": "[",
        "']('": "](",
        "'[a]('": "[a](",
        "backslashes": "\\",
        "'\\|'": "\\|",
        "'|'": "|",
        "'read more '": "read more ",
        "one long word": "x",
        "'arxiv.org/abs/'": "arxiv.org/abs/",
    }
    for name, run in runs.items():
        for where in ("title", "summary"):
            text = pathological(run, args.size, where)
            ms = median_ms(lambda text=text: parse_digest(text, "d.md"), args.runs)
            quarter = pathological(run, args.size // 4, where)
            small = median_ms(lambda text=quarter: parse_digest(text, "d.md"), args.runs)
            print(
                f"{name:>18} in the {where:<7} {len(text):>10,} chars: {ms:8.1f} ms"
                f"  ratio {ms / base:5.2f}  growth x4 size: {ms / small:5.2f}"
            )


if __name__ == "__main__":
    main()
