# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 01 · The GAN objective: the minimax game, the optimal discriminator and the Jensen–Shannon divergence
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/gan-course/gan-course/blob/main/notebooks/01_gan_objective.ipynb)
#
# **Learning goals.** After this notebook you can
# 1. read the value function $V(D, G)$ term by term and say who maximises and who minimises what;
# 2. derive the optimal discriminator $D^*(x) = \frac{p_{data}(x)}{p_{data}(x) + p_g(x)}$ and recognise it in a trained network;
# 3. derive $C(G) = \max_D V(D, G) = -\log 4 + 2\,\mathrm{JSD}(p_{data} \,\|\, p_g)$ and what it says about the global optimum;
# 4. explain why generators are trained with $-\log D(G(z))$ and measure the difference.
#
# **Prerequisites.** Lesson 00; derivatives of $\log$; expectations as integrals against a density.
#
# **Time.** `smoke`: about 7 s · `cpu`: about 15 s on 2 CPU cores · `gpu`: not measured yet.
#
# Every derivation below is followed by a code cell that checks it with numbers; the numbers are
# recorded (`gan_course.record`) and the course's tests assert on them.

# %% [markdown]
# ## Setup
# On Colab the next cell installs the course package from its repository; anywhere else it does nothing
# (run `make lab` once, see the README).

# %%
import importlib.util
import subprocess
import sys

REPO = "gan-course/gan-course"  # the course's GitHub repository: gan_course.runtime.REPO_SLUG (`make set-repo`)
if "google.colab" in sys.modules and importlib.util.find_spec("gan_course") is None:
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", f"git+https://github.com/{REPO}.git"],
                   check=True)
    importlib.invalidate_caches()

# %%
import math

import matplotlib.pyplot as plt
import numpy as np
import torch

import gan_course
from gan_course import data, losses, theory, train, viz
from gan_course.models.gan import GANStep, MLPDiscriminator, MLPGenerator, fit_discriminator

# %% tags=["parameters"]
PROFILE = "auto"
SEED = 0

# %%
P = gan_course.profile(PROFILE)
DEVICE = gan_course.device()
D_STEPS = P.pick(smoke=150, cpu=4000, gpu=4000)  # updates when training D to convergence
D_BATCH = P.pick(smoke=256, cpu=1024, gpu=1024)
REJECT_STEPS = P.pick(smoke=100, cpu=500, gpu=500)  # D steps before measuring G's gradient
N_MONTE_CARLO = P.pick(smoke=100_000, cpu=1_000_000, gpu=1_000_000)  # samples a side for the JSD by Monte Carlo

gan_course.seed_everything(SEED)
gan_course.record("profile", P.name)
print(P)

# %% [markdown]
# ## 1. The value function
#
# Goodfellow et al. (2014) define GAN training as a two-player minimax game with value function
#
# $$\min_G \max_D V(D, G) = \underbrace{\mathbb{E}_{x \sim p_{data}}[\log D(x)]}_{①} + \underbrace{\mathbb{E}_{z \sim p_z}[\log(1 - D(G(z)))]}_{②}.$$
#
# Read it from each player's side.
#
# * **For a fixed $G$, $D$ maximises $V$.** Term ① rewards $D(x) \to 1$ on real data ($\log 1 = 0$ is its
#   maximum); term ② rewards $D(G(z)) \to 0$ on fakes. Together: a binary classifier, real = 1, fake = 0,
#   trained by maximum likelihood. The discriminator's loss is $-V$, the binary cross-entropy.
# * **For a fixed $D$, $G$ minimises $V$.** Term ① does not involve $G$ at all: it is a constant for the
#   generator. Only term ② matters, and $G$ lowers it by making $D(G(z))$ large, i.e. by fooling $D$.
#
# Writing $p_g$ for the distribution of $G(z)$, term ② is $\mathbb{E}_{x \sim p_g}[\log(1 - D(x))]$: a change of
# variables that holds for any generator. When $p_g$ also has a *density* (as here, and for the 1D and 2D
# toy generators of lessons 00–04),
# $V(D, G) = \int p_{data}(x)\log D(x) + p_g(x)\log(1 - D(x))\,dx$, and everything below uses that integral.
# A generator that maps a few noise dimensions into a much larger data space has no density: its samples
# lie on a thin low-dimensional set. Lesson 02 shows what that does to the divergences; the pointwise argument
# of this lesson needs densities and does not apply there as it stands.
#
# Throughout this lesson, $p_{data}$ is the two-mode mixture of lesson 00 and the "generator" is a
# fixed Gaussian $p_g = \mathcal{N}(0.5, 1)$ — a generator we know the density of, so that every
# integral can be computed exactly by quadrature.

