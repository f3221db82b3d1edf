"""Every lesson in JupyterLab 4 in a real (headless) Chromium: Run All, then look at what a student sees.

Run with ``make browser-test`` (``tests/browser/install.sh``, then ``GAN_COURSE_BROWSER=1 pytest tests/browser``).
Without ``GAN_COURSE_BROWSER=1`` the module skips itself, so ``pytest tests`` (``make test``) reports it as one
skipped module and runs nothing (no conftest.py here: a second ``conftest`` module would shadow ``tests/conftest.py``,
which the lesson tests import).
For each ``notebooks/NN_*.ipynb`` it opens the lesson in JupyterLab (see ``browser_lab.py``: a private server over
copies of the lessons, kernels in the smoke profile), runs "Run All Cells", waits until every code cell has
run and the kernel is idle, and asserts:

* no error output: no error output in any cell, no traceback on stderr;
* MathJax renders: each Markdown cell with ``$...$`` shows ``mjx-container`` elements and no MathJax error;
* each slider panel (a cell calling ``interact_*`` or ``slider_panel``) appears once, and moving its first
  slider (typing a value into the slider's readout, as a user can) shows exactly one figure in the panel,
  which changes when the slider moves again; no traceback inside the panel;
* each animation (a cell calling ``animate``) shows one frame of non-zero size once scrolled into view, and
  its Play button plays it, in the browser alone, to a last frame that differs from the first;
* progress bars render: each tqdm output shows a progress widget of non-zero size, and a lesson whose text
  promises a progress bar has one.

A lesson without sliders, animations or progress bars skips that assertion. Screenshots go to
``build/browser/`` (one of the first screen, one per slider panel, animation, progress bar and Markdown cell
with math checked first, and one at the end); ``build/browser/report.json`` lists what was seen, with the
stderr text of each lesson (warnings are reported, not failed) and the seconds each step took.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import time

import pytest

if os.environ.get("GAN_COURSE_BROWSER", "") != "1":  # `pytest tests` (make test) skips this module
    pytest.skip("the browser test runs only with GAN_COURSE_BROWSER=1 (make browser-test)", allow_module_level=True)

from browser_lab import ROOT, Lab, chromium  # noqa: E402

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
SHOTS = ROOT / "build" / "browser"
RUN_TIMEOUT = 300  # seconds for Run All of one lesson (smoke profile: about 30 s on 2 cores)

REPORT: dict[str, dict] = {}


# --------------------------------------------------------------------------- fixtures


# `make browser-test` spreads the lessons over one pytest-xdist worker per core: each worker has its own JupyterLab
# (a free port, its own folders) and Chromium, its own server log, and adds its lessons to report.json.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")


def add_to_report(rows: dict) -> None:
    """Merge ``rows`` into report.json: the workers take turns (a lock file), each writing a whole new file."""
    target = SHOTS / "report.json"
    with open(SHOTS / "report.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        report = json.loads(target.read_text()) if target.is_file() else {}
        report.update(rows)
        partial = SHOTS / f"report.{WORKER}.tmp"
        partial.write_text(json.dumps(dict(sorted(report.items())), indent=1))
        os.replace(partial, target)


@pytest.fixture(scope="session")
def lab():
    SHOTS.mkdir(parents=True, exist_ok=True)
    with Lab(NOTEBOOKS, log=SHOTS / f"jupyterlab-{WORKER}.log") as server:
        yield server
    add_to_report(REPORT)


@pytest.fixture(scope="session")
def browser(lab):
    driver = chromium()
    yield driver
    driver.quit()


# --------------------------------------------------------------------------- JupyterLab through its app object

# `window.jupyterapp` (the server runs with --LabApp.expose_app_in_browser) and the open notebook panel.
FIND_PANEL = """
const findPanel = (path) => {
  const app = window.jupyterapp;
  if (!app || !app.shell) return null;
  for (const w of app.shell.widgets('main')) {
    if (w.context && w.context.path === path && w.content && w.sessionContext) return w;
  }
  return null;
};
"""

PANEL_STATE = FIND_PANEL + """
const panel = findPanel(arguments[0]);
if (!panel || !panel.context.isReady) return {ready: false};
const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
const cells = panel.content.model.cells;
let code = 0, done = 0;
const errors = [], stderr = [], progress = [];
for (let i = 0; i < cells.length; i++) {
  const cell = cells.get(i);
  if (cell.type !== 'code') continue;
  code++;
  if (cell.executionCount) done++;
  for (const o of cell.outputs.toJSON()) {
    if (o.output_type === 'error') errors.push([i, o.ename + ': ' + o.evalue]);
    if (o.output_type === 'stream' && o.name === 'stderr') {
      const text = Array.isArray(o.text) ? o.text.join('') : o.text;
      (text.includes('Traceback') ? errors : stderr).push([i, text.slice(0, 2000)]);
    }
    const data = o.data || {};
    const plain = [].concat(data['text/plain'] || []).join('');
    if (data['application/vnd.jupyter.widget-view+json'] && /\\|.*(it\\/s|s\\/it|\\d+\\/\\d+)/.test(plain)) {
      progress.push(i);
    }
  }
}
return {ready: true, kernel: kernel ? kernel.status : 'none', code, done, errors, stderr,
        progress: [...new Set(progress)], dirty: panel.context.model.dirty};
