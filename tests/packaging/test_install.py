"""The package installed the way a Colab notebook's first cell installs it, and every lesson run from it.

A Colab lesson runs ``pip install git+https://github.com/<slug>.git``: a plain, non-editable install of
the repository, with nothing of the checkout beside it. This test does the same without a network:

1. copies the repository's tracked files (as they are in the working tree) to an empty folder and builds
   a wheel from it (``pip wheel --no-deps --no-build-isolation``: setuptools comes from this environment);
2. creates a virtual environment outside the checkout and installs the wheel into it (``--no-deps
   --no-index``); the dependencies come from this environment's site-packages, offered through a folder
   of links that leaves out this checkout's editable ``gan_course``, so only the wheel can provide it;
3. checks the wheel holds every committed checkpoint and the manifest, and that each verifies (sha256)
   where it was installed;
4. runs every lesson in the smoke profile with papermill and a kernel of that environment, each from a
   folder that holds only that notebook, and asserts it ran without error, loaded ``gan_course`` from the
   environment, and wrote nothing into the installed package (caches go to the user's cache folder).

About 3 minutes on 2 CPU cores, so ``make test`` does not collect it (``conftest.py``): run
``make package-test`` (or set ``GAN_COURSE_PACKAGING=1``). No network is used; the build needs setuptools
in this environment (requirements.txt).
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
KERNEL = "gan-course-pkgtest"
LESSON_TIMEOUT = 240  # seconds one lesson may take here (its smoke budget is 30 s, plus the kernel's start)
KERNELS_AT_ONCE = 2  # a kernel's start is mostly waiting
# each kernel gets its share of the cores, as it would alone on a smaller machine: two kernels with a thread per
# core each made torch's threads wait for each other (lesson 00's 2,000 GAN steps: 98 s against 9 s)
THREADS_PER_KERNEL = max(1, (os.cpu_count() or 1) // KERNELS_AT_ONCE)


def lessons() -> list[Path]:
    return sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def run(command: list, cwd: Path, env: dict | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    done = subprocess.run([str(part) for part in command], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)
    assert done.returncode == 0, f"{' '.join(map(str, command))} failed:\n{done.stdout[-3000:]}\n{done.stderr[-5000:]}"
    return done


def clean_env(**extra) -> dict:
    """This process's environment without anything that could put the checkout on ``sys.path``."""
    env = {key: value for key, value in os.environ.items()
           if key not in {"PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV", "PYTHONSAFEPATH",
                          "GAN_COURSE_CACHE", "GAN_COURSE_RESULTS", "JUPYTER_PATH"}}
    env.update({key: str(value) for key, value in extra.items()})
    return env


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """A virtual environment outside the checkout with the wheel installed; a dict of where things are."""
    top = tmp_path_factory.mktemp("packaging")
    # 1. the tracked files as they are in the working tree, alone in a folder; a wheel of them
    source = top / "source"
    tracked = run(["git", "ls-files", "-z"], cwd=REPO).stdout.split("\0")
    for name in filter(None, tracked):
        path = REPO / name
        if path.is_file():  # a tracked file deleted in the working tree is left out, as a commit would
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, source / name)
    dist = top / "dist"
    if importlib.util.find_spec("setuptools") is None:
        pytest.fail("building the wheel offline (--no-build-isolation) needs setuptools in this environment: "
                    "pip install 'setuptools>=64' (requirements.txt)")
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-q",
         "-w", dist, source], cwd=top, env=clean_env())
    wheel, = dist.glob("gan_course-*.whl")

    # 2. a fresh environment; this one's dependencies through links, never this checkout's gan_course
    env_dir = top / "env"
    run([sys.executable, "-m", "venv", "--without-pip", env_dir], cwd=top)
    python = env_dir / "bin" / "python"
    site = Path(run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], cwd=top,
                    env=clean_env()).stdout.strip())
    deps = top / "deps"
    deps.mkdir()
    ours = {Path(sysconfig.get_path(kind)) for kind in ("purelib", "platlib")}
    for folder in ours:
        for entry in folder.iterdir():
            skip = (entry.name.startswith(("gan_course", "__editable__")) or entry.suffix == ".pth"
                    or entry.name == "__pycache__" or (deps / entry.name).exists())
            if not skip:
                (deps / entry.name).symlink_to(entry)
    (site / "gan_course_pkgtest_deps.pth").write_text(f"{deps}\n")  # a plain path: its .pth files are not run
    run([python, "-m", "pip", "install", "--no-deps", "--no-index", "-q", wheel], cwd=top, env=clean_env())
    run([python, "-m", "ipykernel", "install", "--prefix", env_dir, "--name", KERNEL], cwd=top, env=clean_env())
    return {"top": top, "source": source, "wheel": wheel, "python": python, "site": site,
            "cache": top / "user-cache"}


def test_the_wheel_holds_the_committed_checkpoints_and_the_manifest(installed):
    manifest = json.loads((REPO / "gan_course" / "pretrained" / "manifest.json").read_text())
    with zipfile.ZipFile(installed["wheel"]) as wheel:
        sizes = {info.filename: info.file_size for info in wheel.infolist()}
        metadata = next(wheel.read(name).decode() for name in sizes if name.endswith(".dist-info/METADATA"))
    assert "gan_course/pretrained/manifest.json" in sizes
    for name, info in manifest.items():
        assert sizes.get(f"gan_course/pretrained/{info['file']}") == info["size"], f"{name} is not in the wheel"
    assert not [name for name in sizes if name.endswith((".lock", ".tmp"))]
    for needed in ("torchmetrics", "threadpoolctl"):  # what a bare install on Colab used to lack
        assert f"Requires-Dist: {needed}" in metadata


