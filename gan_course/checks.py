"""Checks for the graded exercises.

Each check calls the student's function on a few cases, compares with the
reference, and either prints a short pass message or raises ``AssertionError``
saying which case failed, what was expected and what was received.
"""

from __future__ import annotations

import math
from typing import Callable

import torch
from torch import Tensor

from . import losses


def _call(fn: Callable, case: str, *args):
    """Call the student's function; turn the released stub and crashes into clear failures."""
    try:
        return fn(*args)
    except NotImplementedError:
        raise AssertionError(
            "not implemented yet: replace `raise NotImplementedError()` with your code"
        ) from None
    except Exception as err:
        raise AssertionError(f"case '{case}': your function raised {type(err).__name__}: {err}") from err


def _scalar_tensor(value, case: str) -> Tensor:
    if not isinstance(value, Tensor) or value.dim() != 0:
        what = f"a tensor of shape {tuple(value.shape)}" if isinstance(value, Tensor) else type(value).__name__
        raise AssertionError(
            f"case '{case}': expected a scalar tensor (0-dim, e.g. from .mean()), received {what}"
        )
    return value


def _close(received: Tensor, expected: Tensor, case: str, hint: str = "", tol: float = 1e-5) -> None:
    r, e = received.item(), expected.item()
    if not math.isfinite(r) or abs(r - e) > tol * max(1.0, abs(e)):
        raise AssertionError(f"case '{case}': expected {e:.6f}, received {r:.6f}. {hint}".rstrip())


def _passed(name: str, n_cases: int) -> None:
    print(f"✔ {name}: all {n_cases} cases passed")


def discriminator_loss(student_fn: Callable[[Tensor, Tensor], Tensor]) -> None:
    """Check ``student_fn(real_logits, fake_logits) = -E[log D(x)] - E[log(1 - D(G(z)))]``."""
    gen = torch.Generator().manual_seed(0)
    cases = [
        ("D unsure (all logits 0, D = 1/2)", torch.zeros(4), torch.zeros(4),
         "With D = 1/2 the loss is 2 log 2; check the signs."),
        ("random logits", torch.randn(6, generator=gen), torch.randn(6, generator=gen),
         "The loss is a *mean* over each batch; real samples have label 1 and fakes label 0; "
         "the inputs are logits, D(x) = sigmoid(logit)."),
        ("different batch sizes (3 real, 5 fake)", torch.randn(3, generator=gen), torch.randn(5, generator=gen),
         "Average each term over its own batch, then add the two averages."),
        ("D very sure (logits of +-20)", torch.tensor([20.0, -20.0]), torch.tensor([20.0, -20.0]),
         "In float32, sigmoid(20) rounds to 1 and log(1 - 1) = -inf: use F.logsigmoid "
         "(log(1 - sigmoid(l)) = logsigmoid(-l)) or F.binary_cross_entropy_with_logits."),
    ]
    for case, real, fake, hint in cases:
        received = _scalar_tensor(_call(student_fn, case, real, fake), case)
        _close(received, losses.minimax_d_loss(real, fake), case, hint)
    # The loss must keep its graph: training calls .backward() on it.
    case = "gradient flows back to the logits"
    real, fake = torch.randn(4, generator=gen).requires_grad_(), torch.randn(4, generator=gen).requires_grad_()
    received = _scalar_tensor(_call(student_fn, case, real, fake), case)
    if not received.requires_grad:
        raise AssertionError(
            f"case '{case}': expected a loss that requires grad, received a detached value "
            "(avoid .item(), .detach() or creating a new tensor from numbers)"
        )
    received.backward()
    expected_grad = torch.sigmoid(real.detach()) - 1  # d/dl of -mean(log sigmoid(l)) times B
    if not torch.allclose(real.grad * len(real), expected_grad, atol=1e-5):
        raise AssertionError(
            f"case '{case}': expected d loss / d real_logits = {(expected_grad / len(real)).tolist()}, "
            f"received {real.grad.tolist()}"
        )
    _passed("discriminator_loss", len(cases) + 1)


def _number(value, case: str) -> float:
    """A Python float from a float, a NumPy scalar or a 0-dim tensor (or a clear failure)."""
    if isinstance(value, Tensor):
        if value.numel() != 1:
            raise AssertionError(f"case '{case}': expected one number, received a tensor of shape {tuple(value.shape)}")
        return float(value.detach().item())
    try:
        return float(value)
    except (TypeError, ValueError):
        raise AssertionError(f"case '{case}': expected a number, received {type(value).__name__}") from None


def _number_close(received: float, expected: float, case: str, hint: str = "", tol: float = 1e-5) -> None:
    if math.isinf(expected) and received == expected:
        return
    if math.isinf(expected) or not math.isfinite(received) or abs(received - expected) > tol * max(1.0, abs(expected)):
        raise AssertionError(f"case '{case}': expected {expected:.6f}, received {received:.6f}. {hint}".rstrip())


def generator_loss(student_fn: Callable[[Tensor], Tensor]) -> None:
    """Check the non-saturating generator loss ``student_fn(fake_logits) = -E[log D(G(z))]``."""
    gen = torch.Generator().manual_seed(1)
    cases = [
        ("D unsure (logits 0)", torch.zeros(5), "With D = 1/2 the loss is log 2 = 0.693147."),
        ("random logits", torch.randn(7, generator=gen),
         "The non-saturating loss is -mean(log D(G(z))) with D = sigmoid(logit); "
         "log(1 - D) is the saturating minimax loss."),
        ("D rejects the fakes (logits -200)", torch.full((3,), -200.0),
         "sigmoid(-200) rounds to 0 in float32 and log(0) = -inf: use F.logsigmoid."),
    ]
    for case, fake, hint in cases:
        received = _scalar_tensor(_call(student_fn, case, fake), case)
        _close(received, losses.nonsaturating_g_loss(fake), case, hint)
    case = "gradient when D rejects the fakes"
    fake = torch.full((4,), -6.0, requires_grad=True)
    received = _scalar_tensor(_call(student_fn, case, fake), case)
    if not received.requires_grad:
        raise AssertionError(f"case '{case}': the loss must keep its graph (no .item() or .detach())")
    received.backward()
    expected = -(1 - torch.sigmoid(torch.tensor(-6.0))) / 4  # d/dl of -log sigmoid(l), averaged
    if not torch.allclose(fake.grad, expected.expand(4), atol=1e-5):
        raise AssertionError(
            f"case '{case}': expected d loss / d logit = {expected.item():.5f} per sample (a strong push), "
            f"received {fake.grad.tolist()}"
        )
    _passed("generator_loss", len(cases) + 1)