"""

CELLS = FIND_PANEL + """
const panel = findPanel(arguments[0]);
const cells = panel.content.model.cells, out = [];
for (let i = 0; i < cells.length; i++) {
  const cell = cells.get(i);
  out.push({type: cell.type, source: cell.sharedModel.getSource()});
}
return out;
"""

# Scroll cell i into view (JupyterLab's notebook is windowed: off-screen cells may be unrendered).
SCROLL_TO = FIND_PANEL + """
const [path, index, done] = [arguments[0], arguments[1], arguments[arguments.length - 1]];
const panel = findPanel(path);
const notebook = panel.content;
notebook.activeCellIndex = index;
Promise.resolve(notebook.scrollToItem(index, 'start')).then(() => {
  const node = notebook.widgets[index].node;
  node.scrollIntoView({block: 'start'});
  setTimeout(() => done(true), 150);
}, (err) => done(String(err)));
"""

CELL_NODE = FIND_PANEL + "return findPanel(arguments[0]).content.widgets[arguments[1]].node;"

LEAVE = FIND_PANEL + """
const [path, done] = [arguments[0], arguments[arguments.length - 1]];
const panel = findPanel(path);
if (!panel) { done(true); return; }
panel.context.model.dirty = false;  // no "unsaved changes" prompt when the page is left
panel.sessionContext.shutdown().then(() => done(true), () => done(true));
"""


def rect(driver, element) -> dict:
    return driver.execute_script(
        "const r = arguments[0].getBoundingClientRect(); return {width: r.width, height: r.height};", element)


def wait_for(predicate, timeout: float, interval: float = 0.25, message: str = ""):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s: {message}")
        time.sleep(interval)


def scroll_to(driver, path: str, index: int):
    driver.execute_async_script(SCROLL_TO, path, index)
    return driver.execute_script(CELL_NODE, path, index)


def shot(element_or_driver, name: str) -> None:
    path = SHOTS / f"{name}.png"
    if hasattr(element_or_driver, "save_screenshot"):
        element_or_driver.save_screenshot(str(path))
    else:
        try:
            element_or_driver.screenshot(str(path))
        except Exception:  # an element taller than the window: the window instead
            element_or_driver.parent.save_screenshot(str(path))


# --------------------------------------------------------------------------- what a lesson's cells promise

CALLS_SLIDERS = re.compile(r"^(?!\s*(#|def\b)).*\b(interact_\w+|slider_panel)\(", re.M)
CALLS_ANIMATE = re.compile(r"^(?!\s*(#|def\b)).*\banimate\(", re.M)
CODE = re.compile(r"```.*?```|`[^`\n]*`", re.S)
MATH = re.compile(r"\$\$.+?\$\$|(?<![\\$])\$[^$\n]+\$", re.S)


def has_math(markdown: str) -> bool:
    return bool(MATH.search(CODE.sub("", markdown)))


# --------------------------------------------------------------------------- the checks


def check_math(driver, path, cells, stem, seen):
    indices = [i for i, c in enumerate(cells) if c["type"] == "markdown" and has_math(c["source"])]
    missing, broken = [], []
    for k, i in enumerate(indices):
        node = scroll_to(driver, path, i)
        try:
            wait_for(lambda: driver.execute_script(
                "return arguments[0].querySelectorAll('mjx-container').length", node), 15,
                message=f"MathJax in cell {i}")
        except AssertionError:
            missing.append(i)
            continue
        if driver.execute_script(
                "return arguments[0].querySelectorAll('mjx-merror, .MathJax_Error, [data-mjx-error]').length", node):
            broken.append(i)
        if k == 0:
            shot(node, f"{stem}_math")
    seen["math_cells"] = len(indices)
    assert not missing, f"{stem}: MathJax did not render in Markdown cells {missing}"
    assert not broken, f"{stem}: MathJax errors in Markdown cells {broken}"


READOUT_SET = """
const [readout, value] = arguments;
readout.focus();
const range = document.createRange();
range.selectNodeContents(readout);
const sel = window.getSelection();
sel.removeAllRanges();
sel.addRange(range);
"""

PANEL_IMAGE = """
const imgs = arguments[0].querySelectorAll('.widget-output img');
if (imgs.length !== 1) return {count: imgs.length};
const src = imgs[0].getAttribute('src') || '';
const r = imgs[0].getBoundingClientRect();
return {count: 1, key: src.length + ':' + src.slice(-80), width: r.width, height: r.height};
"""

PANEL_ERRORS = """
return [...arguments[0].querySelectorAll(
  '.widget-output [data-mime-type="application/vnd.jupyter.stderr"], ' +
  '.widget-output [data-mime-type="application/vnd.jupyter.error"], ' +
  '.widget-output .jp-RenderedText[data-mime-type*=error]')]
  .map(e => e.textContent.slice(0, 1500));
