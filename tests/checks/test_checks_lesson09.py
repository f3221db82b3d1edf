"""Lesson 09's checks (precision_recall; the open precision_without_recall) accept the references and reject
plausible mistakes."""

import pytest
import torch
from check_helpers import assert_rejected, mistake_ids, solutions, stub

from gan_course import checks, metrics

# --------------------------------------------------------------------------- precision_recall


def _radii(points, k, rank):  # the rank-th smallest distance of each row of the set to itself
    return torch.cdist(points, points).kthvalue(rank, dim=1).values


def _inside(points, centres, radii, strict=False):
    distance = torch.cdist(points, centres)
    inside = distance < radii[None] if strict else distance <= radii[None]
    return inside.any(1).double().mean().item()


def pr_reference(real, fake, k):  # written as a student would, with a loop-free cdist
    return _inside(fake, real, _radii(real, k, k + 1)), _inside(real, fake, _radii(fake, k, k + 1))


def pr_numpy_floats(real, fake, k):  # also correct: NumPy, plain floats
    import numpy as np
    r, f = real.numpy(), fake.numpy()
    rr = np.sort(np.linalg.norm(r[:, None] - r[None], axis=-1), axis=1)[:, k]
    rf = np.sort(np.linalg.norm(f[:, None] - f[None], axis=-1), axis=1)[:, k]
    precision = float((np.linalg.norm(f[:, None] - r[None], axis=-1) <= rr[None]).any(1).mean())
    recall = float((np.linalg.norm(r[:, None] - f[None], axis=-1) <= rf[None]).any(1).mean())
    return np.float64(precision), recall


def pr_self_as_neighbour(real, fake, k):  # the point itself counted as its first neighbour
    return _inside(fake, real, _radii(real, k, k)), _inside(real, fake, _radii(fake, k, k))


def pr_strict_edge(real, fake, k):  # a point on the edge counted outside
    return (_inside(fake, real, _radii(real, k, k + 1), strict=True),
            _inside(real, fake, _radii(fake, k, k + 1), strict=True))


def pr_swapped(real, fake, k):
    return pr_reference(real, fake, k)[::-1]


def pr_summed(real, fake, k):  # counts of ball memberships instead of fractions of points
    radii = _radii(real, k, k + 1)
    return ((torch.cdist(fake, real) <= radii[None]).double().sum(1).mean().item(),
            pr_reference(real, fake, k)[1])


def pr_mean_neighbour_distance(real, fake, k):  # the mean distance to the k neighbours as the radius
    def radii(points):
        return torch.cdist(points, points).topk(k + 1, largest=False).values[:, 1:].mean(1)
    return _inside(fake, real, radii(real)), _inside(real, fake, radii(fake))


def pr_all_balls(real, fake, k):  # inside every ball instead of at least one
    distance = torch.cdist(fake, real) <= _radii(real, k, k + 1)[None]
    return distance.all(1).double().mean().item(), pr_reference(real, fake, k)[1]


def pr_tensor_pair(real, fake, k):  # one tensor holding both numbers
    return torch.tensor(pr_reference(real, fake, k))


def pr_precision_only(real, fake, k):
    return pr_reference(real, fake, k)[0]


def test_precision_recall_accepts_references(capsys):
    checks.precision_recall(lambda real, fake, k: metrics.precision_recall(real, fake, k=k))
    checks.precision_recall(pr_reference)
    checks.precision_recall(pr_numpy_floats)
    checks.precision_recall(lambda real, fake, k: [torch.tensor(v) for v in pr_reference(real, fake, k)])
    checks.precision_recall(solutions("09_comparing_gans")["precision_recall"])
    assert capsys.readouterr().out.count("passed") == 5


MISTAKES = [
    (checks.precision_recall, stub, "not implemented yet"),
    (checks.precision_recall, pr_self_as_neighbour, "case '1D, k = 1, precision': expected 0.750000, received "
                                                    "0.000000"),
    (checks.precision_recall, pr_strict_edge, "case 'a sample exactly on a ball's edge, precision': expected "
                                              "0.500000, received 0.000000"),
    (checks.precision_recall, pr_swapped, "case '1D, k = 1, precision': expected 0.750000, received 1.000000"),
    (checks.precision_recall, pr_summed, "any, not sum"),
    (checks.precision_recall, pr_mean_neighbour_distance, "case '1D, k = 2, precision': expected 0.750000, received "
                                                          "0.250000"),
    (checks.precision_recall, pr_all_balls, "case 'the same set twice, precision': expected 1.000000, received "
                                            "0.000000"),
    (checks.precision_recall, pr_tensor_pair, "expected a pair (precision, recall), received"),
    (checks.precision_recall, pr_precision_only, "expected a pair (precision, recall), received"),
]


@pytest.mark.parametrize("check, wrong, fragment", MISTAKES, ids=mistake_ids(MISTAKES))
def test_precision_recall_rejects_mistakes(check, wrong, fragment):
    assert_rejected(check, wrong, fragment)


# --------------------------------------------------------------------------- precision_without_recall


def test_precision_without_recall_grades_the_scores(capsys):
    checks.precision_without_recall(solutions("09_comparing_gans")["pick"])
    assert "✔ precision_without_recall" in capsys.readouterr().out
    # a random pick covers the held-out digits' variety
    assert_rejected(checks.precision_without_recall, lambda images, labels: images[torch.randperm(len(images))[:1000]],
                    "expected precision >= 0.8 and recall <= 0.5")
    assert_rejected(checks.precision_without_recall, lambda images, labels: images[:1000].flip(-1),
                    "images that are not in the training set")
    assert_rejected(checks.precision_without_recall, lambda images, labels: images[:10], "shape (1000, 1, 28, 28)")
    assert_rejected(checks.precision_without_recall, stub, "not implemented yet")
