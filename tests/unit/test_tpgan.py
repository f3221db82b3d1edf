"""TP-GAN: configuration checks, patches cut and pasted exactly, the networks' shapes, every loss term by hand, what
each update trains, exact resume, measuring per yaw bin, and the recipe end to end on a few fake faces."""

import dataclasses
import math

import pytest
import torch
import torch.nn.functional as F

from gan_course import train
from gan_course.data import faces as fc
from gan_course.data.digits import DeviceBatches
from gan_course.models import face_identity, tpgan

SMALL = tpgan.TPGANConfig(width=4, n_residual=1, local_width=4, d_width=4, batch_size=3, steps=4)
TINY_ID = {"n_classes": 3, "width": 4, "n_features": 8}
pytestmark = pytest.mark.usefixtures("one_torch_thread")


def fake_faces(n=6, seed=0, yaw=None):
    """A Faces of random images, landmarks near the template, identities 0, 1, 2, and yaws spread over +-80."""
    gen = torch.Generator().manual_seed(seed)
    images, frontal = (torch.rand(n, 1, 32, 32, generator=gen) * 2 - 1 for _ in range(2))
    template, identity = tpgan.default_template(), torch.arange(n) % 3
    landmarks = template + torch.randn(n, 4, 2, generator=gen) * 3
    frontal_landmarks = template + torch.randn(n, 4, 2, generator=gen) * 0.5
    yaw = torch.linspace(-80, 80, n) if yaw is None else torch.as_tensor(yaw, dtype=torch.float32)
    zero = torch.zeros(n)
    return fc.Faces(images, frontal, identity, yaw, zero, zero, landmarks, frontal_landmarks,
                    torch.ones(n, 4, dtype=torch.bool), fc.identities(3)[identity], "fake faces")


def batch_of(faces):
    return faces.images, faces.landmarks, faces.frontal, faces.frontal_landmarks


def test_shapes_the_template_and_the_ladder():
    nets = tpgan.build(SMALL)
    faces = fake_faces(2)
    fake, patches = nets["G"](faces.images, faces.landmarks)
    assert fake.shape == (2, 1, 32, 32) and fake.abs().max() <= 1
    assert list(patches) == list(fc.LANDMARKS)
    assert [tuple(p.shape[2:]) for p in patches.values()] == list(tpgan.PATCH_SIZES)
    assert nets["D"](fake).shape == (2, 1, 8, 8)
    template = nets["G"].state_dict()["local_pathway.template"]            # a buffer: saved with G
    assert torch.equal(template, tpgan.default_template())
    assert torch.allclose(template[0, 1] + template[1, 1], torch.tensor(31.0))  # the eyes mirror each other
    assert torch.allclose(template[2:, 1], torch.tensor(15.5))                  # nose and mouth in the middle
    G = tpgan.Generator(tpgan.variant("tpgan-global"))
    assert G.local_pathway is None and G(faces.images, faces.landmarks)[1] is None
    ladder = [tpgan.variant(name) for name in ("tpgan-global", "tpgan-local", "tpgan-symmetry", "tpgan")]
    assert [(c.local, c.lambda_symmetry > 0, c.lambda_identity > 0) for c in ladder] == [
        (False, False, False), (True, False, False), (True, True, False), (True, True, True)]
    with pytest.raises(ValueError, match="unknown TP-GAN"):
        tpgan.variant("tpgan-profile")


@pytest.mark.parametrize("change, match", [
    ({"image_size": 30}, "image_size"), ({"channels": 2}, "channels"), ({"width": 0}, "width"),
    ({"n_residual": -1}, "n_residual"), ({"patch_sizes": ((6, 6),) * 3}, "patch_sizes"),
    ({"patch_sizes": ((5, 6),) * 4}, "patch_sizes"), ({"patch_sizes": ((6, 34),) * 4}, "patch_sizes"),
    ({"symmetry_on": "fourier"}, "symmetry_on"), ({"lambda_pixel": -1.0}, "weights"),
    ({"lambda_tv": math.nan}, "weights"), ({"batch_size": True}, "batch_size"),
    ({"local": False, "lambda_pixel": 0.0, "lambda_symmetry": 0.0, "lambda_adversarial": 0.0, "lambda_identity": 0.0,
      "lambda_tv": 0.0}, "positive weight")])
def test_bad_configurations_are_refused(change, match):
    with pytest.raises(ValueError, match=match):
        tpgan.TPGANConfig(**change)


