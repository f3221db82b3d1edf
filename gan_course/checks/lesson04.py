"""Checks of lesson 04, WGAN: the critic's loss, weight clipping and WGAN-GP's gradient penalty.

Clipping is checked on an MLP critic with nested blocks and on a DCGAN critic with batch norm (its
scales and shifts are parameters, its running statistics are not). The penalty is checked on linear
critics whose penalty is known in closed form, on the course's MLP critic and on its convolutional
critic: the critic records the points it is called on, so the check can verify that they are
interpolates (one random weight per sample) and recompute the penalty and its gradient with respect
to every critic parameter at exactly those points.

Taught in: lesson 04
"""

from __future__ import annotations

import math
from typing import Callable

import torch
from torch import Tensor, nn

from .. import losses
from ._common import (_call, _loss_cases, _number_close, _number_in, _passed, _scalar_tensor, _settings, _unchanged,
                      _using, _values, exercise_check)


@exercise_check(seed=40)
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
         "Scores are used as they are: no sigmoid and no log in a WGAN (the critic is not a classifier), and no "
         "absolute value (the loss is negative when the critic separates the batches)."),
        ("a batch of one", torch.tensor([2.5]), torch.tensor([-1.25]), "One score each: f(fake) - f(real)."),
    ]
    _loss_cases(student_fn, [(case, {"real_scores": real, "fake_scores": fake}, hint)
                             for case, real, fake, hint in cases], losses.wasserstein_d_loss,
                "d loss / d real_scores = -1/B_real each and d loss / d fake_scores = +1/B_fake each: keep both "
                "batches connected (no .detach()).")
    _passed("critic_loss", len(cases))


# --------------------------------------------------------------------------- weight clipping


def _set_like_trained(critic: nn.Module, low: float = -1.0, high: float = 1.0) -> nn.Module:
    """Parameters from ``low`` to ``high`` (some inside the box, some outside), old gradients, and batch-norm
    running statistics such as training leaves."""
    with torch.no_grad():
        for p in critic.parameters():
            p.copy_(torch.linspace(low, high, p.numel()).reshape(p.shape))
            p.grad = torch.full_like(p, 5.0)  # gradients from a previous update, far outside the box
        for name, b in critic.named_buffers():
            if b.is_floating_point():
                b.copy_(torch.linspace(0.4, 2.0, b.numel()) * (1 if name.endswith("var") else -1))
    return critic


def _mlp_critic() -> nn.Module:
    return nn.Sequential(
        nn.Linear(2, 4), nn.LeakyReLU(0.2),
        nn.Sequential(nn.Linear(4, 4), nn.LeakyReLU(0.2)),  # a block inside the critic
        nn.Linear(4, 1),
    )


def _conv_critic(batch_norm: str = "guidelines") -> nn.Module:
    from ..models.dcgan import DCGANDiscriminator

    return DCGANDiscriminator(width=2, batch_norm=batch_norm)


_CLIP_ALL = ("Clip all of the critic's parameters (module.parameters(): biases and nested layers too, convolutions "
             "and batch-norm scales and shifts), as the WGAN paper does.")


