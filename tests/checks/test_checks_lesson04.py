"""Lesson 04's checks (critic_loss, weight_clipping, gradient_penalty) accept the references and reject plausible
mistakes."""

import pytest
import torch
import torch.nn.functional as F
from check_helpers import assert_rejected, mistake_ids, solutions, stub
from torch import nn

from gan_course import checks, losses

# --------------------------------------------------------------------------- critic_loss


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


def critic_loss_detaches_real(real, fake):
    return fake.mean() - real.detach().mean()


def critic_loss_detaches_fake(real, fake):
    return fake.detach().mean() - real.mean()  # as if the critic's step must not reach G


def critic_loss_absolute(real, fake):
    return (fake.mean() - real.mean()).abs()  # a distance is positive... but this is a loss to minimise


def critic_loss_pairwise(real, fake):
    return (fake - real).mean()  # needs batches of one size


def critic_loss_least_squares(real, fake):
    return ((real - 1) ** 2).mean() + (fake ** 2).mean()  # LSGAN's


def critic_loss_generator_loss(real, fake):
    return -fake.mean()


def critic_loss_hinge(real, fake):
    return F.relu(1 - real).mean() + F.relu(1 + fake).mean()  # the hinge loss of other GANs


def critic_loss_numpy(real, fake):
    return (fake.mean() - real.mean()).detach().numpy()


def critic_loss_max(real, fake):
    return fake.max() - real.max()


def critic_loss_broadcast(real, fake):  # also correct: the mean of all pairwise differences
    return (fake[:, None] - real[None, :]).mean()


# --------------------------------------------------------------------------- weight_clipping


def clip_reference(module, c):
    with torch.no_grad():
        for p in module.parameters():
            p.clamp_(-c, c)


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


def clip_linear_layers_only(module, c):
    with torch.no_grad():
        for layer in module.modules():
            if isinstance(layer, nn.Linear):
                layer.weight.clamp_(-c, c)
                layer.bias.clamp_(-c, c)


def clip_skips_batch_norm(module, c):
    with torch.no_grad():
        for layer in module.modules():
            if isinstance(layer, (nn.Linear, nn.Conv2d)):
                for p in layer.parameters():
                    p.clamp_(-c, c)


def clip_state_dict(module, c):
    for tensor in module.state_dict().values():  # parameters *and* buffers such as running_var
        if tensor.is_floating_point():
            tensor.clamp_(-c, c)


def clip_soft_tanh(module, c):
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(c * torch.tanh(p / c))  # smooth, but moves values inside the box too


def clip_returns_inside_the_loop(module, c):
    with torch.no_grad():
        for p in module.parameters():
            p.clamp_(-c, c)
            return  # indented one level too deep: only the first parameter


def clip_absolute_values(module, c):
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(p.abs().clamp(max=c))


def clip_min_max_swapped(module, c):
    with torch.no_grad():
        for p in module.parameters():
            p.clamp_(c, -c)


def clip_and_freeze(module, c):
    with torch.no_grad():
        for p in module.parameters():
            p.clamp_(-c, c)
            p.requires_grad_(False)  # as if the clipped critic should stay fixed


# --------------------------------------------------------------------------- gradient_penalty


def _gp(critic, real, fake, eps=None, wrt="x_hat", norm=lambda g: g.flatten(1).norm(2, dim=1), penalty=None,
        weight=10.0, create_graph=True, reduce=torch.sum):
    """WGAN-GP's penalty with switches for the mistakes the check must catch."""
    if eps is None:
        eps = torch.rand(real.shape[0], *([1] * (real.dim() - 1)))
    if wrt == "real":
        real = real.requires_grad_(True)
    x = eps * real + (1 - eps) * fake
    if wrt == "x_hat":
        x = x.detach().requires_grad_(True)
    (g,) = torch.autograd.grad(reduce(critic(x)), real if wrt == "real" else x, create_graph=create_graph)
    norms = norm(g)
    return weight * (((norms - 1) ** 2).mean() if penalty is None else penalty(norms))


def gp_reference(critic, real, fake):
    return _gp(critic, real, fake)