def optimal_discriminator(student_fn: Callable[[Tensor, Tensor], Tensor]) -> None:
    """Check ``student_fn(p_data, p_model) = p_data / (p_data + p_model)``, 1/2 where both are 0."""
    from . import theory

    gen = torch.Generator().manual_seed(2)
    cases = [
        ("equal densities", torch.tensor([0.1, 0.4, 2.0]), torch.tensor([0.1, 0.4, 2.0]),
         "Where p_data = p_model, D* = 1/2."),
        ("random densities", torch.rand(6, generator=gen), torch.rand(6, generator=gen),
         "D*(x) = p_data(x) / (p_data(x) + p_model(x))."),
        ("only data or only model", torch.tensor([0.3, 0.0]), torch.tensor([0.0, 0.7]),
         "Where only real data can appear D* = 1, where only fakes can D* = 0."),
        ("both densities zero", torch.tensor([0.0, 0.5]), torch.tensor([0.0, 0.5]),
         "0/0 is undefined; the convention here is D* = 1/2 (torch.where helps), not NaN."),
    ]
    for case, p, q, hint in cases:
        received = _call(student_fn, case, p, q)
        if not isinstance(received, Tensor) or received.shape != p.shape:
            what = tuple(received.shape) if isinstance(received, Tensor) else type(received).__name__
            raise AssertionError(f"case '{case}': expected a tensor of shape {tuple(p.shape)}, received {what}")
        expected = theory.optimal_discriminator(p, q)
        if not torch.allclose(received.double(), expected.double(), atol=1e-6):
            raise AssertionError(f"case '{case}': expected {expected.tolist()}, received {received.tolist()}. {hint}")
    _passed("optimal_discriminator", len(cases))


def js_from_densities(student_fn: Callable[[Tensor, Tensor, float], float]) -> None:
    """Check ``student_fn(p, q, dx)``: the JSD (nats) of two densities sampled on a uniform grid of spacing dx."""
    x = torch.linspace(-8, 8, 4001, dtype=torch.float64)
    dx = float(x[1] - x[0])

    def normal(mu, sigma):
        return torch.exp(-0.5 * ((x - mu) / sigma) ** 2) / (sigma * math.sqrt(2 * math.pi))

    def reference(p, q):  # the Riemann sum of the JSD integrand, 0 log 0 = 0
        m = (p + q) / 2
        return float(0.5 * (torch.xlogy(p, p) - torch.xlogy(p, m) + torch.xlogy(q, q) - torch.xlogy(q, m)).sum() * dx)

    cases = [
        ("identical densities", normal(0, 1), normal(0, 1), "JSD(p, p) = 0."),
        ("shifted Gaussians", normal(-1, 1), normal(1, 1),
         "JSD = KL(p||m)/2 + KL(q||m)/2 with m = (p+q)/2; each KL is a sum of p log(p/m) times dx."),
        ("different widths", normal(0, 0.5), normal(0, 2), "Is JSD symmetric in your code? It should be."),
        ("disjoint supports", normal(-5, 0.3), normal(5, 0.3),
         "Disjoint densities give log 2 = 0.693147; treat 0 log 0 as 0 (torch.xlogy does)."),
    ]
    for case, p, q, hint in cases:
        received = _number(_call(student_fn, case, p, q, dx), case)
        _number_close(received, reference(p, q), case, hint, tol=1e-3)
    _passed("js_from_densities", len(cases))


def _discrete_cases():
    return [
        ("identical", torch.tensor([0.25, 0.25, 0.5]), torch.tensor([0.25, 0.25, 0.5])),
        ("two outcomes", torch.tensor([0.5, 0.5]), torch.tensor([0.9, 0.1])),
        ("the other way round", torch.tensor([0.9, 0.1]), torch.tensor([0.5, 0.5])),
        ("p has a zero", torch.tensor([0.0, 0.5, 0.5]), torch.tensor([0.2, 0.3, 0.5])),
        ("q has a zero where p does not", torch.tensor([0.2, 0.3, 0.5]), torch.tensor([0.0, 0.5, 0.5])),
    ]


def kl_divergence(student_fn: Callable[[Tensor, Tensor], float]) -> None:
    """Check ``student_fn(p, q) = KL(p || q)`` (nats) for discrete distributions, ``inf`` where q misses p's mass."""
    from . import metrics

    hint = ("KL(p||q) = sum p_i log(p_i / q_i); terms with p_i = 0 are 0; it is inf when q_i = 0 < p_i; "
            "it is not symmetric.")
    for case, p, q in _discrete_cases():
        received = _number(_call(student_fn, case, p, q), case)
        _number_close(received, metrics.kl_divergence(p, q), case, hint)
    _passed("kl_divergence", len(_discrete_cases()))


def js_divergence(student_fn: Callable[[Tensor, Tensor], float]) -> None:
    """Check ``student_fn(p, q) = JS(p, q)`` (nats) for discrete distributions."""
    from . import metrics

    hint = "JS = KL(p||m)/2 + KL(q||m)/2 with m = (p + q)/2; it is symmetric, finite and at most log 2."
    cases = _discrete_cases() + [("disjoint", torch.tensor([1.0, 0.0]), torch.tensor([0.0, 1.0]))]
    for case, p, q in cases:
        received = _number(_call(student_fn, case, p, q), case)
        _number_close(received, metrics.js_divergence(p, q), case, hint)
    _passed("js_divergence", len(cases))


def wasserstein1_1d(student_fn: Callable[[Tensor, Tensor], float]) -> None:
    """Check ``student_fn(x, y)``: the exact W1 between two 1D sample sets of equal size."""
    from . import metrics

    gen = torch.Generator().manual_seed(3)
    cases = [
        ("a shift", torch.tensor([0.0, 1.0, 2.0]), torch.tensor([3.0, 4.0, 5.0]), "Shifting by 3 costs 3."),
        ("unsorted samples", torch.tensor([2.0, 0.0, 1.0]), torch.tensor([1.0, 5.0, 3.0]),
         "Match the samples in sorted order (the i-th smallest with the i-th smallest)."),
        ("random samples", torch.randn(50, generator=gen), 2 + 0.5 * torch.randn(50, generator=gen),
         "W1 = mean |sort(x) - sort(y)|."),
        ("crossing distributions", torch.tensor([-1.0, 1.0]), torch.tensor([0.0, 0.0]),
         "Take the absolute value of each difference before averaging."),
    ]
    for case, x, y, hint in cases:
        received = _number(_call(student_fn, case, x, y), case)
        _number_close(received, metrics.wasserstein1(x, y), case, hint)
    _passed("wasserstein1_1d", len(cases))