def _check_clipped(critic: nn.Module, before: dict, buffers: dict, params: dict, c: float, case: str) -> None:
    after = dict(critic.named_parameters())
    if after.keys() != params.keys() or any(after[name] is not p for name, p in params.items()):
        raise AssertionError(f"case '{case}': expected the same Parameter objects, modified in place; received new "
                             "ones (the optimizer still holds the old ones: use p.clamp_(-c, c))")
    for name, p in after.items():
        if p.grad_fn is not None or not p.requires_grad:
            raise AssertionError(f"case '{case}': expected parameter '{name}' to stay a trainable leaf, received "
                                 f"requires_grad={p.requires_grad} (clamp under torch.no_grad(), keep requires_grad)")
    expected = {name: b.clamp(-c, c) for name, b in before.items()}
    unchanged = [name for name, p in after.items() if torch.equal(p.detach(), before[name])
                 and not torch.equal(before[name], expected[name])]
    if unchanged and len(unchanged) == len([n for n in after if not torch.equal(before[n], expected[n])]):
        grads_clipped = all(p.grad is not None and p.grad.abs().max() <= c for p in after.values())
        raise AssertionError(
            f"case '{case}': expected the module's parameters to be clamped to [-{c}, {c}], received none changed. "
            + ("You clipped the gradients; WGAN clips the weights themselves, after the optimizer's step."
               if grads_clipped else "Modify the module's parameters in place (p.clamp_(-c, c) for every p in "
                                     "module.parameters()): returning clipped copies, or looking only for some layer "
                                     "types (such as nn.Linear), leaves this critic unclipped."))
    if unchanged:
        raise AssertionError(f"case '{case}': expected every parameter within [-{c}, {c}], received "
                             f"{', '.join(unchanged)} with values outside. {_CLIP_ALL}")
    for name, p in after.items():
        if not torch.allclose(p.detach(), expected[name], atol=1e-7):
            got, want = p.detach().flatten(), expected[name].flatten()
            i = int((got - want).abs().argmax())
            was = before[name].flatten()[i]
            if want[i] < 0 and got[i] >= 0:
                hint = "negative values must become -c, not 0 or +c: clamp to [-c, c]"
            elif was.abs() > c:
                hint = "values outside [-c, c] must become exactly -c or c, with the c you are given"
            else:
                hint = "values inside [-c, c] must stay exactly as they were: clamp, don't rescale"
            raise AssertionError(f"case '{case}': parameter '{name}', entry {i} was {was:.4f}: "
                                 f"expected {want[i]:.4f}, received {got[i]:.4f}. {hint}")
    for name, b in critic.named_buffers():
        if not torch.equal(b, buffers[name]):
            raise AssertionError(f"case '{case}': expected the buffer '{name}' unchanged, received it modified. Batch "
                                 "norm's running statistics are buffers, not parameters: clip module.parameters() "
                                 "only (not module.state_dict()).")


@exercise_check(seed=41)
def weight_clipping(student_fn: Callable[[nn.Module, float], object]) -> None:
    """Check ``student_fn(module, c)``: every parameter of ``module`` clamped to [-c, c] in place, without autograd;
    buffers (batch norm's running statistics) left alone; the critic still trainable afterwards."""
    cases = [("a small critic, c = 0.5", _mlp_critic, (-1.0, 1.0), 0.5, (3, 2)),
             ("a small critic, c = 0.05", _mlp_critic, (-1.0, 1.0), 0.05, (3, 2)),
             ("a DCGAN critic (Conv2d, BatchNorm2d), c = 0.01", _conv_critic, (-1.0, 1.0), 0.01, (2, 1, 28, 28)),
             ("a critic already inside the box (c = 0.5, parameters within [-0.3, 0.3])", _mlp_critic, (-0.3, 0.3), 0.5,
              (3, 2))]
    for case, make, (low, high), c, shape in cases:
        critic = _set_like_trained(make(), low, high)
        params = dict(critic.named_parameters())
        before = {name: p.detach().clone() for name, p in params.items()}
        buffers = {name: b.clone() for name, b in critic.named_buffers()}
        try:
            _call(student_fn, case, critic, c, expected="the critic's parameters clamped in place")
        except AssertionError as err:
            if "leaf Variable" in str(err):
                raise AssertionError(f"{str(err).rstrip('.')}. Hint: parameters that require grad can only be "
                                     "changed in place under `with torch.no_grad():`") from None
            raise
        _check_clipped(critic, before, buffers, params, c, case)
        with _using(case, "a forward and backward pass through the clipped critic"):
            critic.zero_grad()
            critic(torch.linspace(-1, 1, math.prod(shape)).reshape(shape)).sum().backward()
        for name, p in critic.named_parameters():
            if p.grad is None:
                raise AssertionError(f"case '{case}': expected every parameter to receive a gradient after clipping "
                                     f"(the critic must go on training), received none for '{name}'")
    _passed("weight_clipping", len(cases))


# --------------------------------------------------------------------------- gradient penalty


class _Linear(nn.Module):
    """f(x) = <w, x>: its gradient is w everywhere, so the penalty does not depend on the interpolation."""

    def __init__(self, w: Tensor):
        super().__init__()
        self.w = nn.Parameter(w)

    def forward(self, x: Tensor) -> Tensor:
        return (x.flatten(1) * self.w.flatten()).sum(1)


