"""Lesson 01's checks (and lesson 00's discriminator_loss) accept the references and reject plausible mistakes."""

import math

import pytest
import torch
import torch.nn.functional as F
from check_helpers import assert_rejected, mistake_ids, solutions, stub

from gan_course import checks, losses, theory

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


def d_loss_detaches_fake(real, fake):
    return -(F.logsigmoid(real).mean() + F.logsigmoid(-fake.detach()).mean())  # as if D's step must not reach G


def d_loss_detaches_real(real, fake):
    return -(F.logsigmoid(real.detach()).mean() + F.logsigmoid(-fake).mean())


def d_loss_bce_on_probabilities(real, fake):
    d_real, d_fake = torch.sigmoid(real), torch.sigmoid(fake)  # probabilities, not logits: saturate in float32
    return (F.binary_cross_entropy(d_real, torch.ones_like(d_real))
            + F.binary_cross_entropy(d_fake, torch.zeros_like(d_fake)))


def d_loss_mean_logit_first(real, fake):
    return -(F.logsigmoid(real.mean()) + F.logsigmoid(-fake.mean()))  # right only when all logits are equal


def d_loss_log2(real, fake):
    return losses.minimax_d_loss(real, fake) / math.log(2)  # bits


def d_loss_eps_in_log(real, fake):
    return -(torch.log(torch.sigmoid(real) + 1e-8).mean() + torch.log(1 - torch.sigmoid(fake) + 1e-8).mean())


def d_loss_per_sample(real, fake):
    return -(F.logsigmoid(real) + F.logsigmoid(-fake))  # no mean


def d_loss_numpy(real, fake):
    return losses.minimax_d_loss(real, fake).detach().numpy()


def d_loss_no_return(real, fake):
    losses.minimax_d_loss(real, fake)


def test_discriminator_loss_accepts_the_references(capsys):
    checks.discriminator_loss(losses.minimax_d_loss)
    checks.discriminator_loss(lambda r, f: F.binary_cross_entropy_with_logits(r, torch.ones_like(r))
                              + F.binary_cross_entropy_with_logits(f, torch.zeros_like(f)))
    checks.discriminator_loss(lambda r, f: F.softplus(-r).mean() + F.softplus(f).mean())
    checks.discriminator_loss(solutions("01_gan_objective")["discriminator_loss"])
    assert capsys.readouterr().out.count("passed") == 4


# --------------------------------------------------------------------------- generator_loss


def g_loss_saturating(fake):
    return -F.softplus(fake).mean()  # log(1 - D): the minimax loss, not the non-saturating one


def g_loss_naive(fake):
    return -torch.log(torch.sigmoid(fake)).mean()


def g_loss_summed(fake):
    return F.softplus(-fake).sum()


def g_loss_probability_target_zero(fake):
    return F.binary_cross_entropy_with_logits(fake, torch.zeros_like(fake))


def g_loss_detached(fake):
    return F.softplus(-fake.detach()).mean()


def g_loss_mean_logit_first(fake):
    return F.softplus(-fake.mean())


def g_loss_log2(fake):
    return F.softplus(-fake).mean() / math.log(2)


def g_loss_wgan(fake):
    return -fake.mean()  # the WGAN generator's loss


def g_loss_eps_in_log(fake):
    return -torch.log(torch.sigmoid(fake) + 1e-8).mean()


def g_loss_log_of_mean_probability(fake):
    return -torch.log(torch.sigmoid(fake).mean())


def g_loss_as_float(fake):
    return F.softplus(-fake).mean().item()


def g_loss_per_sample(fake):
    return F.softplus(-fake)


def test_generator_loss_accepts_the_references(capsys):
    checks.generator_loss(losses.nonsaturating_g_loss)
    checks.generator_loss(lambda f: F.binary_cross_entropy_with_logits(f, torch.ones_like(f)))
    checks.generator_loss(lambda f: -F.logsigmoid(f).mean())
    checks.generator_loss(solutions("01_gan_objective")["generator_loss"])
    assert capsys.readouterr().out.count("passed") == 4


# --------------------------------------------------------------------------- optimal_discriminator


def d_star_swapped(p, q):
    return q / (p + q)


def d_star_nan(p, q):
    return p / (p + q)


def d_star_numpy(p, q):
    return (p / (p + q)).numpy()


def d_star_zero_where_empty(p, q):
    return torch.where(p + q > 0, p / (p + q).clamp_min(1e-30), torch.zeros_like(p))


