"""report.html in a real headless browser: hostile corpus text shows as text and no script runs.

Skips when no Chromium / Chrome is installed (``apt-get install chromium``).
The hostile strings would set ``document.title`` to ``PWNED`` if they ever ran;
a control page proves that the browser does run such code in this mode.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from _framework_fakes import HOSTILE, corpus_frame, fake_modules

from corpus_sieve.audits.loader import canonicalise
from corpus_sieve.audits.report.outputs import write_outputs
from corpus_sieve.audits.report.html_report import CSP
from corpus_sieve.pipeline.report.html import esc
from corpus_sieve.audits.runner import run_audit

pytestmark = pytest.mark.slow


def find_browser() -> str | None:
    if Path("/usr/bin/chromium").exists():
        return "/usr/bin/chromium"
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


BROWSER = find_browser()
needs_browser = pytest.mark.skipif(BROWSER is None, reason="no headless Chromium/Chrome installed")


def run_browser(page: Path, profile: Path, *extra: str) -> subprocess.CompletedProcess:
    cmd = [
        BROWSER, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", f"--user-data-dir={profile}", "--virtual-time-budget=3000", *extra,
        page.as_uri(),
    ]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=90)


def dump_dom(page: Path, profile: Path) -> str:
    proc = run_browser(page, profile, "--dump-dom")
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


def title_of(dom: str) -> str:
    start = dom.index("<title>") + len("<title>")
    return dom[start:dom.index("</title>", start)]


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("report")
    result = run_audit(canonicalise(corpus_frame(hostile=True)), modules=fake_modules())
    return write_outputs(result, out)["html"]


@needs_browser
def test_control_page_proves_the_browser_runs_scripts(tmp_path):
    page = tmp_path / "control.html"
    page.write_text("<!DOCTYPE html><html><head><title>before</title></head><body>"
                    f"{HOSTILE[0]}</body></html>")
    assert title_of(dump_dom(page, tmp_path / "profile")) == "PWNED"


@needs_browser
def test_hostile_text_shows_as_text_and_no_script_runs(report, tmp_path):
    dom = dump_dom(report, tmp_path / "profile")
    assert title_of(dom) == "corpus-sieve audit: FAIL"
    assert "PWNED" not in title_of(dom)
    assert "<script" not in dom.lower()
    assert "<iframe" not in dom.lower() and "<img" not in dom.lower()
    # the escaped hostile strings survive in the live DOM as text
    assert "&lt;script&gt;document.title='PWNED'&lt;/script&gt;" in dom


@needs_browser
def test_escaping_alone_is_enough_without_the_csp(report, tmp_path):
    """Defence in depth: remove the CSP and the hostile text still never runs."""
    page = tmp_path / "no_csp.html"
    html = report.read_text(encoding="utf-8")
    assert esc(CSP) in html
    page.write_text(html.replace("Content-Security-Policy", "X-Removed"), encoding="utf-8")
    dom = dump_dom(page, tmp_path / "profile")
    assert title_of(dom) == "corpus-sieve audit: FAIL"
    assert "<script" not in dom.lower()


@needs_browser
def test_screenshot_renders(report, tmp_path):
    shot = tmp_path / "report.png"
    proc = run_browser(report, tmp_path / "profile", "--hide-scrollbars", "--window-size=1200,1600",
                       f"--screenshot={shot}")
    assert proc.returncode == 0, proc.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000


# -- the run report and the comparison page (same toolkit, same guarantees) ------------------------

@pytest.fixture(scope="module")
def run_pages(tmp_path_factory) -> dict[str, Path]:
    """report.html of a ``sieve clean`` run over hostile rows, and the comparison of two such runs."""
    import json

    from corpus_sieve.pipeline.cli.main import main

    tmp = tmp_path_factory.mktemp("run_report")
    corpus = tmp / "hostile.jsonl"
    rows = [{"id": f"h{i}", "text": f"{h} um texto {i}", "label": h, "domain": HOSTILE[(i + 1) % len(HOSTILE)]}
            for i, h in enumerate(HOSTILE)]
    corpus.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    (tmp / "a.yaml").write_text("stages:\n  - filter: char_length\n    params: {min_chars: 30}\n", encoding="utf-8")
    assert main(["clean", str(corpus), "--recipe", str(tmp / "a.yaml"), "--out", str(tmp / "a"), "--quiet"]) == 0
    assert main(["clean", str(corpus), "--out", str(tmp / "b"), "--quiet"]) == 0
    compare = tmp / "compare.html"
    assert main(["runs", "compare", str(tmp / "a" / "latest"), str(tmp / "b" / "latest"), "--html", str(compare)]) == 0
    return {"run": (tmp / "a" / "latest" / "report.html").resolve(), "compare": compare}


@needs_browser
@pytest.mark.parametrize("which", ["run", "compare"])
def test_run_and_compare_pages_render_and_hostile_text_stays_inert(run_pages, tmp_path, which):
    page = run_pages[which]
    dom = dump_dom(page, tmp_path / "profile")
    assert title_of(dom).startswith("corpus-sieve") and "PWNED" not in title_of(dom)
    assert "<script" not in dom.lower() and "<iframe" not in dom.lower() and "<img" not in dom.lower()
    assert "&lt;script&gt;document.title='PWNED'&lt;/script&gt;" in dom
    shot = tmp_path / "page.png"
    proc = run_browser(page, tmp_path / "profile2", "--hide-scrollbars", "--window-size=1200,1600", f"--screenshot={shot}")
    assert proc.returncode == 0, proc.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