def gp_per_pixel(critic, real, fake):
    eps = torch.rand(real.shape[0], *([1] * (real.dim() - 1)))
    x = (eps * real + (1 - eps) * fake).requires_grad_(True)
    (g,) = torch.autograd.grad(critic(x).sum(), x, create_graph=True)
    norm = g.norm(2, dim=1)  # over channels only (or over the only axis of vectors): the known bug
    return 10 * ((norm - 1) ** 2).mean()


def gp_no_create_graph(critic, real, fake):
    return _gp(critic, real, fake, create_graph=False)


def gp_real_only(critic, real, fake):
    x = real.clone().requires_grad_(True)
    (g,) = torch.autograd.grad(critic(x).sum(), x, create_graph=True)
    return 10 * ((g.flatten(1).norm(2, dim=1) - 1) ** 2).mean()


def gp_squared_norm(critic, real, fake):
    return _gp(critic, real, fake, norm=lambda g: g.flatten(1).pow(2).sum(1))


def gp_one_eps_for_the_batch(critic, real, fake):
    return _gp(critic, real, fake, eps=torch.rand(1))


def gp_eps_per_coordinate(critic, real, fake):
    return _gp(critic, real, fake, eps=torch.rand_like(real))


def gp_gradient_with_respect_to_real(critic, real, fake):
    return _gp(critic, real, fake, wrt="real")


def gp_norm_over_the_batch(critic, real, fake):
    return _gp(critic, real, fake, norm=lambda g: g.norm(2))


def gp_absolute_not_squared(critic, real, fake):
    return _gp(critic, real, fake, penalty=lambda n: (n - 1).abs().mean())


def gp_one_sided(critic, real, fake):
    return _gp(critic, real, fake, penalty=lambda n: (F.relu(n - 1) ** 2).mean())


def gp_without_lambda(critic, real, fake):
    return _gp(critic, real, fake, weight=1.0)


def gp_summed_over_samples(critic, real, fake):
    return _gp(critic, real, fake, penalty=lambda n: ((n - 1) ** 2).sum())


def gp_mean_norm_first(critic, real, fake):
    return _gp(critic, real, fake, penalty=lambda n: (n.mean() - 1) ** 2)


def gp_as_float(critic, real, fake):
    return _gp(critic, real, fake).item()


def gp_normal_eps(critic, real, fake):
    return _gp(critic, real, fake, eps=torch.randn(real.shape[0], *([1] * (real.dim() - 1))))


def gp_gradient_of_the_mean_score(critic, real, fake):
    return _gp(critic, real, fake, reduce=torch.mean)  # grad_outputs of 1/B: every gradient B times too small


def test_lesson_04_checks_accept_references(capsys):
    checks.critic_loss(losses.wasserstein_d_loss)
    checks.critic_loss(lambda real, fake: -(real.mean() - fake.mean()))
    checks.critic_loss(critic_loss_broadcast)
    checks.weight_clipping(clip_reference)
    checks.weight_clipping(clip_data)
    checks.gradient_penalty(losses.gradient_penalty)
    checks.gradient_penalty(gp_reference)
    lesson = solutions("04_wgan")
    checks.critic_loss(lesson["critic_loss"])
    checks.weight_clipping(lesson["clip_weights"])
    checks.gradient_penalty(lesson["gradient_penalty"])
    assert capsys.readouterr().out.count("passed") == 10


