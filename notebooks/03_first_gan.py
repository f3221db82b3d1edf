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
# # 03 · The first GAN: training it, and its failures measured
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/gan-course/gan-course/blob/main/notebooks/03_first_gan.ipynb)
#
# **Learning goals.** After this notebook you can
# 1. write Algorithm 1 of Goodfellow et al. (2014) — $k$ discriminator steps, then one generator step — with the
#    right `detach`, and watch it fit a 1D and a 2D distribution;
# 2. say what the saturating generator loss does to training in practice, and why the optimiser matters;
# 3. measure mode collapse with the standard protocol (modes captured, high-quality samples, reverse KL) and
#    see the generator hop between modes;
# 4. explain why a GAN cannot learn discrete data through an argmax, and what a Gumbel-softmax relaxation changes;
# 5. list the strengths and weaknesses of GANs, each with a number from this notebook.
#
# **Prerequisites.** Lessons 00–02.
#
# **Time.** `smoke`: about 25 s · `cpu`: about 80 s on 2 CPU cores · `gpu`: not measured yet.

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
from scipy import stats

import gan_course
from gan_course import data, discrete, losses, metrics, theory, toy_gans, train, viz
from gan_course.models.gan import GANStep, MLPDiscriminator, MLPGenerator

# %% tags=["parameters"]
PROFILE = "auto"
SEED = 0

# %%
P = gan_course.profile(PROFILE)
DEVICE = gan_course.device()
if DEVICE.type == "cpu":
    torch.set_num_threads(1)  # these MLPs are tiny: one thread is as fast, and immune to a busy machine
STEPS_1D = P.pick(smoke=200, cpu=3000, gpu=3000)       # generator steps on the 1D mixture
STEPS_2D = P.pick(smoke=200, cpu=5000, gpu=10000)      # generator steps on the ring and on the grid
SNAPSHOT_EVERY = P.pick(smoke=50, cpu=250, gpu=500)    # steps between snapshots (animation, mode hopping)
STEPS_LOSSES = P.pick(smoke=200, cpu=3000, gpu=3000)   # saturating vs non-saturating runs
STEPS_DISCRETE = P.pick(smoke=100, cpu=2000, gpu=3000)  # the categorical GAN
GAME_STEPS = 300                                        # gradient steps on the bilinear game x * y
N_EVAL = 2500  # samples per mode-coverage evaluation (VEEGAN's and PacGAN's protocol)

gan_course.seed_everything(SEED)
gan_course.record("profile", P.name)
print(P)

# %% [markdown]
# ## 1. Algorithm 1, in code
#
# Goodfellow et al. (2014) train the two networks in turns. Each iteration:
#
# 1. **$k$ discriminator steps.** Draw $m$ real samples $x^{(i)}$ and $m$ noise vectors $z^{(i)}$; ascend
#    $\frac1m\sum_i \log D(x^{(i)}) + \log(1 - D(G(z^{(i)})))$ with respect to $D$'s parameters only.
# 2. **One generator step.** Draw fresh noise; descend the generator's loss with respect to $G$'s parameters
#    only — here the non-saturating $-\frac1m\sum_i \log D(G(z^{(i)}))$ (lesson 01, section 6).
#
# "With respect to $D$'s parameters only" is where most home-made GAN code goes wrong. In the D step the fake
# batch must be cut from $G$'s graph (`torch.no_grad()` or `.detach()`): otherwise the backward pass also
# computes gradients for $G$ — of the *discriminator's* loss, which is the opposite of what $G$ wants — and they
# end up in $G$'s next update unless they are cleared. In the G step the gradient must flow *through* $D$ into
# $G$, but $D$'s own parameters must not move. The two updates of the course's `GANStep`
# (`gan_course.models.gan`):

# %%
gan_course.show(GANStep.d_step)
gan_course.show(GANStep.g_step)

# %% [markdown]
# `train.train(step, batches, steps)` calls `step.d_step` `n_critic` $= k$ times, then `step.g_step` once, and
# repeats (lesson 01 shows it in full).
# First, the picture of the paper's Figure 1: the 1D data of lesson 00 (two Gaussians at ±2), a small MLP
# generator and discriminator, $k = 1$. Every `SNAPSHOT_EVERY` steps the loop stores G's samples for fixed
# noise and $D(x)$ on a grid (`viz.snapshot_1d`).

# %%
dist_1d = data.mixture_1d()  # 0.5 N(-2, 0.5^2) + 0.5 N(2, 0.5^2)


