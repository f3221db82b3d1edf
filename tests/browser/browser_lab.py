"""A JupyterLab server and a headless Chromium for the browser test (tests/browser/test_lessons_in_browser.py).

The server runs on 127.0.0.1 (a free port, no token) from the repository's .venv, over a temporary folder
that holds copies of the lessons: an autosave or a jupytext save there cannot touch the checkout. Its
settings, workspaces, runtime and config folders are temporary too (the user's own settings are not read
or changed), and its kernels run the smoke profile (``GAN_COURSE_PROFILE=smoke``) with the inline
backend (``MPLBACKEND`` unset) and progress bars on (``TQDM_DISABLE`` unset).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"

# Settings the test's JupyterLab starts with (its own settings folder): no news or update pop-ups, and no
# autosave. The notebook's windowing mode is left at JupyterLab's default: the test must see what a user sees.
SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false",
                                                                        "checkForUpdates": False},
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Lab:
    """``with Lab(notebooks) as lab:`` a running JupyterLab whose root holds copies of ``notebooks``."""

    def __init__(self, notebooks: list[Path], log: Path, python: str | None = None):
        self.notebooks, self.log_path = notebooks, log
        self.python = python or str(ROOT / ".venv" / "bin" / "python")
        if not Path(self.python).exists():
            self.python = sys.executable
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> "Lab":
        self.tmp = Path(tempfile.mkdtemp(prefix="gan-course-browser-"))
        root = self.tmp / "lessons"
        root.mkdir()
        for path in self.notebooks:
            shutil.copy2(path, root / path.name)
        settings = self.tmp / "settings"
        for name, values in SETTINGS.items():
            target = settings / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps(values))
        env = {k: v for k, v in os.environ.items() if k not in {"MPLBACKEND", "TQDM_DISABLE", "GAN_COURSE_RESULTS"}}
        env.update(
            GAN_COURSE_PROFILE="smoke",
            JUPYTER_CONFIG_DIR=str(self.tmp / "config"),
            JUPYTER_RUNTIME_DIR=str(self.tmp / "runtime"),
            JUPYTERLAB_SETTINGS_DIR=str(settings),
            JUPYTERLAB_WORKSPACES_DIR=str(self.tmp / "workspaces"),
            PYTHONUNBUFFERED="1",
        )
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen(
            [self.python, "-m", "jupyter", "lab", "--no-browser", "--ip=127.0.0.1", f"--port={self.port}",
             "--ServerApp.token=", "--ServerApp.password=", "--ServerApp.disable_check_xsrf=True",
             f"--ServerApp.root_dir={root}", "--ServerApp.open_browser=False", "--allow-root",
             "--LabApp.expose_app_in_browser=True",
             "--LabApp.check_for_updates_class=jupyterlab.handlers.announcements.NeverCheckForUpdate"],
            cwd=root, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        deadline = time.monotonic() + 90
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"JupyterLab exited ({self.process.returncode}); see {self.log_path}")
            try:
                with urllib.request.urlopen(f"{self.url}/api/status", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"JupyterLab did not answer on {self.url} within 90 s; see {self.log_path}")
            time.sleep(0.5)
        return self

    def shutdown_kernels(self) -> None:
        """Stop every kernel (frees the CPU for the next lesson)."""
        try:
            with urllib.request.urlopen(f"{self.url}/api/kernels", timeout=5) as response:
                kernels = json.load(response)
            for kernel in kernels:
                request = urllib.request.Request(f"{self.url}/api/kernels/{kernel['id']}", method="DELETE")
                urllib.request.urlopen(request, timeout=10).close()
        except OSError:
            pass

    def __exit__(self, *exc) -> None:
        self.shutdown_kernels()
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()
        shutil.rmtree(self.tmp, ignore_errors=True)


def chromium(width: int = 1400, height: int = 1000):
    """A headless Chromium driven by Debian's chromedriver."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                f"--window-size={width},{height}", "--hide-scrollbars", "--force-device-scale-factor=1",
                "--disable-extensions", "--no-first-run", "--disable-background-networking"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    options.set_capability("unhandledPromptBehavior", "accept")  # e.g. "leave the page?" when a lesson ends
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_script_timeout(120)
    return driver
