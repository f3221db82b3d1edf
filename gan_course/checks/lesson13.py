"""Checks of lesson 13, Twin-GAN: the generator's four loss terms, the cross-domain search in the shared embedding,
and the open exercise that searches better than the embedding's plain nearest neighbour.

Taught in: lesson 13
"""

from __future__ import annotations

from typing import Callable

import torch
from torch import Tensor

from ._common import _call, _close, _describe, _passed, _scalar_tensor, _values, exercise_check


def _small_twin(shared: bool = True) -> dict:
    """A tiny Twin-GAN (width 4) with random weights and domain Y given its own batch-norm scales and shifts."""
    from .. import layers
    from ..models import twingan

    nets = twingan.build(twingan.TwinGANConfig(width=4, n_residual=2, d_width=4, shared_encoder=shared))
    for module in nets["G"].modules():
        if isinstance(module, layers.DomainBatchNorm2d):
            module.norms[1].weight.data.uniform_(0.5, 1.5)
            module.norms[1].bias.data.uniform_(-0.5, 0.5)
    return nets


def _reference_twin_loss(E, G, D_X, D_Y, x, y, lambda_rec, lambda_cyc):
    def l1(a, b):
        return (a - b).abs().mean()

    def fool(scores):
        return ((scores - 1) ** 2).mean()

    x_rec, y_rec, x_to_y = G(E(x), "X"), G(E(y), "Y"), G(E(x), "Y")
    return (fool(D_X(x_rec)) + fool(D_Y(y_rec)) + fool(D_Y(x_to_y))
            + lambda_rec * (l1(x_rec, x) + l1(y_rec, y)) + lambda_cyc * l1(G(E(x_to_y), "X"), x))


@exercise_check(seed=130)
def twin_generator_loss(student_fn: Callable) -> None:
    """Check ``student_fn(E, G, D_X, D_Y, x, y, lambda_rec, lambda_cyc) -> loss``: Twin-GAN's four terms for E and
    G, with least-squares adversarial terms (G pulls D's scores of its images to 1):
    ``L_GAN(G(E(x), X), D_X) + L_GAN(G(E(y), Y), D_Y) + L_GAN(G(E(x), Y), D_Y)
    + lambda_rec (||G(E(x), X) - x||_1 + ||G(E(y), Y) - y||_1) + lambda_cyc ||G(E(G(E(x), Y)), X) - x||_1``,
    every L1 term a mean absolute error per pixel; gradients reach E and G through every term."""
    gen = torch.Generator().manual_seed(13)
    cases = [
        ("the lesson's weights (1 and 1)", 1.0, 1.0, 4,
         "Five adversarial and L1 pieces: two reconstructions (X -> X, Y -> Y), the translation X -> Y fooling D_Y, "
         "and the cycle X -> Y -> X."),
        ("no cycle term", 3.0, 0.0, 4, "lambda_rec weighs both reconstructions; lambda_cyc only the cycle."),
        ("no reconstruction term", 0.0, 2.0, 4,
         "The cycle goes out with domain Y's batch norms and back with X's: G(E(G(E(x), 'Y')), 'X')."),
        ("CycleGAN's weights (10 and 10), a batch of 3", 10.0, 10.0, 3,
         "Least squares: the mean of (D(fake) - 1)^2 for each of the three fakes D sees."),
    ]
    for case, lambda_rec, lambda_cyc, batch, hint in cases:
        nets = _small_twin()
        x = torch.rand(batch, 1, 28, 28, generator=gen) * 2 - 1
        y = torch.rand(batch, 1, 28, 28, generator=gen) * 2 - 1
        E, G, D_X, D_Y = (nets[k] for k in ("E", "G", "D_X", "D_Y"))
        received = _call(student_fn, case, E, G, D_X, D_Y, x.clone(), y.clone(), lambda_rec, lambda_cyc,
                         expected="a scalar loss")
        value = _scalar_tensor(received, case)
        if not value.requires_grad:
            raise AssertionError(f"case '{case}': expected a loss that requires grad (E and G learn from it), "
                                 "received a detached value: avoid .item(), .detach() and torch.no_grad()")
        student_grads = torch.autograd.grad(value, [*E.parameters(), *G.parameters()], allow_unused=True)
        expected = _reference_twin_loss(E, G, D_X, D_Y, x, y, lambda_rec, lambda_cyc)
        _close(value, expected, case, hint)
        expected_grads = torch.autograd.grad(expected, [*E.parameters(), *G.parameters()])
        for got, want in zip(student_grads, expected_grads):
            if got is None or not torch.allclose(got, want, atol=1e-6, rtol=1e-4):
                got_text = "no gradient" if got is None else _values(got)
                raise AssertionError(f"case '{case}': expected the gradient of E's and G's weights {_values(want)}, "
                                     f"received {got_text}. The translation must not be detached on its way back "
                                     "through the cycle, and every term must reach E and G.")
    _passed("twin_generator_loss", len(cases))