def vanilla_1d(g_loss=losses.nonsaturating_g_loss, optimizer="adam", steps=STEPS_1D, seed=SEED, callbacks=(),
               snapshot=None):
    """Train the 1D GAN of this lesson; returns (G, D, history)."""
    gan_course.seed_everything(seed)
    G = MLPGenerator(z_dim=8, data_dim=1, hidden=64, depth=2).to(DEVICE)
    D = MLPDiscriminator(data_dim=1, hidden=64, depth=2).to(DEVICE)
    if optimizer == "adam":
        d_opt = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))
        g_opt = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))
    else:  # plain gradient descent: the step is proportional to the gradient
        d_opt, g_opt = torch.optim.SGD(D.parameters(), lr=0.05), torch.optim.SGD(G.parameters(), lr=0.05)
    step = GANStep(G, D, d_opt, g_opt, d_loss=losses.minimax_d_loss, g_loss=g_loss, n_critic=1)
    history = train.train(step, dist_1d.batches(128, seed=seed, device=DEVICE), steps, callbacks=callbacks,
                          snapshot=snapshot, snapshot_every=SNAPSHOT_EVERY if snapshot else 0)
    return G, D, history


def w1_to_data(G, n=2000, seed=SEED) -> float:
    """Exact W1 between n samples of G and n samples of the 1D data."""
    with torch.no_grad():
        fake = G(torch.randn(n, G.z_dim, generator=torch.Generator().manual_seed(seed)).to(DEVICE)).cpu()
    return metrics.wasserstein1(fake, dist_1d.sample(n, torch.Generator().manual_seed(seed + 1)))


G_1d, _, history_1d = vanilla_1d(snapshot=viz.snapshot_1d(n=4000, seed=SEED))
w1_start = gan_course.record("w1_1d_start", metrics.wasserstein1(history_1d.snapshots[0][1]["fake"],
                                                                 dist_1d.sample(4000, torch.Generator().manual_seed(1))))
w1_end = gan_course.record("w1_1d_end", w1_to_data(G_1d))
gan_course.record("mode_split_1d", metrics.mode_fractions(history_1d.snapshots[-1][1]["fake"],
                                                          dist_1d.centers).tolist())
print(f"W1 to the data: {w1_start:.3f} at step 0 -> {w1_end:.3f} after {STEPS_1D} steps")

# %%
picks = np.linspace(0, len(history_1d.snapshots) - 1, 4).round().astype(int)
fig, axes = plt.subplots(1, 4, figsize=(16, 3.4), sharey=True)
for ax, i in zip(axes, picks):
    viz.plot_1d_snapshot(dist_1d, history_1d.snapshots[i], ax=ax)
plt.tight_layout()
plt.show()

# %% [markdown]
# Read the frames left to right as the paper's Figure 1 (a)–(d): $D$ (dashed) is high where the data has more
# mass than the generator and low where the generator has too much; $G$'s samples (green) move up $D$'s slope
# — towards the data — until both modes are covered and $D$ flattens towards ½. The whole run as an animation:

# %%
viz.animate(history_1d.snapshots, lambda ax, snap: viz.plot_1d_snapshot(dist_1d, snap, ax=ax), interval=200)

# %% [markdown]
# ## 2. Two dimensions: the ring of 8 and the grid of 25
#
# The standard toy sets for mode collapse (Metz et al. 2017; Srivastava et al. 2017; Lin et al. 2018): 8
# Gaussians of std 0.01 on a circle of radius 1, and 25 Gaussians of std 0.05 on a 5 × 5 grid with spacing 2.
# Same algorithm, with the benchmark's networks (`toy_gans`: 3 hidden layers of 128 units, 2D noise) and
# Adam at lr $10^{-3}$, $\beta_1 = 0.5$, batch 256: ten times the $10^{-4}$ of the benchmark's `gan` method,
# with which most samples are still off the modes after a few thousand steps. Lesson 05 tunes every method's
# rate by the same sweep and measures the difference the rate makes. The snapshots now keep 2,500 samples for fixed noise
# (`viz.snapshot_samples`).

# %%
ring, grid = data.ring_of_gaussians(), data.grid_of_gaussians()
VANILLA = toy_gans.METHODS["gan"].replace(lr=1e-3)
print(ring, grid, VANILLA, sep="\n")


def vanilla_2d(dist, steps=STEPS_2D, seed=SEED):
    """Algorithm 1 (k = 1, non-saturating loss) on a 2D toy set; returns (G, D, history with sample snapshots)."""
    gan_course.seed_everything(seed)
    G, D = toy_gans.build(VANILLA, dist.dim, DEVICE)
    d_opt = torch.optim.Adam(D.parameters(), lr=VANILLA.lr, betas=VANILLA.betas)
    g_opt = torch.optim.Adam(G.parameters(), lr=VANILLA.lr, betas=VANILLA.betas)
    history = train.train(GANStep(G, D, d_opt, g_opt), dist.batches(VANILLA.batch_size, seed=seed, device=DEVICE),
                          steps, snapshot=viz.snapshot_samples(N_EVAL, seed=seed), snapshot_every=SNAPSHOT_EVERY)
    return G, D, history


