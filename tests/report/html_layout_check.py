#!/usr/bin/python3
"""The HTML reports in a real browser: headless Chromium at 1400 and 400 px.

Writes the fixture reports (report_html_fixture: segmented, long names, a
clipped interval, warnings), and for each page and width loads a copy with a
measuring script appended (the reports themselves carry no script) through
`chromium --headless --dump-dom`, inside an iframe exactly that wide
(headless Chromium's --dump-dom window is never narrower than 500 px; its
--screenshot one is); the script writes what it measured into the parent
page's DOM, and this checks it:

  * the page never scrolls sideways: documentElement.scrollWidth <= its
    clientWidth, and every element lies inside the viewport or inside a box
    that scrolls by itself (the tables) and itself fits;
  * the forest plot stays readable: every panel at least 330 px wide at
    400 px (its 13-unit text >= 10 px), and at 1400 px the two lift panels
    side by side;
  * the Guardrails table's verdict column shows without scrolling the table;
  * every journey has a decision box, first on the page.

Exit 77 (ctest: skipped) when Chromium is not installed. With
HOLDFAST_SCREENSHOT_DIR set it also saves PNG screenshots there to look at
(docs/report.md, "Checking the page in a browser").

Usage: /usr/bin/python3 html_layout_check.py PATH/TO/report_html_fixture
"""
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

WIDTHS = (1400, 400)
HEIGHT = 1000

MEASURE = r"""
<script>
(function () {
  const de = document.documentElement;
  const vw = de.clientWidth;
  function scroller(el) {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      const o = getComputedStyle(a).overflowX;
      if (o === 'auto' || o === 'scroll' || o === 'hidden') return a;
    }
    return null;
  }
  const bad = [];
  for (const el of document.body.querySelectorAll('*')) {
    if (el.tagName === 'SCRIPT') continue;
    if (el.closest('svg') && el.tagName.toLowerCase() !== 'svg') continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    if (r.right <= vw + 0.5 && r.left >= -0.5) continue;
    const s = scroller(el);
    if (s) {
      const sr = s.getBoundingClientRect();
      if (sr.right <= vw + 0.5 && sr.left >= -0.5) continue;
    }
    bad.push(el.tagName + (el.id ? '#' + el.id : '') + ' ' + Math.round(r.left) + '..' + Math.round(r.right));
  }
  const svgs = Array.from(document.querySelectorAll('svg')).map(function (s) {
    const r = s.getBoundingClientRect();
    return {width: r.width, top: r.top, right: r.right, view: s.viewBox.baseVal.width};
  });
  // The guardrail verdict (third column) must show without scrolling its table.
  let verdict_visible = null;
  const g = document.getElementById('guardrails');
  if (g) {
    const th = g.querySelectorAll('tr')[0].children[2];
    verdict_visible = th.getBoundingClientRect().right <= g.getBoundingClientRect().right + 0.5;
  }
  const first = document.body.querySelector('section, h2');
  const out = {
    client_width: vw, scroll_width: de.scrollWidth, bad: bad.slice(0, 20), svgs: svgs,
    decisions: document.querySelectorAll('div.decision').length, verdict_visible: verdict_visible,
    first_section: first ? first.id || first.tagName : '',
  };
  const pre = document.createElement('pre');
  pre.id = 'layout-result';
  pre.textContent = JSON.stringify(out);
  parent.document.body.appendChild(pre);
})();
</script>
"""


def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def run_chromium(browser, profile, width, url, extra):
    cmd = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
           f"--user-data-dir={profile}", f"--window-size={width},{HEIGHT}", *extra, url]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=90)


def main():
    fixture = sys.argv[1]
    browser = chromium()
    if browser is None:
        print("chromium not installed (Debian package 'chromium'): skipped")
        return 77
    failures = []
    shots = os.environ.get("HOLDFAST_SCREENSHOT_DIR")
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([fixture, tmp], check=True)
        profile = os.path.join(tmp, "profile")
        for page in ("lift.html", "program.html"):
            src = open(os.path.join(tmp, page), encoding="utf-8").read()
            assert "<script" not in src, f"{page} must carry no script"
            inner = html.escape(src.replace("</body>", MEASURE + "</body>"), quote=True)
            for width in WIDTHS:
                measured = os.path.join(tmp, f"measure-{width}-{page}")
                with open(measured, "w", encoding="utf-8") as f:
                    f.write(f'<!DOCTYPE html><html><body style="margin:0"><iframe '
                            f'style="width:{width}px;height:{HEIGHT}px;border:0" '
                            f'srcdoc="{inner}"></iframe></body></html>')
                res = run_chromium(browser, profile, max(width, 500), "file://" + measured,
                                   ["--dump-dom"])
                m = re.search(r'<pre id="layout-result">(.*?)</pre>', res.stdout, re.S)
                if not m:
                    failures.append(f"{page} @{width}: no measurement (chromium exit {res.returncode}: "
                                    f"{res.stderr[-500:]})")
                    continue
                r = json.loads(html.unescape(m.group(1)))
                where = f"{page} @{width}px"
                print(where, json.dumps(r))
                if r["client_width"] != width:
                    failures.append(f"{where}: viewport {r['client_width']} px, not {width}")
                if r["scroll_width"] > r["client_width"]:
                    failures.append(f"{where}: the page scrolls sideways ({r['scroll_width']} > "
                                    f"{r['client_width']})")
                if r["bad"]:
                    failures.append(f"{where}: outside the viewport: {r['bad']}")
                for s in r["svgs"]:
                    if s["right"] > r["client_width"] + 0.5:
                        failures.append(f"{where}: an SVG ends at {s['right']:.0f} px")
                if width == 400:
                    small = [s for s in r["svgs"] if s["width"] < 330]
                    if small:
                        failures.append(f"{where}: forest panels narrower than 330 px: {small}")
                if width == 1400 and page == "lift.html" and len(r["svgs"]) >= 2:
                    if abs(r["svgs"][0]["top"] - r["svgs"][1]["top"]) > 1:
                        failures.append(f"{where}: the two forest panels are not side by side")
                if page == "lift.html":
                    if r["verdict_visible"] is not True:
                        failures.append(f"{where}: the Guardrails verdict column is off-screen")
                    if r["decisions"] != 3:
                        failures.append(f"{where}: {r['decisions']} decision boxes, want 3")
                    if r["first_section"] != "summary":
                        failures.append(f"{where}: the page opens with {r['first_section']}, "
                                        "not the summary")
                if shots:
                    os.makedirs(shots, exist_ok=True)
                    png = os.path.join(shots, f"{page[:-5]}-{width}.png")
                    run_chromium(browser, profile, width, "file://" + os.path.join(tmp, page),
                                 [f"--screenshot={png}", f"--window-size={width},{HEIGHT * 5}"])
    for f in failures:
        print("FAIL", f)
    print(f"{len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