# %%
dist = data.mixture_1d(means=(-2.0, 2.0), std=0.5)
gen_dist = data.mixture_1d(means=(0.5,), std=1.0)  # the fixed "generator" N(0.5, 1)
p_data, p_g = theory.density_of(dist), theory.density_of(gen_dist)
LO, HI = -12.0, 12.0  # integration limits: both densities are < 1e-20 outside

gan_course.show(theory.value_function)

# %% [markdown]
# A discriminator that always says ½ ("I cannot tell") scores $\log\frac12 + \log\frac12 = -\log 4$
# whatever $G$ does. One that is confidently wrong scores much lower. (`value_function` takes D's
# *logit* $l(x)$, with $D = \sigma(l)$, like the course's networks, so that $\log D$ stays finite where $D$
# rounds to exactly 0 or 1.)

# %%
half = lambda x: np.zeros_like(x)  # noqa: E731  (logit 0: D = 1/2)
wrong = lambda x: -theory.optimal_logit(p_data, p_g)(x)  # noqa: E731  (D* with real and fake swapped)
v_half = gan_course.record("v_half", theory.value_function(half, p_data, p_g, LO, HI))
v_wrong = gan_course.record("v_wrong", theory.value_function(wrong, p_data, p_g, LO, HI))
print(f"-log 4 = {-math.log(4):.6f}")

# %% [markdown]
# ## 2. The optimal discriminator
#
# For fixed $G$, $D$ maximises $\int p_{data}(x)\log D(x) + p_g(x)\log(1 - D(x))\,dx$. The integrand at each
# $x$ depends only on the single number $y = D(x)$, so we can maximise **pointwise**: for $a, b > 0$ the
# function $f(y) = a\log y + b\log(1 - y)$ on $(0, 1)$ has
#
# $$f'(y) = \frac{a}{y} - \frac{b}{1-y} = 0 \iff y = \frac{a}{a + b}, \qquad f''(y) = -\frac{a}{y^2} - \frac{b}{(1-y)^2} < 0,$$
#
# a unique maximum. (Where only one density is positive the maximum is not attained: with $b = 0 < a$,
# $f(y) = a\log y$ keeps growing as $y \to 1$; with $a = 0 < b$ as $y \to 0$. The formula below gives those
# limits, 1 and 0, which a sigmoid approaches but never reaches.) With $a = p_{data}(x)$ and $b = p_g(x)$
# (Goodfellow et al. 2014, Proposition 1):
#
# $$D^*_G(x) = \frac{p_{data}(x)}{p_{data}(x) + p_g(x)}.$$
#
# Outside the support of both densities $D$ is never evaluated on any sample and can be anything; the
# course's `theory.optimal_discriminator` returns ½ there. First, check the pointwise claim by brute force:

# %%
y = np.linspace(1e-6, 1 - 1e-6, 1_000_001)
errors = []
for a, b in [(1.0, 1.0), (0.3, 0.9), (2.0, 0.1), (0.05, 0.05), (1.0, 0.0)]:
    y_best = y[np.argmax(a * np.log(y) + b * np.log(1 - y))]
    errors.append(abs(y_best - a / (a + b)))
    print(f"a = {a:4}, b = {b:4}:  argmax by grid search {y_best:.6f}   a/(a+b) = {a / (a + b):.6f}")
gan_course.record("pointwise_argmax_error", max(errors));

# %% [markdown]
# Now the real test: a neural network trained as the discriminator, with `GANStep.d_step` (the same
# update the training loop uses), against the fixed generator. `fit_discriminator` runs the inner
# $\max_D$ of the game alone:

# %%
gan_course.show(fit_discriminator)

