"""The PDF: the HTML printed by Debian's chromium, headless (A4, no header or footer)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from ._collect import ReportError

PRINT_TIMEOUT_S = 120.0


def print_pdf(html: Path, pdf: Path, *, browser: str = "chromium") -> None:
    """Print `html` to `pdf`; ReportError naming the package when chromium is missing or
    the print fails."""
    program = shutil.which(browser)
    if program is None:
        raise ReportError(
            f"PDF не создан: нет {browser} — установите пакет Debian chromium "
            "(apt-get install chromium; ./chorus ставит его сам)"
        )
    pdf.unlink(missing_ok=True)
    # A profile of its own: a browser the user has open must not take the print over.
    with tempfile.TemporaryDirectory(prefix="chorus-report-chromium-") as profile:
        try:
            done = subprocess.run(
                [
                    program,
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    f"--user-data-dir={profile}",
                    "--no-pdf-header-footer",
                    f"--print-to-pdf={pdf}",
                    html.resolve().as_uri(),
                ],
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=PRINT_TIMEOUT_S,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise ReportError(
                f"PDF не создан: chromium не уложился в {PRINT_TIMEOUT_S:g} с"
            ) from exc
    if done.returncode != 0 or not pdf.exists() or pdf.stat().st_size == 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        raise ReportError(f"PDF не создан: chromium вернул {done.returncode} ({' / '.join(tail)})")