G_ring, _, history_ring = vanilla_2d(ring)
G_grid, _, history_grid = vanilla_2d(grid)

# %%
fig, axes = plt.subplots(2, 4, figsize=(16, 8))
for row, (dist, history) in enumerate([(ring, history_ring), (grid, history_grid)]):
    real = dist.sample(N_EVAL, torch.Generator().manual_seed(SEED))
    for ax, i in zip(axes[row], np.linspace(0, len(history.snapshots) - 1, 4).round().astype(int)):
        step, fake = history.snapshots[i]
        viz.plot_2d(real, fake, ax=ax, title=f"{dist.name}, step {step}")
plt.tight_layout()
plt.show()

# %% [markdown]
# The ring's training as an animation (black: data, green: 2,500 samples of G for the same noise in every frame):

# %%
ring_real = ring.sample(N_EVAL, torch.Generator().manual_seed(SEED))
viz.animate(history_ring.snapshots,
            lambda ax, snap: viz.plot_2d(ring_real, snap[1], ax=ax, lim=1.5, title=f"ring, step {snap[0]}"),
            interval=200, figsize=(5, 5))

# %% [markdown]
# ## 3. Saturating vs non-saturating loss, in practice
#
# Lesson 01 measured the gradients at one moment: when $D$ rejects the fakes, the saturating loss
# $\log(1 - D(G(z)))$ gives $G$ a gradient about a hundred times smaller than $-\log D(G(z))$. What does that do to
# a whole training run? Same seed, same networks, same data; only the generator's loss differs — and then the
# same pair again with plain gradient descent instead of Adam. W1 to the data every 100 steps:

# %%
def w1_curve(g_loss, optimizer):
    trace = []
    record_w1 = lambda s: trace.append((s.step, w1_to_data(s.model.G))) if s.step % 100 == 0 else None  # noqa: E731
    vanilla_1d(g_loss=g_loss, optimizer=optimizer, steps=STEPS_LOSSES, callbacks=[record_w1])
    return np.array(trace)


loss_runs = {(name, opt): w1_curve(g_loss, opt)
             for opt in ("sgd", "adam")
             for name, g_loss in (("saturating", losses.minimax_g_loss),
                                  ("non-saturating", losses.nonsaturating_g_loss))}


def first_step_below(trace, level=0.5):
    """The first step at which W1 fell below ``level`` (None if it never did)."""
    below = np.nonzero(trace[:, 1] < level)[0]
    return int(trace[below[0], 0]) if len(below) else None


fig, axes = plt.subplots(1, 2, figsize=(13, 4), sharey=True)
for ax, opt in zip(axes, ("sgd", "adam")):
    for name, color in (("saturating", "tab:orange"), ("non-saturating", "tab:green")):
        trace = loss_runs[(name, opt)]
        ax.plot(trace[:, 0], trace[:, 1], color=color, label=name)
        gan_course.record(f"w1_{opt}_{name}", trace[:, 1].tolist())
        gan_course.record(f"steps_to_w1_half_{opt}_{name}", first_step_below(trace))
    ax.set_title({"sgd": "plain gradient descent (lr 0.05)", "adam": "Adam (lr 2e-4, β1 = 0.5)"}[opt])
    ax.set_xlabel("generator step")
    ax.legend()
axes[0].set_ylabel("W1(G, data)")
gan_course.record("w1_trace_steps", loss_runs[("saturating", "sgd")][:, 0].tolist())
plt.show()
for (name, opt), trace in loss_runs.items():
    print(f"{opt:>5} {name:>15}: W1 < 0.5 first at step {first_step_below(trace)}, final W1 {trace[-1, 1]:.3f}")

# %% [markdown]
# With plain gradient descent the step is proportional to the gradient, and the saturating loss stalls: while
# $D$ confidently rejects the fakes, $G$ barely moves, and it takes far longer to reach the data than with the
# non-saturating loss. With Adam the gap mostly closes. Adam divides each parameter's step by a running
# root-mean-square of its gradient, so a consistently tiny gradient still makes a full-size step: the
# optimiser hides the saturation (it cannot hide a gradient that is zero, or drowned in noise). The
# non-saturating loss is still the standard choice: it does not depend on that rescue.