# %%
def trained_discriminator(real_dist, fake_dist, steps, seed):
    """An MLP discriminator trained to convergence on samples of two fixed distributions."""
    gan_course.seed_everything(seed)
    D = MLPDiscriminator(data_dim=1, hidden=64, depth=2).to(DEVICE)
    opt = torch.optim.Adam(D.parameters(), lr=1e-3)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(opt, steps)  # anneal: less noise at the end
    history = fit_discriminator(
        D, real_dist.batches(D_BATCH, seed=seed, device=DEVICE), fake_dist.batches(D_BATCH, seed=seed + 1, device=DEVICE),
        steps=steps, d_opt=opt, after_step=lambda D: schedule.step(),
    )
    return D.eval(), history


def logits(D, x: np.ndarray) -> np.ndarray:
    """D's logits on a NumPy grid."""
    with torch.no_grad():
        out = D(torch.as_tensor(x, dtype=torch.float32, device=DEVICE).reshape(-1, 1))
    return out.double().cpu().numpy().reshape(x.shape)


def probabilities(D, x: np.ndarray) -> np.ndarray:
    """D(x) = sigmoid(logit) on a NumPy grid."""
    return 1 / (1 + np.exp(-logits(D, x)))


D, d_history = trained_discriminator(dist, gen_dist, D_STEPS, SEED)
x = np.linspace(-5, 5, 1001)
d_star = theory.optimal_discriminator(p_data(x), p_g(x))
d_net = probabilities(D, x)
support = p_data(x) + p_g(x) >= 0.05  # where samples of either kind actually fall
gan_course.record("support_range", [float(x[support].min()), float(x[support].max())])
dstar_error = gan_course.record("dstar_max_error", np.abs(d_net - d_star)[support].max())

viz.plot_optimal_discriminator(x, p_data(x), p_g(x), d_trained=d_net,
                               title=f"trained D vs D*: max error {dstar_error:.3f} where p_data + p_g ≥ 0.05")
plt.axvspan(x[support].min(), x[support].max(), color="grey", alpha=0.08)
plt.show()

# %% [markdown]
# The trained network lands on the analytic curve inside the support (grey band). Outside it, where
# neither density puts samples, the network's output is unconstrained by the data and is whatever its
# architecture extrapolates — exactly the freedom the derivation predicted. Note the shape of $D^*$: close
# to 1 around $x = -2$, where only the data puts mass; exactly ½ where the two densities cross; near 0
# around $x = 0$, where the generator puts mass that the data lacks. $D^*$ tells $G$ where it is wrong.

# %% [markdown]
# ## 3. The virtual training criterion $C(G)$
#
# Plug $D^*$ back into $V$: $C(G) = \max_D V(D, G) = V(D^*_G, G)$ (Goodfellow et al. 2014, eq. 4):
#
# $$C(G) = \mathbb{E}_{x\sim p_{data}}\Big[\log \frac{p_{data}(x)}{p_{data}(x) + p_g(x)}\Big] + \mathbb{E}_{x\sim p_g}\Big[\log \frac{p_g(x)}{p_{data}(x) + p_g(x)}\Big].$$
#
# Multiply numerator and denominator inside each log by ½, so the mixture $m = \frac{p_{data} + p_g}{2}$ appears:
# $\log\frac{p_{data}}{p_{data} + p_g} = \log\frac{p_{data}}{m} - \log 2$, and the same for $p_g$. Each
# expectation then gives a Kullback–Leibler divergence minus $\log 2$:
#
# $$C(G) = -\log 4 + \mathrm{KL}\Big(p_{data} \,\Big\|\, \frac{p_{data} + p_g}{2}\Big) + \mathrm{KL}\Big(p_g \,\Big\|\, \frac{p_{data} + p_g}{2}\Big) = -\log 4 + 2\,\mathrm{JSD}(p_{data} \,\|\, p_g),$$
#
# with the Jensen–Shannon divergence $\mathrm{JSD}(p\,\|\,q) = \tfrac12\mathrm{KL}(p\,\|\,m) + \tfrac12\mathrm{KL}(q\,\|\,m)$
# (Theorem 1). **Training $G$ against an optimal $D$ minimises the JSD between the data and the model.**
#
# Check: compute the two sides **in two different ways**. $C(G)$ by adaptive quadrature of
# $\int p\log D^* + q\log(1-D^*)$; the JSD by Monte Carlo, from samples and no grid at all: draw
# $x_1, \dots, x_n \sim p_{data}$ and $y_1, \dots, y_n \sim p_g$ and average log-density ratios,
# $\widehat{\mathrm{JSD}} = \frac{1}{2n}\sum_i \log\frac{p_{data}(x_i)}{m(x_i)} + \frac{1}{2n}\sum_i \log\frac{p_g(y_i)}{m(y_i)}$,
# which comes with a standard error. (Integrating the JSD's own definition by quadrature would share the
# quadrature and the densities with $C(G)$, and test little more than that both integrands agree.)