def test_cut_patches_is_exact_and_clamped():
    images = torch.arange(2 * 3 * 32 * 32, dtype=torch.float32).reshape(2, 3, 32, 32)  # every pixel different
    landmarks = torch.tensor([[[10.3, 19.6], [10.5, 20.5], [-3.0, 40.0]],
                              [[30.9, 0.2], [4.0, 4.0], [16.0, 16.0]]])
    odd, even, edge = tpgan.cut_patches(images, landmarks, [(5, 5), (6, 8), (6, 6)])
    assert odd.shape == (2, 3, 5, 5) and even.shape == (2, 3, 6, 8) and edge.shape == (2, 3, 6, 6)
    assert torch.equal(odd[0, :, 2, 2], images[0, :, 10, 20])            # the rounded landmark in the middle
    assert torch.equal(odd[0], images[0, :, 8:13, 18:23])
    assert torch.equal(even[0], images[0, :, 8:14, 17:25])               # centre (10.5, 20.5): exactly the middle
    assert torch.equal(edge[0], images[0, :, 0:6, 26:32])                # clamped at the top right corner
    assert torch.equal(odd[1], images[1, :, 27:32, 0:5])                 # clamped at the bottom left
    assert torch.equal(even[1], images[1, :, 2:8, 1:9])                  # even sides, a whole-pixel landmark: ...
    assert torch.equal(even[1, :, 2, 3], images[1, :, 4, 4])             # ... the top left of the central four
    assert torch.equal(edge[1], images[1, :, 14:20, 14:20])
    with pytest.raises(ValueError, match="landmarks"):
        tpgan.cut_patches(images, landmarks[:, :2], [(5, 5), (6, 8), (6, 6)])


def test_fuse_pastes_at_the_template_with_max_where_patches_overlap():
    a = torch.full((1, 1, 4, 4), -1.0, requires_grad=True)
    b = torch.full((1, 1, 4, 4), 2.0)
    with torch.no_grad():
        a[0, 0, 3, 3] = 3.0                                               # at (7, 7): in the overlap, above b
    canvas = tpgan.fuse([a, b], torch.tensor([[5.5, 5.5], [7.5, 7.5]]), 12)
    expected = torch.zeros(12, 12)
    expected[4:8, 4:8] = -1.0                                             # a alone: negative values survive
    expected[6:10, 6:10] = 2.0                                            # b, and b over a where b is larger
    expected[7, 7] = 3.0
    assert torch.equal(canvas[0, 0], expected)
    canvas.sum().backward()
    assert a.grad[0, 0].sum() == 13                                       # 12 pixels where a alone + 1 where it wins
    maps = [torch.rand(2, 3, 6, 6), torch.rand(2, 3, 6, 8)]               # apart: cutting at the template undoes it
    template = torch.tensor([[5.0, 5.0], [20.0, 20.5]])
    cut = tpgan.cut_patches(tpgan.fuse(maps, template, 32), template.expand(2, 2, 2), [(6, 6), (6, 8)])
    assert all(torch.equal(m, c) for m, c in zip(maps, cut))


def test_local_maps_are_pasted_at_the_template_wherever_the_view_shows_the_parts():
    torch.manual_seed(0)
    template = torch.tensor([[6.0, 6.0], [6.0, 25.0], [16.0, 16.0], [26.0, 16.0]])
    G = tpgan.build(SMALL, template)["G"]
    faces = fake_faces(2)
    outside = tpgan.fuse([torch.ones(1, 1, h, w) for h, w in tpgan.PATCH_SIZES], template, 32)[0, 0] == 0
    assert outside.sum() == 32 * 32 - 3 * 36 - 48                          # the four boxes do not overlap here
    for shift in (0.0, 5.0):                                              # views' landmarks move, the pasting does not
        _, fused = G.local_pathway(faces.images, faces.landmarks + shift)
        assert fused.shape == (2, SMALL.local_width + 1, 32, 32)
        assert (fused[:, :, outside] == 0).all() and (fused[:, :, ~outside] != 0).float().mean() > 0.5


