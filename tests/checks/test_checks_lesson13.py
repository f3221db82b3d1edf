"""Lesson 13's checks (twin_generator_loss, nearest_across; the open one) accept the references and reject plausible
mistakes."""

import pytest
import torch
from check_helpers import assert_rejected, mistake_ids, solutions, stub

from gan_course import checks

# --------------------------------------------------------------------------- twin_generator_loss


def l1(a, b):
    return (a - b).abs().mean()


def fool(scores):
    return ((scores - 1) ** 2).mean()


def terms(E, G, D_X, D_Y, x, y):
    x_rec, y_rec, x_to_y = G(E(x), "X"), G(E(y), "Y"), G(E(x), "Y")
    adversarial = fool(D_X(x_rec)) + fool(D_Y(y_rec)) + fool(D_Y(x_to_y))
    return x_rec, y_rec, x_to_y, adversarial


def reference(E, G, D_X, D_Y, x, y, lambda_rec, lambda_cyc):
    x_rec, y_rec, x_to_y, adversarial = terms(E, G, D_X, D_Y, x, y)
    return adversarial + lambda_rec * (l1(x_rec, x) + l1(y_rec, y)) + lambda_cyc * l1(G(E(x_to_y), "X"), x)


def no_translation_term(E, G, D_X, D_Y, x, y, lambda_rec, lambda_cyc):
    x_rec, y_rec, x_to_y, _ = terms(E, G, D_X, D_Y, x, y)
    return (fool(D_X(x_rec)) + fool(D_Y(y_rec)) + lambda_rec * (l1(x_rec, x) + l1(y_rec, y))
            + lambda_cyc * l1(G(E(x_to_y), "X"), x))


def cycle_back_to_y(E, G, D_X, D_Y, x, y, lambda_rec, lambda_cyc):  # decodes the way back with Y's norms
    x_rec, y_rec, x_to_y, adversarial = terms(E, G, D_X, D_Y, x, y)
    return adversarial + lambda_rec * (l1(x_rec, x) + l1(y_rec, y)) + lambda_cyc * l1(G(E(x_to_y), "Y"), x)


def weights_swapped(E, G, D_X, D_Y, x, y, lambda_rec, lambda_cyc):
    return reference(E, G, D_X, D_Y, x, y, lambda_cyc, lambda_rec)


def squared_reconstruction(E, G, D_X, D_Y, x, y, lambda_rec, lambda_cyc):
    x_rec, y_rec, x_to_y, adversarial = terms(E, G, D_X, D_Y, x, y)
    return (adversarial + lambda_rec * (((x_rec - x) ** 2).mean() + ((y_rec - y) ** 2).mean())
            + lambda_cyc * l1(G(E(x_to_y), "X"), x))


def detached_translation(E, G, D_X, D_Y, x, y, lambda_rec, lambda_cyc):
    x_rec, y_rec, x_to_y, adversarial = terms(E, G, D_X, D_Y, x, y)
    return (adversarial + lambda_rec * (l1(x_rec, x) + l1(y_rec, y))
            + lambda_cyc * l1(G(E(x_to_y.detach()), "X"), x))


def as_number(*args):
    return torch.tensor(reference(*args).item())


def test_twin_generator_loss_accepts_references(capsys):
    checks.twin_generator_loss(reference)
    checks.twin_generator_loss(solutions("13_twin_translation")["twin_generator_loss"])
    assert capsys.readouterr().out.count("passed") == 2


LOSS_MISTAKES = [
    (checks.twin_generator_loss, stub, "not implemented yet"),
    (checks.twin_generator_loss, no_translation_term, "case 'the lesson's weights (1 and 1)'"),
    (checks.twin_generator_loss, cycle_back_to_y, "case 'the lesson's weights (1 and 1)'"),
    (checks.twin_generator_loss, weights_swapped, "case 'no cycle term'"),
    (checks.twin_generator_loss, squared_reconstruction, "case 'the lesson's weights (1 and 1)'"),
    (checks.twin_generator_loss, detached_translation, "expected the gradient of E's and G's weights"),
    (checks.twin_generator_loss, as_number, "requires grad"),
]


@pytest.mark.parametrize("check, wrong, fragment", LOSS_MISTAKES, ids=mistake_ids(LOSS_MISTAKES))
def test_twin_generator_loss_rejects_mistakes(check, wrong, fragment):
    assert_rejected(check, wrong, fragment)


# --------------------------------------------------------------------------- nearest_across


def embeddings(E_X, E_Y, queries, pool):
    with torch.no_grad():
        return E_X(queries).flatten(1), E_Y(pool).flatten(1)


def by_dot_product(E_X, E_Y, queries, pool):
    q, p = embeddings(E_X, E_Y, queries, pool)
    return (q @ p.T).argmax(1)


def by_euclidean_distance(E_X, E_Y, queries, pool):
    q, p = embeddings(E_X, E_Y, queries, pool)
    return torch.cdist(q, p).argmin(1)


def least_similar(E_X, E_Y, queries, pool):
    q, p = (torch.nn.functional.normalize(e, dim=1) for e in embeddings(E_X, E_Y, queries, pool))
    return (q @ p.T).argmin(1)


def encoders_swapped(E_X, E_Y, queries, pool):
    return solutions("13_twin_translation")["nearest_across"](E_Y, E_X, queries, pool)


def as_floats(E_X, E_Y, queries, pool):
    return solutions("13_twin_translation")["nearest_across"](E_X, E_Y, queries, pool).float()


def test_nearest_across_accepts_the_solution(capsys):
    checks.nearest_across(solutions("13_twin_translation")["nearest_across"])
    assert "passed" in capsys.readouterr().out


SEARCH_MISTAKES = [
    (checks.nearest_across, stub, "not implemented yet"),
    (checks.nearest_across, by_dot_product, "case 'embeddings of very different lengths'"),
    (checks.nearest_across, by_euclidean_distance, "case 'one shared encoder"),
    (checks.nearest_across, least_similar, "case 'one shared encoder"),
    (checks.nearest_across, encoders_swapped, "case 'two encoders"),
    (checks.nearest_across, as_floats, "integer indices"),
]


@pytest.mark.parametrize("check, wrong, fragment", SEARCH_MISTAKES, ids=mistake_ids(SEARCH_MISTAKES))
def test_nearest_across_rejects_mistakes(check, wrong, fragment):
    assert_rejected(check, wrong, fragment)


# --------------------------------------------------------------------------- better_search (open)


def plain_nearest(x, y, E, G):  # section 6's search: the baseline itself
    return solutions("13_twin_translation")["nearest_across"](E, E, x, y)


def test_better_search_grades_the_picks(capsys):
    checks.better_search(solutions("13_twin_translation")["search"])
    assert "✔ better_search" in capsys.readouterr().out
    assert_rejected(checks.better_search, plain_nearest, "at least")
    assert_rejected(checks.better_search, lambda x, y, E, G: torch.randint(len(y), (len(x),)), "at least")
    assert_rejected(checks.better_search, lambda x, y, E, G: torch.arange(len(x)) + len(y), "expected indices in")
    assert_rejected(checks.better_search, lambda x, y, E, G: torch.zeros(len(x)), "integer indices")
    assert_rejected(checks.better_search, stub, "not implemented yet")