# %%
def gaussian(mu, sigma):  # N(mu, sigma²): sigma is the standard deviation
    return data.mixture_1d(means=(mu,), std=sigma)


pairs = {
    "data vs N(0.5, 1)": (dist, gen_dist),
    "data vs N(-2, 0.5²)": (dist, gaussian(-2.0, 0.5)),
    "data vs N(0, 3²)": (dist, gaussian(0.0, 3.0)),
    "N(0, 1) vs N(4, 1)": (gaussian(0.0, 1.0), gaussian(4.0, 1.0)),
    "N(0, 1) vs N(0, 1)": (gaussian(0.0, 1.0), gaussian(0.0, 1.0)),
}
differences, z_scores = [], []
for name, (p, q) in pairs.items():
    c_g = theory.virtual_training_criterion(theory.density_of(p), theory.density_of(q), LO - 10, HI + 10)
    jsd, jsd_se = theory.js_divergence_monte_carlo(p, q, n=N_MONTE_CARLO, seed=SEED)
    gap = c_g - (-math.log(4) + 2 * jsd)
    differences.append(abs(gap))
    z_scores.append(abs(gap) / (2 * jsd_se) if jsd_se > 0 else (0.0 if abs(gap) < 1e-9 else math.inf))
    print(f"{name:>20}:  C(G) = {c_g:+.5f} (quadrature)   -log 4 + 2 JSD = {-math.log(4) + 2 * jsd:+.5f} "
          f"± {2 * jsd_se:.5f} (Monte Carlo, {N_MONTE_CARLO:,} samples a side)   JSD = {jsd:.4f}")
gan_course.record("cg_identity_max_difference", max(differences))
gan_course.record("cg_identity_max_z", max(z_scores))
print(f"largest gap {max(differences):.1e}, at most {max(z_scores):.1f} standard errors of the Monte Carlo estimate")

# %% [markdown]
# And with the **trained** discriminator instead of $D^*$: $V(D, G) \le C(G)$ for every $D$, with equality only
# at $D^*$, so a well-trained $D$ gives a value just below $C(G)$, and a lower bound on the JSD:
# $\mathrm{JSD} \ge \tfrac12\,(V(D, G) + \log 4)$.

# %%
c_g = gan_course.record("cg_exact", theory.virtual_training_criterion(p_data, p_g, LO, HI))
# D's LeakyReLU kinks keep the quadrature from its 1e-10 target; it returns its own error estimate instead.
v_trained, v_error = theory.value_function(lambda t: logits(D, t), p_data, p_g, LO, HI, with_error=True)
gan_course.record("v_trained_d", v_trained)
gan_course.record("v_trained_d_quadrature_error", v_error)
jsd = theory.js_divergence_of_densities(p_data, p_g, LO, HI)
gan_course.record("jsd_exact", jsd)
gan_course.record("jsd_from_trained_d", (v_trained + math.log(4)) / 2)
print(f"V(D, G) = {v_trained:.4f} (± {v_error:.0e}, the quadrature's estimate) <= C(G) = {c_g:.4f};  "
      f"V(1/2, G) = {v_half:.4f};  V(wrong D, G) = {v_wrong:.4f}")

# %% [markdown]
# ## 4. The global optimum
#
# $\mathrm{JSD} \ge 0$ with equality only when the two distributions are equal, so $C(G) \ge -\log 4$, with
# equality exactly when $p_g = p_{data}$. There $D^* = \frac{p}{p + p} = \frac12$ everywhere: the
# discriminator cannot do better than a coin flip. This is the equilibrium of the game — the generator
# reproduces the data and the discriminator outputs ½ everywhere.
#
# Check it three ways: the quadrature value of $C(G)$ at $p_g = p_{data}$; $D^*$ on a grid; and a network
# trained to discriminate the data from itself.

