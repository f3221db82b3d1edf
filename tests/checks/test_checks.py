"""Every check accepts the reference solution and rejects the stub and plausible mistakes."""

import math
import re
from pathlib import Path

import jupytext
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from gan_course import checks, losses

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"


# What the lessons have imported when their exercises run.
LESSON_GLOBALS = {"torch": torch, "F": F, "math": math, "losses": losses, "nn": torch.nn, "np": np}


def solutions(stem: str) -> dict:
    """Execute the solution cells of a lesson and return the functions they define."""
    nb = jupytext.read(NOTEBOOKS / f"{stem}.py")
    namespace = dict(LESSON_GLOBALS)
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("solution"):
            exec(cell.source, namespace)
    return namespace


def stub(*args):
    raise NotImplementedError()


# --------------------------------------------------------------------------- discriminator_loss


def d_loss_sign_flipped(real, fake):
    return -losses.minimax_d_loss(real, fake)


def d_loss_summed(real, fake):
    return -(F.logsigmoid(real).sum() + F.logsigmoid(-fake).sum())


def d_loss_labels_swapped(real, fake):
    return -(F.logsigmoid(-real).mean() + F.logsigmoid(fake).mean())


def d_loss_logits_as_probabilities(real, fake):
    return -(torch.log(real).mean() + torch.log(1 - fake).mean())


def d_loss_naive_sigmoid(real, fake):
    return -(torch.log(torch.sigmoid(real)).mean() + torch.log(1 - torch.sigmoid(fake)).mean())


def d_loss_one_mean_over_both(real, fake):
    return -torch.cat([F.logsigmoid(real), F.logsigmoid(-fake)]).mean()


def d_loss_as_float(real, fake):
    return torch.tensor(losses.minimax_d_loss(real, fake).item())


def test_discriminator_loss_accepts_the_references(capsys):
    checks.discriminator_loss(losses.minimax_d_loss)
    checks.discriminator_loss(lambda r, f: F.binary_cross_entropy_with_logits(r, torch.ones_like(r))
                              + F.binary_cross_entropy_with_logits(f, torch.zeros_like(f)))
    checks.discriminator_loss(solutions("00_start_here")["discriminator_loss"])
    assert "passed" in capsys.readouterr().out


@pytest.mark.parametrize(
    "wrong, message",
    [
        (stub, "not implemented yet"),
        (d_loss_sign_flipped, "D unsure"),
        (d_loss_summed, "expected 1.386294, received 5.545177"),
        (d_loss_labels_swapped, "random logits"),
        (d_loss_logits_as_probabilities, "received inf"),
        (d_loss_naive_sigmoid, "very sure"),
        (d_loss_one_mean_over_both, "expected 1.386294, received 0.693147"),
        (d_loss_as_float, "requires grad"),
    ],
)
def test_discriminator_loss_rejects_mistakes(wrong, message):
    with pytest.raises(AssertionError, match=re.escape(message)) as failure:
        checks.discriminator_loss(wrong)
    text = str(failure.value)
    assert "case" in text or "not implemented" in text


# --------------------------------------------------------------------------- lesson 01

from gan_course import metrics, theory  # noqa: E402


def g_loss_saturating(fake):
    return -F.softplus(fake).mean()  # log(1 - D): the minimax loss, not the non-saturating one


def g_loss_naive(fake):
    return -torch.log(torch.sigmoid(fake)).mean()


def g_loss_summed(fake):
    return F.softplus(-fake).sum()


def g_loss_probability_target_zero(fake):
    return F.binary_cross_entropy_with_logits(fake, torch.zeros_like(fake))


def d_star_swapped(p, q):
    return q / (p + q)


def d_star_nan(p, q):
    return p / (p + q)


def d_star_numpy(p, q):
    return (p / (p + q)).numpy()


def d_star_zero_where_empty(p, q):
    return torch.where(p + q > 0, p / (p + q).clamp_min(1e-30), torch.zeros_like(p))


def jsd_reference(p, q, dx):
    m = (p + q) / 2
    return (0.5 * (torch.xlogy(p, p) - torch.xlogy(p, m)) + 0.5 * (torch.xlogy(q, q) - torch.xlogy(q, m))).sum() * dx


def jsd_no_dx(p, q, dx):
    return jsd_reference(p, q, 1.0)


def jsd_kl_only(p, q, dx):
    return (torch.xlogy(p, p) - torch.xlogy(p, (p + q) / 2)).sum() * dx