"""


def move_slider(driver, panel, value: str):
    """Type ``value`` into the first slider's readout and press Enter, as a user can."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    readout = panel.find_elements(By.CSS_SELECTOR, ".widget-slider .widget-readout")[0]
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", readout)
    readout.click()
    driver.execute_script(READOUT_SET, readout, value)
    readout.send_keys(value + Keys.ENTER)


def slider_values(driver, panel) -> tuple[str, str]:
    """Two values for the first slider, a quarter and three quarters of its range, other than its own."""
    lo, hi, now = driver.execute_script(
        "const h = arguments[0].querySelector('.widget-slider [role=slider]');"
        "return [h.getAttribute('aria-valuemin'), h.getAttribute('aria-valuemax'), h.getAttribute('aria-valuenow')];",
        panel)
    lo, hi, now = float(lo), float(hi), float(now)
    integer = all(float(x).is_integer() for x in (lo, hi, now)) and hi - lo >= 2
    picks = [lo + (hi - lo) * f for f in (0.25, 0.75, 0.5)]
    picks = [round(p) if integer else round(p, 2) for p in picks]
    picks = [p for p in picks if abs(p - now) > 1e-9][:2]
    return tuple(str(p) for p in picks)


def check_sliders(driver, path, cells, stem, seen):
    from selenium.webdriver.common.by import By

    indices = [i for i, c in enumerate(cells) if c["type"] == "code" and CALLS_SLIDERS.search(c["source"])]
    seen["slider_panels"] = []
    for k, i in enumerate(indices):
        node = scroll_to(driver, path, i)
        panels = wait_for(lambda: node.find_elements(By.CSS_SELECTOR, ".jp-OutputArea-output .widget-slider")
                          and node.find_elements(By.CSS_SELECTOR, ".jp-OutputArea-output > .widget-vbox"), 20,
                          message=f"{stem}: the slider panel of cell {i} did not render")
        assert len(panels) == 1, f"{stem}: cell {i} shows {len(panels)} slider panels (expected exactly one)"
        panel = panels[0]
        first, second = slider_values(driver, panel)
        keys = []
        for value in (first, second):
            before = driver.execute_script(PANEL_IMAGE, panel).get("key")
            move_slider(driver, panel, value)
            state = wait_for(lambda: (lambda s: s if s.get("key") and s["key"] != before else None)(
                driver.execute_script(PANEL_IMAGE, panel)), 60,
                message=f"{stem}: moving the slider of cell {i} to {value} drew no new figure "
                        f"(panel errors: {driver.execute_script(PANEL_ERRORS, panel)})")
            time.sleep(0.5)  # a second figure would arrive now
            state = driver.execute_script(PANEL_IMAGE, panel)
            assert state["count"] == 1, f"{stem}: cell {i}'s panel shows {state['count']} figures after a move"
            assert state["width"] > 0 and state["height"] > 0, f"{stem}: cell {i}'s figure has no size"
            keys.append(state["key"])
        errors = driver.execute_script(PANEL_ERRORS, panel)
        assert not errors, f"{stem}: the slider callback of cell {i} failed:\n{errors[0]}"
        assert keys[0] != keys[1], f"{stem}: cell {i}'s figure did not change with the slider"
        assert len(node.find_elements(By.CSS_SELECTOR, ".jp-OutputArea-output > .widget-vbox")) == 1
        shot(node, f"{stem}_slider_{k}")
        seen["slider_panels"].append({"cell": i, "values": [first, second]})