# %%
c_opt = gan_course.record("cg_at_optimum", theory.virtual_training_criterion(p_data, p_data, LO, HI))
print(f"C(G) at p_g = p_data: {c_opt:.9f}   (-log 4 = {-math.log(4):.9f})")
d_star_opt = theory.optimal_discriminator(p_data(x), p_data(x))
gan_course.record("dstar_at_optimum_max_deviation", np.abs(d_star_opt - 0.5).max())
D_same, _ = trained_discriminator(dist, dist, D_STEPS, SEED)
d_same = probabilities(D_same, x)
same_error = gan_course.record("trained_d_at_optimum_max_deviation", np.abs(d_same - 0.5)[p_data(x) >= 0.05].max())

viz.plot_optimal_discriminator(x, p_data(x), p_data(x), d_trained=d_same,
                               title=f"p_g = p_data: D* = 1/2; trained D within {same_error:.3f} of 1/2")
plt.show()

# %% [markdown]
# ## 5. Algorithm 1: k discriminator steps per generator step
#
# In practice neither player is optimised to completion: Goodfellow et al.'s Algorithm 1 alternates
# $k$ steps of gradient ascent on $V$ for $D$ (each on a minibatch of real samples and a minibatch of
# noise) with one gradient step for $G$. They used $k = 1$, the cheapest choice. The course's loop,
# `train.train`, is that algorithm, for any model: a model is a `Step` that owns its networks and
# optimizers and makes the two updates, `d_step(batch)` and `g_step(batch)`, each returning its named
# losses, and `step.n_critic` is $k$. Here is the loop in full; each line carries the line of Algorithm 1
# it implements. Progress, the NaN guard, callbacks and checkpoints live beside it, in `Run`.

# %%
gan_course.show(train.train)

# %% [markdown]
# The GAN's own step, `GANStep`, holds the two updates (lessons 00 and 03 read them line by line). Other
# models bring their own `Step`: WGAN clips its critic after each update (lesson 04), a conditional GAN
# feeds labels, CycleGAN trains two pairs at once; the loop stays the same.

# %%
print(f"GANStep: networks {GANStep.networks}, optimizers {GANStep.optimizers}, k = n_critic = {GANStep.n_critic} "
      "by default")

# %% [markdown]
# ## 6. Why the generator minimises $-\log D(G(z))$ instead
#
# Early in training $G$ is poor, $D$ rejects its samples with confidence, and $D(G(z)) \approx 0$. There
# $\log(1 - D(G(z)))$ is flat: its derivative with respect to D's logit $l$ is $-\sigma(l) = -D(G(z)) \approx 0$.
# The generator learns almost nothing exactly when it has the most to learn — the loss **saturates**.
# Goodfellow et al. (2014, Section 3) instead train $G$ to *maximise* $\log D(G(z))$: the same fixed point,
# but the derivative $-(1 - D(G(z)))$ is largest when $D$ rejects the fakes.

# %%
viz.plot_generator_losses()
plt.show()

# %% [markdown]
# Measure it on a real generator: an untrained MLP generator, and a discriminator trained for a few
# hundred steps to reject its samples (as at the start of training). Then back-propagate each loss into
# the generator and compare the gradient norms over all of G's parameters.

# %%
gan_course.seed_everything(SEED)
G = MLPGenerator(z_dim=8, data_dim=1, hidden=64, depth=2).to(DEVICE)
D_early = MLPDiscriminator(data_dim=1, hidden=64, depth=2).to(DEVICE)
opt = torch.optim.Adam(D_early.parameters(), lr=1e-3, betas=(0.5, 0.999))


def untrained_fakes():
    """Fresh batches of the untrained G's samples (no graph: here only D learns)."""
    while True:
        with torch.no_grad():  # leave the no_grad block before yielding: grad mode is global state
            fake = G(G.sample_z(256))
        yield fake


fit_discriminator(D_early, dist.batches(256, seed=SEED, device=DEVICE), untrained_fakes(),
                  steps=REJECT_STEPS, d_opt=opt)


