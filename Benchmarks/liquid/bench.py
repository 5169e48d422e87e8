"""Renders the benchmark page with python-liquid: parse once, render many.

Usage: python bench.py TEMPLATES_DIR DATA_JSON PAGE SECONDS OUTPUT_FILE [--autoescape]
Prints one line: "python-liquid <version> <renders> <seconds> <mean renders/s> <best renders/s>"
and writes one render
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

    # Warm up, then render for at least `seconds` in windows of at least half a second; the best
    # window is the figure least disturbed by other work on the machine.
    for _ in range(5):
        template.render(**data)
    renders = 0
    best = 0.0
    start = time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        window_start = time.perf_counter()
        window_renders = 0
        while (window := time.perf_counter() - window_start) < 0.5:
            template.render(**data)
            window_renders += 1
        renders += window_renders
        best = max(best, window_renders / window)
    name = "python-liquid" + ("+autoescape" if autoescape else "")
    print(f"{name} {liquid.__version__} {renders} {elapsed:.3f} {renders / elapsed:.1f} {best:.1f}")


if __name__ == "__main__":
    main(sys.argv)