# %% [markdown]
# ## 4. Mode collapse, measured
#
# Look back at the grid in section 2: the generator covers some of the 25 modes and ignores others, and
# samples between modes are wasted. To compare methods this needs numbers. VEEGAN (Srivastava et al. 2017)
# and PacGAN (Lin et al. 2018) use one protocol: draw 2,500 samples; a sample is of **high quality** if it
# lies within 3 standard deviations of its nearest mode; a mode is **captured** if it is the nearest mode of
# at least one high-quality sample; and the **reverse KL** $\mathrm{KL}(\hat p \,\|\, u)$ compares the histogram
# $\hat p$ of the high-quality samples over the modes with the uniform $u$: 0 when every mode gets the same
# share, $\log K$ when one mode gets everything.

# %%
gan_course.show(metrics.mode_coverage)

# %%
coverage = {name: toy_gans.evaluate(G, dist, seed=SEED)
            for name, G, dist in (("ring", G_ring, ring), ("grid", G_grid, grid))}
for name, cov in coverage.items():
    gan_course.record(f"{name}_modes", cov.modes)
    gan_course.record(f"{name}_hq_percent", 100 * cov.hq_fraction)
    gan_course.record(f"{name}_reverse_kl", cov.reverse_kl)
    print(f"vanilla GAN, {name}, {STEPS_2D} steps: {cov}")

# %% [markdown]
# For comparison, the GAN rows of the two papers' Table 1: VEEGAN reports 1 mode / 99.3% high quality on the
# ring and 3.3 / 0.5% on the grid; PacGAN, with a better-tuned GAN, 6.3 / 98.2% and 17.3 / 94.8% (both average
# over many runs; our numbers above are one seed). Lesson 04 runs the full benchmark.
#
# ### Mode hopping
#
# The final numbers hide the dynamics. Apply the same measurement to every snapshot: the heatmap shows the
# share of high-quality samples at each mode, snapshot by snapshot. A dark cell in a row that was bright
# before is a mode that was lost.

# %%
def modes_over_training(history, dist):
    """Steps, and high-quality counts per mode (T, K), for every snapshot of a run."""
    steps = [step for step, _ in history.snapshots]
    counts = np.array([metrics.mode_coverage(fake, dist.centers, dist.std).counts for _, fake in history.snapshots])
    return steps, counts


def mode_losses(counts, held=0.01):
    """How often a mode that held >= ``held`` of the samples at one snapshot dropped below it at the next."""
    holding = counts >= held * N_EVAL  # (T, K)
    return int((holding[:-1] & ~holding[1:]).sum())


fig, axes = plt.subplots(2, 1, figsize=(11, 8.5), gridspec_kw={"height_ratios": [1, 2]})
for ax, (name, history, dist) in zip(axes, (("ring", history_ring, ring), ("grid", history_grid, grid))):
    steps, counts = modes_over_training(history, dist)
    lost = gan_course.record(f"{name}_mode_losses", mode_losses(counts))
    gan_course.record(f"{name}_modes_over_training", [int((c > 0).sum()) for c in counts])
    viz.plot_mode_hopping(steps, counts, ax=ax, title=f"{name}: share of the samples at each mode "
                                                      f"({lost} times a mode holding ≥ 1% was dropped)")
plt.tight_layout()
plt.show()

# %% [markdown]
# The generator does not find all modes and then keep them: modes appear, grow and are dropped again (the
# counts in the titles say how often a mode holding at least 1% of the samples lost it between two
# snapshots). Section 2's loop alternates single steps, so neither player ever reaches its best response,
# and the minimax game of lesson 01 is not what is being solved. The next section gives two reasons,
# each measured.
#
# ### Why: a mode-seeking objective, and a game that need not converge
#
# **The objective seeks modes.** Lesson 01 assumed the inner $\max_D$ is solved before $G$ moves
# ($\min_G \max_D$). Gradient play does not know the order; in the other order, $\max_D \min_G$, $G$ answers a
# fixed $D$ by sending *every* $z$ to the one point $D$ rates most real, which is full collapse
# (Goodfellow 2016, NIPS tutorial, Section 5.1.1). Even in the right order the generator's loss matters:
# against the optimal $D$, the non-saturating loss $-\log D(G(z))$ has the gradient of
# $\mathrm{KL}(p_g \,\|\, p_{data}) - 2\,\mathrm{JSD}(p_{data} \,\|\, p_g)$ (Arjovsky & Bottou 2017, Theorem 2.5).
# $\mathrm{KL}(p_g \| p_{data})$ is the *reverse* KL: it is huge where $p_g$ puts mass that $p_{data}$ lacks and
# barely cares where $p_g$ misses mass that $p_{data}$ has, so dropping a mode is cheap and sitting between modes
# is expensive. Maximum likelihood minimises the *forward* $\mathrm{KL}(p_{data} \,\|\, p_g)$, with the opposite
# preference. Fit one Gaussian $\mathcal N(\mu, \sigma^2)$ to the two-mode mixture of section 1 under each
# objective (quadrature for the divergences, a numerical minimiser for $\mu, \sigma$):