@exercise_check(seed=131)
def nearest_across(student_fn: Callable) -> None:
    """Check ``student_fn(E_X, E_Y, queries, pool) -> indices``: for each query image (of domain X, encoded by
    E_X), the index of the pool image (of domain Y, encoded by E_Y) whose flattened embedding has the highest
    cosine similarity with the query's; a long tensor (len(queries),)."""
    from torch import nn

    gen = torch.Generator().manual_seed(131)

    def reference(E_X, E_Y, queries, pool):
        with torch.no_grad():
            q = nn.functional.normalize(E_X(queries).flatten(1), dim=1)
            p = nn.functional.normalize(E_Y(pool).flatten(1), dim=1)
        return (q @ p.T).argmax(1)

    scale = nn.Conv2d(1, 2, 3, padding=1)
    cases = [
        ("one shared encoder, 6 queries in a pool of 9", "shared", 6, 9,
         "Each query gets the index of one pool image, the one of highest cosine similarity: flatten, divide each "
         "embedding by its length, then take dot products (not distances)."),
        ("embeddings of very different lengths", "lengths", 8, 10,
         "Cosine similarity: divide each embedding by its length first. The dot product favours the longest "
         "embeddings, the Euclidean distance the shortest."),
        ("two encoders, 5 queries in a pool of 12", "separate", 5, 12,
         "Queries go through E_X and the pool through E_Y."),
    ]
    for case, kind, n_queries, n_pool, hint in cases:
        nets = _small_twin(shared=kind == "shared")
        E_X, E_Y = (nets["E"], nets["E"]) if kind == "shared" else (nets["E_X"], nets["E_Y"])
        queries = torch.rand(n_queries, 1, 28, 28, generator=gen) * 2 - 1
        pool = torch.rand(n_pool, 1, 28, 28, generator=gen) * 2 - 1
        if kind == "lengths":                    # a flattening "encoder" whose pool images differ in brightness
            E_X = E_Y = nn.Sequential(scale, nn.Flatten())
            pool = pool * torch.linspace(0.1, 5, n_pool).view(-1, 1, 1, 1)
        for net in {E_X, E_Y}:
            net.eval()
        received = _call(student_fn, case, E_X, E_Y, queries.clone(), pool.clone(),
                         expected=f"a tensor of {n_queries} pool indices")
        expected = reference(E_X, E_Y, queries, pool)
        if not isinstance(received, Tensor) or received.shape != expected.shape or received.is_floating_point():
            raise AssertionError(f"case '{case}': expected a tensor of {n_queries} integer indices into the pool, "
                                 f"received {_describe(received)}")
        if not torch.equal(received.cpu().long(), expected):
            raise AssertionError(f"case '{case}': expected the indices {expected.tolist()}, received "
                                 f"{received.tolist()}. {hint}")
    _passed("nearest_across", len(cases))


# The open exercise: search across domains better than the plain nearest neighbour in the shared embedding.
SEARCH_GAIN = 0.05   # top-1 label match above that of the embedding's nearest neighbour (the committed twingan-digits)


@exercise_check(seed=132)
def better_search(student_fn: Callable) -> None:
    """Check (open exercise): ``student_fn(x, y, E, G) -> indices`` gets the 1,000 held-out handwritten digits x, the
    1,000 held-out printed digits y and the committed ``twingan-digits`` encoder and generator, and returns for each
    x the index of one y (a long tensor (1000,)), using no labels and no judge. The share of queries whose pick
    shows the same digit must beat the plain nearest neighbour in E's embedding (cosine similarity) by at least
    0.05."""
    from ..data import domains
    from ..models import twingan

    nets = twingan.load("twingan-digits")
    x, y = domains.load_pair(twingan.PAIR, "test")
    baseline, _ = twingan.retrieval_top1(nets["E"], nets["E"], x, y)
    case = "the held-out digits"
    received = _call(student_fn, case, x.images.clone(), y.images.clone(), nets["E"], nets["G"],
                     expected=f"a tensor of {len(x)} indices into the printed digits")
    if not isinstance(received, Tensor) or received.shape != (len(x),) or received.is_floating_point():
        raise AssertionError(f"case '{case}': expected a tensor of {len(x)} integer indices, received "
                             f"{_describe(received)}")
    picks = received.cpu().long()
    if picks.min() < 0 or picks.max() >= len(y):
        raise AssertionError(f"case '{case}': expected indices in [0, {len(y) - 1}], received some from "
                             f"{picks.min().item()} to {picks.max().item()}")
    match = (y.labels.cpu()[picks] == x.labels.cpu()).double().mean().item()
    if match < baseline + SEARCH_GAIN:
        raise AssertionError(f"case '{case}': expected at least {baseline + SEARCH_GAIN:.3f} of the picks to show the "
                             f"query's digit (the embedding's nearest neighbour: {baseline:.3f}), received {match:.3f}. "
                             "Hint: printed digits sit up to 2 pixels off centre, and two strokes of one digit rarely "
                             "cover the same pixels: measure a match that forgives small shifts and blur.")
    print(f"✔ better_search passed: {match:.1%} of the picks show the query's digit (the embedding's nearest "
          f"neighbour: {baseline:.1%})")
