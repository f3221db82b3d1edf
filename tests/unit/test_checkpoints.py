import json

import pytest
import torch

from gan_course import checkpoints


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


def test_the_committed_registry_verifies_and_stays_under_50_mb():
    for name in checkpoints.manifest():
        checkpoints.verify(name)
    assert checkpoints.total_size() <= 50 * 1024 * 1024
