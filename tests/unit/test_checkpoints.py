import json
import os
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest
import torch

from gan_course import checkpoints, runtime

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def saved(tmp_path):
    """A registry in a temporary folder with one checkpoint, 'tiny'."""
    source = tmp_path / "weights.pt"
    torch.save({"w": torch.arange(6.0).reshape(2, 3)}, source)
    root = tmp_path / "registry"
    info = checkpoints.register("tiny", source, command="python -m gan_course train tiny --seed 0",
                                data="generated", metrics={"accuracy": 0.5}, root=root)
    return root, info


def test_register_writes_a_complete_entry_and_load_returns_the_tensors(saved):
    root, info = saved
    assert set(info) == {"file", "sha256", "size", "command", "data", "metrics"}
    assert checkpoints.entry("tiny", root) == info == json.loads((root / "manifest.json").read_text())["tiny"]
    assert info["sha256"] == checkpoints.sha256_of(root / "tiny.pt") and info["size"] == checkpoints.total_size(root)
    assert torch.equal(checkpoints.load("tiny", root)["w"], torch.arange(6.0).reshape(2, 3))


def test_unknown_name_lists_the_registered_ones(saved):
    root, _ = saved
    with pytest.raises(checkpoints.CheckpointError, match="registered: tiny"):
        checkpoints.load("dcgan", root)


def test_missing_file_says_how_to_recreate_it(saved):
    root, _ = saved
    (root / "tiny.pt").unlink()
    with pytest.raises(checkpoints.CheckpointError, match="missing; recreate it with: python -m gan_course train tiny"):
        checkpoints.load("tiny", root)


def test_corrupt_file_is_refused(saved):
    root, _ = saved
    data = bytearray((root / "tiny.pt").read_bytes())
    data[-10] ^= 0xFF  # same size, one byte flipped
    (root / "tiny.pt").write_bytes(bytes(data))
    with pytest.raises(checkpoints.CheckpointError, match="corrupt"):
        checkpoints.verify("tiny", root)


def test_truncated_file_is_refused_by_size(saved):
    root, _ = saved
    (root / "tiny.pt").write_bytes(b"version https://git-lfs.github.com/spec/v1\n")
    with pytest.raises(checkpoints.CheckpointError, match="bytes, the manifest says"):
        checkpoints.verify("tiny", root)


def test_register_refuses_to_pass_the_size_limit(saved, tmp_path, monkeypatch):
    root, info = saved
    monkeypatch.setattr(checkpoints, "SIZE_LIMIT_BYTES", info["size"] + 10)
    source = tmp_path / "big.pt"
    torch.save({"w": torch.zeros(100)}, source)
    with pytest.raises(checkpoints.CheckpointError, match="over the"):
        checkpoints.register("big", source, command="c", data="d", metrics={}, root=root)
    assert set(checkpoints.manifest(root)) == {"tiny"}  # the manifest is unchanged


def test_the_committed_registry_verifies_and_stays_under_its_limit():
    for name in checkpoints.manifest():
        checkpoints.verify(name)
    assert checkpoints.total_size() <= checkpoints.SIZE_LIMIT_BYTES <= 100 * 10**6   # the guide: 100 MB in all


# --------------------------------------------------------------------------- package data (issue #13)


def test_the_committed_checkpoints_are_package_data_that_pip_installs():
    """They live inside the package and pyproject.toml's package-data globs select exactly them."""
    package = REPO / "gan_course"
    assert checkpoints.ROOT == package / "pretrained"
    globs = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["gan_course"]
    shipped = {path.relative_to(checkpoints.ROOT).as_posix() for pattern in globs for path in package.glob(pattern)}
    committed = {info["file"] for info in checkpoints.manifest().values()} | {"manifest.json", "measured.json"}
    assert committed and shipped == committed  # every checkpoint, the manifest, the measured tables; no temporary file


def test_a_measured_table_says_how_it_was_run_and_an_unknown_one_is_named(tmp_path):
    table = checkpoints.measured("stylegan_mapping_depth")
    assert {"command", "date", "machine", "rows"} <= set(table) and "benchmarks/styles.py" in table["command"]
    with pytest.raises(checkpoints.CheckpointError, match=r"no measured table named 'nope'.*kept: .*stylegan_mapping_depth"):
        checkpoints.measured("nope")
    with pytest.raises(checkpoints.CheckpointError, match="kept: none"):
        checkpoints.measured("nope", root=tmp_path)


