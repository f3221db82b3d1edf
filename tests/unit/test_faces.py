"""Tests of gan_course.data.faces: procedural faces with known identity, pose and light, their landmarks, and the
cached data set built from them."""

import pytest
import torch

from gan_course.data import faces as fc


@pytest.fixture
def cache(monkeypatch, tmp_path):
    """A cache folder of this test's own (the checkout's data/cache stays untouched)."""
    monkeypatch.setenv("GAN_COURSE_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache" / "faces"


def small(**kwargs):
    return fc.load_faces(**{"n_identities": 4, "views_per_identity": 3, **kwargs})


def test_identities_come_from_their_index_within_the_documented_ranges():
    ten = fc.identities(10)
    assert len(ten) == 10 and list(fc.FACTORS) == [name for name in vars(ten)]
    assert torch.equal(fc.identities(4, 3).to_tensor(), ten[3:7].to_tensor())  # identity 3 is always the same
    assert torch.equal(ten[2].to_tensor(), ten.to_tensor()[2:3])
    values = fc.identities(500).to_tensor()  # (500, F)
    low, high = (torch.tensor([r[i] for r in fc.FACTORS.values()]) for i in (0, 1))
    assert (values >= low).all() and (values <= high).all()
    assert (values.max(0).values - values.min(0).values > 0.9 * (high - low)).all()  # each factor spans its range
    assert all(isinstance(what, str) and what for _, _, what in fc.FACTORS.values())


def test_render_shapes_ranges_background_and_broadcasting():
    people = fc.identities(3)
    images = fc.render(people, yaw=[-60.0, 0.0, 45.0], pitch=5.0, light=-20.0)
    assert images.shape == (3, 1, 32, 32) and images.dtype == torch.float32
    assert images.min() >= -1 and images.max() <= 1
    assert (images[:, :, 0, :] == -1).all() and (images[:, :, :, 0] == -1).all()  # background at the edges
    assert ((images > -1).float().mean((1, 2, 3)) > 0.3).all()                   # ... and a head in the middle
    sweep = fc.render(people[1], yaw=torch.arange(-75.0, 76.0, 15.0), size=64)  # one face, 11 poses
    assert sweep.shape == (11, 1, 64, 64)
    assert torch.allclose(sweep[5:6], fc.render(people[1], size=64))            # yaw 0 of the sweep
    assert not torch.equal(sweep[0], sweep[10])


def test_a_frontal_face_under_a_frontal_light_is_exactly_symmetric():
    people = fc.identities(30)
    for size in fc.SIZES:
        frontal = fc.render(people, yaw=0.0, pitch=0.0, light=0.0, size=size)
        assert torch.equal(frontal, frontal.flip(-1))  # exactly, not only within 1e-5
    turned, lit = fc.render(people[:5], yaw=20.0), fc.render(people[:5], light=30.0)
    assert (turned - turned.flip(-1)).abs().amax((1, 2, 3)).min() > 0.1
    assert (lit - lit.flip(-1)).abs().amax((1, 2, 3)).min() > 0.05


def test_landmarks_lie_on_their_features_and_mirror_at_yaw_0():
    people = fc.identities(40)
    for size in fc.SIZES:
        images = fc.render(people, size=size)[:, 0]
        points, visible = fc.landmarks(people, size=size)
        assert points.shape == (40, 4, 2) and visible.all()
        assert torch.equal(points[:, 0, 0], points[:, 1, 0])                     # eyes on one row ...
        assert torch.allclose(points[:, 0, 1] + points[:, 1, 1], torch.full((40,), size - 1.0))  # ... mirrored
        assert torch.allclose(points[:, 2:, 1], torch.full((40, 2), (size - 1) / 2))  # nose and mouth centred
        assert (points[:, 0, 0] < points[:, 2, 0]).all() and (points[:, 2, 0] < points[:, 3, 0]).all()
        at = points.round().long()
        n = torch.arange(40)
        cheek = images[n, at[:, 2, 0], at[:, 0, 1]]           # beside the nose, under the left eye
        for k in (0, 1, 3):                                   # eyes and mouth: darker than the skin beside them
            assert (images[n, at[:, k, 0], at[:, k, 1]] < cheek - 0.05).all(), fc.LANDMARKS[k]


def test_the_far_eye_is_hidden_at_large_yaw():
    people = fc.identities(50)
    for yaw, hidden in ((75.0, 1), (-75.0, 0)):
        points, visible = fc.landmarks(people, yaw=yaw, pitch=5.0)
        assert not visible[:, hidden].any() and visible[:, 1 - hidden].all() and visible[:, 2].all()
        assert (points >= 0).all() and (points <= 31).all()
        # the near eye moves towards the side the face turns to; the nose sticks out further than the near eye
        near = points[:, 1 - hidden, 1]
        assert ((points[:, 2, 1] - near) * (1 if yaw > 0 else -1) > 0).all()
    assert fc.landmarks(people, yaw=30.0)[1].all()


def test_pose_and_light_follow_the_documented_signs():
    people = fc.identities(10)
    front = fc.landmarks(people)[0]
    assert (fc.landmarks(people, yaw=30.0)[0][:, 2, 1] > front[:, 2, 1] + 1).all()    # the nose turns right
    assert (fc.landmarks(people, pitch=15.0)[0][:, 2, 0] < front[:, 2, 0] - 1).all()  # and up (a smaller row)
    lit = (fc.render(people, light=60.0) + 1)[:, 0]                                   # light from the right
    assert (lit[:, :, 16:].sum((1, 2)) > 1.2 * lit[:, :, :16].sum((1, 2))).all()


def test_identities_differ_more_than_one_identity_under_small_changes_of_pose():
    people = fc.identities(12)
    yaw = torch.linspace(-40, 40, 12)
    a = fc.render(people, yaw=yaw, light=10.0)
    b = fc.render(people, yaw=yaw + 5, pitch=3.0, light=10.0)
    same = (a - b).abs().mean((1, 2, 3))                      # (12,) one identity, 5 degrees apart
    other = (a - a.roll(1, 0)).abs().mean((1, 2, 3))          # (12,) two identities, similar poses
    assert same.max() < other.min(), (same, other)


def test_load_faces_is_deterministic_and_says_what_it_is(cache):
    train = small()
    assert len(train) == 12 and train.images.shape == train.frontal.shape == (12, 1, 32, 32)
    assert torch.equal(train.identity, torch.arange(4).repeat_interleave(3))
    assert train.landmarks.shape == train.frontal_landmarks.shape == (12, 4, 2) and train.visible.dtype == torch.bool
    assert train.yaw.abs().max() <= 75 and train.pitch.abs().max() <= 10 and train.light.abs().max() <= 60
    assert train.images.min() == -1 and train.images.max() <= 1
    assert torch.equal(((train.images + 1) * 127.5).round() / 127.5 - 1, train.images)  # 8-bit
    assert torch.equal(train.params.to_tensor(), fc.identities(4)[train.identity].to_tensor())
    assert "seed 0" in train.source and "identities 0..3" in train.source and "32x32" in train.source
    fresh = small(seed=0, n_identities=4)                              # from the cache, same bits
    assert torch.equal(fresh.images, train.images) and torch.equal(fresh.landmarks, train.landmarks)
    again = fc._generate(fc.identities(4), 0, 3, 32, 0, [75.0, 10.0, 60.0])  # a second generation: same bits
    for name in ("images", "frontal", "yaw", "light", "landmarks", "visible"):
        assert torch.equal(again[name], getattr(train, name)), name
    test = small(split="test")
    assert torch.equal(test.identity, train.identity) and not torch.equal(test.yaw, train.yaw)
    assert not torch.equal(small(seed=7).images, train.images)
    new = small(first_identity=200)
    assert torch.equal(new.identity, 200 + torch.arange(4).repeat_interleave(3))
    assert not torch.equal(new.params.to_tensor(), train.params.to_tensor())


def test_the_frontal_target_is_the_identity_under_the_same_light_at_yaw_0(cache):
    faces = small(size=64)
    expected = fc.render(faces.params, 0.0, 0.0, faces.light, size=64)
    assert (faces.frontal - expected).abs().max() <= 1 / 255 + 1e-6  # quantised to 8 bits
    assert torch.equal(faces.frontal_landmarks, fc.landmarks(faces.params, size=64)[0])
    assert torch.equal(faces.landmarks, fc.landmarks(faces.params, faces.yaw, faces.pitch, size=64)[0])
    fixed = small(max_light=0.0)                                  # one light: one frontal image per identity
    frontal = fixed.frontal.view(4, 3, 1, 32, 32)
    assert (frontal == frontal[:, :1]).all() and not torch.equal(frontal[0, 0], frontal[1, 0])
    assert not torch.equal(fixed.images[0], fixed.images[1])      # while the views themselves differ


def test_cache_round_trip_and_a_corrupt_cache_is_regenerated(cache, monkeypatch):
    first = small()
    files = sorted(cache.iterdir())
    assert len(files) == 1 and files[0].name.startswith(f"faces-{fc.VERSION}-32px-id0-4-x3-seed0")
    with monkeypatch.context() as patch:
        patch.setattr(fc, "_generate", lambda *args: pytest.fail("the cache should have been used"))
        cached = small()
    for name in fc._TENSORS:
        assert torch.equal(getattr(cached, name), getattr(first, name)), name
    assert cached.source == first.source
    files[0].write_bytes(b"not a torch file")
    again = small()
    assert torch.equal(again.images, first.images)
    assert [f.name for f in cache.iterdir()] == [files[0].name]  # rewritten; no temporary file left


def test_an_unwritable_cache_warns_and_still_returns_the_faces(monkeypatch, tmp_path):
    (tmp_path / "file").write_text("")
    monkeypatch.setenv("GAN_COURSE_CACHE", str(tmp_path / "file"))  # a file where the folder should be
    with pytest.warns(UserWarning, match="could not cache"):
        assert len(small()) == 12


@pytest.mark.parametrize("call, message", [
    (lambda: fc.render(fc.identities(1), size=48), "size must be one of"),
    (lambda: fc.render(fc.identities(1), yaw=95.0), "yaw must be degrees"),
    (lambda: fc.render(fc.identities(1), pitch=[0.0, float("nan")]), "pitch must be degrees"),
    (lambda: fc.render(fc.identities(1), light="left"), "light must be degrees"),
    (lambda: fc.render(fc.identities(2), yaw=[0.0, 10.0, 20.0]), "1 or the same number N"),
    (lambda: fc.render(torch.zeros(3, 20)), "params must be FaceParams"),
    (lambda: fc.landmarks(fc.identities(1), yaw=-100.0), "yaw must be degrees"),
    (lambda: fc.identities(0), "n must be a positive integer"),
    (lambda: fc.identities(2, -1), "first_identity must be a non-negative integer"),
    (lambda: fc.load_faces("valid"), "split must be one of"),
    (lambda: fc.load_faces(n_identities=2.5), "n_identities must be a positive integer"),
    (lambda: fc.load_faces(views_per_identity=True), "views_per_identity must be a positive integer"),
    (lambda: fc.load_faces(size=16), "size must be one of"),
    (lambda: fc.load_faces(seed=-1), "seed must be a non-negative integer"),
    (lambda: fc.load_faces(first_identity="7"), "first_identity must be a non-negative integer"),
    (lambda: fc.load_faces(max_yaw=120), "max_yaw must be degrees"),
    (lambda: fc.load_faces(max_pitch=-5), "one non-negative number of degrees"),
    (lambda: fc.load_faces(max_light=[10, 20]), "one non-negative number of degrees"),
])
def test_bad_input_raises_a_clear_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()