class _Linear(torch.nn.Module):
    """f(x) = <w, x>: its gradient is w everywhere, so the penalty does not depend on the interpolation."""

    def __init__(self, w: Tensor):
        super().__init__()
        self.w = torch.nn.Parameter(w)

    def forward(self, x: Tensor) -> Tensor:
        return (x.flatten(1) * self.w.flatten()).sum(1)


class _HalfSquare(torch.nn.Module):
    def forward(self, x: Tensor) -> Tensor:
        return 0.5 * (x.flatten(1) ** 2).sum(1)


def gradient_penalty(student_fn: Callable[[torch.nn.Module, Tensor, Tensor], Tensor]) -> None:
    """Check ``student_fn(critic, real, fake) = 10 * E[(||grad f(x_hat)||_2 - 1)^2]`` on random interpolates."""
    gen = torch.Generator().manual_seed(4)
    # 1. A linear critic on vectors: ||w|| = 3, so the penalty is 10 * (3 - 1)^2 = 40 wherever x_hat lies.
    case = "linear critic, ||w|| = 3"
    critic = _Linear(torch.tensor([3.0, 0.0]))
    real, fake = torch.randn(8, 2, generator=gen), torch.randn(8, 2, generator=gen)
    received = _scalar_tensor(_call(student_fn, case, critic, real, fake), case)
    _number_close(received.item(), 40.0, case,
                  "The gradient of f at any x_hat is w, norm 3: the penalty is lambda (3 - 1)^2 with lambda = 10.")
    if not received.requires_grad:
        raise AssertionError(f"case '{case}': the penalty must be differentiable with respect to the critic's "
                             "weights: use torch.autograd.grad(..., create_graph=True)")
    received.backward()
    expected = 2 * 10 * (3 - 1) * torch.tensor([1.0, 0.0])
    if not torch.allclose(critic.w.grad, expected, atol=1e-4):
        raise AssertionError(f"case '{case}': expected d penalty / d w = {expected.tolist()}, received "
                             f"{critic.w.grad.tolist()} (create_graph=True keeps the gradient's own graph)")
    # 2. Images: the norm is per sample over channels and pixels together.
    case = "images (B, 3, 4, 4): one norm per sample"
    w = torch.full((3, 4, 4), 0.25)  # ||w|| over all 48 entries = sqrt(48) / 4 = 1.732; per pixel 0.433
    critic = _Linear(w)
    real, fake = torch.randn(5, 3, 4, 4, generator=gen), torch.randn(5, 3, 4, 4, generator=gen)
    received = _scalar_tensor(_call(student_fn, case, critic, real, fake), case)
    _number_close(received.item(), 10 * (math.sqrt(48) / 4 - 1) ** 2, case,
                  "Flatten each sample's gradient (grad.reshape(B, -1)) before taking the norm; a norm per pixel "
                  "or per channel is a known bug.")
    # 3. Interpolates, with one random weight per sample: f = |x|^2 / 2, real = a, fake = -a, |a| = 3.
    #    At x_hat = (2 eps - 1) a the gradient norm is 3 |2 eps - 1|; with eps ~ U[0, 1] the mean penalty is 10.
    case = "interpolates between real and fake"
    a = torch.zeros(4096, 2)
    a[:, 0] = 3.0
    received = _scalar_tensor(_call(student_fn, case, _HalfSquare(), a, -a), case)
    if abs(received.item() - 10.0) > 1.0:
        raise AssertionError(
            f"case '{case}': expected about 10.0 (the mean over random interpolates), received {received.item():.3f}. "
            "x_hat = eps * real + (1 - eps) * fake with eps ~ U[0, 1] drawn once per sample (shape (B, 1, ...)); "
            "40.0 means the penalty used only real or only fake samples."
        )
    _passed("gradient_penalty", 3)


# --------------------------------------------------------------------------- lesson 03


def _tiny_gan(seed: int) -> tuple[torch.nn.Module, torch.nn.Module]:
    from .models.gan import MLPDiscriminator, MLPGenerator  # checks import the models only here, for the exercises

    torch.manual_seed(seed)
    return MLPGenerator(z_dim=3, data_dim=2, hidden=8, depth=1), MLPDiscriminator(data_dim=2, hidden=8, depth=1)


def _reference_training_step(G, D, d_opt, g_opt, real, z) -> tuple[float, float]:
    fake = G(z).detach()  # D's update must not reach G
    d_loss = losses.minimax_d_loss(D(real), D(fake))
    d_opt.zero_grad()
    d_loss.backward()
    d_opt.step()
    g_loss = losses.nonsaturating_g_loss(D(G(z)))  # through the updated D
    g_opt.zero_grad()
    g_loss.backward()
    g_opt.step()
    return d_loss.item(), g_loss.item()


