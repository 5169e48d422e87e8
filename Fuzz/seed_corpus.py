"""Seeds Fuzz/corpus/liquid/ from the golden-liquid suite: one file per case.

Usage: python3 Fuzz/seed_corpus.py [GOLDEN_JSON]   (default ../shared/conformance/golden_liquid.json)

A fuzz input is NUL-separated chunks (see Fuzz/README.md): the template source first, then any
partials as "name\\n" + source, then the case's data as one JSON object.
"""

import json
import re
import sys
from pathlib import Path

root = Path(__file__).resolve().parent
golden = Path(sys.argv[1]) if len(sys.argv) > 1 else root.parent.parent / "shared" / "conformance" / "golden_liquid.json"
out = root / "corpus" / "liquid"
out.mkdir(parents=True, exist_ok=True)

cases = json.loads(golden.read_text())["tests"]
written = 0
for index, case in enumerate(cases):
    chunks = [case["template"]]
    for name, source in (case.get("templates") or {}).items():
        chunks.append(f"{name}\n{source}")
    if case.get("data"):
        chunks.append(json.dumps(case["data"], ensure_ascii=False, sort_keys=True))
    if any("\0" in chunk for chunk in chunks):
        continue
    slug = re.sub(r"[^a-z0-9]+", "-", case["name"].lower()).strip("-")[:60]
    (out / f"golden-{index:04d}-{slug}").write_bytes("\0".join(chunks).encode("utf-8"))
    written += 1
print(f"wrote {written} of {len(cases)} cases to {out}")
