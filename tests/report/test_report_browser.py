"""The report in a real browser: headless Chromium, no console errors, every image loads.

Skipped when no Chromium binary is installed (``.ci/run`` installs Debian's
``chromium`` package, so CI runs it). The report itself carries no script: a copy
gets a small probe script that records errors and each image's natural width after
the load event, and Chromium's ``--dump-dom`` returns the page with the probe's
result.
"""

import json
import os
import re
import shutil
import subprocess

import pytest

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--hide-scrollbars")

PROBE = """<script>
window.__errors = [];
window.addEventListener("error", function (e) {
  window.__errors.push(String(e.message || (e.target && e.target.outerHTML.slice(0, 80))));
}, true);
["error", "warn"].forEach(function (level) {
  var original = console[level];
  console[level] = function () {
    window.__errors.push(level + ": " + Array.prototype.join.call(arguments, " "));
    original.apply(console, arguments);
  };
});
window.addEventListener("load", function () {
  var images = Array.prototype.map.call(document.images, function (img) {
    return {alt: img.alt, complete: img.complete, width: img.naturalWidth};
  });
  var out = document.createElement("pre");
  out.id = "riskml-probe";
  out.textContent = JSON.stringify({images: images, errors: window.__errors});
  document.body.appendChild(out);
});
</script>"""


def _browser():
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    return None


pytestmark = pytest.mark.skipif(_browser() is None, reason="no Chromium binary installed")


def _run(args, tmp_path):
    env = dict(os.environ, HOME=str(tmp_path))  # a fresh profile, nothing shared
    return subprocess.run(
        [_browser(), *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


def test_report_renders_in_chromium(survival_study_html, tmp_path):
    report = tmp_path / "report.html"
    report.write_text(survival_study_html, encoding="utf-8")
    probed = tmp_path / "probed.html"
    probed.write_text(survival_study_html.replace("<head>", "<head>" + PROBE, 1), encoding="utf-8")

    dump = _run(
        [
            "--enable-logging=stderr",
            "--v=0",
            "--virtual-time-budget=10000",
            "--dump-dom",
            probed.as_uri(),
        ],
        tmp_path,
    )
    assert dump.returncode == 0, dump.stderr[-2000:]
    found = re.search(r'<pre id="riskml-probe">(.*?)</pre>', dump.stdout, re.S)
    assert found, "the probe did not run: " + dump.stdout[-500:]
    probe = json.loads(found.group(1).replace("&quot;", '"').replace("&amp;", "&"))
    assert probe["errors"] == []
    # Chromium logs console messages (the browser's own included) as CONSOLE lines.
    assert [line for line in dump.stderr.splitlines() if ":CONSOLE" in line] == []
    images = probe["images"]
    expected = survival_study_html.count("<img ")
    assert len(images) == expected >= 6
    assert all(image["complete"] and image["width"] > 0 for image in images), images

    shot = tmp_path / "report.png"
    screenshot = _run(
        ["--window-size=1200,2400", f"--screenshot={shot}", report.as_uri()], tmp_path
    )
    assert screenshot.returncode == 0, screenshot.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (1200, 2400)
    assert len(data) > 50_000  # text, tables and figures, not a blank page
