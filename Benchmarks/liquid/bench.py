"""Renders the benchmark page with python-liquid: parse once, render many.

Usage: python bench.py TEMPLATES_DIR DATA_JSON PAGE SECONDS OUTPUT_FILE [--autoescape]
Prints one line: "python-liquid <version> <renders> <seconds> <renders/s>" and writes one render
to OUTPUT_FILE for the byte-for-byte comparison.
"""

import json
import sys
import time
from pathlib import Path

import liquid
from liquid import CachingFileSystemLoader, Environment


def main(argv):
    if len(argv) < 6:
        sys.exit(__doc__)
    folder, data_path, page, seconds, output_path = argv[1:6]
    autoescape = "--autoescape" in argv[6:]
    seconds = float(seconds)

    env = Environment(
        loader=CachingFileSystemLoader(folder, ext=".liquid", auto_reload=False),
        autoescape=autoescape,
    )
    template = env.get_template(page)
    data = json.loads(Path(data_path).read_text())

    Path(output_path).write_text(template.render(**data))

    for _ in range(5):
        template.render(**data)
    renders = 0
    start = time.perf_counter()
    elapsed = 0.0
    while elapsed < seconds:
        for _ in range(5):
            template.render(**data)
        renders += 5
        elapsed = time.perf_counter() - start
    name = "python-liquid" + ("+autoescape" if autoescape else "")
    print(f"{name} {liquid.__version__} {renders} {elapsed:.3f} {renders / elapsed:.1f}")


if __name__ == "__main__":
    main(sys.argv)
