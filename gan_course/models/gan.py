"""The GAN of Goodfellow et al. (2014): the game, Algorithm 1's two updates, and the toy networks.

G maps noise z ~ p_z to samples, D maps a sample to the probability that it is real, and
the two play

    min_G max_D  V(D, G) = E_{x ~ p_data}[log D(x)] + E_{z ~ p_z}[log(1 - D(G(z)))]      (Eq. 1)

:class:`GANStep` makes Algorithm 1's two updates for one G and one D -- D ascends V with G
fixed, G descends it through a frozen D (the non-saturating ``-log D(G(z))`` by default,
Section 3) -- and :func:`gan_course.train.train` alternates them. The losses are in
:mod:`gan_course.losses`. :func:`fit_discriminator` plays only the inner ``max_D`` against a
fixed set of fakes. :class:`MLPGenerator` and :class:`MLPDiscriminator` are the small
fully connected networks of the toy lessons.

Taught in: lessons 00, 01 and 03 (and every lesson whose model is one G/D pair).
"""

from __future__ import annotations

import math
from typing import Callable, Iterator

import torch
from torch import Tensor, nn

from .. import losses, speed
from ..layers import MinibatchStdDev
from ..train import Step, TrainingDiverged


def _mlp(in_dim: int, hidden: int, depth: int, out_dim: int, activation: Callable[[], nn.Module]) -> nn.Sequential:
    if min(in_dim, hidden, depth, out_dim) < 1:
        raise ValueError(
            f"sizes must be positive, got in_dim={in_dim}, hidden={hidden}, depth={depth}, out_dim={out_dim}"
        )
    layers: list[nn.Module] = []
    width = in_dim
    for _ in range(depth):
        layers += [nn.Linear(width, hidden), activation()]
        width = hidden
    layers.append(nn.Linear(width, out_dim))
    return nn.Sequential(*layers)


class MLPGenerator(nn.Module):
    """G: maps noise ``z`` (B, z_dim) to a sample (B, data_dim).

    The output layer is linear: toy data is not confined to [-1, 1].
    """

    def __init__(
        self,
        z_dim: int = 8,      # dimension of the noise z ~ N(0, I)
        data_dim: int = 1,   # dimension of a sample (1 or 2 for toy data)
        hidden: int = 64,    # width of every hidden layer
        depth: int = 2,      # number of hidden layers
    ):
        super().__init__()
        self.z_dim, self.data_dim = z_dim, data_dim
        self.net = _mlp(z_dim, hidden, depth, data_dim, nn.ReLU)

    def forward(self, z: Tensor) -> Tensor:
        if z.dim() != 2 or z.shape[1] != self.z_dim:
            raise ValueError(f"G expects z of shape (B, {self.z_dim}), got {tuple(z.shape)}")
        return self.net(z)  # (B, data_dim)

    def sample_z(self, n: int, device=None) -> Tensor:
        """Draw ``n`` noise vectors from the prior N(0, I) on the generator's device."""
        device = device or next(self.parameters()).device
        return torch.randn(n, self.z_dim, device=device)


NORMS = (None, "spectral", "weight", "batch")


class MLPDiscriminator(nn.Module):
    """D: maps a sample (B, data_dim) to one logit per sample (B,); ``D(x) = sigmoid(logit)``.

    The same network serves as a WGAN critic: its output is a plain score
    (there is no sigmoid in the last layer; the losses decide what it means).
    LeakyReLU keeps a gradient for inputs far from the data, where a ReLU
    network can go flat and stop telling G where to move.

    ``norm`` normalises every linear layer:

    * ``"spectral"``: divides each weight matrix by its largest singular value
      (Miyato et al. 2018), so every layer is 1-Lipschitz and so is D;
    * ``"weight"``: reparametrises each weight row as ``g * v / ||v||``
      (Salimans & Kingma 2016), which eases optimisation but bounds nothing;
    * ``"batch"``: batch normalisation after each hidden linear layer (not on the input),
      which makes D's output for one sample depend on the rest of its batch.

    ``minibatch_std=True`` feeds the last layer one more feature, the batch's standard
    deviation (:class:`gan_course.layers.MinibatchStdDev`), so D can tell a batch that varies
    too little. :meth:`features` gives the last hidden layer (feature matching's f(x)).
    """

    def __init__(
        self,
        data_dim: int = 1,   # dimension of a sample
        hidden: int = 64,    # width of every hidden layer
        depth: int = 2,      # number of hidden layers
        norm: str | None = None,  # None, "spectral", "weight" or "batch"
        minibatch_std: bool = False,  # append the batch's standard deviation before the last layer
    ):
        super().__init__()
        if norm not in NORMS:
            raise ValueError(f"norm must be one of {NORMS}, got {norm!r}")
        self.data_dim, self.norm = data_dim, norm
        self.net = _mlp(data_dim, hidden, depth, 1, lambda: nn.LeakyReLU(0.2))
        if norm == "batch":
            layers = []
            for layer in self.net:
                layers.append(layer)
                if isinstance(layer, nn.Linear) and layer.out_features == hidden and layer is not self.net[-1]:
                    layers.append(nn.BatchNorm1d(hidden))
            self.net = nn.Sequential(*layers)
        elif norm is not None:
            wrap = {"spectral": nn.utils.parametrizations.spectral_norm,
                    "weight": nn.utils.parametrizations.weight_norm}[norm]
            for i, layer in enumerate(self.net):
                if isinstance(layer, nn.Linear):
                    self.net[i] = wrap(layer)
        if minibatch_std:
            wide = nn.Linear(hidden + 1, 1)
            if norm in ("spectral", "weight"):
                wide = wrap(wide)
            self.net[-1] = nn.Sequential(MinibatchStdDev(), wide)

    def features(self, x: Tensor) -> Tensor:
        """The last hidden layer's activations (B, hidden): what D has learned to see in ``x``."""
        if x.dim() != 2 or x.shape[1] != self.data_dim:
            raise ValueError(f"D expects x of shape (B, {self.data_dim}), got {tuple(x.shape)}")
        return self.net[:-1](x)

    def forward(self, x: Tensor) -> Tensor:
        if x.dim() != 2 or x.shape[1] != self.data_dim:
            raise ValueError(f"D expects x of shape (B, {self.data_dim}), got {tuple(x.shape)}")
        return self.net(x).squeeze(1)  # (B,) logits