def training_step(student_fn: Callable) -> None:
    """Check ``student_fn(G, D, d_opt, g_opt, real, z) -> (d_loss, g_loss)``: one D update, then one G update.

    The D update uses ``losses.minimax_d_loss`` on real and on G(z) *detached*; the G
    update uses ``losses.nonsaturating_g_loss`` on D(G(z)) through the updated D. Two
    steps in a row are compared with the reference, parameter by parameter.
    """
    gen = torch.Generator().manual_seed(5)
    batches = [(torch.randn(16, 2, generator=gen) + 2, torch.randn(16, 3, generator=gen)) for _ in range(2)]
    runs = {}
    for who, fn in (("reference", _reference_training_step), ("yours", student_fn)):
        G, D = _tiny_gan(seed=3)
        d_opt, g_opt = torch.optim.SGD(D.parameters(), lr=0.1), torch.optim.SGD(G.parameters(), lr=0.1)
        g_backward_passes = []  # one entry per backward pass that reached G's first weight
        G.net[0].weight.register_hook(lambda grad: g_backward_passes.append(1))
        G_before = [p.detach().clone() for p in G.parameters()]
        returned = []
        for i, (real, z) in enumerate(batches):
            case = f"training step {i + 1}"
            out = fn(G, D, d_opt, g_opt, real, z) if who == "reference" else _call(fn, case, G, D, d_opt, g_opt,
                                                                                    real, z)
            if not isinstance(out, (tuple, list)) or len(out) != 2:
                raise AssertionError(f"case '{case}': expected a pair (d_loss, g_loss), received {out!r}")
            returned.append((_number(out[0], case), _number(out[1], case)))
        runs[who] = dict(G=G, D=D, passes=len(g_backward_passes), returned=returned, G_before=G_before)

    ref, yours = runs["reference"], runs["yours"]
    case = "the D update does not reach G"
    if yours["passes"] > ref["passes"]:
        raise AssertionError(
            f"case '{case}': in 2 steps G's weights received gradients in {yours['passes']} backward passes, "
            f"expected {ref['passes']} (one per G update). Detach the fake batch for D's loss "
            "(G(z).detach(), or generate it under torch.no_grad()).")
    case = "G learns"
    if all(torch.equal(a, b.detach()) for a, b in zip(yours["G_before"], yours["G"].parameters())):
        raise AssertionError(
            f"case '{case}': G's parameters did not change. The G update needs a fake batch that is still "
            "connected to G: compute D(G(z)) again rather than reusing the detached one, and call g_opt.step().")
    for i, ((d_ref, g_ref), (d_yours, g_yours)) in enumerate(zip(ref["returned"], yours["returned"])):
        case = f"returned losses, step {i + 1}"
        _number_close(d_yours, d_ref, case, "d_loss: losses.minimax_d_loss(D(real), D(fake)) before D's update.",
                      tol=1e-4)
        _number_close(g_yours, g_ref, case, "g_loss: losses.nonsaturating_g_loss(D(G(z))) with the *updated* D "
                      "(D first, then G).", tol=1e-4)
    for name in ("D", "G"):
        case = f"{name}'s parameters after two steps"
        for (param, a), b in zip(ref[name].named_parameters(), yours[name].parameters()):
            if not torch.allclose(a, b, atol=1e-5):
                raise AssertionError(
                    f"case '{case}': parameter '{param}' differs from the reference by "
                    f"{(a - b).abs().max().item():.2e}. Order: D's update (zero_grad, backward, step), then G's; "
                    "zero each optimizer's gradients before its backward pass; G uses the non-saturating loss.")
    _passed("training_step", 4)


def mode_coverage(student_fn: Callable[[Tensor, Tensor, float], tuple]) -> None:
    """Check ``student_fn(samples, centers, std) -> (modes, hq_fraction, reverse_kl)`` (VEEGAN/PacGAN protocol)."""
    from . import metrics

    square = torch.tensor([[0.0, 0.0], [0.0, 2.0], [2.0, 0.0], [2.0, 2.0]])  # 4 modes, std 0.1: 3 std = 0.3
    gen = torch.Generator().manual_seed(6)
    grid = torch.stack(torch.meshgrid(torch.arange(5.0), torch.arange(5.0), indexing="ij"), -1).reshape(-1, 2) * 2
    noisy = grid[torch.randint(25, (400,), generator=gen)] + 0.12 * torch.randn(400, 2, generator=gen)
    cases = [
        ("every mode hit equally, samples at the centres", square.repeat(5, 1), square, 0.1, (4, 1.0, 0.0),
         "Four modes, all samples of high quality, an even histogram: KL to the uniform is 0."),
        ("all samples at one mode", square[:1].repeat(8, 1), square, 0.1, (1, 1.0, math.log(4)),
         "One mode of four: reverse KL = KL(histogram || uniform) = log 4. KL(uniform || histogram) would be inf."),
        ("3 std is the radius", torch.tensor([[0.29, 0.0], [0.0, 2.31]]), square, 0.1, (1, 0.5, math.log(4)),
         "0.29 is within 3 std = 0.3 of (0, 0); 2.31 is 0.31 from (0, 2): not of high quality, so it "
         "captures no mode."),
        ("only high-quality samples count", torch.tensor([[0.0, 0.0], [0.05, 0.0], [2.0, 1.5], [1.6, 2.0]]),
         square, 0.1, (1, 0.5, math.log(4)),
         "The last two samples are nearest to modes 2 and 4 but farther than 3 std: they capture nothing."),
        ("an uneven histogram over two modes", torch.tensor([[0.0, 0.0]] * 3 + [[2.0, 2.0]]), square[[0, 3]], 0.1,
         (2, 1.0, 0.75 * math.log(1.5) + 0.25 * math.log(0.5)),
         "reverse KL = sum_k p_k log(p_k / (1/K)) with p the share of high-quality samples at mode k."),
        ("no sample of high quality", torch.full((5, 2), 10.0), square, 0.1, (0, 0.0, math.inf),
         "No high-quality sample: 0 modes, fraction 0, and the reverse KL is inf (math.inf)."),
        ("25 modes, noisy samples", noisy, grid, 0.05, None, "Compare distances with 3 * std, per sample."),
    ]
    for case, samples, centers, std, expected, hint in cases:
        out = _call(student_fn, case, samples, centers, std)
        if not isinstance(out, (tuple, list)) or len(out) != 3:
            raise AssertionError(f"case '{case}': expected (modes, hq_fraction, reverse_kl), received {out!r}")
        if expected is None:
            ref = metrics.mode_coverage(samples, centers, std)
            expected = (ref.modes, ref.hq_fraction, ref.reverse_kl)
        for what, got, want in zip(("modes", "hq_fraction", "reverse_kl"), out, expected):
            _number_close(_number(got, case), float(want), f"{case}: {what}", hint, tol=1e-4)
    _passed("mode_coverage", len(cases))


# --------------------------------------------------------------------------- lesson 04: WGAN


def critic_loss(student_fn: Callable[[Tensor, Tensor], Tensor]) -> None:
    """Check ``student_fn(real_scores, fake_scores) = E[f(fake)] - E[f(real)]``, the loss a WGAN critic minimises."""
    gen = torch.Generator().manual_seed(5)
    cases = [
        ("equal scores", torch.full((4,), 0.3), torch.full((4,), 0.3),
         "When real and fake samples score the same, the critic's loss is 0."),
        ("random scores", torch.randn(6, generator=gen), torch.randn(6, generator=gen),
         "The critic minimises mean(f(fake)) - mean(f(real)) of the raw scores (no sigmoid, no log): "
         "it wants high scores on real samples."),
        ("different batch sizes (3 real, 5 fake)", torch.randn(3, generator=gen), torch.randn(5, generator=gen),
         "Average each batch on its own, then subtract the two means."),
        ("large scores", torch.tensor([40.0, -25.0, 3.0]), torch.tensor([-60.0, 10.0]),
         "Scores are used as they are: no sigmoid and no log in a WGAN (the critic is not a classifier)."),
    ]
    for case, real, fake, hint in cases:
        received = _scalar_tensor(_call(student_fn, case, real, fake), case)
        _close(received, losses.wasserstein_d_loss(real, fake), case, hint)
    case = "gradient flows back to the scores"
    real, fake = torch.randn(4, generator=gen).requires_grad_(), torch.randn(2, generator=gen).requires_grad_()
    received = _scalar_tensor(_call(student_fn, case, real, fake), case)
    if not received.requires_grad:
        raise AssertionError(f"case '{case}': expected a loss that requires grad, received a detached value "
                             "(avoid .item(), .detach() or creating a new tensor from numbers)")
    received.backward()
    if not (torch.allclose(real.grad, torch.full((4,), -1 / 4)) and torch.allclose(fake.grad, torch.full((2,), 1 / 2))):
        raise AssertionError(f"case '{case}': expected d loss / d real_scores = -1/4 each and d loss / d fake_scores "
                             f"= +1/2 each, received {real.grad.tolist()} and {fake.grad.tolist()}")
    _passed("critic_loss", len(cases) + 1)


