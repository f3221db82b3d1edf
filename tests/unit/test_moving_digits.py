"""Tests of gan_course.data.moving_digits: clips of moving digits in two domains, and the scores of a clip against
its known motion."""

import math

import pytest
import torch

from gan_course.data import domains
from gan_course.data import moving_digits as md


def test_trajectories_stay_on_the_canvas_and_move_as_named():
    gen = torch.Generator().manual_seed(0)
    bounce = md.trajectories(500, 12, "bounce", gen)
    orbit = md.trajectories(500, 12, "orbit", gen)
    for path in (bounce, orbit):
        assert path.shape == (500, 12, 2) and path.dtype == torch.long
        assert path.min() >= 0 and path.max() <= md.RANGE
    # bouncing: 1 to 2 pixels per frame (rounded positions: at most 1 more), and they do move
    steps = (bounce[:, 1:] - bounce[:, :-1]).float().norm(dim=2)
    assert steps.max() <= 2 * math.sqrt(2) + 1e-6 and steps.mean() > 1
    # orbiting: at a radius of 2 to 5 pixels from the centre, give or take the rounding
    radius = (orbit.float() - md.RANGE / 2).norm(dim=2)
    assert radius.min() >= 2 - 1 and radius.max() <= 5 + 1
    spread = radius.max(1).values - radius.min(1).values
    assert spread.max() <= 1.5
    with pytest.raises(ValueError, match="motion must be"):
        md.trajectories(3, 4, "zigzag", gen)
    with pytest.raises(ValueError, match="frames must be an integer"):
        md.trajectories(3, 0, "orbit", gen)


def test_paste_puts_each_box_where_it_says():
    boxes = torch.rand(3, 2, md.BOX, md.BOX)
    positions = torch.tensor([[[0, 0], [md.RANGE, 3]], [[5, 5], [1, 9]], [[2, 7], [2, 7]]])
    clips = md.paste(boxes, positions)
    assert clips.shape == (3, 2, 2, md.SIZE, md.SIZE)
    for i in range(3):
        for k in range(2):
            r, c = positions[i, k].tolist()
            assert torch.equal(clips[i, k, :, r:r + md.BOX, c:c + md.BOX], boxes[i])
            outside = clips[i, k].clone()
            outside[:, r:r + md.BOX, c:c + md.BOX] = -1
            assert (outside == -1).all()
    with pytest.raises(ValueError, match="must lie in"):
        md.paste(boxes, positions + md.RANGE)
    with pytest.raises(ValueError, match=r"boxes must be \(N, C, 22, 22\)"):
        md.paste(torch.zeros(3, 1, 28, 28), positions)


def test_load_clips_is_deterministic_and_keeps_what_made_it():
    a = md.load_clips("printed", "test")
    b = md.load_clips("printed", "test")
    assert a.frames.shape == (1000, md.FRAMES, 1, md.SIZE, md.SIZE) and len(a) == 1000
    assert torch.equal(a.frames, b.frames) and torch.equal(a.positions, b.positions)
    assert a.frames.min() >= -1 and a.frames.max() <= 1 and "orbit" in a.source
    train = md.load_clips("handwritten", "train", frames=4)
    assert train.frames.shape[:2] == (4000, 4) and "bounc" in train.source
    assert torch.equal(train.labels, torch.arange(10).repeat_interleave(400))
    for bad, match in ((dict(domain="plain"), "domain must be one of"), (dict(domain="printed", frames=1), "frames"),
                       (dict(domain="printed", split="val"), "split must be one of")):
        with pytest.raises(ValueError, match=match):
            md.load_clips(**bad)


def test_a_source_clip_moves_exactly_as_its_positions_and_does_not_flicker():
    clips = md.load_clips("handwritten", "test", frames=6)
    frames, positions = clips.frames[:50], clips.positions[:50]
    assert md.displacement_error(frames, positions).max() < 1e-4
    assert md.flicker(frames, positions).max() == 0
    # a clip frozen in its first frame: its error is how far the source moved; it flickers once the motion is undone
    frozen = frames[:, :1].expand_as(frames)
    moved = (positions - positions[:, :1]).float().norm(dim=2)[:, 1:].mean(1)
    assert torch.allclose(md.displacement_error(frozen, positions), moved, atol=1e-4)
    assert (md.flicker(frozen, positions)[moved > 0] > 0).all()
    # another digit in every frame, each at the right place: it flickers
    a = (28 - md.BOX) // 2
    boxes = domains.load_domain("handwritten", "test").images[::10, :, a:a + md.BOX, a:a + md.BOX]
    mixed = torch.stack([md.paste(boxes[6 * k:6 * k + 6], positions[:6])[:, k] for k in range(6)], 1)
    assert mixed.shape == frames[:6].shape
    assert md.flicker(mixed, positions[:6]).min() > 0.05
    with pytest.raises(ValueError, match="clips must be"):
        md.flicker(frames[:, :1], positions)


def test_clip_windows_cut_consecutive_frames_and_resume():
    frames = torch.arange(5 * 6.0).reshape(5, 6, 1, 1, 1).expand(5, 6, 1, 2, 2).contiguous()
    windows = md.ClipWindows(frames, window=3, batch_size=4, seed=0)
    seen = set()
    for _ in range(5):                                     # 20 windows: 5 clips x 4 starts, one epoch
        batch = next(windows)
        assert batch.shape == (4, 3, 1, 2, 2)
        first = batch[:, :, 0, 0, 0]
        assert torch.equal(first[:, 1:] - first[:, :-1], torch.ones(4, 2))   # consecutive frames of one clip
        seen |= set(first[:, 0].tolist())
    assert len(seen) == 20
    state = windows.state_dict()
    expected = [next(windows) for _ in range(3)]
    again = md.ClipWindows(frames, window=3, batch_size=4, seed=99)
    again.load_state_dict(state)
    assert all(torch.equal(next(again), e) for e in expected)
    with pytest.raises(ValueError, match="window must be at most"):
        md.ClipWindows(frames, window=7, batch_size=2)