ANIMATION_FRAMES = """
const imgs = [...arguments[0].querySelectorAll('img')];
return imgs.map(img => { const r = img.getBoundingClientRect();
  return {width: r.width, height: r.height, natural: img.naturalWidth}; }).filter(r => r.width > 0 && r.height > 0);
"""


OUTPUT_IMAGES = """
return [...arguments[0].querySelectorAll('.jp-OutputArea-output img')].map(img => {
  const r = img.getBoundingClientRect(); return [r.width, r.height, img.naturalWidth]; });
"""

FRAME_KEY = """
const img = [...arguments[0].querySelectorAll('img')].find(i => i.getBoundingClientRect().width > 0);
return img ? (img.src.length + ':' + img.src.slice(-80)) : null;
"""


def check_animations(driver, path, cells, stem, seen):
    from selenium.webdriver.common.by import By

    indices = [i for i, c in enumerate(cells) if c["type"] == "code" and CALLS_ANIMATE.search(c["source"])]
    seen["animations"] = []
    for k, i in enumerate(indices):
        node = scroll_to(driver, path, i)
        try:
            players = wait_for(lambda: node.find_elements(By.CSS_SELECTOR, ".gan-course-animation"), 20)
        except AssertionError:  # not viz.animate's player: say what is there (e.g. an image drawn at 0 x 0)
            images = driver.execute_script(OUTPUT_IMAGES, node)
            raise AssertionError(f"{stem}: the animation of cell {i} shows no player; its images "
                                 f"(width, height, natural width): {images}") from None
        assert len(players) == 1, f"{stem}: cell {i} shows {len(players)} animations (expected one)"
        player = players[0]
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", player)
        visible = wait_for(lambda: driver.execute_script(ANIMATION_FRAMES, player), 20,
                           message=f"{stem}: the animation of cell {i} has no visible frame of non-zero size")
        assert len(visible) == 1 and visible[0]["natural"] > 0, f"{stem}: cell {i} shows frames {visible}"
        box = rect(driver, player)
        assert box["width"] > 0 and box["height"] > 0
        handle = player.find_element(By.CSS_SELECTOR, ".widget-slider [role=slider]")
        now = lambda: float(handle.get_attribute("aria-valuenow"))  # noqa: E731
        start, end = now(), float(handle.get_attribute("aria-valuemax"))
        first = driver.execute_script(FRAME_KEY, player)
        player.find_elements(By.CSS_SELECTOR, ".widget-play button")[0].click()  # play (in the browser alone)
        wait_for(lambda: now() != start, 20,
                 message=f"{stem}: Play did not advance the animation of cell {i}")
        wait_for(lambda: now() == end, 120,
                 message=f"{stem}: the animation of cell {i} did not play to its last frame")
        time.sleep(0.3)
        last = driver.execute_script(FRAME_KEY, player)
        assert last and last != first, f"{stem}: the animation of cell {i} shows the same picture at its end"
        shot(player, f"{stem}_animation_{k}")
        seen["animations"].append({"cell": i, "frame": visible[0], "frames": int(end) + 1})