class _HalfSquare(nn.Module):
    def forward(self, x: Tensor) -> Tensor:
        return 0.5 * (x.flatten(1) ** 2).sum(1)


class _Recording(nn.Module):
    """The critic the student gets: it remembers every batch it is called on."""

    def __init__(self, critic: nn.Module):
        super().__init__()
        self.critic, self.seen = critic, []

    def forward(self, x: Tensor) -> Tensor:
        self.seen.append(x.detach().clone())
        return self.critic(x)


def _interpolation_weights(seen: list, real: Tensor, fake: Tensor, case: str) -> Tensor:
    """The eps of x_hat = eps * real + (1 - eps) * fake, one per sample, from the points the critic saw."""
    points = [x for x in seen if x.shape == real.shape]
    if not points:
        shapes = ", ".join(str(tuple(x.shape)) for x in seen) or "no call at all"
        raise AssertionError(f"case '{case}': expected the critic to be called on interpolates of shape "
                             f"{tuple(real.shape)}, received {shapes}")
    if not torch.isfinite(points[-1]).all():
        raise AssertionError(f"case '{case}': expected interpolates of real and fake samples, received points with NaN "
                             "or infinite values")
    x_hat, d = points[-1].flatten(1), (real - fake).flatten(1)
    eps = ((x_hat - fake.flatten(1)) * d).sum(1) / (d * d).sum(1)  # (B,): the projection on the segment
    off = (x_hat - fake.flatten(1) - eps[:, None] * d).abs().max().item()
    if off > 1e-4:
        raise AssertionError(f"case '{case}': expected interpolates x_hat = eps * real + (1 - eps) * fake with one eps "
                             f"per sample (shape (B, 1, ...)), received points up to {off:.3f} off the segments "
                             "between each real and fake sample (torch.rand_like(real) draws an eps per coordinate)")
    if eps.min() < -1e-4 or eps.max() > 1 + 1e-4:
        raise AssertionError(f"case '{case}': expected interpolates with eps ~ U[0, 1] (torch.rand), received eps from "
                             f"{eps.min():.3f} to {eps.max():.3f}")
    if len(eps) >= 4 and eps.max() - eps.min() < 1e-6:
        only = (" (only real samples)" if abs(eps[0] - 1) < 1e-6 else
                " (only fake samples)" if abs(eps[0]) < 1e-6 else "")
        raise AssertionError(f"case '{case}': expected random interpolates with one eps ~ U[0, 1] per sample, received "
                             f"eps = {eps[0]:.4f} for every sample{only}. Draw torch.rand(B, 1, ...) so that each "
                             "real-fake pair gets its own point on its segment.")
    return points[-1]


def _penalty_case(student_fn: Callable, case: str, critic: nn.Module, real: Tensor, fake: Tensor, hint: str,
                  expected: float | None = None) -> tuple[Tensor, Tensor]:
    recording = _Recording(critic)
    passed = {"real": real.clone(), "fake": fake.clone()}
    received = _scalar_tensor(_call(student_fn, case, recording, passed["real"], passed["fake"],
                                    expected="the penalty as a scalar tensor"), case)
    if expected is not None:  # a penalty known in closed form
        _number_close(received.item(), expected, case, hint, tol=1e-4)
    x_hat = _interpolation_weights(recording.seen, real, fake, case)
    reference = losses.gradient_penalty(critic, x_hat, x_hat)  # at the student's own x_hat (real = fake = x_hat)
    _number_close(received.item(), reference.item(), case, hint, tol=1e-4)
    _unchanged({"real": real, "fake": fake}, passed, case)
    params = dict(critic.named_parameters())
    if params:
        if not received.requires_grad:
            raise AssertionError(f"case '{case}': the penalty must be differentiable with respect to the critic's "
                                 "weights: expected a tensor that requires grad, received requires_grad=False. Use "
                                 "torch.autograd.grad(..., create_graph=True) and keep the result a tensor.")
        critic.zero_grad()
        with _using(case, "calling .backward() on your penalty"):
            received.backward()
        wanted = torch.autograd.grad(reference, list(params.values()), allow_unused=True)
        for (name, p), want in zip(params.items(), wanted):
            if want is None:  # a parameter the penalty does not depend on, such as the last layer's bias
                if p.grad is None or not p.grad.any():
                    continue
                want = torch.zeros_like(p)
            if p.grad is None or not torch.allclose(p.grad, want, atol=1e-5, rtol=1e-3):
                got = "no gradient (None)" if p.grad is None else _values(p.grad)
                raise AssertionError(f"case '{case}': expected d penalty / d {name} = {_values(want)}, received {got} "
                                     "(create_graph=True keeps the gradient's own graph, so the penalty can train the "
                                     "critic)")
    return received, x_hat


