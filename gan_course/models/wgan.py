"""WGAN (Arjovsky, Chintala & Bottou 2017) and WGAN-GP (Gulrajani et al. 2017).

The critic f estimates the Wasserstein-1 distance through the Kantorovich-Rubinstein duality

    W(p_data, p_g) = sup_{||f||_L <= 1}  E_{x ~ p_data}[f(x)] - E_{z ~ p_z}[f(G(z))]

and G descends the estimate. The critic must stay (K-)Lipschitz: WGAN clips every weight to
[-c, c] after each critic update (Algorithm 1: c = 0.01, RMSProp lr 5e-5, n_critic = 5);
WGAN-GP instead adds the penalty lambda * E[(||grad f(x_hat)||_2 - 1)^2] on random
interpolates x_hat (Algorithm 1: lambda = 10, Adam lr 1e-4, betas (0, 0.9), n_critic = 5).
The losses are :func:`gan_course.losses.wasserstein_d_loss`, ``wasserstein_g_loss`` and
``gradient_penalty``; :class:`WGANStep` is :class:`~gan_course.models.gan.GANStep` with them.

Taught in: lessons 02 and 04 (and 05's WGAN-GP DCGAN).
"""

from __future__ import annotations

import functools
from typing import Callable

import torch
from torch import Tensor, nn

from .. import losses
from .gan import GANStep


def clip_weights(module: nn.Module, c: float) -> None:
    """Clamp every parameter of ``module`` to [-c, c] in place (the WGAN critic's constraint)."""
    if not c > 0:
        raise ValueError(f"the clipping bound c must be positive, got {c}")
    with torch.no_grad():
        for p in module.parameters():
            p.clamp_(-c, c)


class WGANStep(GANStep):
    """A critic and a generator trained on the Wasserstein estimate, the critic kept Lipschitz by
    weight clipping (``clip=c``, WGAN) or by a gradient penalty (``gp_weight=lambda``, WGAN-GP).

    Args:
        G, D, d_opt, g_opt, sample_z, autocast: as in :class:`~gan_course.models.gan.GANStep`.
        clip: WGAN's clipping bound c (None: no clipping).
        gp_weight: WGAN-GP's penalty weight lambda (None: no penalty).
        n_critic: critic updates per generator update (5 in both papers).
    """

    def __init__(self, G: nn.Module, D: nn.Module, d_opt: torch.optim.Optimizer, g_opt: torch.optim.Optimizer, *,
                 clip: float | None = None, gp_weight: float | None = None, n_critic: int = 5,
                 sample_z: Callable[[int], Tensor] | None = None, autocast: torch.dtype | None = None):
        if clip is not None and not clip > 0:
            raise ValueError(f"the clipping bound clip must be positive, got {clip}")
        if gp_weight is not None and not gp_weight > 0:
            raise ValueError(f"the penalty weight gp_weight must be positive, got {gp_weight}")
        penalty = None if gp_weight is None else functools.partial(losses.gradient_penalty, weight=gp_weight)
        super().__init__(G, D, d_opt, g_opt, d_loss=losses.wasserstein_d_loss, g_loss=losses.wasserstein_g_loss,
                         n_critic=n_critic, d_penalty=penalty, sample_z=sample_z, autocast=autocast)
        self.clip = clip

    def d_step(self, real: Tensor) -> dict[str, Tensor]:
        """The critic's update, then w <- clip(w, -c, c) when clipping."""
        out = super().d_step(real)
        if self.clip is not None:
            clip_weights(self.D, self.clip)
        return out