OLD_MISTAKES = [
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

NEW_MISTAKES = [
    (checks.critic_loss, critic_loss_detaches_real, "expected d loss / d real_scores = [-0.25, -0.25, -0.25, -0.25], "
                                                    "received no gradient (None)"),
    (checks.critic_loss, critic_loss_detaches_fake, "expected d loss / d fake_scores = [0.25, 0.25, 0.25, 0.25], "
                                                    "received no gradient (None)"),
    (checks.critic_loss, critic_loss_absolute, "case 'random scores': expected -0.510575, received 0.510575"),
    (checks.critic_loss, critic_loss_pairwise, "case 'different batch sizes (3 real, 5 fake)': expected a scalar "
                                               "loss tensor, received an error instead: your function raised "
                                               "RuntimeError"),
    (checks.critic_loss, critic_loss_least_squares, "case 'equal scores': expected 0.000000, received 0.580000"),
    (checks.critic_loss, critic_loss_generator_loss, "case 'equal scores': expected 0.000000, received -0.300000"),
    (checks.critic_loss, critic_loss_hinge, "case 'equal scores': expected 0.000000, received 2.000000"),
    (checks.critic_loss, critic_loss_numpy, "expected a scalar tensor"),
    (checks.critic_loss, critic_loss_max, "case 'random scores'"),
    (checks.weight_clipping, clip_linear_layers_only, "case 'a DCGAN critic (Conv2d, BatchNorm2d), c = 0.01': "
                                                      "expected the module's parameters to be clamped"),
    (checks.weight_clipping, clip_skips_batch_norm, "case 'a DCGAN critic (Conv2d, BatchNorm2d), c = 0.01': expected "
                                                    "every parameter within [-0.01, 0.01], received net.4.weight"),
    (checks.weight_clipping, clip_state_dict, "expected the buffer 'net.4.running_mean' unchanged, received it "
                                              "modified"),
    (checks.weight_clipping, clip_soft_tanh, "don't rescale"),
    (checks.weight_clipping, clip_returns_inside_the_loop, "case 'a small critic, c = 0.5': expected every parameter "
                                                           "within [-0.5, 0.5], received 0.bias"),
    (checks.weight_clipping, clip_absolute_values, "negative values must become -c"),
    (checks.weight_clipping, clip_min_max_swapped, "expected 0.5000, received -0.5000"),
    (checks.weight_clipping, clip_and_freeze, "expected parameter '0.weight' to stay a trainable leaf"),
    (checks.gradient_penalty, gp_one_eps_for_the_batch, "for every sample"),
    (checks.gradient_penalty, gp_eps_per_coordinate, "off the segments"),
    (checks.gradient_penalty, gp_gradient_with_respect_to_real, "case 'linear critic, ||w|| = 3': expected 40.000000"),
    (checks.gradient_penalty, gp_norm_over_the_batch, "case 'linear critic, ||w|| = 3': expected 40.000000"),
    (checks.gradient_penalty, gp_absolute_not_squared, "expected 40.000000, received 20.000000"),
    (checks.gradient_penalty, gp_one_sided, "case 'interpolates between real and fake': expected 10.018663"),
    (checks.gradient_penalty, gp_without_lambda, "expected 40.000000, received 4.000000"),
    (checks.gradient_penalty, gp_summed_over_samples, "expected 40.000000, received 320.000000"),
    (checks.gradient_penalty, gp_mean_norm_first, "case 'interpolates between real and fake': expected "
                                                 "10.018663"),
    (checks.gradient_penalty, gp_as_float, "expected a scalar tensor"),
    (checks.gradient_penalty, gp_normal_eps, "eps ~ U[0, 1]"),
    (checks.gradient_penalty, gp_gradient_of_the_mean_score, "case 'linear critic, ||w|| = 3': expected 40.000000"),
]


@pytest.mark.parametrize("check, wrong, fragment", OLD_MISTAKES + NEW_MISTAKES,
                         ids=mistake_ids(OLD_MISTAKES + NEW_MISTAKES))
def test_lesson_04_checks_reject_mistakes(check, wrong, fragment):
    assert_rejected(check, wrong, fragment)


def test_clipped_critic_scale_grades_k(capsys):
    checks.clipped_critic_scale(solutions("04_wgan")["clip_settings"])
    assert "K belongs to the problem" in capsys.readouterr().out
    with pytest.raises(AssertionError, match="too small"):  # the paper's c = 0.01: K of about 0.001
        checks.clipped_critic_scale(lambda: {"clip": 0.01, "lr": 5e-5})
    with pytest.raises(AssertionError, match="too large"):
        checks.clipped_critic_scale(lambda: {"clip": 0.3, "lr": 5e-4})
    with pytest.raises(AssertionError, match="'clip' to be"):
        checks.clipped_critic_scale(lambda: {"clip": -1, "lr": 5e-5})
    with pytest.raises(AssertionError, match="not implemented"):
        checks.clipped_critic_scale(stub)