def d_star_eps(p, q):
    total = p + q
    return torch.where(total > 0, p / (total + 1e-8), 0.5)  # an epsilon "to be safe": wrong where both are tiny


def d_star_list(p, q):
    return theory.optimal_discriminator(p, q).tolist()


def d_star_density_ratio(p, q):
    return p / q


def d_star_logit_form(p, q):
    return torch.sigmoid(torch.log(p) - torch.log(q))  # right except at 0/0, where log 0 - log 0 = nan


def d_star_flattened(p, q):
    return theory.optimal_discriminator(p, q).flatten()


def d_star_in_place(p, q):
    empty = (p + q) == 0
    p[empty], q[empty] = 0.5, 0.5  # writes into the caller's densities
    return p / (p + q)


def d_star_clamped_denominator(p, q):
    return p / (p + q).clamp_min(1e-12)  # 0 where both are 0


def test_optimal_discriminator_accepts_the_references(capsys):
    checks.optimal_discriminator(theory.optimal_discriminator)
    checks.optimal_discriminator(lambda p, q: torch.nan_to_num(p / (p + q), nan=0.5))
    checks.optimal_discriminator(lambda p, q: torch.where(p == q, 0.5, p / (p + q)))
    checks.optimal_discriminator(solutions("01_gan_objective")["optimal_discriminator"])
    assert capsys.readouterr().out.count("passed") == 4


# --------------------------------------------------------------------------- js_from_densities


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


def jsd_log2(p, q, dx):
    return jsd_reference(p, q, dx) / math.log(2)


def jsd_mean_not_integral(p, q, dx):
    m = (p + q) / 2
    return (0.5 * (torch.xlogy(p, p) - torch.xlogy(p, m)) + 0.5 * (torch.xlogy(q, q) - torch.xlogy(q, m))).mean()


def jsd_square_root(p, q, dx):
    return float(jsd_reference(p, q, dx)) ** 0.5  # the Jensen-Shannon distance, not the divergence


def jsd_no_halves(p, q, dx):
    return 2 * jsd_reference(p, q, dx)


def jsd_integrand(p, q, dx):
    m = (p + q) / 2
    return (0.5 * (torch.xlogy(p, p) - torch.xlogy(p, m)) + 0.5 * (torch.xlogy(q, q) - torch.xlogy(q, m))) * dx


def jsd_fixed_spacing(p, q, dx):
    return jsd_reference(p, q, 16 / 4000)  # the lesson's grid spacing, not the one given


def jsd_geometric_mixture(p, q, dx):
    m = torch.sqrt(p * q)
    return (0.5 * (torch.xlogy(p, p) - torch.xlogy(p, m)) + 0.5 * (torch.xlogy(q, q) - torch.xlogy(q, m))).sum() * dx


def test_js_from_densities_accepts_the_references(capsys):
    checks.js_from_densities(jsd_reference)
    checks.js_from_densities(lambda p, q, dx: jsd_reference(p, q, dx).item())
    checks.js_from_densities(solutions("01_gan_objective")["js_from_densities"])
    assert capsys.readouterr().out.count("passed") == 3


