"""HTML → PDF with headless Chromium, for the yearly report (`./musrenbang report --pdf`).

Chromium is optional: without it the HTML is still written and the caller says why no PDF came.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path


def chromium_binary() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


def print_pdf(html_file: Path, pdf_file: Path, timeout_s: int = 120) -> str | None:
    """Print the HTML with headless Chromium; the reason it could not, or None when the PDF is there."""
    browser = chromium_binary()
    if browser is None:
        return "no Chromium found (install Debian's chromium package for --pdf); the HTML report is written"
    with tempfile.TemporaryDirectory(prefix="musrenbang-pdf-") as profile:
        command = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                   "--print-to-pdf-no-header", f"--user-data-dir={profile}",
                   f"--print-to-pdf={pdf_file.resolve()}", html_file.resolve().as_uri()]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=timeout_s, check=False)
        except subprocess.TimeoutExpired:
            return f"Chromium did not finish within {timeout_s} s"
    if not pdf_file.exists() or pdf_file.stat().st_size == 0:
        return f"Chromium made no PDF (exit {done.returncode}): {done.stderr.strip()[-300:]}"
    return None