@pytest.mark.parametrize("symmetry_on", tpgan.SYMMETRY_ON)
def test_the_terms_by_hand(symmetry_on):
    torch.manual_seed(0)
    config = dataclasses.replace(SMALL, symmetry_on=symmetry_on, lambda_tv=0.5)
    nets, identity_net = tpgan.build(config), face_identity.IdentityNet(**TINY_ID)
    step = tpgan.TPGANStep(nets, config, identity_net)
    views, landmarks, frontal, frontal_landmarks = batch = batch_of(fake_faces(3))

    def blur(x):                                                          # 5x5 binomial, edges replicated, by hand
        k, padded = torch.tensor([1.0, 4.0, 6.0, 4.0, 1.0]) / 16, F.pad(x, (2, 2, 2, 2), mode="replicate")
        return sum(k[i] * k[j] * padded[..., i:i + 32, j:j + 32] for i in range(5) for j in range(5))

    with torch.no_grad():
        fake, patches = nets["G"](views, landmarks)
        truth = tpgan.cut_patches(frontal, frontal_landmarks, config.patch_sizes)
        seen = fake - blur(fake) if symmetry_on == "laplacian" else fake
        expected = {
            "pixel": (fake - frontal).abs().mean(),
            "local": sum((patches[n] - t).abs().mean() for n, t in zip(fc.LANDMARKS, truth)) / 4,
            "symmetry": (seen - seen.flip(-1)).abs().mean(),
            "adversarial": F.softplus(-nets["D"](fake)).mean(),            # -log D(G(x)), per patch
            "identity": sum((a - b).abs().mean() for a, b in zip(identity_net.features(fake),
                                                                  identity_net.features(frontal))),
            "tv": ((fake[..., 1:] - fake[..., :-1]).abs().mean() + (fake[..., 1:, :] - fake[..., :-1, :]).abs().mean())}
    out = step.g_step(batch)
    assert list(out) == list(tpgan.TERMS)
    for name, value in expected.items():
        assert out[name].item() == pytest.approx(value.item(), rel=1e-5), name
    off = dataclasses.replace(SMALL, local=False, lambda_symmetry=0.0, lambda_identity=0.0, lambda_tv=0.0)
    out = tpgan.TPGANStep(tpgan.build(off), off).g_step(batch)
    assert [name for name in tpgan.TERMS if out[name] != 0] == ["pixel", "adversarial"]


def test_each_update_trains_only_its_own_network():
    torch.manual_seed(0)
    nets, identity_net = tpgan.build(SMALL), face_identity.IdentityNet(**TINY_ID)
    step = tpgan.TPGANStep(nets, SMALL, identity_net)
    owners = {**nets, "identity": identity_net}
    snapshot = lambda: {k: [p.clone() for p in m.parameters()] for k, m in owners.items()}  # noqa: E731
    moved = lambda before: {k for k, m in owners.items()  # noqa: E731
                            if any(not torch.equal(p, q) for p, q in zip(before[k], m.parameters()))}
    before = snapshot()
    assert set(step.d_step(batch_of(fake_faces(3)))) == {"D"} and moved(before) == {"D"}
    before = snapshot()
    step.g_step(batch_of(fake_faces(3, seed=1)))
    assert moved(before) == {"G"}
    assert not identity_net.training and not any(p.requires_grad for p in identity_net.parameters())
    assert all(p.requires_grad for p in nets["D"].parameters())            # unfrozen again after the G step
    with pytest.raises(ValueError, match="identity_net"):
        tpgan.TPGANStep(tpgan.build(SMALL), SMALL)


def test_bad_batches_are_explained():
    step = tpgan.TPGANStep(tpgan.build(SMALL), SMALL, face_identity.IdentityNet(**TINY_ID))
    views, landmarks, frontal, frontal_landmarks = batch_of(fake_faces(3))
    nan = landmarks.clone()
    nan[0, 0, 0] = math.nan
    for bad, match in [((views, landmarks, frontal), "views, landmarks, frontal, frontal_landmarks"),
                       (views, "views, landmarks"),
                       ((views, landmarks[:, :3], frontal, frontal_landmarks), r"the views: .*\(3, 4, 2\)"),
                       ((views, nan, frontal, frontal_landmarks), "finite landmarks"),
                       ((views[:, :, :28, :28], landmarks, frontal, frontal_landmarks), r"\(3, 1, 32, 32\)"),
                       ((views, landmarks, frontal[:2], frontal_landmarks[:2]), "frontal targets"),
                       ((views, landmarks, frontal, frontal_landmarks.long()[:, :, :1]), "frontal targets")]:
        with pytest.raises(ValueError, match=match):
            step.check(bad)
    with pytest.raises(ValueError, match="G: expected"):
        step.G(views, landmarks[:2])