def jsd_naive_log(p, q, dx):
    m = (p + q) / 2
    return (0.5 * p * torch.log(p / m) + 0.5 * q * torch.log(q / m)).sum() * dx


def jsd_wrong_mixture(p, q, dx):
    return (0.5 * (torch.xlogy(p, p) - torch.xlogy(p, q)) + 0.5 * (torch.xlogy(q, q) - torch.xlogy(q, p))).sum() * dx


def test_lesson_01_checks_accept_references(capsys):
    checks.generator_loss(losses.nonsaturating_g_loss)
    checks.generator_loss(lambda f: F.binary_cross_entropy_with_logits(f, torch.ones_like(f)))
    checks.optimal_discriminator(theory.optimal_discriminator)
    checks.js_from_densities(jsd_reference)
    assert capsys.readouterr().out.count("passed") == 4


LESSON_01_MISTAKES = [
    (checks.generator_loss, stub, "not implemented yet"),
    (checks.generator_loss, g_loss_saturating, "D unsure"),
    (checks.generator_loss, g_loss_naive, "D rejects the fakes"),
    (checks.generator_loss, g_loss_summed, "expected 0.693147, received 3.465736"),
    (checks.generator_loss, g_loss_probability_target_zero, "random logits"),
    (checks.optimal_discriminator, stub, "not implemented yet"),
    (checks.optimal_discriminator, d_star_swapped, "random densities"),
    (checks.optimal_discriminator, d_star_nan, "both densities zero"),
    (checks.optimal_discriminator, d_star_numpy, "expected a tensor"),
    (checks.optimal_discriminator, d_star_zero_where_empty, "both densities zero"),
    (checks.js_from_densities, stub, "not implemented yet"),
    (checks.js_from_densities, jsd_no_dx, "shifted Gaussians"),
    (checks.js_from_densities, jsd_kl_only, "different widths"),
    (checks.js_from_densities, jsd_naive_log, "disjoint supports"),
    (checks.js_from_densities, jsd_wrong_mixture, "shifted Gaussians"),
]


# --------------------------------------------------------------------------- lesson 02


def kl_swapped(p, q):
    return metrics.kl_divergence(q, p)


def kl_naive(p, q):
    return (p * torch.log(p / q)).sum()  # 0 log 0 = nan


def kl_log2(p, q):
    return (torch.xlogy(p, p) - torch.xlogy(p, q)).sum() / math.log(2)  # bits, not nats


def js_without_halves(p, q):
    m = (p + q) / 2
    return metrics.kl_divergence(p, m) + metrics.kl_divergence(q, m)


def js_one_sided(p, q):
    return metrics.kl_divergence(p, (p + q) / 2)


def w1_unsorted(x, y):
    return (x - y).abs().mean()


def w1_signed(x, y):
    return (x.sort().values - y.sort().values).mean()


def w1_means(x, y):
    return (x.mean() - y.mean()).abs()


def test_lesson_02_checks_accept_references(capsys):
    checks.kl_divergence(metrics.kl_divergence)
    checks.js_divergence(metrics.js_divergence)
    checks.wasserstein1_1d(lambda x, y: (x.sort().values - y.sort().values).abs().mean())
    assert capsys.readouterr().out.count("passed") == 3


LESSON_02_MISTAKES = [
    (checks.kl_divergence, stub, "not implemented yet"),
    (checks.kl_divergence, kl_swapped, "two outcomes"),
    (checks.kl_divergence, kl_naive, "p has a zero"),
    (checks.kl_divergence, kl_log2, "two outcomes"),
    (checks.js_divergence, stub, "not implemented yet"),
    (checks.js_divergence, js_without_halves, "two outcomes"),
    (checks.js_divergence, js_one_sided, "two outcomes"),
    (checks.wasserstein1_1d, stub, "not implemented yet"),
    (checks.wasserstein1_1d, w1_unsorted, "unsorted samples"),
    (checks.wasserstein1_1d, w1_signed, "a shift"),
    (checks.wasserstein1_1d, w1_means, "crossing distributions"),
]


# --------------------------------------------------------------------------- lesson 03: training_step, mode_coverage