def _scaled_so_norms_straddle_one(critic: nn.Module, points: Tensor) -> nn.Module:
    """Scale the critic's last layer so that its gradient norms at ``points`` lie on both sides of 1."""
    x = points.clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(critic(x).sum(), x)
    with torch.no_grad():
        critic.net[-1].weight.div_(grad.flatten(1).norm(dim=1).median())
    return critic


@exercise_check(seed=42)
def gradient_penalty(student_fn: Callable[[nn.Module, Tensor, Tensor], Tensor]) -> None:
    """Check ``student_fn(critic, real, fake) = 10 * E[(||grad f(x_hat)||_2 - 1)^2]`` on random interpolates."""
    from ..models.gan import MLPDiscriminator

    norm_hint = ("One norm per sample over all its dimensions (grad.reshape(B, -1).norm(dim=1)), then "
                 "10 * mean((norm - 1)^2): square after subtracting 1, average over the samples, lambda = 10.")
    a = torch.zeros(4096, 2)
    a[:, 0] = 3.0
    w = torch.randn(3, 4, 4)
    real, fake = torch.randn(12, 2) + 1, torch.randn(12, 2) - 1
    mlp = _scaled_so_norms_straddle_one(MLPDiscriminator(data_dim=2, hidden=16, depth=2), (real + fake) / 2)
    cases = [  # case, critic, real, fake, hint, the penalty when known in closed form
        # A linear critic on vectors: ||w|| = 3, so the penalty is 10 * (3 - 1)^2 = 40 wherever x_hat lies.
        ("linear critic, ||w|| = 3", _Linear(torch.tensor([3.0, 0.0])), torch.randn(8, 2), torch.randn(8, 2),
         "The gradient of f at any x_hat is w, norm 3: the penalty is lambda (3 - 1)^2 with lambda = 10. " + norm_hint,
         40.0),
        # Images: the norm is per sample over channels and pixels together; w varies, its norm is sqrt(3).
        ("images (B, 3, 4, 4): one norm per sample", _Linear(w * math.sqrt(3) / w.norm()), torch.randn(5, 3, 4, 4),
         torch.randn(5, 3, 4, 4), "Flatten each sample's gradient (grad.reshape(B, -1)) before taking the norm; a "
         "norm per pixel or per channel is a known bug.", 10 * (math.sqrt(3) - 1) ** 2),
        # f = |x|^2 / 2, real = a, fake = -a, |a| = 3: at x_hat = (2 eps - 1) a the gradient norm is 3 |2 eps - 1|;
        # with eps ~ U[0, 1] the mean penalty is 10.
        ("interpolates between real and fake", _HalfSquare(), a, -a, "x_hat = eps * real + (1 - eps) * fake, "
         "eps ~ U[0, 1] drawn once per sample (shape (B, 1, ...)). " + norm_hint, None),
        # The course's critics: an MLP (Linear + LeakyReLU) and a DCGAN critic (Conv2d + LeakyReLU, no batch norm:
        # the penalty is per sample, and WGAN-GP drops batch norm from the critic for that reason).
        ("MLP critic (Linear + LeakyReLU)", mlp, real, fake,
         norm_hint + " The norms here lie on both sides of 1: the penalty is two-sided.", None),
        ("MLP critic, a batch of one", mlp, torch.tensor([[1.5, -0.5]]), torch.tensor([[-1.0, 2.0]]), norm_hint, None),
        ("DCGAN critic (Conv2d) on images (B, 1, 28, 28)", _conv_critic("none"), torch.rand(4, 1, 28, 28) * 2 - 1,
         torch.randn(4, 1, 28, 28) * 0.5, norm_hint, None),
    ]
    for case, critic, real, fake, hint, expected in cases:
        received, x_hat = _penalty_case(student_fn, case, critic, real, fake, hint, expected)
        if case == "interpolates between real and fake":
            eps = (x_hat[:, 0] / 3 + 1) / 2
            if abs(received.item() - 10.0) > 1.0 or abs(eps.mean() - 0.5) > 0.03 or abs(eps.std() - 0.2887) > 0.03:
                raise AssertionError(f"case '{case}': expected about 10.0 from eps ~ U[0, 1] (mean 0.5, standard "
                                     f"deviation 0.289), received {received.item():.3f} from eps of mean "
                                     f"{eps.mean():.3f} and standard deviation {eps.std():.3f}. Draw eps with "
                                     "torch.rand (uniform), one per sample.")
    _passed("gradient_penalty", len(cases))