# %%
gan_course.show(theory.fit_gaussian)

# %%
p_two = theory.density_of(dist_1d)
fits = {objective: theory.fit_gaussian(p_two, objective, start=(0.5, 1.0), lo=-12, hi=12)
        for objective in ("forward", "reverse", "gan")}
gap = lambda mu, sigma: float(stats.norm.cdf(1, mu, sigma) - stats.norm.cdf(-1, mu, sigma))  # mass in |x| < 1
gan_course.record("kl_fits", {k: dict(mu=mu, sigma=sigma, gap_mass=gap(mu, sigma)) for k, (mu, sigma) in fits.items()})
gan_course.record("kl_fit_data_gap_mass", gap(-2, 0.5))  # the data's own mass in |x| < 1 (half from each mode)
gan_course.record("gan_1d_gap_mass", float((history_1d.snapshots[-1][1]["fake"].abs() < 1).float().mean()))
for objective, (mu, sigma) in fits.items():
    print(f"{objective:>8}: mu = {mu:+.3f}, sigma = {sigma:.3f};  mass between the modes (|x| < 1): {gap(mu, sigma):.1%}")
print(f"    data: modes at -2 and +2 with sigma 0.5;  mass between the modes: {gap(-2, 0.5):.1%}")
x_fit = np.linspace(-6, 6, 600)
fig, ax = plt.subplots(figsize=(9, 3.4))
ax.fill_between(x_fit, p_two(x_fit), color="black", alpha=0.15, label="$p_{data}$")
for (objective, (mu, sigma)), style in zip(fits.items(), ("-", "--", ":")):
    ax.plot(x_fit, stats.norm.pdf(x_fit, mu, sigma), style, lw=2, label=f"{objective}: $\\mu$={mu:+.2f}, $\\sigma$={sigma:.2f}")
ax.set_xlabel("x")
ax.legend()
plt.show()

# %% [markdown]
# The forward fit is the moment match ($\mu = 0$, $\sigma = \sqrt{0.5^2 + 2^2} \approx 2.06$): it covers both modes
# and puts a third of its mass in the empty gap between them. The reverse fit and the GAN's objective both land
# on *one* mode with the mode's own width and no more in the gap than the data has: sharp, and half the data
# dropped. By symmetry the mode at $-2$ is an equally good minimum. A GAN's generator is
# far more flexible than one Gaussian, but the pull is the same: a sample off the data costs more than a mode
# left out.
#
# **The game need not converge.** Take the simplest zero-sum game, $\min_x \max_y\, xy$. Its only *Nash
# equilibrium* (a point where neither player gains by moving alone) is $(0, 0)$. The GAN's equilibrium of
# lesson 01, $p_g = p_{data}$ with $D = \frac12$, is the same kind of point: a saddle of $V$, a minimum for $G$ and
# a maximum for $D$. Gradient play on $xy$ with step 0.1 from $(1, 1)$, three ways:

# %%
gan_course.show(theory.bilinear_game)

# %%
game = {method: theory.bilinear_game(method, lr=0.1, steps=GAME_STEPS) for method in
        ("simultaneous", "alternating", "extragradient")}
radius = {method: np.hypot(*path.T) for method, path in game.items()}
gan_course.record("bilinear_final_radius", {method: float(r[-1]) for method, r in radius.items()})
gan_course.record("bilinear_start_radius", float(radius["alternating"][0]))
fig, axes = plt.subplots(1, 2, figsize=(12, 4.6))
for method, path in game.items():
    axes[0].plot(*path.T, lw=1, label=method)
    axes[1].semilogy(radius[method], label=method)
axes[0].plot(0, 0, "k*", ms=12, label="Nash equilibrium")
axes[0].set(xlabel="x (the minimiser)", ylabel="y (the maximiser)", xlim=(-4, 4), ylim=(-4, 4), aspect="equal")
axes[1].set(xlabel="step", ylabel="distance to (0, 0)")
axes[0].legend(fontsize=8)
axes[1].legend(fontsize=8)
plt.show()
for method, r in radius.items():
    print(f"{method:>13}: distance to the equilibrium {r[0]:.3f} -> {r[-1]:.3g} after {GAME_STEPS} steps")

# %% [markdown]
# Simultaneous steps spiral *outwards*: each multiplies the distance by $\sqrt{1 + 0.1^2}$. Alternating steps,
# Algorithm 1's order, circle for ever at about the starting distance: they neither escape nor arrive, which is
# what mode hopping looks like in the space of one parameter per player. Each player's gradient points
# *around* the equilibrium, not *at* it. Extragradient (each player takes its gradient at a trial step ahead)
# turns the spiral inwards, towards the equilibrium (the distances are printed above). Optimistic and extragradient methods (Daskalakis et al. 2018; Gidel et al. 2019), a
# gradient penalty on $D$ (Mescheder, Geiger & Nowozin 2018) and simply averaging $G$'s weights over time all
# aim at this rotation.