def _training_step(G, D, d_opt, g_opt, real, z, detach=True, g_first=False, reuse_fake=False,
                   g_loss=losses.nonsaturating_g_loss, zero_d_grad=True):
    """One D and one G update, with switches for the mistakes the check must catch."""

    def update_d():
        fake = G(z).detach() if detach else G(z)  # without detach, D's loss reaches G
        loss = losses.minimax_d_loss(D(real), D(fake))
        if zero_d_grad:
            d_opt.zero_grad()
        loss.backward()
        d_opt.step()
        return loss.item()

    def update_g():
        loss = g_loss(D(G(z).detach() if reuse_fake else G(z)))  # a detached fake gives G no gradient
        g_opt.zero_grad()
        loss.backward()
        g_opt.step()
        return loss.item()

    if g_first:
        g_value = update_g()
        return update_d(), g_value
    d_value = update_d()
    return d_value, update_g()


def ts_no_detach(*args):
    return _training_step(*args, detach=False)


def ts_g_first(*args):
    return _training_step(*args, g_first=True)


def ts_reuses_detached_fake(*args):
    return _training_step(*args, reuse_fake=True)


def ts_saturating(*args):
    return _training_step(*args, g_loss=losses.minimax_g_loss)


def ts_no_zero_grad(*args):
    return _training_step(*args, zero_d_grad=False)


def _coverage(samples, centers, std, radius=None, hq_only=True, reverse=True, fraction=True, inf=True):
    distances = torch.cdist(samples.double(), centers.double())
    nearest_distance, nearest = distances.min(dim=1)
    hq = nearest_distance <= (3 * std if radius is None else radius)
    counts = torch.bincount(nearest[hq] if hq_only else nearest, minlength=len(centers)).double()
    if counts.sum() == 0:
        return 0, 0.0, math.inf if inf else 0.0
    p, u = counts / counts.sum(), torch.full((len(centers),), 1 / len(centers), dtype=torch.double)
    kl = (torch.xlogy(p, p) - p * u.log()).sum() if reverse else (u * (u.log() - p.log())).sum()
    return int((counts > 0).sum()), (hq.double().mean() if fraction else hq.sum()).item(), kl.item()


def mc_counts_every_sample(samples, centers, std):
    return _coverage(samples, centers, std, hq_only=False)


def mc_kl_the_other_way(samples, centers, std):
    return _coverage(samples, centers, std, reverse=False)


def mc_radius_three(samples, centers, std):
    return _coverage(samples, centers, std, radius=3.0)


def mc_count_not_fraction(samples, centers, std):
    return _coverage(samples, centers, std, fraction=False)


def mc_zero_instead_of_inf(samples, centers, std):
    return _coverage(samples, centers, std, inf=False)


def test_lesson_03_checks_accept_references(capsys):
    checks.training_step(checks._reference_training_step)
    checks.training_step(_training_step)
    checks.mode_coverage(lambda x, c, s: (lambda m: (m.modes, m.hq_fraction, m.reverse_kl))(
        metrics.mode_coverage(x, c, s)))
    checks.mode_coverage(_coverage)
    assert capsys.readouterr().out.count("passed") == 4


LESSON_03_MISTAKES = [
    (checks.training_step, stub, "not implemented yet"),
    (checks.training_step, ts_no_detach, "does not reach G"),
    (checks.training_step, ts_g_first, "returned losses, step 1"),
    (checks.training_step, ts_reuses_detached_fake, "G learns"),
    (checks.training_step, ts_saturating, "returned losses, step 1"),
    (checks.training_step, ts_no_zero_grad, "step 2"),
    (checks.mode_coverage, stub, "not implemented yet"),
    (checks.mode_coverage, mc_counts_every_sample, "3 std is the radius"),
    (checks.mode_coverage, mc_kl_the_other_way, "all samples at one mode"),
    (checks.mode_coverage, mc_radius_three, "3 std is the radius"),
    (checks.mode_coverage, mc_count_not_fraction, "every mode hit equally"),
    (checks.mode_coverage, mc_zero_instead_of_inf, "no sample of high quality"),
]


# --------------------------------------------------------------------------- lesson 04

from torch import nn  # noqa: E402

from gan_course import train  # noqa: E402


def critic_loss_sign_flipped(real, fake):
    return real.mean() - fake.mean()


def critic_loss_summed(real, fake):
    return fake.sum() - real.sum()


def critic_loss_with_sigmoid(real, fake):
    return torch.sigmoid(fake).mean() - torch.sigmoid(real).mean()


def critic_loss_gan_bce(real, fake):
    return losses.minimax_d_loss(real, fake)  # the GAN's log loss, not the critic's


def critic_loss_one_mean(real, fake):
    return torch.cat([fake, -real]).mean()