# --------------------------------------------------------------------------- Algorithm 1's updates


class GANStep(Step):
    """Algorithm 1's two updates for one generator G and one discriminator D.

    Args:
        G, D: the generator (with ``sample_z(n)`` unless ``sample_z`` is given) and the
            discriminator (one logit or score per sample).
        d_opt, g_opt: their optimizers.
        d_loss, g_loss: loss functions of D's outputs (:mod:`gan_course.losses`).
        n_critic: D updates per G update (k in Algorithm 1).
        d_penalty: an extra D loss term ``penalty(D, real, fake)`` (e.g. WGAN-GP's).
        sample_z: ``n -> z``; defaults to ``G.sample_z``.
        autocast: ``torch.bfloat16`` runs G's and D's forward passes under ``torch.autocast``
            (:func:`gan_course.speed.calibrate`); losses and penalty stay in float32.
        reuse_fake: the G update reuses the fake batch of the D update before it, as PyTorch's DCGAN
            example does, instead of drawing fresh noise as Algorithm 1 does: one G forward pass less an
            iteration (a seventh of a DCGAN's arithmetic), at the price of a G update on the very samples D
            was just trained against. Off by default, as the paper writes it.
    """

    networks = ("G", "D")
    optimizers = ("d_opt", "g_opt")

    def __init__(self, G: nn.Module, D: nn.Module, d_opt: torch.optim.Optimizer, g_opt: torch.optim.Optimizer, *,
                 d_loss: Callable[[Tensor, Tensor], Tensor] = losses.minimax_d_loss,
                 g_loss: Callable[[Tensor], Tensor] = losses.nonsaturating_g_loss,
                 n_critic: int = 1,
                 d_penalty: Callable[[nn.Module, Tensor, Tensor], Tensor] | None = None,
                 sample_z: Callable[[int], Tensor] | None = None,
                 autocast: torch.dtype | None = None,
                 reuse_fake: bool = False):
        if not isinstance(n_critic, int) or isinstance(n_critic, bool) or n_critic < 1:
            raise ValueError(f"n_critic must be a positive integer, got {n_critic!r}")
        if not isinstance(reuse_fake, bool):
            raise ValueError(f"reuse_fake must be True or False, got {reuse_fake!r}")
        speed.check_autocast(autocast)
        if sample_z is None and not hasattr(G, "sample_z"):
            raise ValueError(f"G ({type(G).__name__}) has no sample_z method; pass sample_z=lambda n: ...")
        self.G, self.D, self.d_opt, self.g_opt = G, D, d_opt, g_opt
        self.d_loss, self.g_loss, self.n_critic, self.d_penalty = d_loss, g_loss, n_critic, d_penalty
        self.sample_z = sample_z or G.sample_z
        self.autocast = autocast
        self.reuse_fake, self._fake = reuse_fake, None

    def d_step(self, real: Tensor) -> dict[str, Tensor]:
        """One update of D: ascend V(D, G) with G held fixed."""
        z = self.sample_z(real.shape[0])                                 # m noise samples z ~ p_z
        with speed.precision(real.device, self.autocast):
            with torch.set_grad_enabled(self.reuse_fake):                # G is fixed: no graph through it,
                fake = self.G(z)                                         # unless the G update reuses it
            self._fake = fake if self.reuse_fake else None
            real_logits, fake_logits = self.D(real), self.D(fake.detach())
        loss = self.d_loss(speed.float32(real_logits), speed.float32(fake_logits))  # -V(D, G) on the batch
        if self.d_penalty is not None:  # in float32: a gradient penalty is too delicate for bfloat16
            loss = loss + self.d_penalty(self.D, real, speed.float32(fake))
        self.d_opt.zero_grad(set_to_none=True)
        loss.backward()
        self.d_opt.step()                                                # ascend V = descend -V
        return {"d_loss": loss.detach()}

    def g_step(self, real: Tensor) -> dict[str, Tensor]:
        """One update of G through a frozen D: the gradient flows *through* D into G, but D's
        own parameters get none (it would leak into D's next update)."""
        fake, self._fake = self._fake, None                              # the D update's batch, if reused
        self.D.requires_grad_(False)
        try:
            with speed.precision(real.device, self.autocast):
                if fake is None:
                    fake = self.G(self.sample_z(real.shape[0]))          # m fresh noise samples
                fake_logits = self.D(fake)
            loss = self.g_loss(speed.float32(fake_logits))               # -log D(G(z)) by default
            self.g_opt.zero_grad(set_to_none=True)
            loss.backward()
            self.g_opt.step()
        finally:
            self.D.requires_grad_(True)
        return {"g_loss": loss.detach()}

    def check(self, real: Tensor) -> None:
        """Fail early when data, G and D do not fit together (in eval mode: batch-norm statistics stay)."""
        if not isinstance(real, Tensor):
            raise TypeError(f"a GANStep takes batches of real samples as tensors, got {type(real).__name__}; "
                            "for (images, labels) pairs use a step that takes them (e.g. a conditional GAN's)")
        devices = {"the real batch": real.device, "G": _device_of(self.G), "D": _device_of(self.D)}
        if len({str(d) for d in devices.values() if d is not None}) > 1:
            where = ", ".join(f"{k} on {v}" for k, v in devices.items())
            raise ValueError(f"data and models are on different devices ({where}); move them with .to(device)")
        if not torch.isfinite(real).all():
            raise ValueError("the real batch contains NaN or inf values")
        if real.dim() == 4 and (real.min() < -1 - 1e-3 or real.max() > 1 + 1e-3):
            raise ValueError(f"images must be scaled to [-1, 1] (the range of the generator's tanh); the real "
                             f"batch spans [{real.min().item():.3g}, {real.max().item():.3g}]")
        modes = (self.G.training, self.D.training)
        self.G.eval(), self.D.eval()
        try:
            with torch.no_grad():
                fake, out = self.G(self.sample_z(real.shape[0])), self.D(real)
        finally:
            self.G.train(modes[0]), self.D.train(modes[1])
        if fake.shape[1:] != real.shape[1:]:
            raise ValueError(f"G makes samples of shape {tuple(fake.shape[1:])} but the data has shape "
                             f"{tuple(real.shape[1:])} (batch dimension left out)")
        if out.shape not in {(real.shape[0],), (real.shape[0], 1)}:
            raise ValueError(f"D must return one logit per sample, shape ({real.shape[0]},) or "
                             f"({real.shape[0]}, 1); got {tuple(out.shape)}")


