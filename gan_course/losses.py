"""GAN losses as pure functions of the discriminator's outputs.

Discriminators in this course return *logits* ``l`` (no sigmoid), and
``D(x) = sigmoid(l)``. Working with logits keeps ``log D`` and ``log(1 - D)``
finite where a saturated sigmoid would round to 0 or 1:
``log D = -softplus(-l)`` and ``log(1 - D) = -softplus(l)``.

Goodfellow et al. (2014) write the game as

    min_G max_D  V(D, G) = E_x[log D(x)] + E_z[log(1 - D(G(z)))]

Every loss here is something to *minimise*, averaged over the batch.

Taught in: lessons 00, 01 and 03 (the GAN losses), 04 (the Wasserstein losses and the penalty), 12 (the
least-squares losses and the cycle-consistency loss of CycleGAN).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor


def _check_logits(name: str, logits: Tensor) -> None:
    if not isinstance(logits, Tensor):
        raise TypeError(f"{name} must be a torch.Tensor of discriminator logits, got {type(logits).__name__}")
    if logits.dim() == 2 and logits.shape[1] != 1 or logits.dim() > 2:
        raise ValueError(
            f"{name} must have shape (B,) or (B, 1): one logit per sample; got {tuple(logits.shape)}"
        )


def minimax_d_loss(real_logits: Tensor, fake_logits: Tensor) -> Tensor:
    """The discriminator's loss: ``-V``, i.e. ``-E[log D(x)] - E[log(1 - D(G(z)))]``.

    It is the binary cross-entropy with label 1 for real and 0 for fake samples.

    Args:
        real_logits: D's logits on real samples, shape (B,) or (B, 1).
        fake_logits: D's logits on generated samples, shape (B,) or (B, 1).

    Returns:
        A scalar tensor.
    """
    _check_logits("real_logits", real_logits)
    _check_logits("fake_logits", fake_logits)
    log_d_real = -F.softplus(-real_logits)  # log D(x)
    log_one_minus_d_fake = -F.softplus(fake_logits)  # log(1 - D(G(z)))
    return -(log_d_real.mean() + log_one_minus_d_fake.mean())


def matching_aware_d_loss(real_logits: Tensor, fake_logits: Tensor, wrong_logits: Tensor) -> Tensor:
    """The matching-aware discriminator's loss (Reed et al. 2016, GAN-CLS), for a conditional D:

    ``-E[log D(x, y)] - 1/2 (E[log(1 - D(G(z, y), y))] + E[log(1 - D(x, y_wrong))])``

    Real images with the wrong condition are a third kind of negative, weighted half and half with the fakes, so
    D must judge whether image and condition match, not only whether the image is real.

    Args:
        real_logits: D's logits on real pairs (x, y), shape (B,) or (B, 1).
        fake_logits: on generated pairs (G(z, y), y).
        wrong_logits: on real images with wrong conditions (x, y_wrong).
    """
    _check_logits("real_logits", real_logits)
    _check_logits("fake_logits", fake_logits)
    _check_logits("wrong_logits", wrong_logits)
    return F.softplus(-real_logits).mean() + 0.5 * (F.softplus(fake_logits).mean() + F.softplus(wrong_logits).mean())


def minimax_g_loss(fake_logits: Tensor) -> Tensor:
    """The generator's loss in the original minimax game: ``E[log(1 - D(G(z)))]``.

    It *saturates*: when D confidently rejects the fakes (early in training),
    ``D(G(z)) -> 0`` and the gradient with respect to the logit vanishes.
    """
    _check_logits("fake_logits", fake_logits)
    return (-F.softplus(fake_logits)).mean()


def nonsaturating_g_loss(fake_logits: Tensor) -> Tensor:
    """The non-saturating generator loss: ``-E[log D(G(z))]``.

    Same fixed point as the minimax loss, but strong gradients exactly when
    D rejects the fakes (Goodfellow et al. 2014, Section 3).
    """
    _check_logits("fake_logits", fake_logits)
    return F.softplus(-fake_logits).mean()


def smoothed_d_loss(real_logits: Tensor, fake_logits: Tensor, real_label: float = 0.9) -> Tensor:
    """The discriminator's loss with *one-sided label smoothing* (Salimans et al. 2016, Section 3.4).

    The real samples' target is ``real_label`` (0.9) instead of 1; the fakes' target stays 0
    (smoothing it too would move D's optimum towards the fakes). With ``real_label = 1`` this is
    :func:`minimax_d_loss`.
    """
    _check_logits("real_logits", real_logits)
    _check_logits("fake_logits", fake_logits)
    if not 0.5 < real_label <= 1.0:
        raise ValueError(f"real_label must be in (0.5, 1], got {real_label}")
    real_loss = real_label * F.softplus(-real_logits) + (1 - real_label) * F.softplus(real_logits)
    return real_loss.mean() + F.softplus(fake_logits).mean()


def wasserstein_d_loss(real_scores: Tensor, fake_scores: Tensor) -> Tensor:
    """The WGAN critic's loss: ``E[f(G(z))] - E[f(x)]`` (the negated W1 estimate)."""
    _check_logits("real_scores", real_scores)
    _check_logits("fake_scores", fake_scores)
    return fake_scores.mean() - real_scores.mean()


def wasserstein_g_loss(fake_scores: Tensor) -> Tensor:
    """The WGAN generator's loss: ``-E[f(G(z))]``."""
    _check_logits("fake_scores", fake_scores)
    return -fake_scores.mean()


def gradient_penalty(critic, real: Tensor, fake: Tensor, weight: float = 10.0) -> Tensor:
    """WGAN-GP's penalty ``weight * E[(||grad f(x_hat)||_2 - 1)^2]`` (Gulrajani et al. 2017).

    ``x_hat`` is a random interpolate between a real and a fake sample. The
    gradient norm is taken per sample over *all* its dimensions (channels and
    pixels together), not per pixel.

    Args:
        critic: the critic network ``f``.
        real: real samples, shape (B, ...).
        fake: generated samples of the same shape (detached or not).
        weight: the penalty coefficient lambda (10 in the paper).
    """
    if real.shape != fake.shape:
        raise ValueError(f"real and fake must have the same shape, got {tuple(real.shape)} and {tuple(fake.shape)}")
    batch = real.shape[0]
    eps = torch.rand(batch, *([1] * (real.dim() - 1)), device=real.device, dtype=real.dtype)
    x_hat = (eps * real + (1 - eps) * fake.detach()).requires_grad_(True)
    scores = critic(x_hat)
    (grad,) = torch.autograd.grad(scores.sum(), x_hat, create_graph=True)
    grad_norm = grad.reshape(batch, -1).norm(2, dim=1)  # (B,): one norm per sample
    return weight * ((grad_norm - 1) ** 2).mean()


def _check_scores(name: str, scores: Tensor) -> None:
    if not isinstance(scores, Tensor):
        raise TypeError(f"{name} must be a torch.Tensor of discriminator outputs, got {type(scores).__name__}")
    if scores.dim() == 0 or scores.numel() == 0:
        raise ValueError(f"{name} must have a batch dimension: (B,) scores or a (B, 1, H, W) map of patch "
                         f"scores; got {tuple(scores.shape)}")


def least_squares_d_loss(real_scores: Tensor, fake_scores: Tensor) -> Tensor:
    """The least-squares GAN's discriminator loss (Mao et al. 2017), as CycleGAN uses it:
    ``1/2 (E[(D(x) - 1)^2] + E[D(G(z))^2])``: real scores pulled to 1, fake scores to 0.

    D outputs a plain score here, no sigmoid. Works on one score per image (B,) or on a PatchGAN's map of
    patch scores (B, 1, H, W): the mean is over every patch.
    """
    _check_scores("real_scores", real_scores)
    _check_scores("fake_scores", fake_scores)
    return 0.5 * (((real_scores - 1) ** 2).mean() + (fake_scores ** 2).mean())


def least_squares_g_loss(fake_scores: Tensor) -> Tensor:
    """The least-squares GAN's generator loss: ``E[(D(G(z)) - 1)^2]``: G pulls D's scores of its fakes to 1."""
    _check_scores("fake_scores", fake_scores)
    return ((fake_scores - 1) ** 2).mean()


def cycle_consistency_loss(real: Tensor, reconstructed: Tensor) -> Tensor:
    """CycleGAN's cycle loss for one direction: ``E[||F(G(x)) - x||_1]``, the mean absolute difference
    per pixel between the images and their round trips (Zhu et al. 2017, Eq. 2)."""
    if not isinstance(real, Tensor) or not isinstance(reconstructed, Tensor) or real.shape != reconstructed.shape:
        raise ValueError("real and reconstructed must be tensors of the same shape (B, C, H, W), got "
                         f"{getattr(real, 'shape', type(real).__name__)} and "
                         f"{getattr(reconstructed, 'shape', type(reconstructed).__name__)}")
    return (reconstructed - real).abs().mean()