# %% [markdown]
# ## 5. Discrete data
#
# Real text, notes or categories are discrete: one-hot vectors. A generator ends in a softmax that gives
# probabilities, and to emit a sample it must pick a category — by argmax, say. Two generators with the
# softmax outputs $(0.2, 0.3, 0.1, 0.2, 0.15, 0.05)$ and $(0.2, 0.25, 0.2, 0.1, 0.15, 0.1)$ emit the **same**
# one-hot vector: $D$ sees identical inputs and gives identical verdicts, so it cannot tell $G$ which way to move
# its probabilities. Check it, and measure the derivative:

# %%
probs_a = torch.tensor([0.2, 0.3, 0.1, 0.2, 0.15, 0.05])
probs_b = torch.tensor([0.2, 0.25, 0.2, 0.1, 0.15, 0.1])
one_hot_a, one_hot_b = discrete.one_hot_argmax(probs_a[None]), discrete.one_hot_argmax(probs_b[None])
print("one-hot of a:", one_hot_a.tolist(), " one-hot of b:", one_hot_b.tolist())
gan_course.record("discrete_same_one_hot", bool(torch.equal(one_hot_a, one_hot_b)))

gan_course.seed_everything(SEED)
D_discrete = MLPDiscriminator(data_dim=6, hidden=32, depth=2)
logits = torch.log(probs_a).requires_grad_(True)  # the generator's output layer
verdict = D_discrete(discrete.one_hot_argmax(logits[None]))
(grad,) = torch.autograd.grad(verdict.sum(), logits, allow_unused=True)  # None: no path from logits to verdict
print("gradient of D's verdict with respect to the logits:", grad)
gan_course.record("discrete_argmax_has_gradient", grad is not None)

# Finite differences: nudge every logit in both directions and watch D's verdict.
eps = 1e-3
slopes = []
for i in range(6):
    nudge = torch.zeros(6)
    nudge[i] = eps
    with torch.no_grad():
        up = D_discrete(discrete.one_hot_argmax((logits + nudge)[None]))
        down = D_discrete(discrete.one_hot_argmax((logits - nudge)[None]))
    slopes.append(((up - down) / (2 * eps)).item())
gan_course.record("discrete_argmax_slopes", slopes)
print("d verdict / d logit_i by finite differences:", slopes)

# %% [markdown]
# The argmax has no gradient path (autograd returns `None`), and nudging the probabilities changes nothing at all:
# the derivative is exactly zero almost everywhere — only at ties does the output jump. Gradient descent
# cannot move such a generator.
#
# **A relaxation.** The Gumbel-softmax (Jang et al. 2017; Maddison et al. 2017) samples a category by adding
# Gumbel noise $g_i = -\log(-\log u_i)$ to the logits $l_i$; the argmax of $l + g$ is an exact sample of the
# softmax distribution. Replacing that argmax by $\mathrm{softmax}((l + g)/\tau)$ gives a *relaxed* sample,
# differentiable in $l$, that approaches a one-hot vector as the temperature $\tau \to 0$. The
# **straight-through** variant outputs the hard one-hot vector in the forward pass and uses the relaxed
# sample's gradient in the backward pass. `discrete.CategoricalGenerator` offers all three outputs:

# %%
gan_course.show(discrete.CategoricalGenerator.forward)

# %% [markdown]
# Train a GAN on a categorical distribution over 6 categories with each differentiable output and the package
# loop, and measure how far the generated category frequencies are from the data (total variation distance).
# (The argmax generator is left out: with no gradient its parameters never change; its distance stays where it
# started.)

# %%
target = discrete.Categorical([0.05, 0.10, 0.15, 0.20, 0.25, 0.25])


def categorical_gan(output, steps=STEPS_DISCRETE, seed=SEED):
    gan_course.seed_everything(seed)
    G = discrete.CategoricalGenerator(target.dim, output=output, tau=1.0).to(DEVICE)
    D = MLPDiscriminator(data_dim=target.dim, hidden=64, depth=2).to(DEVICE)
    before = G.frequencies().cpu()
    step = GANStep(G, D, torch.optim.Adam(D.parameters(), lr=1e-3, betas=(0.5, 0.999)),
                   torch.optim.Adam(G.parameters(), lr=1e-3, betas=(0.5, 0.999)))
    train.train(step, target.batches(256, seed=seed, device=DEVICE), steps, progress=False)
    return before, G.frequencies().cpu(), G