OLD_MISTAKES = [
    (checks.discriminator_loss, stub, "not implemented yet"),
    (checks.discriminator_loss, d_loss_sign_flipped, "D unsure"),
    (checks.discriminator_loss, d_loss_summed, "expected 1.386294, received 5.545177"),
    (checks.discriminator_loss, d_loss_labels_swapped, "random logits"),
    (checks.discriminator_loss, d_loss_logits_as_probabilities, "received inf"),
    (checks.discriminator_loss, d_loss_naive_sigmoid, "very sure"),
    (checks.discriminator_loss, d_loss_one_mean_over_both, "expected 1.386294, received 0.693147"),
    (checks.discriminator_loss, d_loss_as_float, "requires grad"),
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

NEW_MISTAKES = [
    (checks.discriminator_loss, d_loss_detaches_fake, "expected d loss / d fake_logits = [0.125, 0.125"),
    (checks.discriminator_loss, d_loss_detaches_real, "expected d loss / d real_logits = [-0.125, -0.125"),
    (checks.discriminator_loss, d_loss_bce_on_probabilities, "case 'D very sure (logits of +-20)': expected 20.0"),
    (checks.discriminator_loss, d_loss_mean_logit_first, "case 'random logits'"),
    (checks.discriminator_loss, d_loss_log2, "expected 1.386294, received 2.000000"),
    (checks.discriminator_loss, d_loss_eps_in_log, "case 'D very sure (logits of +-20)': expected 20.0"),
    (checks.discriminator_loss, d_loss_per_sample, "expected a scalar tensor (0-dim, floating point, e.g. from "
                                                   ".mean()), received a tensor of shape (4,)"),
    (checks.discriminator_loss, d_loss_numpy, "expected a scalar tensor"),
    (checks.discriminator_loss, d_loss_no_return, "received None (did you forget `return`?)"),
    (checks.generator_loss, g_loss_detached, "expected a loss that requires grad"),
    (checks.generator_loss, g_loss_mean_logit_first, "case 'random logits'"),
    (checks.generator_loss, g_loss_log2, "expected 0.693147, received 1.000000"),
    (checks.generator_loss, g_loss_wgan, "case 'D unsure (logits 0)': expected 0.693147, received -0.000000"),
    (checks.generator_loss, g_loss_eps_in_log, "case 'D rejects the fakes (logits -200)': expected 200.000000"),
    (checks.generator_loss, g_loss_log_of_mean_probability, "case 'random logits'"),
    (checks.generator_loss, g_loss_as_float, "expected a scalar tensor (0-dim, floating point, e.g. from .mean()), "
                                             "received float 0.693147"),
    (checks.generator_loss, g_loss_per_sample, "received a tensor of shape (5,)"),
    (checks.optimal_discriminator, d_star_eps, "case 'far tails (tiny densities)'"),
    (checks.optimal_discriminator, d_star_list, "expected a tensor of shape (3,), received a list of 3 values"),
    (checks.optimal_discriminator, d_star_density_ratio, "case 'equal densities': expected [0.5, 0.5, 0.5]"),
    (checks.optimal_discriminator, d_star_logit_form, "case 'both densities zero': expected [0.5, 0.5], received "
                                                      "[nan, 0.5]"),
    (checks.optimal_discriminator, d_star_flattened, "expected a tensor of shape (3, 4), received a tensor of shape "
                                                     "(12,)"),
    (checks.optimal_discriminator, d_star_in_place, "expected your function to leave its input 'p_data' as it was"),
    (checks.optimal_discriminator, d_star_clamped_denominator, "case 'both densities zero': expected [0.5, 0.5], "
                                                               "received [0.0, 0.5]"),
    (checks.js_from_densities, jsd_log2, "case 'shifted Gaussians'"),
    (checks.js_from_densities, jsd_mean_not_integral, "case 'shifted Gaussians'"),
    (checks.js_from_densities, jsd_square_root, "case 'shifted Gaussians'"),
    (checks.js_from_densities, jsd_no_halves, "case 'shifted Gaussians'"),
    (checks.js_from_densities, jsd_integrand, "expected one number, received a tensor of shape (4001,)"),
    (checks.js_from_densities, jsd_fixed_spacing, "case 'a coarse grid (dx = 0.5)'"),
    (checks.js_from_densities, jsd_geometric_mixture, "case 'shifted Gaussians'"),
]


@pytest.mark.parametrize("check, wrong, fragment", OLD_MISTAKES + NEW_MISTAKES,
                         ids=mistake_ids(OLD_MISTAKES + NEW_MISTAKES))
def test_lesson_01_checks_reject_mistakes(check, wrong, fragment):
    assert_rejected(check, wrong, fragment)


def test_best_gaussian_grades_the_c_of_g_reached(capsys):
    checks.best_gaussian(solutions("01_gan_objective")["best_gaussian"])
    checks.best_gaussian(lambda: {"mu": 0.0, "sigma": 2.04})
    assert capsys.readouterr().out.count("✔ best_gaussian") == 2
    with pytest.raises(AssertionError, match="local"):  # one mode: a local minimum of C(G)
        checks.best_gaussian(lambda: {"mu": 2.0, "sigma": 0.5})
    with pytest.raises(AssertionError, match="better single Gaussian"):
        checks.best_gaussian(lambda: {"mu": 0.5, "sigma": 1.0})
    with pytest.raises(AssertionError, match="exactly the keys"):
        checks.best_gaussian(lambda: (0.0, 2.0))
    with pytest.raises(AssertionError, match="'sigma' to be"):
        checks.best_gaussian(lambda: {"mu": 0.0, "sigma": -1.0})
    with pytest.raises(AssertionError, match="not implemented"):
        checks.best_gaussian(stub)