def generator_gradient_norm(g_loss) -> float:
    """||d g_loss / d theta_G|| over all of G's parameters, on one batch of 4,096 noise vectors."""
    gan_course.seed_everything(SEED)
    G.zero_grad()
    g_loss(D_early(G(G.sample_z(4096)))).backward()
    return torch.cat([p.grad.flatten() for p in G.parameters()]).norm().item()


with torch.no_grad():
    d_on_fakes = torch.sigmoid(D_early(G(G.sample_z(4096)))).mean()
gan_course.record("d_of_fakes_at_start", d_on_fakes)
saturating = gan_course.record("grad_norm_saturating", generator_gradient_norm(losses.minimax_g_loss))
nonsaturating = gan_course.record("grad_norm_nonsaturating", generator_gradient_norm(losses.nonsaturating_g_loss))
gan_course.record("grad_norm_ratio", nonsaturating / saturating)
print(f"D(G(z)) ≈ {d_on_fakes:.3f}: the non-saturating loss gives G a gradient {nonsaturating / saturating:.0f}× larger")

# %% [markdown]
# Note the two kinds of fakes: `untrained_fakes` draws them under `torch.no_grad()`, because there only D
# learns; `generator_gradient_norm` must keep G's samples in the graph, or no gradient reaches G at all.

# %% [markdown]
# ## 7. Explore: move the generator
#
# Drag the sliders: a Gaussian generator $\mathcal{N}(\mu, \sigma^2)$ against the data. The plot shows both
# densities, $D^*$, the JSD and $C(G)$. Try to reach $C(G) = -\log 4$ — you cannot with one Gaussian:
# the data has two modes. Which $\mu, \sigma$ give the lowest $C(G)$? (The figure below is the default
# position, drawn directly so it also appears in headless runs.)

# %%
viz.plot_gaussian_generator(dist, mu=0.5, sigma=1.0)
plt.show()
viz.interact_gaussian_generator(dist, mu=0.5, sigma=1.0)

# %% [markdown]
# ## 8. Exercises
#
# Each exercise is followed by a check cell. Run it: it prints a pass message or tells you which case
# failed, what it expected and what it received. Discriminators in this course return **logits** $l$, with
# $D(x) = \sigma(l)$; `F` is `torch.nn.functional`.
#
# **Exercise 1 (2 points).** The discriminator's loss $L_D = -\mathbb{E}[\log D(x)] - \mathbb{E}[\log(1 - D(G(z)))]$
# from the logits of a real batch and of a fake batch (which may have different sizes).

# %% nbgrader={"grade": false, "grade_id": "discriminator_loss", "locked": false, "schema_version": 3, "solution": true, "task": false}
import torch.nn.functional as F


