"""How often the kamus usulan suggests the right sector for a citizen's complaint.

For each complaint of a labelled file (YAML: a list of {text, lang, sector}, or a mapping holding such a list) the
suggested sectors are those of the items the form would offer (`kamus.match(text, limit=3)`, best first, each sector
once); when no item matches, `sectors.rank(text)` (whose first sector is `sectors.suggest`). Top-1: the first
suggested sector is the labelled one; top-3: it is among them (at most three when items are offered, since the form
shows three items). Reported per language and overall, with the number of complaints for which nothing is suggested.

`--baseline REF` also scores the kamus as it was at a git commit (its `core/` exported to a temporary directory and
run in a child process), on the same file in the same run.

Run: `.venv/app/bin/python -m bench.kamus_suggest [--file bench/data/complaints_blind.yml] [--baseline HEAD]`
Writes bench/results/kamus_suggest.json. `--misses` prints the complaints missed (off by default: the blind file is a
yardstick, not material to tune the vocabulary on).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tarfile
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_FILE = ROOT / "bench" / "data" / "complaints_blind.yml"
RESULT_FILE = ROOT / "bench" / "results" / "kamus_suggest.json"


def load(path: Path) -> list[dict[str, str]]:
    """The labelled complaints: text, lang, sector."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if isinstance(data, dict):  # {complaints: [...]} or similar: the first list of mappings in it
        data = next((value for value in data.values() if isinstance(value, list)), [])
    rows = []
    for entry in data or []:
        if isinstance(entry, dict) and entry.get("text") and entry.get("sector"):
            rows.append({"text": str(entry["text"]), "lang": str(entry.get("lang") or "?"),
                         "sector": str(entry["sector"])})
    if not rows:
        raise SystemExit(f"{path}: no entries with text and sector")
    return rows


def suggested(text: str) -> list[str]:
    """The sectors the form would suggest for a description, best first."""
    from core import kamus, sectors

    items = kamus.match(text, limit=3)
    if items:
        return list(dict.fromkeys(item.sector for item in items))
    return [sector for sector, _ in sectors.rank(text)[:3]]


def score(rows: list[dict[str, str]]) -> dict[str, Any]:
    """Top-1 / top-3 sector accuracy per language and overall, per labelled sector, and the misses."""
    from core import sectors

    unknown = sorted({row["sector"] for row in rows} - set(sectors.SECTORS))
    groups: dict[str, list[tuple[bool, bool, bool]]] = defaultdict(list)
    per_sector: dict[str, list[bool]] = defaultdict(list)
    confusion: Counter[tuple[str, str]] = Counter()
    misses = []
    started = time.perf_counter()
    for row in rows:
        found = suggested(row["text"])
        top1 = bool(found) and found[0] == row["sector"]
        top3 = row["sector"] in found
        for key in (row["lang"], "all"):
            groups[key].append((top1, top3, not found))
        per_sector[row["sector"]].append(top1)
        if not top1:
            confusion[row["sector"], found[0] if found else "-"] += 1
            misses.append({**row, "suggested": found})
    elapsed = time.perf_counter() - started

    def summary(results: list[tuple[bool, bool, bool]]) -> dict[str, Any]:
        n = len(results)
        return {"n": n, "top1": round(sum(r[0] for r in results) / n, 3),
                "top3": round(sum(r[1] for r in results) / n, 3), "nothing_suggested": sum(r[2] for r in results)}

    order = [key for key in ("id", "jv", "su") if key in groups] + sorted(set(groups) - {"id", "jv", "su", "all"})
    return {
        "by_language": {key: summary(groups[key]) for key in order},
        "overall": summary(groups["all"]),
        "top1_by_sector": {sector: {"n": len(hits), "top1": round(sum(hits) / len(hits), 3)}
                           for sector, hits in sorted(per_sector.items())},
        "top1_errors": [{"labelled": gold, "suggested": got, "count": count}
                        for (gold, got), count in confusion.most_common()],
        "unknown_sectors_in_file": unknown,
        "ms_per_complaint": round(elapsed * 1000 / len(rows), 3),
        "misses": misses,
    }


def baseline(ref: str, path: Path) -> dict[str, Any]:
    """The same scoring with `core/` as it was at a git commit, in a child process."""
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", ref, "core"],
                                 check=True, capture_output=True).stdout
        tar_path = Path(tmp) / "core.tar"
        tar_path.write_bytes(archive)
        with tarfile.open(tar_path) as tar:
            tar.extractall(tmp, filter="data")  # our own repository, at a commit
        commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", ref], check=True,
                                capture_output=True, text=True).stdout.strip()
        code = ("import json, sys; sys.path.insert(0, sys.argv[1]); sys.path.insert(1, sys.argv[2]);"
                "import core; assert core.__file__.startswith(sys.argv[1]), core.__file__;"
                "from bench.kamus_suggest import load, score; from pathlib import Path;"
                "print(json.dumps(score(load(Path(sys.argv[3])))))")
        out = subprocess.run([sys.executable, "-c", code, tmp, str(ROOT), str(path)], check=True,
                             capture_output=True, text=True, cwd=tmp).stdout
    result = json.loads(out)
    result["commit"] = commit
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE)
    parser.add_argument("--baseline", metavar="REF", help="also score core/ as it was at this git commit")
    parser.add_argument("--misses", action="store_true", help="print the complaints whose sector was missed")
    parser.add_argument("--output", type=Path, default=RESULT_FILE)
    args = parser.parse_args()

    rows = load(args.file)
    result: dict[str, Any] = {"file": str(args.file.relative_to(ROOT) if args.file.is_relative_to(ROOT) else args.file),
                              "complaints": len(rows), "languages": dict(Counter(row["lang"] for row in rows)),
                              "current": score(rows)}
    if args.baseline:
        result["baseline"] = baseline(args.baseline, args.file)
    misses = {key: result[key].pop("misses") for key in ("current", "baseline") if key in result}
    for key in ("current", "baseline"):
        if key in result:
            figures = result[key]
            print(f"{key}{' @ ' + figures['commit'] if 'commit' in figures else ''}:")
            for lang, summary in {**figures["by_language"], "all": figures["overall"]}.items():
                print(f"  {lang:>4}  n={summary['n']:>3}  top-1 {summary['top1']:.1%}  top-3 {summary['top3']:.1%}"
                      f"  nothing suggested {summary['nothing_suggested']}")
    if args.misses:
        for miss in misses["current"]:
            print(f"{miss['lang']} {miss['sector']:>17} ← {miss['suggested']}: {miss['text']}")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"written to {args.output.relative_to(ROOT) if args.output.is_relative_to(ROOT) else args.output}")


if __name__ == "__main__":
    main()
