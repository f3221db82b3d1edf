"""The face-identity network: its features' shapes, and its recipe end to end on a few fake faces."""

import pytest
import torch

from gan_course.data import faces as fc
from gan_course.models import face_identity

TINY_ID = {"n_classes": 3, "width": 4, "n_features": 8}
pytestmark = pytest.mark.usefixtures("one_torch_thread")


def fake_faces(n=6, seed=0):
    """A Faces of random images and landmarks, identities 0, 1, 2, and yaws spread over +-80."""
    gen = torch.Generator().manual_seed(seed)
    images, frontal = (torch.rand(n, 1, 32, 32, generator=gen) * 2 - 1 for _ in range(2))
    landmarks, frontal_landmarks = (15.5 + torch.randn(n, 4, 2, generator=gen) * 3 for _ in range(2))
    identity, zero = torch.arange(n) % 3, torch.zeros(n)
    return fc.Faces(images, frontal, identity, torch.linspace(-80, 80, n), zero, zero, landmarks, frontal_landmarks,
                    torch.ones(n, 4, dtype=torch.bool), fc.identities(3)[identity], "fake faces")


def test_features_are_the_last_two_layers():
    net = face_identity.IdentityNet(**TINY_ID)
    images = fake_faces(2).images
    conv, embedding = net.features(images)
    assert conv.shape == (2, 16, 4, 4) and embedding.shape == (2, 8) and net(images).shape == (2, 3)


def test_the_recipe_trains_stores_and_loads(tmp_path, monkeypatch):
    faces = fake_faces(6)
    monkeypatch.setattr(face_identity, "load_faces", lambda split, verbose=False: faces)
    monkeypatch.setattr(face_identity, "IDENTITY_SIZE", TINY_ID)
    root, cache = tmp_path / "registry", tmp_path / "cache"
    entry = face_identity.train_identity_recipe(epochs=1, root=root, verbose=False, register=True, cache=cache)
    assert {"test_accuracy", "test_accuracy_by_yaw", "train_accuracy"} <= set(entry["metrics"])
    identity_net = face_identity.load_identity(root=root)
    assert not identity_net.training
    net = face_identity.fit_identity(faces, epochs=1, **TINY_ID)
    assert 0 <= face_identity.identity_accuracy(net, faces.images, faces.identity) <= 1


def test_the_identity_judge_scores_faces_by_its_embedding_and_counts_identities(monkeypatch):
    from gan_course import evaluation

    net = face_identity.IdentityNet(**TINY_ID).eval()
    faces = fake_faces(30)
    monkeypatch.setattr(face_identity, "load_identity", lambda device=None, root=None: net)
    monkeypatch.setattr(face_identity, "load_faces", lambda split, verbose=False: faces)
    scorer = face_identity.identity_scorer()
    assert isinstance(scorer, evaluation.Scorer) and scorer.real_features.shape == (30, 8)   # the embedding
    itself = scorer.score(faces.images)
    assert itself.fid == pytest.approx(0, abs=1e-6) and len(itself.class_shares) == 3     # 3 identities, not 10
    assert 1 <= itself.classes <= 3 and str(itself).endswith(f"classes {itself.classes}/3  (n=30)")
    assert scorer.score(fake_faces(30, seed=1).images).fid > 0
    with pytest.raises(ValueError, match=r"\(N, 1, 32, 32\)"):
        scorer.score(torch.zeros(4, 1, 28, 28))                                        # a digit-sized image