tv = lambda f: 0.5 * (f - target.probs).abs().sum().item()  # noqa: E731  total variation distance
frequencies = {}
for output in ("gumbel", "straight-through"):
    before, after, G_cat = categorical_gan(output)
    frequencies[output] = after
    gan_course.record(f"discrete_tv_before_{output}", tv(before))
    gan_course.record(f"discrete_tv_after_{output}", tv(after))
    gan_course.record(f"discrete_frequencies_{output}", after.tolist())
    print(f"{output:>16}: TV to the data {tv(before):.3f} at the start -> {tv(after):.3f}; "
          f"frequencies {[round(f, 3) for f in after.tolist()]}")
with torch.no_grad():
    soft = discrete.CategoricalGenerator(target.dim, output="gumbel").to(DEVICE)
    soft.load_state_dict(G_cat.state_dict())  # the straight-through generator's weights, relaxed output
    gan_course.record("discrete_relaxed_max_mean", soft(soft.sample_z(1000)).max(dim=1).values.mean().item())

x = np.arange(target.dim)
plt.figure(figsize=(8, 3.5))
plt.bar(x - 0.27, target.probs, width=0.27, color=viz.DATA_COLOR, label="data")
for shift, (output, f) in zip((0.0, 0.27), frequencies.items()):
    plt.bar(x + shift, f, width=0.27, alpha=0.8, label=f"G, {output} (TV {tv(f):.3f})")
plt.xlabel("category")
plt.ylabel("frequency")
plt.legend()
plt.title("a GAN on categorical data")
plt.show()

# %% [markdown]
# The relaxation restores a gradient, but the plain Gumbel-softmax sample is never exactly one-hot while the
# real data always is: the discriminator separates the two by their *shape*, and the generator answers by
# making its samples as sharp as it can — pushing its logits apart until it emits one or two categories almost
# deterministically. The frequencies end up further from the data than where they started. The
# straight-through generator shows $D$ exact one-hot vectors, so $D$ can only judge *which* categories come
# out and how often, and the frequencies move to the data. (For text, this is only the start: sequence GANs
# need far more, e.g. reinforcement-learning gradients as in SeqGAN, Yu et al. 2017.)

# %% [markdown]
# ## 6. Strengths and weaknesses, each with a number from this notebook

# %%
r = gan_course.report.results()
rows = [
    ("strength", "no density needed: G is any network, trained from samples alone",
     f"1D: W1 {r['w1_1d_start']:.2f} -> {r['w1_1d_end']:.3f} in {STEPS_1D} steps"),
    ("strength", "samples on the data, not between its modes",
     f"1D: {100 * r['gan_1d_gap_mass']:.1f}% in the gap (data {100 * r['kl_fit_data_gap_mass']:.1f}%, max. "
     f"likelihood Gaussian {100 * r['kl_fits']['forward']['gap_mass']:.0f}%)"),
    ("weakness", "mode collapse and mode hopping",
     f"grid: {r['grid_modes']}/25 modes; {r['grid_mode_losses']} modes dropped during training"),
    ("weakness", "the saturating loss stalls G when D wins (plain gradient descent)",
     f"W1 < 0.5 at step {r['steps_to_w1_half_sgd_saturating']} vs {r['steps_to_w1_half_sgd_non-saturating']}"),
    ("weakness", "no gradient through discrete samples",
     f"argmax: d verdict / d logit = {max(abs(s) for s in r['discrete_argmax_slopes']):.1f}"),
]
for kind, claim, evidence in rows:
    print(f"{kind:<9} {claim:<64} {evidence}")

# %% [markdown]
# ## 7. Exercises
#
# Each exercise is followed by a check cell. Run it: it prints a pass message or tells you which case failed,
# what it expected and what it received.
#
# **Exercise 1 (3 points). One training step.** Write one iteration of Algorithm 1 with $k = 1$: first update D
# with `losses.minimax_d_loss(D(real), D(fake))`, where `fake = G(z)` must not pass D's gradient on to G; then
# update G with `losses.nonsaturating_g_loss(D(G(z)))`, through the *updated* D. Use the same `z` for both.
# Zero each optimizer's gradients before its backward pass. Return the two losses as numbers.

# %% nbgrader={"grade": false, "grade_id": "training_step", "locked": false, "schema_version": 3, "solution": true, "task": false}
def training_step(G, D, d_opt, g_opt, real: torch.Tensor, z: torch.Tensor) -> tuple[float, float]:
    """One D update, then one G update; returns (d_loss, g_loss) as floats."""
    ### BEGIN SOLUTION
    fake = G(z).detach()  # D's update must not reach G
    d_loss = losses.minimax_d_loss(D(real), D(fake))
    d_opt.zero_grad()
    d_loss.backward()
    d_opt.step()

    g_loss = losses.nonsaturating_g_loss(D(G(z)))
    g_opt.zero_grad()
    g_loss.backward()
    g_opt.step()
    return d_loss.item(), g_loss.item()
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "check_training_step", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
gan_course.checks.training_step(training_step)