def _device_of(module: nn.Module) -> torch.device | None:
    p = next(module.parameters(), None)
    return None if p is None else p.device


def fit_discriminator(
    D: nn.Module,
    real_batches: Iterator[Tensor],
    fake_batches: Iterator[Tensor],
    *,
    steps: int,
    d_opt: torch.optim.Optimizer,
    d_loss: Callable[[Tensor, Tensor], Tensor] = losses.minimax_d_loss,
    d_penalty: Callable[[nn.Module, Tensor, Tensor], Tensor] | None = None,
    after_step: Callable[[nn.Module], None] | None = None,
) -> list[float]:
    """Train only D (or a critic) against a *fixed* generator distribution: ``max_D V(D, G)``.

    The theory lessons use it to compare a trained D with the optimal D*, and a trained
    critic with the exact Wasserstein distance. It makes :class:`GANStep`'s D update, with
    an identity "generator" that passes the samples of ``fake_batches`` through.

    Args:
        D: the discriminator or critic.
        real_batches, fake_batches: iterators of (B, ...) batches on D's device.
        steps: number of D updates.
        d_opt: D's optimizer.
        d_loss, d_penalty: as in :class:`GANStep`.
        after_step: called with D after every update (e.g. WGAN's weight clipping).

    Returns:
        The loss of every step.
    """
    if not isinstance(steps, int) or steps < 0:
        raise ValueError(f"steps must be a non-negative integer, got {steps!r}")
    real = None

    def fakes(n: int) -> Tensor:  # the identity generator's "noise": the next fixed fakes
        fake = next(fake_batches)
        if fake.shape[1:] != real.shape[1:]:
            raise ValueError(f"real and fake samples differ in shape: {tuple(real.shape[1:])} vs "
                             f"{tuple(fake.shape[1:])}")
        return fake

    step = GANStep(nn.Identity(), D, d_opt, None, d_loss=d_loss, d_penalty=d_penalty, sample_z=fakes)
    history = []
    for i in range(1, steps + 1):
        real = next(real_batches)
        loss = step.d_step(real)["d_loss"].item()
        if not math.isfinite(loss):
            raise TrainingDiverged(f"the discriminator's loss became {loss} at step {i}; try a smaller learning rate")
        if after_step is not None:
            with torch.no_grad():
                after_step(D)
        history.append(loss)
    return history