def _clipping_critic() -> torch.nn.Module:
    """A small critic with nested layers whose weights and biases lie inside and outside [-0.5, 0.5]."""
    with torch.random.fork_rng():  # the layers' random initialisation must not move the notebook's random stream
        critic = torch.nn.Sequential(
            torch.nn.Linear(2, 4), torch.nn.LeakyReLU(0.2),
            torch.nn.Sequential(torch.nn.Linear(4, 4), torch.nn.LeakyReLU(0.2)),  # a block inside the critic
            torch.nn.Linear(4, 1),
        )
    with torch.no_grad():
        for p in critic.parameters():
            p.copy_(torch.linspace(-1.0, 1.0, p.numel()).reshape(p.shape))  # from -1 to 1: some in, some out
        for p in critic.parameters():
            p.grad = torch.full_like(p, 5.0)  # gradients from a previous update, far outside the box
    return critic


def weight_clipping(student_fn: Callable[[torch.nn.Module, float], object]) -> None:
    """Check ``student_fn(module, c)``: every parameter of ``module`` clamped to [-c, c] in place, without autograd."""
    n_cases = 0
    for c in (0.5, 0.05):
        case = f"a small critic, c = {c}"
        critic = _clipping_critic()
        params = dict(critic.named_parameters())
        before = {name: p.detach().clone() for name, p in params.items()}
        try:
            _call(student_fn, case, critic, c)
        except AssertionError as err:
            if "leaf Variable" in str(err):
                raise AssertionError(f"{str(err).rstrip('.')}. Hint: parameters that require grad can only be "
                                     "changed in place under `with torch.no_grad():`") from None
            raise
        after = dict(critic.named_parameters())
        if any(after[name] is not p for name, p in params.items()):
            raise AssertionError(f"case '{case}': expected the same Parameter objects, modified in place; your "
                                 "function replaced some (the optimizer still holds the old ones: use p.clamp_(-c, c))")
        for name, p in after.items():
            if p.grad_fn is not None or not p.requires_grad:
                raise AssertionError(f"case '{case}': parameter '{name}' lost its place as a trainable leaf "
                                     "(clamp under torch.no_grad(), and keep requires_grad)")
        expected = {name: b.clamp(-c, c) for name, b in before.items()}
        unchanged = [name for name, p in after.items() if torch.equal(p.detach(), before[name])
                     and not torch.equal(before[name], expected[name])]
        if len(unchanged) == len(after):
            grads_clipped = all(p.grad is not None and p.grad.abs().max() <= c for p in after.values())
            raise AssertionError(
                f"case '{case}': expected the module's parameters to be clamped to [-{c}, {c}], but none changed. "
                + ("You clipped the gradients; WGAN clips the weights themselves, after the optimizer's step."
                   if grads_clipped else
                   "Modify the module's parameters in place (p.clamp_(-c, c)); returning clipped copies leaves "
                   "the critic unclipped."))
        if unchanged:
            raise AssertionError(
                f"case '{case}': expected every parameter within [-{c}, {c}], but {', '.join(unchanged)} kept values "
                "outside. Clip all of the critic's parameters (module.parameters(), biases and nested layers too), "
                "as the WGAN paper does.")
        for name, p in after.items():
            if not torch.allclose(p.detach(), expected[name], atol=1e-7):
                got, want = p.detach().flatten(), expected[name].flatten()
                i = int((got - want).abs().argmax())
                if want[i] < 0 and got[i] >= 0:
                    hint = "negative values must become -c, not 0: clamp to [-c, c]"
                elif before[name].flatten()[i].abs() > c:
                    hint = "values outside [-c, c] must become exactly -c or c, with the c you are given"
                else:
                    hint = "values inside [-c, c] must stay exactly as they were: clamp, don't rescale"
                was = before[name].flatten()[i]
                raise AssertionError(f"case '{case}': parameter '{name}', entry {i} was {was:.4f}: "
                                     f"expected {want[i]:.4f}, received {got[i]:.4f}. {hint}")
        n_cases += 1
    _passed("weight_clipping", n_cases)


# --------------------------------------------------------------------------- lesson 05: DCGAN


def _module(value, case: str) -> torch.nn.Module:
    if not isinstance(value, torch.nn.Module):
        hint = " (did you forget `return`?)" if value is None else ""
        raise AssertionError(f"case '{case}': expected an nn.Module such as nn.Sequential(...), received "
                             f"{type(value).__name__}{hint}")
    return value


def _layers(block: torch.nn.Module, kind) -> list:
    return [m for m in block.modules() if isinstance(m, kind)]


def _forward(block: torch.nn.Module, x: Tensor, case: str) -> Tensor:
    try:
        return block(x)
    except Exception as err:
        raise AssertionError(f"case '{case}': your block raised {type(err).__name__} on an input of shape "
                             f"{tuple(x.shape)}: {err}") from err


def _check_conv(conv, c_in: int, c_out: int, case: str, what: str) -> None:
    if (conv.in_channels, conv.out_channels) != (c_in, c_out):
        raise AssertionError(f"case '{case}': expected the {what} to map {c_in} to {c_out} channels, received "
                             f"{conv.in_channels} to {conv.out_channels}")
    if (conv.kernel_size, conv.stride, conv.padding) != ((4, 4), (2, 2), (1, 1)):
        raise AssertionError(f"case '{case}': expected the {what} with kernel_size=4, stride=2, padding=1, received "
                             f"kernel_size={conv.kernel_size[0]}, stride={conv.stride[0]}, padding={conv.padding[0]}. "
                             "A kernel that the stride divides (4 by 2) makes every output pixel receive the same "
                             "number of contributions; kernel 3 with stride 2 makes a checkerboard (section 2.1).")