def discriminator_loss(real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
    """L_D from D's logits on real samples (B_real,) and fake samples (B_fake,); returns a scalar tensor."""
    ### BEGIN SOLUTION
    return -(F.logsigmoid(real_logits).mean() + F.logsigmoid(-fake_logits).mean())
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "check_discriminator_loss", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
gan_course.checks.discriminator_loss(discriminator_loss)

# %% [markdown]
# **Exercise 2 (2 points).** The non-saturating generator loss $L_G = -\mathbb{E}[\log D(G(z))]$ from the
# logits of a fake batch. It must stay finite when $D$ rejects the fakes with great confidence.

# %% nbgrader={"grade": false, "grade_id": "generator_loss", "locked": false, "schema_version": 3, "solution": true, "task": false}
def generator_loss(fake_logits: torch.Tensor) -> torch.Tensor:
    """-mean(log D(G(z))) from D's logits on a fake batch (B,); returns a scalar tensor."""
    ### BEGIN SOLUTION
    return -F.logsigmoid(fake_logits).mean()
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "check_generator_loss", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
gan_course.checks.generator_loss(generator_loss)

# %% [markdown]
# **Exercise 3 (2 points).** The optimal discriminator $D^* = p_{data} / (p_{data} + p_{model})$, elementwise, for
# two tensors of densities at the same points. Where both densities are 0, return ½ (not NaN).

# %% nbgrader={"grade": false, "grade_id": "optimal_discriminator", "locked": false, "schema_version": 3, "solution": true, "task": false}
def optimal_discriminator(p_data: torch.Tensor, p_model: torch.Tensor) -> torch.Tensor:
    """D*(x) at each point, from the two densities there; 1/2 where both are 0."""
    ### BEGIN SOLUTION
    total = p_data + p_model
    return torch.where(total > 0, p_data / torch.where(total > 0, total, 1.0), 0.5)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "check_optimal_discriminator", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
gan_course.checks.optimal_discriminator(optimal_discriminator)

# %% [markdown]
# **Exercise 4 (3 points).** The Jensen–Shannon divergence (in nats) of two densities given by their values
# `p`, `q` on a uniform grid with spacing `dx`: approximate each integral by a sum times `dx`. Treat
# $0 \log 0$ as 0 (`torch.xlogy(a, b)` computes $a \log b$ and is 0 when $a = 0$).

# %% nbgrader={"grade": false, "grade_id": "js_from_densities", "locked": false, "schema_version": 3, "solution": true, "task": false}
def js_from_densities(p: torch.Tensor, q: torch.Tensor, dx: float) -> float:
    """JSD(p || q) = KL(p || m)/2 + KL(q || m)/2, m = (p + q)/2, for densities on a grid of spacing dx."""
    ### BEGIN SOLUTION
    m = (p + q) / 2
    kl_pm = (torch.xlogy(p, p) - torch.xlogy(p, m)).sum() * dx
    kl_qm = (torch.xlogy(q, q) - torch.xlogy(q, m)).sum() * dx
    return float(0.5 * kl_pm + 0.5 * kl_qm)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "check_js_from_densities", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
gan_course.checks.js_from_densities(js_from_densities)

# %% [markdown]
# **Exercise 5 (2 points, open). The best single Gaussian.** A generator that can only make Gaussians $\mathcal N(\mu, \sigma^2)$ plays
# against the optimal $D$ on this lesson's two-mode data. Which $(\mu, \sigma)$ minimises $C(G)$? Find it by
# any means: the widget of section 7, a grid of values, or `scipy.optimize.minimize` on
# `theory.virtual_training_criterion`. Return it; the check grades the $C(G)$ it reaches (within 0.002 nats of
# the best). Then compare your answer with the maximum-likelihood fit, $\mu = 0$, $\sigma = \sqrt{0.5^2 + 2^2}$:
# lesson 03 shows which fit the *non-saturating* generator loss prefers instead.

# %% nbgrader={"grade": false, "grade_id": "best_gaussian", "locked": false, "schema_version": 3, "solution": true, "task": false}
def best_gaussian() -> dict:
    """The (mu, sigma) of the single Gaussian with the lowest C(G) against this lesson's two-mode data."""
    ### BEGIN SOLUTION
    from scipy.optimize import minimize

    from gan_course import data, theory

    p = theory.density_of(data.mixture_1d(means=(-2.0, 2.0), std=0.5))  # this lesson's data

    def c_of(params):  # C(G) of N(mu, sigma²), with sigma = exp(params[1]) > 0
        mu, sigma = params[0], math.exp(params[1])
        return theory.virtual_training_criterion(p, lambda t: theory.gaussian_mixture_pdf(t, [mu], sigma), -12, 12)

    found = min((minimize(c_of, [mu0, 0.0], method="Nelder-Mead") for mu0 in (-2.0, 0.0, 2.0)), key=lambda r: r.fun)
    return {"mu": float(found.x[0]), "sigma": float(math.exp(found.x[1]))}
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "check_best_gaussian", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
gan_course.checks.best_gaussian(best_gaussian)

# %% [markdown]
# ## Summary
#
# * $V(D, G)$: D maximises it (a real-vs-fake classifier), G minimises it; only the fake term involves G.
# * For fixed G the best D is $D^* = p_{data} / (p_{data} + p_g)$; a trained network reproduces it inside the support.
# * At $D^*$ the game's value is $C(G) = -\log 4 + 2\,\mathrm{JSD}(p_{data}\|p_g)$: the generator minimises a
#   Jensen–Shannon divergence, and the optimum $p_g = p_{data}$ has $D^* = \frac12$ and $V = -\log 4$.
# * The saturating loss starves the generator early on; the non-saturating loss does not.
#
# Lesson 02 asks what happens to the JSD when the two distributions do not overlap at all — and why that
# motivates the Wasserstein distance. The numbers this notebook recorded:

# %%
for key, value in gan_course.report.results().items():
    print(f"{key:>36}: {value}")