def critic_loss_as_float(real, fake):
    return torch.tensor((fake.mean() - real.mean()).item())


def clip_only_weights(module, c):
    with torch.no_grad():
        for name, p in module.named_parameters():
            if name.endswith("weight"):
                p.clamp_(-c, c)


def clip_copies(module, c):
    return [p.clamp(-c, c) for p in module.parameters()]


def clip_to_zero_c(module, c):
    with torch.no_grad():
        for p in module.parameters():
            p.clamp_(0, c)


def clip_by_rescaling(module, c):
    with torch.no_grad():
        for p in module.parameters():
            p.mul_(c / p.abs().max())


def clip_gradients(module, c):
    nn.utils.clip_grad_value_(module.parameters(), c)


def clip_without_no_grad(module, c):
    for p in module.parameters():
        p.clamp_(-c, c)


def clip_top_level_layers_only(module, c):
    with torch.no_grad():
        for layer in module.children():
            if isinstance(layer, nn.Linear):
                layer.weight.clamp_(-c, c)
                layer.bias.clamp_(-c, c)


def clip_into_new_parameters(module, c):
    for layer in module.modules():
        if isinstance(layer, nn.Linear):
            layer.weight = nn.Parameter(layer.weight.detach().clamp(-c, c))
            layer.bias = nn.Parameter(layer.bias.detach().clamp(-c, c))


def clip_fixed_bound(module, c):
    with torch.no_grad():
        for p in module.parameters():
            p.clamp_(-0.01, 0.01)


def clip_data(module, c):
    for p in module.parameters():
        p.data.clamp_(-c, c)  # also correct: .data carries no autograd history


def gp_per_pixel(critic, real, fake):
    eps = torch.rand(real.shape[0], *([1] * (real.dim() - 1)))
    x = (eps * real + (1 - eps) * fake).requires_grad_(True)
    (g,) = torch.autograd.grad(critic(x).sum(), x, create_graph=True)
    norm = g.norm(2, dim=1)  # over channels only (or over the only axis of vectors): the known bug
    return 10 * ((norm - 1) ** 2).mean()


def gp_no_create_graph(critic, real, fake):
    eps = torch.rand(real.shape[0], *([1] * (real.dim() - 1)))
    x = (eps * real + (1 - eps) * fake).requires_grad_(True)
    (g,) = torch.autograd.grad(critic(x).sum(), x)
    return 10 * ((g.flatten(1).norm(2, dim=1) - 1) ** 2).mean()


def gp_real_only(critic, real, fake):
    x = real.clone().requires_grad_(True)
    (g,) = torch.autograd.grad(critic(x).sum(), x, create_graph=True)
    return 10 * ((g.flatten(1).norm(2, dim=1) - 1) ** 2).mean()


def gp_squared_norm(critic, real, fake):
    eps = torch.rand(real.shape[0], *([1] * (real.dim() - 1)))
    x = (eps * real + (1 - eps) * fake).requires_grad_(True)
    (g,) = torch.autograd.grad(critic(x).sum(), x, create_graph=True)
    return 10 * ((g.flatten(1).pow(2).sum(1) - 1) ** 2).mean()


def test_lesson_04_checks_accept_references(capsys):
    checks.critic_loss(losses.wasserstein_d_loss)
    checks.critic_loss(lambda real, fake: -(real.mean() - fake.mean()))
    checks.weight_clipping(train.clip_weights)
    checks.weight_clipping(clip_data)
    checks.gradient_penalty(losses.gradient_penalty)
    assert capsys.readouterr().out.count("passed") == 5


