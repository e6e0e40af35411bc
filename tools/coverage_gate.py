"""Print line coverage per top-level package and fail if any is below the bar."""

import json
import sys
from collections import defaultdict
from pathlib import Path


def package_coverage(report: dict[str, object]) -> dict[str, tuple[int, int]]:
    """Sum covered and total statements per top-level package of a coverage JSON report."""
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    files = report["files"]
    assert isinstance(files, dict)
    for path, data in files.items():
        package = Path(path).parts[0]
        summary = data["summary"]
        totals[package][0] += summary["covered_lines"]
        totals[package][1] += summary["num_statements"]
    return {name: (covered, total) for name, (covered, total) in totals.items()}


def main() -> int:
    report_path, bar = sys.argv[1], float(sys.argv[2])
    report = json.loads(Path(report_path).read_text())
    failed = []
    for name, (covered, total) in sorted(package_coverage(report).items()):
        percent = 100.0 * covered / total if total else 100.0
        verdict = "ok" if percent >= bar else "BELOW THE BAR"
        print(f"{name:<14} {covered:>6}/{total:<6} {percent:6.1f} %  {verdict}")
        if percent < bar:
            failed.append(name)
    if failed:
        print(f"coverage below {bar:.0f} % in: {', '.join(failed)}")
        return 1
    print(f"every package has at least {bar:.0f} % line coverage")
    return 0


if __name__ == "__main__":
    sys.exit(main())