@pytest.fixture
def committed(saved, monkeypatch):
    """``saved``'s registry posing as the committed one (checkpoints.ROOT) of a checkout at its parent."""
    root, _ = saved
    monkeypatch.setattr(checkpoints, "ROOT", root)
    monkeypatch.setattr(runtime, "PROJECT_ROOT", root.parent)
    monkeypatch.setattr(runtime, "IN_CHECKOUT", True)
    return root


def test_a_missing_committed_checkpoint_says_where_it_looked_and_how_to_restore_it(committed, monkeypatch):
    (committed / "tiny.pt").unlink()
    with pytest.raises(checkpoints.CheckpointError) as caught:
        checkpoints.load("tiny", committed)
    message = str(caught.value)
    assert f"{committed / 'tiny.pt'} is missing" in message  # the full path
    assert "git checkout -- registry/tiny.pt" in message and "recreate it with: python -m gan_course train tiny" in message
    monkeypatch.setattr(runtime, "IN_CHECKOUT", False)  # a pip install (Colab): reinstall, or recreate
    with pytest.raises(checkpoints.CheckpointError) as caught:
        checkpoints.load("tiny", committed)
    message = str(caught.value)
    assert f"{committed / 'tiny.pt'} is missing" in message and "install of gan_course is incomplete" in message
    assert f"reinstall the package: pip install --force-reinstall --no-deps git+https://github.com/{runtime.REPO_SLUG}.git" in message
    assert "recreate it with: python -m gan_course train tiny" in message


def test_an_empty_committed_registry_names_its_manifest_and_says_the_install_is_incomplete(committed, monkeypatch):
    monkeypatch.setattr(runtime, "IN_CHECKOUT", False)
    for emptied in ("{}", None):  # an empty manifest, then none at all
        if emptied is None:
            (committed / "manifest.json").unlink()
        else:
            (committed / "manifest.json").write_text(emptied)
        with pytest.raises(checkpoints.CheckpointError) as caught:
            checkpoints.load("mnist-classifier", committed)
        message = str(caught.value)
        assert str(committed / "manifest.json") in message and "registered: none yet" in message
        assert "install of gan_course is incomplete" in message and "pip install --force-reinstall" in message


def test_a_damaged_manifest_of_a_pip_install_says_to_reinstall(committed, monkeypatch):
    monkeypatch.setattr(runtime, "IN_CHECKOUT", False)
    (committed / "manifest.json").write_text("[]")
    with pytest.raises(checkpoints.CheckpointError, match="reinstall the package: pip install --force-reinstall"):
        checkpoints.manifest(committed)


def test_register_into_a_folder_it_cannot_write_says_what_to_do(saved, tmp_path, monkeypatch):
    root, _ = saved
    monkeypatch.setattr(checkpoints.os, "access", lambda path, mode: False)
    with pytest.raises(checkpoints.CheckpointError) as caught:
        checkpoints.register("tiny", tmp_path / "weights.pt", command="python -m gan_course train tiny --register",
                             data="d", metrics={}, root=root)
    message = str(caught.value)
    assert f"{root} is not writable" in message and "`python -m gan_course train tiny --register`" in message
    assert f"git clone https://github.com/{runtime.REPO_SLUG}.git" in message and "gan_course/pretrained/" in message


def test_the_cache_is_data_cache_in_a_checkout_else_the_users_cache_never_the_package(monkeypatch, tmp_path):
    monkeypatch.delenv(runtime.CACHE_ENV, raising=False)
    assert runtime.IN_CHECKOUT and runtime.cache_dir() == REPO / "data" / "cache"
    monkeypatch.setattr(runtime, "IN_CHECKOUT", False)  # a pip install
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert runtime.cache_dir() == tmp_path / "xdg" / "gan_course"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert runtime.cache_dir() == tmp_path / "home" / ".cache" / "gan_course"
    monkeypatch.setenv(runtime.CACHE_ENV, str(tmp_path / "mine"))
    assert runtime.cache_dir() == checkpoints.cache_root() == tmp_path / "mine"


# --------------------------------------------------------------------------- reliability (issue #12)