# --------------------------------------------------------------------------- the open exercise

CLIP_STEPS = 1000  # RMSProp updates of the open exercise's clipped critic


def clipped_critic_reading(clip: float, lr: float, blob_std: float = 0.5, seed: int = 0) -> tuple[float, float]:
    """Lesson 02's ring (radius 1.5) against a blob N(0, blob_std² I): a clipped critic (2 hidden layers of 64,
    RMSProp at ``lr``, weights clamped to [-clip, clip] after every update) trained for :data:`CLIP_STEPS`
    updates. Returns (its reading E_r f - E_g f on 20,000 fresh samples a side, POT's exact W1)."""
    from .. import losses, metrics
    from ..data import GaussianMixture, ring_of_gaussians
    from ..models.gan import MLPDiscriminator, fit_discriminator
    from ..models.wgan import clip_weights

    ring, blob = ring_of_gaussians(8, radius=1.5, std=0.1), GaussianMixture([[0.0, 0.0]], std=blob_std, name="blob")
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        critic = MLPDiscriminator(data_dim=2, hidden=64, depth=2)
        clip_weights(critic, clip)
        fit_discriminator(critic, ring.batches(256, seed=seed + 1), blob.batches(256, seed=seed + 2), steps=CLIP_STEPS,
                          d_opt=torch.optim.RMSprop(critic.parameters(), lr=lr), d_loss=losses.wasserstein_d_loss,
                          after_step=lambda f: clip_weights(f, clip))
        generator = torch.Generator().manual_seed(seed + 3)
        real, fake = ring.sample(20_000, generator), blob.sample(20_000, generator)
        with torch.no_grad():
            reading = (critic(real).mean() - critic(fake).mean()).item()
    return reading, metrics.wasserstein1(real[:2000], fake[:2000])


@exercise_check(seed=43)
def clipped_critic_scale(student_fn) -> None:
    """Check (open exercise): grade ``{'clip', 'lr'}`` of a weight-clipped critic: its reading within 10% of the exact W1 between the
    ring and the blob (K = 1 on this pair). Also prints what the same settings read on a wider blob."""
    settings = _settings(student_fn, ("clip", "lr"), "{'clip': 0.01, 'lr': 5e-5}")
    clip, lr = _number_in(settings, "clip", 1e-4, 10.0), _number_in(settings, "lr", 1e-7, 0.1)
    reading, exact = clipped_critic_reading(clip, lr)
    k = reading / exact
    if not 0.9 <= k <= 1.1:
        hint = ("too small: the box [-c, c] keeps the critic's slope far below 1 (a larger c, or larger steps to reach "
                "the box's best critic)" if k < 0.9 else
                "too large: the box lets the slope exceed 1 (a smaller c, or fewer/smaller steps)")
        raise AssertionError(f"with c = {clip:g} and lr {lr:g} the clipped critic reads {reading:.4f}, the exact W1 is "
                             f"{exact:.4f}: K = {k:.3f} (target 0.9 to 1.1). Hint: {hint}")
    other, other_exact = clipped_critic_reading(clip, lr, blob_std=1.0)
    print(f"✔ clipped_critic_scale passed: c = {clip:g}, lr {lr:g}: reads {reading:.4f} against W1 {exact:.4f} (K = {k:.3f}). "
          f"The same settings against a blob twice as wide read {other:.4f} against W1 {other_exact:.4f} "
          f"(K = {other / other_exact:.3f}): K belongs to the problem, not to c.")
