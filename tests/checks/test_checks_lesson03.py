"""Lesson 03's checks (training_step, mode_coverage) accept the references and reject plausible mistakes."""

import math

import pytest
import torch
from check_helpers import assert_rejected, mistake_ids, solutions, stub

from gan_course import checks, losses, metrics
from gan_course.checks.lesson03 import _reference_training_step

# --------------------------------------------------------------------------- training_step


def _training_step(G, D, d_opt, g_opt, real, z, detach=True, g_first=False, reuse_fake=False,
                   g_loss=losses.nonsaturating_g_loss, zero_d_grad=True, zero_g_grad=True, zero_after_backward=False,
                   step_d_in_g=False, swap_d_args=False, concat=False, d_eval_in_g=False, fresh_z=False):
    """One D and one G update, with switches for the mistakes the check must catch."""

    def update_d():
        fake = G(z).detach() if detach else G(z)  # without detach, D's loss reaches G
        if concat:  # one batch through D: batch norm mixes the real and the fake statistics
            logits = D(torch.cat([real, fake]))
            d_real, d_fake = logits[:len(real)], logits[len(real):]
        else:
            d_real, d_fake = D(real), D(fake)
        loss = losses.minimax_d_loss(d_fake, d_real) if swap_d_args else losses.minimax_d_loss(d_real, d_fake)
        if zero_d_grad and not zero_after_backward:
            d_opt.zero_grad()
        loss.backward()
        if zero_after_backward:
            d_opt.zero_grad()  # throws the gradients away before the step
        d_opt.step()
        return loss.item()

    def update_g():
        if d_eval_in_g:
            D.eval()  # batch norm then uses its running statistics, not the batch's
        noise = torch.randn_like(z) if fresh_z else z
        loss = g_loss(D(G(noise).detach() if reuse_fake else G(noise)))  # a detached fake gives G no gradient
        if zero_g_grad:
            g_opt.zero_grad()
        loss.backward()
        g_opt.step()
        if step_d_in_g:
            d_opt.step()  # D moves along G's loss too
        D.train()
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


def ts_zero_grad_after_backward(*args):
    return _training_step(*args, zero_after_backward=True)


def ts_updates_d_in_g_step(*args):
    return _training_step(*args, step_d_in_g=True)


def ts_no_g_zero_grad(*args):
    return _training_step(*args, zero_g_grad=False)


def ts_swapped_d_arguments(*args):
    return _training_step(*args, swap_d_args=True)


def ts_concatenated_batch(*args):
    return _training_step(*args, concat=True)


def ts_d_eval_in_g_step(*args):
    return _training_step(*args, d_eval_in_g=True)


def ts_fresh_noise_for_g(*args):
    return _training_step(*args, fresh_z=True)


def ts_returns_swapped(*args):
    d_value, g_value = _training_step(*args)
    return g_value, d_value


def ts_new_optimizer(G, D, d_opt, g_opt, real, z):
    d_opt = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))  # a fresh optimizer every step
    return _training_step(G, D, d_opt, g_opt, real, z)


def ts_returns_nothing(*args):
    _training_step(*args)


def ts_one_backward_for_both(G, D, d_opt, g_opt, real, z):
    d_loss = losses.minimax_d_loss(D(real), D(G(z).detach()))
    g_loss = losses.nonsaturating_g_loss(D(G(z)))  # through the D of before its update
    d_opt.zero_grad()
    g_opt.zero_grad()
    (d_loss + g_loss).backward()
    d_opt.step()
    g_opt.step()
    return d_loss.item(), g_loss.item()


def ts_fake_once(G, D, d_opt, g_opt, real, z):  # the PyTorch DCGAN example's way: also correct
    fake = G(z)
    d_loss = losses.minimax_d_loss(D(real), D(fake.detach()))
    D.zero_grad()
    d_loss.backward()
    d_opt.step()
    g_loss = losses.nonsaturating_g_loss(D(fake))
    G.zero_grad()
    g_loss.backward()
    g_opt.step()
    return d_loss, g_loss  # tensors: accepted as numbers


# --------------------------------------------------------------------------- mode_coverage


def _coverage(samples, centers, std, radius=None, hq_only=True, reverse=True, fraction=True, inf=True, p=2.0,
              squared=False, log=math.log, scale=1.0, uniform_over="all", modes_hq_only=True):
    distances = torch.cdist(samples.double(), centers.double(), p=p)
    if squared:
        distances = distances ** 2
    nearest_distance, nearest = distances.min(dim=1)
    hq = nearest_distance <= (3 * std if radius is None else radius)
    counts = torch.bincount(nearest[hq] if hq_only else nearest, minlength=len(centers)).double()
    all_counts = torch.bincount(nearest, minlength=len(centers))
    modes = int((counts > 0).sum()) if modes_hq_only else int((all_counts > 0).sum())
    if counts.sum() == 0:
        return modes, 0.0, math.inf if inf else 0.0
    k = len(centers) if uniform_over == "all" else int((counts > 0).sum())
    share = counts / counts.sum()
    if reverse:
        kl = sum(s * (log(s) - log(1 / k)) for s in share.tolist() if s > 0)
    else:
        kl = sum(1 / k * (log(1 / k) - log(s)) if s > 0 else math.inf for s in share.tolist())
    return modes, scale * (hq.double().mean() if fraction else hq.sum()).item(), kl


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


def mc_l1_distance(samples, centers, std):
    return _coverage(samples, centers, std, p=1.0)


def mc_squared_distance(samples, centers, std):
    return _coverage(samples, centers, std, squared=True)