LESSON_04_MISTAKES = [
    (checks.critic_loss, stub, "not implemented yet"),
    (checks.critic_loss, critic_loss_sign_flipped, "random scores"),
    (checks.critic_loss, critic_loss_summed, "random scores"),
    (checks.critic_loss, critic_loss_with_sigmoid, "no sigmoid"),
    (checks.critic_loss, critic_loss_gan_bce, "equal scores"),
    (checks.critic_loss, critic_loss_one_mean, "random scores"),
    (checks.critic_loss, critic_loss_as_float, "requires grad"),
    (checks.weight_clipping, stub, "not implemented yet"),
    (checks.weight_clipping, clip_only_weights, "biases"),
    (checks.weight_clipping, clip_copies, "returning clipped copies"),
    (checks.weight_clipping, clip_to_zero_c, "not 0"),
    (checks.weight_clipping, clip_by_rescaling, "don't rescale"),
    (checks.weight_clipping, clip_gradients, "You clipped the gradients"),
    (checks.weight_clipping, clip_without_no_grad, "torch.no_grad()"),
    (checks.weight_clipping, clip_top_level_layers_only, "nested layers"),
    (checks.weight_clipping, clip_into_new_parameters, "same Parameter objects"),
    (checks.weight_clipping, clip_fixed_bound, "with the c you are given"),
    (checks.gradient_penalty, stub, "not implemented yet"),
    (checks.gradient_penalty, gp_per_pixel, "one norm per sample"),
    (checks.gradient_penalty, gp_no_create_graph, "differentiable"),
    (checks.gradient_penalty, gp_real_only, "interpolates"),
    (checks.gradient_penalty, gp_squared_norm, "linear critic"),
]


# --------------------------------------------------------------------------- lesson 05: DCGAN blocks and init

from gan_course.models.dcgan import init_weights as dcgan_init_reference  # noqa: E402


def g_block(c_in, c_out, kernel=4, stride=2, padding=1, bias=False, norm=True, act=nn.ReLU, relu_first=False,
            conv=nn.ConvTranspose2d, **conv_kw):
    layers = [conv(c_in, c_out, kernel, stride, padding, bias=bias, **conv_kw)]
    layers += [act()] if relu_first else []
    layers += [nn.BatchNorm2d(c_out)] if norm else []
    layers += [] if relu_first else [act()]
    return nn.Sequential(*layers)


def gb_stride_one(c_in, c_out):
    return g_block(c_in, c_out, stride=1)


def gb_no_padding(c_in, c_out):
    return g_block(c_in, c_out, padding=0)


def gb_kernel_three(c_in, c_out):
    return g_block(c_in, c_out, kernel=3, output_padding=1)  # the right size, with uneven overlap


def gb_with_bias(c_in, c_out):
    return g_block(c_in, c_out, bias=True)


def gb_leaky(c_in, c_out):
    return g_block(c_in, c_out, act=lambda: nn.LeakyReLU(0.2))


def gb_no_batch_norm(c_in, c_out):
    return g_block(c_in, c_out, norm=False)


def gb_relu_before_norm(c_in, c_out):
    return g_block(c_in, c_out, relu_first=True)


def gb_upsample_conv(c_in, c_out):
    return nn.Sequential(nn.Upsample(scale_factor=2), nn.Conv2d(c_in, c_out, 3, 1, 1, bias=False),
                         nn.BatchNorm2d(c_out), nn.ReLU())


def gb_no_return(c_in, c_out):
    g_block(c_in, c_out)


class GeneratorBlockModule(nn.Module):  # a correct block written as a module of its own
    def __init__(self, c_in, c_out):
        super().__init__()
        self.up = nn.ConvTranspose2d(c_in, c_out, 4, 2, 1, bias=False)
        self.norm = nn.BatchNorm2d(c_out)

    def forward(self, x):
        return F.relu(self.norm(self.up(x)))


def d_block(c_in, c_out, batch_norm=True, stride=2, bias=None, act=lambda: nn.LeakyReLU(0.2), always_bn=None):
    use_bn = batch_norm if always_bn is None else always_bn
    layers = [nn.Conv2d(c_in, c_out, 4, stride, 1, bias=(not use_bn) if bias is None else bias)]
    layers += [nn.BatchNorm2d(c_out)] if use_bn else []
    return nn.Sequential(*layers, act())


def db_relu(c_in, c_out, batch_norm=True):
    return d_block(c_in, c_out, batch_norm, act=nn.ReLU)


def db_default_slope(c_in, c_out, batch_norm=True):
    return d_block(c_in, c_out, batch_norm, act=nn.LeakyReLU)


def db_always_batch_norm(c_in, c_out, batch_norm=True):
    return d_block(c_in, c_out, batch_norm, always_bn=True)


def db_never_batch_norm(c_in, c_out, batch_norm=True):
    return d_block(c_in, c_out, batch_norm, always_bn=False)


def db_stride_one(c_in, c_out, batch_norm=True):
    return d_block(c_in, c_out, batch_norm, stride=1)


def db_bias_with_norm(c_in, c_out, batch_norm=True):
    return d_block(c_in, c_out, batch_norm, bias=True)