def _no_bias_before_batch_norm(conv, case: str) -> None:
    if conv.bias is not None:
        raise AssertionError(f"case '{case}': the convolution has a bias, but the BatchNorm2d right after it "
                             "subtracts each channel's mean: the bias cancels out, gets a zero gradient and never "
                             "learns. Pass bias=False to a convolution that batch norm follows.")


def _one_batch_norm(block, channels: int, case: str, why: str) -> torch.nn.Module:
    norms = _layers(block, torch.nn.modules.batchnorm._NormBase)
    if len(norms) != 1 or not isinstance(norms[0], torch.nn.BatchNorm2d) or norms[0].num_features != channels:
        found = ", ".join(type(m).__name__ for m in norms) or "none"
        raise AssertionError(f"case '{case}': expected one nn.BatchNorm2d({channels}) after the convolution "
                             f"({why}); found {found}")
    return norms[0]


def generator_block(student_fn: Callable[[int, int], torch.nn.Module]) -> None:
    """Check ``student_fn(in_channels, out_channels)``: DCGAN's generator block, ConvTranspose2d (kernel 4,
    stride 2, padding 1, no bias) -> BatchNorm2d -> ReLU, which doubles the height and width."""
    F = torch.nn.functional
    n_cases = 0
    with torch.random.fork_rng():  # building the student's layers must not move the notebook's random stream
        torch.manual_seed(50)
        for c_in, c_out, size in ((16, 8, 7), (8, 4, 14)):
            case = f"generator_block({c_in}, {c_out}) on images of {size}x{size}"
            block = _module(_call(student_fn, case, c_in, c_out), case).train()
            x = torch.randn(4, c_in, size, size)
            out = _forward(block, x, case)
            expected_shape = (4, c_out, 2 * size, 2 * size)
            if tuple(out.shape) != expected_shape:
                raise AssertionError(f"case '{case}': expected an output of shape {expected_shape} (twice the height "
                                     f"and width), received {tuple(out.shape)}. A transposed convolution makes "
                                     "(H - 1) * stride - 2 * padding + kernel_size pixels: with kernel 4, stride 2 "
                                     "and padding 1 that is 2 H.")
            convs = _layers(block, torch.nn.modules.conv._ConvNd)
            if len(convs) != 1 or not isinstance(convs[0], torch.nn.ConvTranspose2d):
                found = ", ".join(type(m).__name__ for m in convs) or "none"
                raise AssertionError(f"case '{case}': expected exactly one nn.ConvTranspose2d, the fractionally-"
                                     "strided convolution that learns its own upsampling (no fixed nn.Upsample); "
                                     f"found {found}")
            conv = convs[0]
            _check_conv(conv, c_in, c_out, case, "ConvTranspose2d")
            bn = _one_batch_norm(block, c_out, case, "the guidelines: batch norm in every generator layer except "
                                                     "the output layer")
            _no_bias_before_batch_norm(conv, case)
            if _layers(block, (torch.nn.LeakyReLU, torch.nn.Tanh, torch.nn.Sigmoid, torch.nn.ELU)):
                raise AssertionError(f"case '{case}': the generator's hidden blocks end in nn.ReLU (LeakyReLU is for "
                                     "the discriminator, tanh only for G's output layer)")
            expected = torch.relu(F.batch_norm(F.conv_transpose2d(x, conv.weight, None, stride=2, padding=1),
                                               None, None, bn.weight, bn.bias, training=True, eps=bn.eps))
            if not torch.allclose(out, expected, atol=1e-4):
                hint = (" Your block's outputs include negative values: ReLU must come last." if out.min() < 0
                        else "")
                raise AssertionError(f"case '{case}': expected ConvTranspose2d -> BatchNorm2d -> ReLU, in this order; "
                                     f"your block computes something else (largest difference "
                                     f"{(out - expected).abs().max().item():.4f}).{hint}")
            n_cases += 1
    _passed("generator_block", n_cases)