def mc_kl_in_bits(samples, centers, std):
    return _coverage(samples, centers, std, log=math.log2)


def mc_percent(samples, centers, std):
    return _coverage(samples, centers, std, scale=100.0)


def mc_uniform_over_captured_modes(samples, centers, std):
    return _coverage(samples, centers, std, uniform_over="captured")


def mc_modes_from_all_samples(samples, centers, std):
    return _coverage(samples, centers, std, modes_hq_only=False)


def mc_one_std(samples, centers, std):
    return _coverage(samples, centers, std, radius=std)


def mc_nearest_sample_per_mode(samples, centers, std):
    distances = torch.cdist(samples, centers)
    nearest_distance, nearest = distances.min(dim=0)  # the wrong axis: the nearest sample to each mode
    hq = nearest_distance <= 3 * std
    return int(hq.sum()), hq.float().mean().item(), 0.0


def mc_returns_a_dict(samples, centers, std):
    modes, hq, kl = _coverage(samples, centers, std)
    return {"modes": modes, "hq_fraction": hq, "reverse_kl": kl}


def test_lesson_03_checks_accept_references(capsys):
    torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)  # warm up torch.optim (imports torch._dynamo)
    checks.training_step(_reference_training_step)
    checks.training_step(_training_step)
    checks.training_step(ts_fake_once)
    checks.training_step(solutions("03_first_gan")["training_step"])
    checks.mode_coverage(lambda x, c, s: (lambda m: (m.modes, m.hq_fraction, m.reverse_kl))(
        metrics.mode_coverage(x, c, s)))
    checks.mode_coverage(_coverage)
    checks.mode_coverage(solutions("03_first_gan")["mode_coverage"])
    assert capsys.readouterr().out.count("passed") == 7


OLD_MISTAKES = [
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

NEW_MISTAKES = [
    (checks.training_step, ts_zero_grad_after_backward, "case 'D's parameters after step 1 (MLP GAN)': expected D's "
                                                        "parameters to change"),
    (checks.training_step, ts_updates_d_in_g_step, "case 'D's parameters after step 1 (MLP GAN)': expected parameter"),
    (checks.training_step, ts_no_g_zero_grad, "case 'G learns: G's parameters after step 2 (MLP GAN)'"),
    (checks.training_step, ts_swapped_d_arguments, "case 'returned losses, step 1 (MLP GAN)'"),
    (checks.training_step, ts_concatenated_batch, "case 'returned losses, step 1 (DCGAN with batch norm)'"),
    (checks.training_step, ts_d_eval_in_g_step, "case 'returned losses, step 1 (DCGAN with batch norm)'"),
    (checks.training_step, ts_fresh_noise_for_g, "case 'returned losses, step 1 (MLP GAN)'"),
    (checks.training_step, ts_returns_swapped, "case 'returned losses, step 1 (MLP GAN)'"),
    (checks.training_step, ts_new_optimizer, "case 'D's parameters after step 1 (MLP GAN)'"),
    (checks.training_step, ts_returns_nothing, "expected a pair (d_loss, g_loss), received None"),
    (checks.training_step, ts_one_backward_for_both, "case 'D's parameters after step 1 (MLP GAN)'"),
    (checks.mode_coverage, mc_l1_distance, "case 'samples off the axes (Euclidean distance): modes'"),
    (checks.mode_coverage, mc_squared_distance, "case '3 std is the radius: modes'"),
    (checks.mode_coverage, mc_kl_in_bits, "case 'all samples at one mode: reverse_kl': expected 1.386294, received "
                                          "2.000000"),
    (checks.mode_coverage, mc_percent, "case 'every mode hit equally, samples at the centres: hq_fraction': "
                                       "expected 1.000000, received 100.000000"),
    (checks.mode_coverage, mc_uniform_over_captured_modes, "case 'all samples at one mode: reverse_kl': expected "
                                                           "1.386294, received 0.000000"),
    (checks.mode_coverage, mc_modes_from_all_samples, "case '3 std is the radius: modes': expected 1.000000, "
                                                      "received 2.000000"),
    (checks.mode_coverage, mc_one_std, "case '3 std is the radius: modes'"),
    (checks.mode_coverage, mc_nearest_sample_per_mode, "case 'all samples at one mode: hq_fraction': "
                                                      "expected 1.000000, received 0.250000"),
    (checks.mode_coverage, mc_returns_a_dict, "expected (modes, hq_fraction, reverse_kl), received dict"),
]


@pytest.mark.parametrize("check, wrong, fragment", OLD_MISTAKES + NEW_MISTAKES,
                         ids=mistake_ids(OLD_MISTAKES + NEW_MISTAKES))
def test_lesson_03_checks_reject_mistakes(check, wrong, fragment):
    assert_rejected(check, wrong, fragment)


def test_ring_gan_grades_the_outcome():  # the reference passes in test_checks_package.py
    # the paper's rate falls short in 4,000 steps: modes missing on one CPU, 8/8 but 52% high quality on another (a
    # single GAN run differs between CPUs), so the test asks for the rejection, not for one hint
    with pytest.raises(AssertionError, match=r"lr 0.0001 and decay_from 1: .*\(target: 8 modes"):
        checks.ring_gan(lambda: {"lr": 1e-4, "decay_from": 1.0})
    with pytest.raises(AssertionError, match="'decay_from' to be"):
        checks.ring_gan(lambda: {"lr": 1e-3, "decay_from": 2.0})
    with pytest.raises(AssertionError, match="not implemented"):
        checks.ring_gan(stub)