PROGRESS = """
return [...arguments[0].querySelectorAll(
    '.jp-OutputArea-output :is(.widget-hprogress, .widget-vprogress) .progress-bar')]
  .map(e => { const r = e.getBoundingClientRect(); return {width: r.width, height: r.height}; });
"""


def check_progress(driver, path, cells, stem, seen, progress_cells):
    text = "\n".join(c["source"] for c in cells if c["type"] == "markdown").lower()
    if "progress bar" in text:
        assert progress_cells, f"{stem}: the lesson promises a progress bar but no cell shows one"
    seen["progress_bars"] = []
    for k, i in enumerate(progress_cells):
        node = scroll_to(driver, path, i)
        bars = wait_for(lambda: [b for b in driver.execute_script(PROGRESS, node) if b["width"] and b["height"]], 20,
                        message=f"{stem}: the progress bar of cell {i} did not render")
        if k == 0:
            shot(node, f"{stem}_progress")
        seen["progress_bars"].append({"cell": i, "bars": len(bars)})


# --------------------------------------------------------------------------- the test


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_lesson_runs_in_jupyterlab(lab, browser, notebook):
    driver, path, stem = browser, notebook.name, notebook.stem
    for old in SHOTS.glob(f"{stem}_*.png"):  # an earlier run's screenshots of this lesson
        old.unlink()
    seen = REPORT.setdefault(stem, {})
    times = seen.setdefault("seconds", {})
    start = time.monotonic()
    driver.get(f"{lab.url}/lab/workspaces/{stem}/tree/{path}")
    try:
        wait_for(lambda: (lambda s: s.get("ready") and s["kernel"] == "idle")(driver.execute_script(PANEL_STATE, path)),
                 120, message=f"{stem}: the notebook or its kernel did not start")
        times["open"] = round(time.monotonic() - start, 1)
        shot(driver, f"{stem}_0_top")
        t = time.monotonic()
        driver.execute_script(FIND_PANEL + """
            const panel = findPanel(arguments[0]);
            window.jupyterapp.shell.activateById(panel.id);
            window.jupyterapp.commands.execute('notebook:run-all-cells');  // not awaited: polled below""", path)

        def finished():
            s = driver.execute_script(PANEL_STATE, path)
            over = s["kernel"] == "dead" or (s["kernel"] == "idle" and s["done"] == s["code"])
            return s if s["errors"] or over else None

        state = wait_for(finished, RUN_TIMEOUT, interval=1, message=f"{stem}: Run All did not finish")
        if not state["errors"]:  # idle between two cells looks the same: confirm a moment later
            time.sleep(1)
            state = wait_for(finished, RUN_TIMEOUT, interval=1, message=f"{stem}: Run All did not finish")
        times["run_all"] = round(time.monotonic() - t, 1)
        seen["code_cells"], seen["stderr"] = state["code"], state["stderr"]
        assert state["kernel"] != "dead", f"{stem}: the kernel died during Run All"
        assert not state["errors"], f"{stem}: error output in cells " + "; ".join(
            f"{i}: {e[:500]}" for i, e in state["errors"])

        cells = driver.execute_script(CELLS, path)
        t = time.monotonic()
        check_math(driver, path, cells, stem, seen)
        check_sliders(driver, path, cells, stem, seen)
        check_animations(driver, path, cells, stem, seen)
        check_progress(driver, path, cells, stem, seen, state["progress"])
        times["checks"] = round(time.monotonic() - t, 1)
        # Nothing went wrong while the widgets were used (a callback's error would be a new stderr output).
        after = driver.execute_script(PANEL_STATE, path)
        assert not after["errors"], f"{stem}: error output after using the widgets: {after['errors']}"
        scroll_to(driver, path, len(cells) - 1)
        shot(driver, f"{stem}_9_end")
    except Exception:
        shot(driver, f"{stem}_failure")
        raise
    finally:
        try:
            driver.execute_async_script(LEAVE, path)
        finally:
            lab.shutdown_kernels()
        times["total"] = round(time.monotonic() - start, 1)
        print(f"{stem}: {times} {({k: v for k, v in seen.items() if k not in ('seconds', 'stderr')})}"
              f" stderr outputs (warnings): {len(seen.get('stderr', []))}")