def test_symmetry_loss_is_zero_only_for_symmetric_images():
    torch.manual_seed(0)
    x = torch.rand(4, 1, 32, 32)
    symmetric = x + x.flip(-1)
    for on in tpgan.SYMMETRY_ON:
        assert tpgan.symmetry_loss(symmetric, on).item() == pytest.approx(0, abs=1e-6)
        assert tpgan.symmetry_loss(x, on) > 0.05
    assert tpgan.high_pass(torch.full((2, 1, 32, 32), 0.3)).abs().max() < 1e-6
    lit = symmetric + torch.linspace(-0.5, 0.5, 32)                         # shading across the face: low frequency
    assert tpgan.symmetry_loss(lit, "laplacian") < 0.2 * tpgan.symmetry_loss(lit, "pixels")
    with pytest.raises(ValueError, match="on must be one of"):
        tpgan.symmetry_loss(x, "fourier")


def test_a_short_run_resumes_exactly(tmp_path):
    faces = fake_faces(6)

    def run(steps, directory):
        torch.manual_seed(0)
        nets, identity_net = tpgan.build(SMALL), face_identity.IdentityNet(**TINY_ID)
        batches = DeviceBatches(*batch_of(faces), batch_size=3, seed=0)
        train.train(tpgan.TPGANStep(nets, SMALL, identity_net), batches, steps, checkpoint_dir=directory,
                    checkpoint_every=2, progress=False, log_every=0)
        return nets

    straight = run(4, tmp_path / "a")
    run(2, tmp_path / "b")
    resumed = run(4, tmp_path / "b")
    for name in straight:                                                 # weights and batch-norm statistics
        assert all(torch.equal(p, q) for p, q in zip(straight[name].state_dict().values(),
                                                      resumed[name].state_dict().values())), name


class Mirror(torch.nn.Module):
    """A stand-in G that returns the view mirrored."""

    def __init__(self):
        super().__init__()
        self.unused = torch.nn.Parameter(torch.zeros(()))

    def forward(self, views, landmarks):
        return views.flip(-1), None


def test_measure_reports_every_score_per_yaw_bin():
    faces = fake_faces(8, yaw=[0, -5, 20, 35, -50, 65, 80, -70])
    scores = tpgan.measure(Mirror(), faces, face_identity.IdentityNet(**TINY_ID).eval())
    assert scores["yaw_bins"] == ["0-15", "15-30", "30-45", "45-60", "60-75"]
    l1 = (faces.images.flip(-1) - faces.frontal).abs().mean((1, 2, 3))
    assert scores["l1"] == pytest.approx(l1.mean().item())
    assert scores["l1_by_yaw"] == pytest.approx([l1[:2].mean().item(), l1[2].item(), l1[3].item(), l1[4].item(),
                                                 l1[5:].mean().item()])       # 80: counted in the last bin
    assert scores["asymmetry"] == pytest.approx((faces.images - faces.images.flip(-1)).abs().mean().item())
    assert scores["l1_views"] == pytest.approx((faces.images - faces.frontal).abs().mean().item())
    for key in ("identity_accuracy", "identity_accuracy_views", "identity_accuracy_frontal", "asymmetry_frontal"):
        assert 0 <= scores[key] <= 1 and len(scores[f"{key}_by_yaw"]) == 5
    frontal_only = tpgan.measure(Mirror(), fake_faces(3, yaw=[0, 3, -14]), face_identity.IdentityNet(**TINY_ID))
    assert frontal_only["l1_by_yaw"][1:] == [None] * 4


def test_the_recipe_trains_stores_and_loads(tmp_path, monkeypatch):
    """The recipe end to end on fake faces, with an identity network stored by its own recipe first."""
    faces = fake_faces(6)
    monkeypatch.setattr(face_identity, "load_faces", lambda split, verbose=False: faces)
    monkeypatch.setattr(face_identity, "IDENTITY_SIZE", TINY_ID)
    monkeypatch.setitem(tpgan.VARIANTS, "tpgan", SMALL)
    root, cache = tmp_path / "registry", tmp_path / "cache"
    face_identity.train_identity_recipe(epochs=1, root=root, verbose=False, register=True, cache=cache)
    identity_net = face_identity.load_identity(root=root)
    entry = tpgan.train_recipe("tpgan", epochs=1, limit=6, root=root, verbose=False, register=True, cache=cache)
    assert entry["metrics"]["steps"] == 2 and len(entry["metrics"]["l1_by_yaw"]) == 5
    G = tpgan.load("tpgan", root=root)
    assert torch.equal(G.local_pathway.template, faces.frontal_landmarks.mean(0))  # the template kept in full
    scores = tpgan.measure(G, faces, identity_net)
    assert scores["l1"] == pytest.approx(entry["metrics"]["l1"], abs=1e-6)     # the recipe measured what it stored
    assert not (cache / "train").exists() or not any((cache / "train").iterdir())