def discriminator_block(student_fn: Callable[..., torch.nn.Module]) -> None:
    """Check ``student_fn(in_channels, out_channels, batch_norm=True)``: DCGAN's discriminator block, Conv2d
    (kernel 4, stride 2, padding 1) -> BatchNorm2d if ``batch_norm`` -> LeakyReLU(0.2), which halves the height
    and width."""
    F = torch.nn.functional
    n_cases = 0
    with torch.random.fork_rng():
        torch.manual_seed(51)
        for c_in, c_out, size, batch_norm in ((1, 8, 28, False), (8, 16, 14, True), (4, 8, 14, None)):
            args = (c_in, c_out) if batch_norm is None else (c_in, c_out, batch_norm)
            case = f"discriminator_block{args} on images of {size}x{size}"
            block = _module(_call(student_fn, case, *args), case).train()
            batch_norm = True if batch_norm is None else batch_norm  # the default
            x = torch.randn(4, c_in, size, size)
            out = _forward(block, x, case)
            expected_shape = (4, c_out, size // 2, size // 2)
            if tuple(out.shape) != expected_shape:
                raise AssertionError(f"case '{case}': expected an output of shape {expected_shape} (half the height "
                                     f"and width), received {tuple(out.shape)}. A convolution makes "
                                     "(H + 2 * padding - kernel_size) // stride + 1 pixels: with kernel 4, stride 2 "
                                     "and padding 1 that is H / 2.")
            pools = _layers(block, (torch.nn.MaxPool2d, torch.nn.AvgPool2d, torch.nn.AdaptiveAvgPool2d,
                                    torch.nn.AdaptiveMaxPool2d))
            if pools:
                raise AssertionError(f"case '{case}': the guidelines replace pooling by strided convolutions (the "
                                     f"network learns its own downsampling); remove the {type(pools[0]).__name__}")
            convs = _layers(block, torch.nn.modules.conv._ConvNd)
            if len(convs) != 1 or not isinstance(convs[0], torch.nn.Conv2d):
                found = ", ".join(type(m).__name__ for m in convs) or "none"
                raise AssertionError(f"case '{case}': expected exactly one nn.Conv2d; found {found}")
            conv = convs[0]
            _check_conv(conv, c_in, c_out, case, "Conv2d")
            if batch_norm:
                bn = _one_batch_norm(block, c_out, case, "batch_norm=True")
                _no_bias_before_batch_norm(conv, case)
            elif _layers(block, torch.nn.modules.batchnorm._NormBase):
                raise AssertionError(f"case '{case}': expected no batch norm with batch_norm=False. D's input layer "
                                     "has none: Radford et al. found that batch norm on every layer made training "
                                     "oscillate, and on the input it hides a wrong brightness or contrast of a whole "
                                     "batch from D (section 2.2).")
            if _layers(block, (torch.nn.ReLU, torch.nn.ReLU6, torch.nn.ELU, torch.nn.Tanh, torch.nn.Sigmoid)):
                raise AssertionError(f"case '{case}': expected nn.LeakyReLU(0.2). A ReLU passes no gradient where its "
                                     "input is negative, so fewer of D's units tell G how to change its images "
                                     "(section 2.5).")
            slopes = {m.negative_slope for m in _layers(block, torch.nn.LeakyReLU)}
            if slopes and slopes != {0.2}:
                raise AssertionError(f"case '{case}': expected LeakyReLU with negative_slope=0.2 (the DCGAN paper's), "
                                     f"received {sorted(slopes)} (nn.LeakyReLU() defaults to 0.01)")
            h = F.conv2d(x, conv.weight, conv.bias, stride=2, padding=1)
            if batch_norm:
                h = F.batch_norm(h, None, None, bn.weight, bn.bias, training=True, eps=bn.eps)
            expected = F.leaky_relu(h, 0.2)
            if not torch.allclose(out, expected, atol=1e-4):
                order = "Conv2d -> BatchNorm2d -> LeakyReLU(0.2)" if batch_norm else "Conv2d -> LeakyReLU(0.2)"
                raise AssertionError(f"case '{case}': expected {order}, in this order; your block computes something "
                                     f"else (largest difference {(out - expected).abs().max().item():.4f})")
            n_cases += 1
    _passed("discriminator_block", n_cases)


def _init_test_network() -> torch.nn.Module:
    """Layers like DCGAN's, with parameters set as a trained network might have them (so that a parameter the
    student's initialisation leaves alone is seen)."""
    nn = torch.nn
    net = nn.Sequential(
        nn.ConvTranspose2d(64, 64, 4, 2, 1, bias=False), nn.BatchNorm2d(64), nn.ReLU(),
        nn.ConvTranspose2d(64, 1, 4, 2, 1), nn.Tanh(),                     # with a bias: G's output layer
        nn.Conv2d(1, 64, 4, 2, 1), nn.LeakyReLU(0.2),                      # with a bias: D's input layer
        nn.Conv2d(64, 128, 4, 2, 1, bias=False), nn.BatchNorm2d(128), nn.LeakyReLU(0.2),
        nn.Conv2d(128, 512, 3, 1, 1, bias=False), nn.BatchNorm2d(512),
    )
    with torch.no_grad():
        for m in net.modules():
            if isinstance(m, nn.modules.batchnorm._NormBase):
                m.weight.fill_(0.5)
                m.bias.fill_(0.3)
            elif isinstance(m, nn.modules.conv._ConvNd):
                m.weight.uniform_(-0.5, 0.5)
                if m.bias is not None:
                    m.bias.fill_(0.1)
    return net


def _check_normal(values: Tensor, mean: float, std: float, what: str, case: str, hint: str) -> None:
    m, s = values.mean().item(), values.std().item()
    if abs(m - mean) > 0.1 * std + 4 * std / math.sqrt(values.numel()) or abs(s - std) > 0.1 * std:
        raise AssertionError(f"case '{case}': expected {what} ~ N({mean:g}, {std:g}), received values with mean "
                             f"{m:.4f} and standard deviation {s:.4f}. {hint}")
    kurtosis = (((values - m) / s) ** 4).mean().item()
    if values.numel() > 10_000 and not 2.7 < kurtosis < 3.3:
        raise AssertionError(f"case '{case}': {what} have the right mean and standard deviation but are not normally "
                             f"distributed (kurtosis {kurtosis:.2f}; a normal distribution has 3, a uniform one 1.8). "
                             "Draw them with nn.init.normal_, not nn.init.uniform_.")


def dcgan_init(student_fn: Callable[[torch.nn.Module], None]) -> None:
    """Check ``student_fn(module)``, used as ``model.apply(student_fn)``: convolution weights (Conv2d and
    ConvTranspose2d) ~ N(0, 0.02), batch-norm scales ~ N(1, 0.02), and all biases 0."""
    nn = torch.nn
    case = "model.apply(init_weights) on a DCGAN-like network"
    with torch.random.fork_rng():
        torch.manual_seed(52)
        net = _init_test_network()
        before = {id(p): p.detach().clone() for p in net.parameters()}
        _call(net.apply, case, student_fn)
    weights = {kind: [m.weight for m in net.modules() if type(m) is kind]
               for kind in (nn.ConvTranspose2d, nn.Conv2d)}
    for kind, tensors in weights.items():
        name = kind.__name__
        if all(id(w) in before and torch.equal(w, before[id(w)]) for w in tensors):
            other = "nn.Conv2d" if kind is nn.ConvTranspose2d else "nn.ConvTranspose2d"
            raise AssertionError(f"case '{case}': the {name} weights were not initialised. Handle {other} and "
                                 f"{name} alike (they are different classes: isinstance(module, (nn.Conv2d, "
                                 "nn.ConvTranspose2d)))")
        _check_normal(torch.cat([w.detach().flatten() for w in tensors]), 0.0, 0.02, f"the {name} weights", case,
                      "Use nn.init.normal_(module.weight, 0.0, 0.02): the mean comes first, then the standard "
                      "deviation (not the variance).")
    norms = [m for m in net.modules() if isinstance(m, nn.BatchNorm2d)]
    scales = torch.cat([m.weight.detach() for m in norms])
    if all(id(m.weight) in before and torch.equal(m.weight, before[id(m.weight)]) for m in norms):
        raise AssertionError(f"case '{case}': the BatchNorm2d weights (the scales gamma) were not initialised. "
                             "DCGAN draws them from N(1, 0.02).")
    _check_normal(scales, 1.0, 0.02, "the BatchNorm2d weights (scales)", case,
                  "Batch norm's scale starts near 1 (nn.init.normal_(module.weight, 1.0, 0.02)), so that the layer "
                  "starts out passing the standardised values on; a scale near 0 would silence the layer.")
    for label, tensors in (("convolution biases", [m.bias for m in net.modules()
                                                   if isinstance(m, nn.modules.conv._ConvNd) and m.bias is not None]),
                           ("BatchNorm2d biases (shifts)", [m.bias for m in norms])):
        largest = max(t.abs().max().item() for t in tensors)
        if largest != 0:
            raise AssertionError(f"case '{case}': expected all {label} to be 0, received values up to {largest:.3g}. "
                                 "Use nn.init.zeros_(module.bias) (a convolution built with bias=False has "
                                 "module.bias None: skip it).")
    _passed("dcgan_init", 4)  # ConvTranspose2d weights, Conv2d weights, batch-norm scales, biases


# --------------------------------------------------------------------------- lesson 06: FID and IS


def _real_number(value, case: str) -> float:
    """Like :func:`_number`, but a complex result gets its own hint (scipy's sqrtm can return complex matrices)."""
    import numpy as np

    if np.iscomplexobj(value) or isinstance(value, complex):
        raise AssertionError(f"case '{case}': expected a real number, received the complex value {complex(value):.6g}. "
                             "scipy.linalg.sqrtm returns complex matrices with tiny imaginary parts when a "
                             "covariance is singular: keep the real part (np.real or .real) of the matrix square root.")
    return _number(value, case)


def _random_covariance(rng, d: int, rank: int | None = None):
    """A d x d covariance: of full rank (plus 0.1 I), or of ``rank`` < d like one estimated from ``rank`` samples."""
    import numpy as np

    a = rng.standard_normal((d, rank or d))
    return a @ a.T / (rank or d) + (0.0 if rank else 0.1 * np.eye(d))


def frechet_distance(student_fn: Callable) -> None:
    """Check ``student_fn(mu1, cov1, mu2, cov2)``: the Fréchet distance between N(mu1, cov1) and N(mu2, cov2),
    ``||mu1 - mu2||^2 + Tr(cov1 + cov2 - 2 (cov1 cov2)^(1/2))``, for NumPy means (d,) and covariances (d, d)."""
    import numpy as np

    from . import metrics

    rng = np.random.default_rng(6)
    cov = _random_covariance(rng, 3)
    mu = rng.standard_normal(3)
    full1, full2 = _random_covariance(rng, 4), _random_covariance(rng, 4)
    rank1, rank2 = _random_covariance(rng, 8, rank=4), _random_covariance(rng, 8, rank=4)
    cases = [
        ("identical Gaussians", mu, cov, mu, cov,
         "A Gaussian is at distance 0 from itself: Tr(cov + cov - 2 (cov cov)^(1/2)) = Tr(2 cov - 2 cov) = 0. "
         "Check the factor 2 on the cross term and that it is the square root of the product."),
        ("1D: N(0, 1) and N(3, 2^2)", np.array([0.0]), np.array([[1.0]]), np.array([3.0]), np.array([[4.0]]),
         "In 1D the distance is (mu1 - mu2)^2 + (sigma1 - sigma2)^2 = 9 + 1 = 10: the squared difference of the "
         "means (not its norm), and the squared distance itself (not its square root)."),
        ("diagonal covariances (3D)", np.array([1.0, 0.0, -1.0]), np.diag([1.0, 4.0, 9.0]), np.zeros(3),
         np.diag([4.0, 1.0, 0.25]), "For diagonal covariances the distance is the sum of the 1D distances."),
        ("full covariances that do not commute (4D)", rng.standard_normal(4), full1, rng.standard_normal(4), full2,
         "(cov1 cov2)^(1/2) is the matrix square root of the matrix product cov1 @ cov2 (scipy.linalg.sqrtm, or the "
         "square roots of its eigenvalues): not an elementwise square root, and not sqrtm(cov1) @ sqrtm(cov2)."),
        ("singular covariances (4 samples in 8 dimensions)", rng.standard_normal(8), rank1, rng.standard_normal(8),
         rank2, "Covariances estimated from fewer samples than dimensions are singular; the formula still holds "
         "(the eigenvalues of cov1 @ cov2 are >= 0 up to round-off)."),
    ]
    for case, mu1, cov1, mu2, cov2, hint in cases:
        received = _real_number(_call(student_fn, case, mu1.copy(), cov1.copy(), mu2.copy(), cov2.copy()), case)
        _number_close(received, metrics.frechet_distance(mu1, cov1, mu2, cov2), case, hint)
    _passed("frechet_distance", len(cases))


def inception_score(student_fn: Callable) -> None:
    """Check ``student_fn(probs, splits)``: the Inception Score of class probabilities (N, K), the mean over
    ``np.array_split(probs, splits)`` of ``exp(mean_x KL(p(y|x) || p(y)))`` with p(y) the split's mean row."""
    import numpy as np

    from . import metrics

    rng = np.random.default_rng(7)
    one_hot = np.eye(10)[np.arange(50) % 10]  # 5 confident predictions of each of 10 classes
    sorted_one_hot = np.eye(4)[[0, 0, 1, 1, 2, 2, 2, 2, 0, 1, 2, 3]]  # splits of 4: classes {0, 1}, {2}, {0..3}
    cases = [
        ("confident and balanced (one-hot, 10 classes)", one_hot, 1,
         "Ten classes predicted with certainty, equally often: the score is 10. Probabilities of exactly 0 appear: "
         "0 log 0 = 0 (scipy.special.xlogy, or clip the probabilities before the log). The score is exp of the "
         "mean KL, with natural logarithms."),
        ("every image the same class", np.eye(10)[np.full(20, 3)], 1,
         "One class for every image: p(y|x) = p(y), every KL is 0 and the score is exp(0) = 1."),
        ("uncertain predictions (uniform rows)", np.full((20, 10), 0.1), 1,
         "p(y|x) = p(y) = uniform: the score is 1."),
        ("random predictions", rng.dirichlet(np.full(6, 0.3), size=40), 1,
         "IS = exp(mean over images of KL(p(y|x) || p(y))), KL(p || q) = sum p log(p / q), p(y) = the mean row: "
         "the exp comes after the mean."),
        ("3 splits of class-sorted predictions", sorted_one_hot, 3,
         "Each split has its own marginal p(y) (the mean row of that split) and its own score; the result is the "
         "mean of the splits' scores: here (2 + 1 + 4) / 3."),
        ("random predictions, 4 splits of unequal size", rng.dirichlet(np.full(5, 0.5), size=42), 4,
         "Split with np.array_split(probs, splits) and average the splits' scores."),
    ]
    for case, probs, splits, hint in cases:
        received = _call(student_fn, case, probs.copy(), splits)
        if isinstance(received, (tuple, list)):
            raise AssertionError(f"case '{case}': expected one number (the mean over the splits), received a "
                                 f"{type(received).__name__} of {len(received)} values")
        _number_close(_number(received, case), metrics.inception_score(probs, splits)[0], case, hint)
    _passed("inception_score", len(cases))