def db_max_pooling(c_in, c_out, batch_norm=True):
    layers = [nn.Conv2d(c_in, c_out, 3, 1, 1, bias=not batch_norm), nn.MaxPool2d(2)]
    return nn.Sequential(*layers, *([nn.BatchNorm2d(c_out)] if batch_norm else []), nn.LeakyReLU(0.2))


def db_without_bias(c_in, c_out, batch_norm=True):
    return d_block(c_in, c_out, batch_norm, bias=False)  # also correct: a bias is optional without batch norm


def _init(module, conv_std=0.02, dist="normal", bn_mean=1.0, transposed=True, zero_bias=True, bn_init=True):
    kinds = (nn.Conv2d, nn.ConvTranspose2d) if transposed else (nn.Conv2d,)
    if isinstance(module, kinds):
        if dist == "normal":
            nn.init.normal_(module.weight, 0.0, conv_std)
        else:
            nn.init.uniform_(module.weight, -conv_std * math.sqrt(3 if dist == "uniform-std" else 1),
                             conv_std * math.sqrt(3 if dist == "uniform-std" else 1))
        if module.bias is not None and zero_bias:
            nn.init.zeros_(module.bias)
    elif isinstance(module, nn.BatchNorm2d) and bn_init:
        nn.init.normal_(module.weight, bn_mean, 0.02)
        nn.init.zeros_(module.bias)


def init_std_point_two(module):
    _init(module, conv_std=0.2)


def init_uniform(module):
    _init(module, dist="uniform")  # U(-0.02, 0.02): standard deviation 0.0115


def init_uniform_same_std(module):
    _init(module, dist="uniform-std")  # U(-0.0346, 0.0346): standard deviation 0.02, but not normal


def init_batch_norm_scale_zero(module):
    _init(module, bn_mean=0.0)


def init_conv2d_only(module):
    _init(module, transposed=False)


def init_keeps_biases(module):
    _init(module, zero_bias=False)


def init_skips_batch_norm(module):
    _init(module, bn_init=False)


def init_mean_std_swapped(module):
    if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d)):
        nn.init.normal_(module.weight, 0.02)  # mean 0.02, standard deviation 1
        if module.bias is not None:
            nn.init.zeros_(module.bias)
    elif isinstance(module, nn.BatchNorm2d):
        nn.init.normal_(module.weight, 1.0, 0.02)
        nn.init.zeros_(module.bias)


def init_by_class_name(module):  # the PyTorch DCGAN example's way: also correct
    name = type(module).__name__
    if "Conv" in name:
        module.weight.data.normal_(0.0, 0.02)
        if module.bias is not None:
            module.bias.data.zero_()
    elif "BatchNorm" in name:
        module.weight.data.normal_(1.0, 0.02)
        module.bias.data.zero_()


def test_lesson_05_checks_accept_references(capsys):
    checks.generator_block(g_block)
    checks.generator_block(GeneratorBlockModule)
    checks.discriminator_block(d_block)
    checks.discriminator_block(db_without_bias)
    checks.dcgan_init(dcgan_init_reference)
    checks.dcgan_init(init_by_class_name)
    assert capsys.readouterr().out.count("passed") == 6


def test_lesson_05_checks_leave_the_random_stream_alone():
    state = torch.get_rng_state()
    checks.generator_block(g_block)
    checks.discriminator_block(d_block)
    checks.dcgan_init(dcgan_init_reference)
    assert torch.equal(state, torch.get_rng_state())