def test_the_sdist_holds_them_too(installed):
    """pip builds a wheel from the sdist when there is no wheel: the same package data must be in it."""
    build = ("import sys; from setuptools import build_meta\n"
             "print(build_meta.build_sdist(sys.argv[1]))\n")
    out = installed["top"] / "sdist"
    name = run([sys.executable, "-c", build, out], cwd=installed["source"], env=clean_env()).stdout.split()[-1]
    with tarfile.open(out / name) as sdist:
        members = {Path(member.name).relative_to(Path(member.name).parts[0]).as_posix() for member in sdist}
    manifest = json.loads((REPO / "gan_course" / "pretrained" / "manifest.json").read_text())
    assert {f"gan_course/pretrained/{info['file']}" for info in manifest.values()} <= members
    assert "gan_course/pretrained/manifest.json" in members


def test_the_installed_package_is_the_wheel_and_its_checkpoints_verify(installed):
    probe = ("import json, gan_course\n"
             "from gan_course import checkpoints, runtime\n"
             "paths = [str(checkpoints.verify(name)) for name in checkpoints.manifest()]\n"
             "print(json.dumps({'file': gan_course.__file__, 'root': str(checkpoints.ROOT), 'paths': paths,\n"
             "                  'in_checkout': runtime.IN_CHECKOUT, 'cache': str(runtime.cache_dir())}))\n")
    empty = installed["top"] / "empty"
    empty.mkdir(exist_ok=True)
    done = run([installed["python"], "-c", probe], cwd=empty, env=clean_env(XDG_CACHE_HOME=installed["cache"]))
    found = json.loads(done.stdout.strip().splitlines()[-1])
    package = installed["site"] / "gan_course"
    assert Path(found["file"]) == package / "__init__.py", "gan_course did not load from the wheel's install"
    assert Path(found["root"]) == package / "pretrained" and len(found["paths"]) >= 5
    assert all(Path(path).parent == package / "pretrained" for path in found["paths"])
    assert found["in_checkout"] is False and Path(found["cache"]) == installed["cache"] / "gan_course"


def run_lesson(installed: dict, notebook: Path) -> tuple[float, str | None]:
    """Run ``notebook`` alone in a new folder with the environment's kernel: (seconds, what went wrong)."""
    import nbformat

    folder = installed["top"] / "lessons" / notebook.stem
    folder.mkdir(parents=True)
    nb = nbformat.read(notebook, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(  # where this lesson's gan_course and kernel came from
        "import sys, gan_course\n"
        "gan_course.record('packaging_gan_course_file', gan_course.__file__)\n"
        "gan_course.record('packaging_python', sys.executable)"))
    nbformat.write(nb, folder / notebook.name)
    results = installed["top"] / "results" / f"{notebook.stem}.json"
    env = clean_env(GAN_COURSE_PROFILE="smoke", GAN_COURSE_RESULTS=results, TQDM_DISABLE=1,
                    OMP_NUM_THREADS=THREADS_PER_KERNEL,
                    MPLBACKEND="module://matplotlib_inline.backend_inline", XDG_CACHE_HOME=installed["cache"])
    command = [installed["python"], "-m", "papermill", notebook.name, "executed.ipynb", "-k", KERNEL,
               "-p", "PROFILE", "smoke", "--cwd", folder, "--no-progress-bar", "--execution-timeout", LESSON_TIMEOUT]
    start = time.perf_counter()
    done = subprocess.run([str(part) for part in command], cwd=folder, env=env, capture_output=True, text=True,
                          timeout=LESSON_TIMEOUT + 60)
    seconds = round(time.perf_counter() - start, 1)
    if done.returncode != 0:
        return seconds, f"papermill exited {done.returncode}\n{done.stderr[-4000:]}"
    recorded = json.loads(results.read_text())
    if Path(recorded["packaging_gan_course_file"]) != installed["site"] / "gan_course" / "__init__.py":
        return seconds, f"gan_course came from {recorded['packaging_gan_course_file']}"
    if Path(recorded["packaging_python"]) != installed["python"]:
        return seconds, f"the kernel ran {recorded['packaging_python']}"
    return seconds, None


def test_every_lesson_runs_in_the_smoke_profile_from_a_folder_with_only_that_notebook(installed):
    before = {path for path in installed["site"].rglob("*") if "__pycache__" not in path.parts}
    with ThreadPoolExecutor(max_workers=KERNELS_AT_ONCE) as pool:
        runs = dict(zip(lessons(), pool.map(lambda notebook: run_lesson(installed, notebook), lessons())))
    print("seconds per lesson:", {notebook.stem: seconds for notebook, (seconds, _) in runs.items()})
    failures = [f"{notebook.stem}: {error}" for notebook, (_, error) in runs.items() if error]
    assert not failures, "\n\n".join(failures)
    assert len(runs) >= 7
    after = {path for path in installed["site"].rglob("*") if "__pycache__" not in path.parts}
    assert after == before, f"the lessons wrote into site-packages: {sorted(map(str, after - before))[:10]}"