WRITER = """
import sys, time
from pathlib import Path
from gan_course import checkpoints
root, tag = Path(sys.argv[1]), sys.argv[2]
(root.parent / f"ready-{tag}").touch()
while not (root.parent / "go").exists():  # start both writers at the same moment
    time.sleep(0.005)
for i in range(25):
    checkpoints.register(f"{tag}-{i}", root.parent / "sources" / f"{tag}-{i}.bin", command=f"make {tag} {i}",
                         data="generated", metrics={"i": i}, root=root)
"""


def test_two_processes_registering_at_once_lose_nothing(tmp_path):
    root, sources = tmp_path / "registry", tmp_path / "sources"
    sources.mkdir()
    for tag in "ab":
        for i in range(25):
            (sources / f"{tag}-{i}.bin").write_bytes(f"{tag} {i} ".encode() * (100 + i))
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, str(root), tag], cwd=REPO) for tag in "ab"]
    deadline = time.time() + 120
    while not all((tmp_path / f"ready-{tag}").exists() for tag in "ab") and time.time() < deadline:
        time.sleep(0.01)
    (tmp_path / "go").touch()
    assert [w.wait(timeout=120) for w in writers] == [0, 0]
    entries = json.loads((root / "manifest.json").read_text())  # valid JSON
    assert sorted(entries) == sorted(f"{tag}-{i}" for tag in "ab" for i in range(25))
    for name, info in entries.items():
        assert checkpoints.verify(name, root) == root / f"{name}.pt"
        assert (root / info["file"]).read_bytes() == (sources / f"{name}.bin").read_bytes()
        assert info["metrics"] == {"i": int(name.split("-")[1])}
    assert not list(root.glob("*.tmp"))


def test_register_removes_stale_temporary_files_and_keeps_fresh_ones(saved, tmp_path):
    root, _ = saved
    stale = [root / ".manifest.json.k1ll3d.tmp", root / ".tiny.pt.k1ll3d.tmp", root / "tiny.pt.tmp"]
    fresh = root / ".other.pt.wr1t1ng.tmp"  # could belong to a writer still at work: kept
    for path in stale + [fresh]:
        path.write_bytes(b"half a file")
    old = time.time() - checkpoints.STALE_TMP_SECONDS - 5
    for path in stale:
        os.utime(path, (old, old))
    source = tmp_path / "second.pt"
    torch.save({"w": torch.ones(2)}, source)
    checkpoints.register("second", source, command="c", data="d", metrics={}, root=root)
    assert not any(path.exists() for path in stale) and fresh.exists()
    assert set(checkpoints.manifest(root)) == {"tiny", "second"}


def test_a_failed_copy_leaves_the_registry_as_it_was(saved, tmp_path, monkeypatch):
    root, info = saved
    before = (root / "manifest.json").read_text(), (root / "tiny.pt").read_bytes()

    def killed(src, dst):
        dst.write(src.read(10))
        raise KeyboardInterrupt  # the writer is stopped mid-copy

    monkeypatch.setattr(checkpoints.shutil, "copyfileobj", killed)
    source = tmp_path / "new.pt"
    torch.save({"w": torch.zeros(3)}, source)
    with pytest.raises(KeyboardInterrupt):
        checkpoints.register("tiny", source, command="c", data="d", metrics={}, root=root)
    assert ((root / "manifest.json").read_text(), (root / "tiny.pt").read_bytes()) == before
    assert not list(root.glob("*.tmp")) and checkpoints.verify("tiny", root)


@pytest.mark.parametrize("text, problem", [("{\"tiny\": {\"file\": ", "not valid JSON"),
                                           ("[1, 2]", "expected an object of entries"),
                                           ("{\"tiny\": 3}", "entry 'tiny' is not an object"),
                                           ("{\"tiny\": {\"file\": \"tiny.pt\"}}", "entry 'tiny' is not an object")])
def test_a_damaged_manifest_names_the_file_and_the_fix(saved, text, problem):
    root, _ = saved
    (root / "manifest.json").write_text(text)
    for call in (lambda: checkpoints.manifest(root), lambda: checkpoints.load("tiny", root),
                 lambda: checkpoints.register("x", root / "tiny.pt", command="c", data="d", metrics={}, root=root)):
        with pytest.raises(checkpoints.CheckpointError, match=problem) as caught:
            call()
        assert str(root / "manifest.json") in str(caught.value) and "git checkout --" in str(caught.value)
    assert (root / "manifest.json").read_text() == text  # register did not overwrite it