LESSON_05_MISTAKES = [
    (checks.generator_block, stub, "not implemented yet"),
    (checks.generator_block, gb_no_return, "did you forget `return`"),
    (checks.generator_block, gb_stride_one, "twice the height and width"),
    (checks.generator_block, gb_no_padding, "twice the height and width"),
    (checks.generator_block, gb_kernel_three, "kernel_size=4, stride=2, padding=1"),
    (checks.generator_block, gb_with_bias, "bias=False"),
    (checks.generator_block, gb_leaky, "end in nn.ReLU"),
    (checks.generator_block, gb_no_batch_norm, "nn.BatchNorm2d(8)"),
    (checks.generator_block, gb_relu_before_norm, "in this order"),
    (checks.generator_block, gb_upsample_conv, "nn.ConvTranspose2d"),
    (checks.discriminator_block, stub, "not implemented yet"),
    (checks.discriminator_block, db_relu, "LeakyReLU(0.2)"),
    (checks.discriminator_block, db_default_slope, "negative_slope=0.2"),
    (checks.discriminator_block, db_always_batch_norm, "no batch norm with batch_norm=False"),
    (checks.discriminator_block, db_never_batch_norm, "nn.BatchNorm2d(16)"),
    (checks.discriminator_block, db_stride_one, "half the height and width"),
    (checks.discriminator_block, db_bias_with_norm, "bias=False"),
    (checks.discriminator_block, db_max_pooling, "remove the MaxPool2d"),
    (checks.dcgan_init, stub, "not implemented yet"),
    (checks.dcgan_init, init_std_point_two, "weights ~ N(0, 0.02), received values"),
    (checks.dcgan_init, init_uniform, "N(0, 0.02)"),
    (checks.dcgan_init, init_uniform_same_std, "not nn.init.uniform_"),
    (checks.dcgan_init, init_batch_norm_scale_zero, "scales"),
    (checks.dcgan_init, init_conv2d_only, "ConvTranspose2d weights were not initialised"),
    (checks.dcgan_init, init_keeps_biases, "convolution biases to be 0"),
    (checks.dcgan_init, init_skips_batch_norm, "BatchNorm2d weights (the scales gamma) were not initialised"),
    (checks.dcgan_init, init_mean_std_swapped, "the mean comes first"),
]


# --------------------------------------------------------------------------- lesson 06: Fréchet distance, IS

from scipy import linalg  # noqa: E402
from scipy.special import xlogy  # noqa: E402


def fd_sqrtm(mu1, cov1, mu2, cov2):
    return float(((mu1 - mu2) ** 2).sum() + np.trace(cov1 + cov2 - 2 * linalg.sqrtm(cov1 @ cov2).real))


def fd_no_factor_two(mu1, cov1, mu2, cov2):
    return ((mu1 - mu2) ** 2).sum() + np.trace(cov1 + cov2 - linalg.sqrtm(cov1 @ cov2).real)


def fd_cov_not_its_root(mu1, cov1, mu2, cov2):
    return ((mu1 - mu2) ** 2).sum() + np.trace(cov1 + cov2 - 2 * cov1 @ cov2)


def fd_elementwise_sqrt(mu1, cov1, mu2, cov2):
    with np.errstate(invalid="ignore"):  # negative off-diagonal products: nan, outside the trace
        return ((mu1 - mu2) ** 2).sum() + np.trace(cov1 + cov2 - 2 * np.sqrt(cov1 * cov2))


def fd_product_of_roots(mu1, cov1, mu2, cov2):
    return ((mu1 - mu2) ** 2).sum() + np.trace(cov1 + cov2 - 2 * linalg.sqrtm(cov1).real @ linalg.sqrtm(cov2).real)


def fd_square_root_taken(mu1, cov1, mu2, cov2):
    return math.sqrt(fd_sqrtm(mu1, cov1, mu2, cov2))  # the distance, not the squared distance FID reports


def fd_mean_norm_not_squared(mu1, cov1, mu2, cov2):
    return np.linalg.norm(mu1 - mu2) + np.trace(cov1 + cov2 - 2 * linalg.sqrtm(cov1 @ cov2).real)


def fd_complex(mu1, cov1, mu2, cov2):
    return ((mu1 - mu2) ** 2).sum() + np.trace(cov1 + cov2 - 2 * linalg.sqrtm(cov1 @ cov2))  # no .real


def _is(probs, splits, kl=None, marginal="split", after=np.exp, per_image=False):
    """The Inception Score with switches for the mistakes the check must catch."""
    scores = []
    for part in np.array_split(probs, splits):
        m = part.mean(0, keepdims=True) if marginal == "split" else probs.mean(0, keepdims=True)
        divergence = kl(part, m) if kl else (xlogy(part, part) - xlogy(part, m)).sum(1)
        scores.append(np.exp(divergence).mean() if per_image else after(divergence.mean()))
    return float(np.mean(scores))


def is_kl_reversed(probs, splits):
    with np.errstate(divide="ignore"):
        return _is(probs, splits, kl=lambda p, m: (m * (np.log(m) - np.log(p))).sum(1))


def is_no_exp(probs, splits):
    return _is(probs, splits, after=lambda x: x)


def is_whole_set_marginal(probs, splits):
    return _is(probs, splits, marginal="all")


def is_log2(probs, splits):
    return _is(probs, splits, kl=lambda p, m: (xlogy(p, p) - xlogy(p, m)).sum(1) / math.log(2))


def is_exp_per_image(probs, splits):
    return _is(probs, splits, per_image=True)