# %% [markdown]
# **Exercise 2 (3 points). Mode coverage.** Implement the protocol of section 4 for samples (N, d), mode centres
# (K, d) and the modes' standard deviation: return `(modes, hq_fraction, reverse_kl)` — the number of captured
# modes, the fraction of high-quality samples (within 3 std of the nearest centre) and
# $\mathrm{KL}(\hat p \,\|\, \text{uniform})$ of the high-quality samples' histogram over the K modes, in nats
# ($0 \log 0 = 0$). When no sample is of high quality, return `math.inf` for the reverse KL.
# (`torch.cdist` gives all distances at once.)

# %% nbgrader={"grade": false, "grade_id": "mode_coverage", "locked": false, "schema_version": 3, "solution": true, "task": false}
def mode_coverage(samples: torch.Tensor, centers: torch.Tensor, std: float) -> tuple[int, float, float]:
    """(modes captured, high-quality fraction, reverse KL to the uniform over the modes)."""
    ### BEGIN SOLUTION
    distances = torch.cdist(samples.double(), centers.double())  # (N, K)
    nearest_distance, nearest = distances.min(dim=1)  # (N,), (N,)
    high_quality = nearest_distance <= 3 * std
    counts = torch.bincount(nearest[high_quality], minlength=len(centers)).double()  # (K,)
    if counts.sum() == 0:
        return 0, 0.0, math.inf
    share = counts / counts.sum()
    reverse_kl = (torch.xlogy(share, share) - share * math.log(1 / len(centers))).sum().item()
    return int((counts > 0).sum()), high_quality.double().mean().item(), reverse_kl
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "check_mode_coverage", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
gan_course.checks.mode_coverage(mode_coverage)

# %% [markdown]
# **Exercise 3 (2 points, open). All eight modes of the ring.** The benchmark's plain GAN
# (`toy_gans.METHODS["gan"]`: Adam at the paper's $10^{-4}$, $\beta_1 = 0.5$) trained on the ring for 4,000
# generator steps collapses onto a few modes. Choose its learning rate and when it starts to decay linearly to 0
# (`decay_from`: 1.0 never, 0.5 from half-way), so that it captures all 8 modes with at least 80% of its
# samples of high quality. The check trains it from seed 0 (about 20 s) and grades the outcome.

# %% nbgrader={"grade": false, "grade_id": "ring_settings", "locked": false, "schema_version": 3, "solution": true, "task": false}
def ring_settings() -> dict:
    """The learning rate and the start of its decay for the plain GAN on the ring."""
    ### BEGIN SOLUTION
    return {"lr": 1e-3, "decay_from": 0.5}
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "check_ring_settings", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
gan_course.checks.ring_gan(ring_settings)

# %% [markdown]
# ## Summary
#
# * Algorithm 1 is two updates with a `detach` between them; with it, a small GAN fits the 1D mixture and
#   finds modes of the ring and the grid.
# * The saturating loss stalls training under plain gradient descent; Adam's rescaling hides most of it.
# * Mode collapse is measurable: modes captured, high-quality fraction, reverse KL. The generator also hops
#   between modes during training.
# * An argmax blocks every gradient; the Gumbel-softmax relaxation restores one, and only the straight-through
#   version keeps D from telling real and fake apart by their shape.
#
# The numbers this run recorded:

# %%
for key, value in gan_course.report.results().items():
    if not isinstance(value, list) or len(value) <= 8:
        print(f"{key:>40}: {value}")

# %% [markdown]
# **Next:** `04_wgan` replaces the discriminator by a critic that estimates the Wasserstein distance, adds
# the gradient penalty and spectral normalisation, and runs the mode-coverage benchmark against the published
# tables.
#
# **References.** Goodfellow et al. (2014), *Generative adversarial nets*, NeurIPS. Metz, Poole, Pfau &
# Sohl-Dickstein (2017), *Unrolled generative adversarial networks*, ICLR. Srivastava, Valkov, Russell, Gutmann &
# Sutton (2017), *VEEGAN: Reducing mode collapse in GANs using implicit variational learning*, NeurIPS. Lin,
# Khetan, Fanti & Oh (2018), *PacGAN: The power of two samples in generative adversarial networks*, NeurIPS.
# Jang, Gu & Poole (2017), *Categorical reparameterization with Gumbel-softmax*, ICLR. Maddison, Mnih & Teh
# (2017), *The concrete distribution*, ICLR. Yu, Zhang, Wang & Yu (2017), *SeqGAN*, AAAI.