def is_geometric_mean_of_splits(probs, splits):
    return float(np.exp(np.mean([np.log(_is(part, 1)) for part in np.array_split(probs, splits)])))


def is_entropies_swapped(probs, splits):
    return 1 / _is(probs, splits)  # exp(E H(y|x) - H(y))


def is_naive_log(probs, splits):
    with np.errstate(divide="ignore", invalid="ignore"):
        return _is(probs, splits, kl=lambda p, m: (p * np.log(p / m)).sum(1))  # 0 log 0 = nan


def is_mean_and_std(probs, splits):
    return metrics.inception_score(probs, splits)  # the package's (mean, std): the exercise asks for the mean


def test_lesson_06_checks_accept_references(capsys):
    checks.frechet_distance(metrics.frechet_distance)
    checks.frechet_distance(fd_sqrtm)
    checks.inception_score(lambda probs, splits: metrics.inception_score(probs, splits)[0])
    checks.inception_score(_is)
    assert capsys.readouterr().out.count("passed") == 4


LESSON_06_MISTAKES = [
    (checks.frechet_distance, stub, "not implemented yet"),
    (checks.frechet_distance, fd_no_factor_two, "identical Gaussians"),
    (checks.frechet_distance, fd_cov_not_its_root, "identical Gaussians"),
    (checks.frechet_distance, fd_elementwise_sqrt, "do not commute"),
    (checks.frechet_distance, fd_product_of_roots, "do not commute"),
    (checks.frechet_distance, fd_square_root_taken, "not its square root"),
    (checks.frechet_distance, fd_mean_norm_not_squared, "(not its norm)"),
    (checks.frechet_distance, fd_complex, "keep the real part"),
    (checks.inception_score, stub, "not implemented yet"),
    (checks.inception_score, is_kl_reversed, "received inf"),
    (checks.inception_score, is_no_exp, "received 2.302585"),
    (checks.inception_score, is_whole_set_marginal, "its own marginal"),
    (checks.inception_score, is_log2, "natural logarithms"),
    (checks.inception_score, is_exp_per_image, "the exp comes after the mean"),
    (checks.inception_score, is_geometric_mean_of_splits, "mean of the splits' scores"),
    (checks.inception_score, is_entropies_swapped, "received 0.100000"),
    (checks.inception_score, is_naive_log, "0 log 0 = 0"),
    (checks.inception_score, is_mean_and_std, "expected one number"),
]


ALL_MISTAKES = (LESSON_01_MISTAKES + LESSON_02_MISTAKES + LESSON_03_MISTAKES + LESSON_04_MISTAKES + LESSON_05_MISTAKES
                + LESSON_06_MISTAKES)


@pytest.mark.parametrize("check, wrong, message", ALL_MISTAKES, ids=[f"{c.__name__}-{w.__name__}" for c, w, _ in ALL_MISTAKES])
def test_lesson_checks_reject_mistakes(check, wrong, message):
    with pytest.raises(AssertionError, match=re.escape(message)):
        check(wrong)


# --------------------------------------------------------------------------- every lesson's exercises

from gan_course import notebook_tools  # noqa: E402

CHECK_CALL = re.compile(r"gan_course\.checks\.(\w+)\((\w+)\)")
EXERCISES = [
    (source.stem, match.group(1), match.group(2))
    for source in notebook_tools.lesson_sources()
    for cell in jupytext.read(source).cells
    if cell.metadata.get("nbgrader", {}).get("grade")
    for match in CHECK_CALL.finditer(cell.source)
]


def test_every_lesson_with_exercises_is_collected():
    assert {"00_start_here", "01_gan_objective"} <= {stem for stem, _, _ in EXERCISES}


@pytest.mark.parametrize("stem, check, function", EXERCISES, ids=[f"{s}-{c}" for s, c, _ in EXERCISES])
def test_each_check_accepts_the_lesson_solution_and_rejects_its_released_stub(stem, check, function, capsys):
    getattr(checks, check)(solutions(stem)[function])
    assert "passed" in capsys.readouterr().out
    released = dict(LESSON_GLOBALS)
    for cell in jupytext.read(NOTEBOOKS / f"{stem}.py").cells:
        if cell.metadata.get("nbgrader", {}).get("solution"):
            exec(notebook_tools.strip_solutions(cell.source), released)
    with pytest.raises(AssertionError, match="not implemented yet"):
        getattr(checks, check)(released[function])
