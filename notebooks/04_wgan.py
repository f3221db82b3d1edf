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
# # 04 · Wasserstein GANs: the critic, weight clipping and the gradient penalty
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/gan-course/gan-course/blob/main/notebooks/04_wgan.ipynb)
#
# **Learning goals.** After this notebook you can
# 1. name the four changes that turn a GAN into a WGAN (Arjovsky, Chintala & Bottou 2017) and say why
#    each is there;
# 2. test whether a critic's loss is a progress meter, by measuring it against the exact $W_1$ during
#    training, and say when it is one and when it is not;
# 3. explain how weight clipping and the gradient penalty (Gulrajani et al. 2017) shape the critic, and
#    why the penalty's gradient norm is taken per sample, not per pixel;
# 4. say when the GAN's discriminator loss reads the JS divergence and when lesson 02's constant $2\log 2$
#    applies.
#
# **Prerequisites.** Lesson 02 (the Wasserstein distance, the Kantorovich–Rubinstein duality and the two
# critics of its section 5) and lesson 03 (the training loop, the ring and the grid, mode coverage).
#
# **Time.** `smoke`: about 15 s · `cpu`: about 3 min on 2 CPU cores · `gpu`: not measured yet (the networks
# are tiny, so a GPU is not faster per step; the `gpu` profile runs as `cpu` does).


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
import time
from collections import defaultdict

import matplotlib.pyplot as plt
import numpy as np
import torch

import gan_course
from gan_course import data, losses, metrics, toy_gans, train, viz
from gan_course.models.gan import fit_discriminator
from gan_course.models.wgan import WGANStep, clip_weights

# %% [markdown]
# ## Parameters
# `PROFILE = "auto"` picks `gpu` with CUDA and `cpu` otherwise (`GAN_COURSE_PROFILE` overrides it);
# the sizes are derived in the cell after it.

# %% tags=["parameters"]
PROFILE = "auto"
SEED = 0

# %%
P = gan_course.profile(PROFILE)
DEVICE = gan_course.device()
# Generator steps of the GAN and the WGAN-GP of section 2: the cpu budget of the mode-coverage benchmark
# (toy_gans.BUDGET, lesson 05), so that these are the benchmark's runs at the papers' learning rates.
BENCH_STEPS = toy_gans.steps_for(P.pick(smoke="smoke", cpu="cpu", gpu="cpu"))
WGAN_STEPS = P.pick(smoke=60, cpu=4000, gpu=4000)  # the clipped WGAN of the progress meter
GAN_STEPS = BENCH_STEPS
GP_STEPS = BENCH_STEPS
METER_EVERY = P.pick(smoke=10, cpu=200, gpu=200)  # generator steps between readings of the progress meter
GP_METER_EVERY = P.pick(smoke=5, cpu=400, gpu=400)  # each WGAN-GP reading trains a fresh critic: read less often
N_W1 = P.pick(smoke=300, cpu=1000, gpu=1000)  # samples per side for POT's exact W1
N_READ = P.pick(smoke=2000, cpu=10_000, gpu=10_000)  # fresh samples per side for a critic's reading
FRESH_CRITIC_STEPS = P.pick(smoke=20, cpu=500, gpu=500)  # updates of a critic trained afresh for one reading
FRESH_D_STEPS = P.pick(smoke=50, cpu=3000, gpu=3000)  # updates of a GAN discriminator trained to convergence
SCHEDULE_G_STEPS = P.pick(smoke=2, cpu=25, gpu=25)  # the WGAN authors' code: 100 critic updates before each
                                                    # of the first 25 G steps ...
RESYNC_EVERY = 500  # ... and again every 500 G steps
FREE_CHECKPOINTS = P.pick(smoke=[0, 25, 50, 100], cpu=[0, 100, 200, 400, 800], gpu=[0, 100, 200, 400, 800])
if DEVICE.type == "cpu":
    # The networks here are tiny: one thread is faster, and two threads that wait on each other can
    # be slowed down many times over inside a Jupyter kernel on a 2-core machine.
    torch.set_num_threads(1)

gan_course.seed_everything(SEED)
gan_course.record("profile", P.name)
print(P)
print(gan_course.runtime.describe_machine())
ring, grid = data.ring_of_gaussians(), data.grid_of_gaussians()
print(ring, grid, sep="\n")

# %% [markdown]
# ## 1. From GAN to WGAN: four changes
#
# Lesson 02 ended with the Kantorovich–Rubinstein duality: the earth mover's distance is the largest gap
# in expected score that a 1-Lipschitz function can put between the two distributions,
#
# $$W_1(P_r, P_g) = \sup_{\|f\|_L \le 1}\; \mathbb E_{x \sim P_r}[f(x)] - \mathbb E_{x \sim P_g}[f(x)].$$
#
# A WGAN (Arjovsky, Chintala & Bottou 2017) trains a network $f$, the **critic**, to approximate the best
# $f$, and the generator to make the gap small, $\min_G \max_{\|f\|_L \le K} \mathbb E_r f - \mathbb E_{z} f(G(z))$.
# Compared with the GAN of lessons 01 and 03, four things change (the paper's Algorithm 1):
#
# 1. **No sigmoid in the critic's last layer.** $f(x)$ is a score on the real line, not the probability
#    that $x$ is real. (The course's `MLPDiscriminator` already ends in a plain linear layer: for a GAN
#    the sigmoid lives inside the loss, for a WGAN it is simply not there.)
# 2. **No log in the losses.** The critic minimises $\mathbb E_g f - \mathbb E_r f$, the generator
#    minimises $-\mathbb E_z f(G(z))$.
# 3. **The critic's weights are clipped to $[-c, c]$ after every critic update**, $c = 0.01$: a crude way
#    to keep $f$ $K$-Lipschitz for *some* $K$ that depends on $c$ and the architecture. Without it the
#    critic could scale itself up and the gap would grow without bound.
# 4. **No momentum-based optimiser**: RMSProp at learning rate $5\cdot 10^{-5}$. The authors report that
#    Adam made training unstable with clipping (their Section 3).
#
# The other defaults of Algorithm 1: $n_{critic} = 5$ critic updates per generator update, batch 64.
# The course's losses (change 2):

# %%
gan_course.show(losses.wasserstein_d_loss)
gan_course.show(losses.wasserstein_g_loss)

# %% [markdown]
# and the clipped critic update (change 3): `WGANStep` (`gan_course.models.wgan`) is the GAN's step with these
# losses, whose critic update clips every weight afterwards:

# %%
gan_course.show(clip_weights)
gan_course.show(WGANStep.d_step)

# %% [markdown]
# The benchmark's WGAN (`toy_gans.METHODS["wgan"]`) holds exactly these settings:

# %%
WGAN, GP, GAN = toy_gans.METHODS["wgan"], toy_gans.METHODS["wgan-gp"], toy_gans.METHODS["gan"]
print(WGAN)
gan_course.record("wgan_defaults", dict(optimizer=WGAN.optimizer, lr=WGAN.lr, clip=WGAN.clip,
                                        n_critic=WGAN.n_critic, batch_size=WGAN.batch_size))

# %% [markdown]
# Why change 3 (or some other constraint) is needed at all: without one, the critic's best move is to scale
# itself up. A critic with no constraint, trained (with Adam, to be quick) against a fixed generator, the
# untrained one, whose samples sit in a small cloud at the centre of the ring:

# %%
def score_gap(critic, real, fake) -> float:
    """E_real f - E_fake f: the negated critic loss, on the given samples."""
    with torch.no_grad():
        return (critic(real).mean() - critic(fake).mean()).item()


gan_course.seed_everything(SEED)
G_fixed, free_critic = toy_gans.build(WGAN, ring.dim, DEVICE)
free_opt = torch.optim.Adam(free_critic.parameters(), lr=1e-3)
fixed_fakes = iter(lambda: G_fixed(G_fixed.sample_z(256)).detach(), None)
free_real = ring.batches(256, seed=SEED + 2, device=DEVICE)
gen_free = torch.Generator().manual_seed(SEED + 3)
eval_real = ring.sample(2000, gen_free).to(DEVICE)
with torch.no_grad():
    eval_fake = G_fixed(torch.randn(2000, 2, generator=gen_free).to(DEVICE))
free_w1 = gan_course.record("free_critic_exact_w1",
                            metrics.wasserstein1(eval_real[:N_W1].cpu(), eval_fake[:N_W1].cpu()))
free_gaps, done = [], 0
for checkpoint in FREE_CHECKPOINTS:
    fit_discriminator(free_critic, free_real, fixed_fakes, steps=checkpoint - done, d_opt=free_opt,
                      d_loss=losses.wasserstein_d_loss)
    done = checkpoint
    free_gaps.append(score_gap(free_critic, eval_real, eval_fake))
    print(f"after {checkpoint:>4} updates: E_r f - E_g f = {free_gaps[-1]:.4g}   (exact W1 {free_w1:.3f})")
gan_course.record("free_critic_steps", FREE_CHECKPOINTS)
gan_course.record("free_critic_gaps", free_gaps)
gan_course.record("free_critic_lipschitz", metrics.lipschitz_estimate(free_critic, eval_real, eval_fake))

# %% [markdown]
# The gap passes the exact $W_1$ within the first hundred updates and then grows by more than an order of
# magnitude with every doubling of the updates: without a constraint, the critic's loss measures how far
# it has scaled itself up, not how far apart the distributions are.

# %% [markdown]
# ## 2. The critic's loss as a progress meter
#
# A GAN's losses are known to say little about how good its samples are (the third panel below measures
# that too). The WGAN paper's central practical claim (their Section 4.2) is that the
# critic's negated loss, $\mathbb E_r f - \mathbb E_g f$, **estimates $W_1$** (times $K$), so it should fall
# as the samples get better. On a toy set we can test that claim directly: POT computes the exact $W_1$
# between generated and real samples (`metrics.wasserstein1`, lesson 02), so we can put the two side by side.
#
# A `Meter` is a callback for `train.train`: every few generator steps it draws fresh real and generated
# samples, computes the exact $W_1$ between them, and asks a `read` function what the current critic (or
# discriminator) says. It uses its own random-number generator, so the training run is exactly the one it
# would be without the meter.

# %%
class Meter:
    """A train.train callback: every `every` generator steps, the exact W1 between fresh generated and real
    samples of `dist`, and whatever `read(G, D, real, fake)` returns (a dict of numbers)."""

    def __init__(self, dist, read, every: int, seed: int):
        self.dist, self.read, self.every = dist, read, every
        self.gen = torch.Generator().manual_seed(seed)  # its own random numbers: training is unchanged
        self.steps, self.w1, self.readings, self.seconds = [], [], defaultdict(list), 0.0

    def __call__(self, state: train.TrainState) -> None:
        if state.step != 1 and state.step % self.every and state.step != state.steps:
            return
        start = time.perf_counter()
        real = self.dist.sample(N_READ, self.gen).to(DEVICE)  # (N_READ, 2)
        G, D = state.model.G, state.model.D
        z = torch.randn(N_READ, G.z_dim, generator=self.gen).to(DEVICE)
        with torch.no_grad():
            fake = G(z)  # (N_READ, 2)
        self.steps.append(state.step)
        self.w1.append(metrics.wasserstein1(real[:N_W1].cpu(), fake[:N_W1].cpu()))
        for key, value in self.read(G, D, real, fake).items():
            self.readings[key].append(value)
        self.seconds += time.perf_counter() - start

    def correlation(self, key: str, skip: int = 0) -> float:
        """Pearson's r between a reading and the exact W1 over the run (leaving out the first `skip` readings)."""
        return float(np.corrcoef(self.readings[key][skip:], self.w1[skip:])[0, 1])

# %% [markdown]
# ### WGAN with weight clipping
# The paper's settings on the ring of 8 Gaussians, with one detail from the authors' published code: the
# critic is trained 100 times (instead of 5) before each of the first 25 generator steps and before every
# 500th, so that it starts close to the best clipped critic and catches up now and then. A `train.train`
# callback adds those extra updates with `fit_discriminator`.

# %%
gan_course.seed_everything(SEED)
G_clip, critic_clip = toy_gans.build(WGAN, ring.dim, DEVICE)
clip_weights(critic_clip, WGAN.clip)  # start inside the box, as after every update
critic_clip_opt = torch.optim.RMSprop(critic_clip.parameters(), lr=WGAN.lr)  # change 4: no momentum
g_clip_opt = torch.optim.RMSprop(G_clip.parameters(), lr=WGAN.lr)
extra_real = ring.batches(WGAN.batch_size, seed=SEED + 1, device=DEVICE)


def catch_up(G, critic, updates: int = 100 - WGAN.n_critic) -> None:
    """Extra clipped critic updates against the current generator (the authors' schedule)."""
    fakes = iter(lambda: G(G.sample_z(WGAN.batch_size)).detach(), None)
    fit_discriminator(critic, extra_real, fakes, steps=updates, d_opt=critic_clip_opt,
                      d_loss=losses.wasserstein_d_loss, after_step=lambda c: clip_weights(c, WGAN.clip))


def authors_schedule(state: train.TrainState) -> None:
    if state.step < SCHEDULE_G_STEPS or state.step % RESYNC_EVERY == 0:
        catch_up(state.model.G, state.model.D)


meter_clip = Meter(ring, lambda G, D, real, fake: {"critic": score_gap(D, real, fake)}, METER_EVERY, SEED + 10)
catch_up(G_clip, critic_clip)  # 100 critic updates before the first generator step
step_clip = WGANStep(G_clip, critic_clip, critic_clip_opt, g_clip_opt,  # change 2: the Wasserstein losses
                     clip=WGAN.clip, n_critic=WGAN.n_critic)                # change 3: clipping; k = 5
history_clip = train.train(step_clip, ring.batches(WGAN.batch_size, seed=SEED, device=DEVICE), WGAN_STEPS,
                           callbacks=[meter_clip, authors_schedule])
G_clip.eval()
r_clip = gan_course.record("meter_clip_r", meter_clip.correlation("critic"))
gan_course.record("meter_clip_r_after_first", meter_clip.correlation("critic", skip=1))
gan_course.record("meter_clip_steps", meter_clip.steps)
gan_course.record("meter_clip_w1", meter_clip.w1)
gan_course.record("meter_clip_reading", meter_clip.readings["critic"])
gan_course.record("meter_clip_k_first", meter_clip.readings["critic"][0] / meter_clip.w1[0])
gan_course.record("meter_clip_k_last", meter_clip.readings["critic"][-1] / meter_clip.w1[-1])
gan_course.record("wgan_max_abs_parameter", max(p.abs().max().item() for p in critic_clip.parameters()))
gan_course.record("meter_clip_seconds", history_clip.seconds - meter_clip.seconds)

# %% [markdown]
# ### WGAN-GP
# The gradient penalty's settings (Gulrajani et al. 2017, Algorithm 1: $\lambda = 10$, Adam at $10^{-4}$
# with $\beta = (0, 0.9)$, $n_{critic} = 5$, batch 256), as `toy_gans.METHODS["wgan-gp"]` has them. This
# meter reads two critics: the one in training, and one **trained afresh** for `FRESH_CRITIC_STEPS`
# updates against the current generator held fixed, as lesson 02 trained its critics: the reading a
# critic gives when it has had time to converge. (The fresh critic draws its random numbers inside
# `torch.random.fork_rng`, so this run too is exactly the one it would be without the meter.)

# %%
def benchmark_run(method: toy_gans.ToyGAN, dist, steps: int, callbacks=()):
    """One run of the benchmark (`toy_gans.fit_toy_gan`, seed SEED) with meters attached; returns G, D and
    the training seconds without the meters' own time."""
    G, D, history = toy_gans.fit_toy_gan(method, dist, steps, seed=SEED, device=DEVICE, callbacks=callbacks)
    return G, D, history.seconds - sum(c.seconds for c in callbacks if isinstance(c, Meter))


def fresh_critic_gap(G, real, fake, steps: int = FRESH_CRITIC_STEPS, seed: int = SEED + 20) -> float:
    """The score gap of a new WGAN-GP critic trained for `steps` updates against the frozen G."""
    with torch.random.fork_rng():  # leave the training run's random stream alone
        torch.manual_seed(seed)
        _, critic = toy_gans.build(GP, ring.dim, DEVICE)
        opt = torch.optim.Adam(critic.parameters(), lr=GP.lr, betas=GP.betas)
        fakes = iter(lambda: G(G.sample_z(GP.batch_size)).detach(), None)
        fit_discriminator(critic, ring.batches(GP.batch_size, seed=seed, device=DEVICE), fakes, steps=steps,
                          d_opt=opt, d_loss=losses.wasserstein_d_loss, d_penalty=losses.gradient_penalty)
    return score_gap(critic, real, fake)


meter_gp = Meter(ring, lambda G, D, real, fake: {"critic in training": score_gap(D, real, fake),
                                                 "critic trained afresh": fresh_critic_gap(G, real, fake)},
                 GP_METER_EVERY, SEED + 11)
G_gp, critic_gp, gp_seconds = benchmark_run(GP, ring, GP_STEPS, callbacks=[meter_gp])
r_gp = gan_course.record("meter_gp_r", meter_gp.correlation("critic in training"))
r_gp_fresh = gan_course.record("meter_gp_fresh_r", meter_gp.correlation("critic trained afresh"))
gan_course.record("meter_gp_r_after_first", meter_gp.correlation("critic in training", skip=1))
gan_course.record("meter_gp_fresh_r_after_first", meter_gp.correlation("critic trained afresh", skip=1))
gan_course.record("meter_gp_steps", meter_gp.steps)
gan_course.record("meter_gp_w1", meter_gp.w1)
gan_course.record("meter_gp_reading", meter_gp.readings["critic in training"])
gan_course.record("meter_gp_fresh_reading", meter_gp.readings["critic trained afresh"])
gp_ratio = np.array(meter_gp.readings["critic trained afresh"]) / np.array(meter_gp.w1)
gan_course.record("meter_gp_fresh_ratio_median", np.median(gp_ratio))
gan_course.record("meter_gp_negative_readings", int((np.array(meter_gp.readings["critic in training"]) < 0).sum()))

# %% [markdown]
# ### The GAN's discriminator, for comparison
# The same measurement for the non-saturating GAN (the benchmark's `"gan"`: Adam $10^{-4}$, $\beta_1 = 0.5$).
# Its analogue of the negated critic loss is $\log 4 - L_D$: with the optimal discriminator that is
# $2\,\mathrm{JS}(P_r, P_g)$ (lesson 01), so it too should fall as $P_g$ approaches $P_r$ if it were a meter.

# %%
def gan_reading(G, D, real, fake) -> dict:
    with torch.no_grad():
        return {"log 4 - D loss": math.log(4) - losses.minimax_d_loss(D(real), D(fake)).item()}


meter_gan = Meter(ring, gan_reading, METER_EVERY, SEED + 12)
G_gan, D_gan, gan_seconds = benchmark_run(GAN, ring, GAN_STEPS, callbacks=[meter_gan])
r_gan = gan_course.record("meter_gan_r", meter_gan.correlation("log 4 - D loss"))
gan_course.record("meter_gan_r_after_first", meter_gan.correlation("log 4 - D loss", skip=1))
gan_course.record("meter_gan_steps", meter_gan.steps)
gan_course.record("meter_gan_w1", meter_gan.w1)
gan_course.record("meter_gan_reading", meter_gan.readings["log 4 - D loss"])

# %% [markdown]
# What would the *optimal* discriminator read? Lesson 02's constant $2\log 2$ belongs to distributions on
# disjoint low-dimensional sets, such as its parallel lines, or a generator with fewer noise dimensions than
# the data has. Neither holds here: each Gaussian of the ring is positive everywhere, and G maps 2-D noise
# to 2-D samples, so $P_g$ has a density too, the two overlap, and $2\,\mathrm{JS}(P_r, P_g)$ is strictly
# below $2\log 2$, by an amount that depends on G. By how much? A discriminator trained to convergence against
# a *frozen* G gives a lower bound ($V(D, G) + \log 4 \le 2\,\mathrm{JS}$, lesson 01). Measured on fresh
# samples for the untrained G of section 1 and for this GAN's final G:

# %%
def fresh_js_bound(G, steps: int = FRESH_D_STEPS, seed: int = SEED + 30) -> float:
    """log 4 - L_D of a new D trained for `steps` updates against the frozen G: a lower bound on 2 JS."""
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        _, D = toy_gans.build(GAN, ring.dim, DEVICE)
        fakes = iter(lambda: G(G.sample_z(256)).detach(), None)
        fit_discriminator(D, ring.batches(256, seed=seed, device=DEVICE), fakes, steps=steps,
                          d_opt=torch.optim.Adam(D.parameters(), lr=1e-3))
        generator = torch.Generator().manual_seed(seed + 1)
        real = ring.sample(N_READ, generator).to(DEVICE)
        with torch.no_grad():
            fake = G(torch.randn(N_READ, G.z_dim, generator=generator).to(DEVICE))
            return math.log(4) - losses.minimax_d_loss(D(real), D(fake)).item()


js_bounds = {"untrained G": fresh_js_bound(G_fixed), "trained GAN's G": fresh_js_bound(G_gan)}
gan_course.record("js_bound_untrained", js_bounds["untrained G"])
gan_course.record("js_bound_trained", js_bounds["trained GAN's G"])
gan_course.record("js_bound_in_training", meter_gan.readings["log 4 - D loss"][-1])
for name, bound in js_bounds.items():
    print(f"{name:>16}: 2 JS >= {bound:.3f}   (2 log 2 = {2 * math.log(2):.3f})")
print(f"the GAN's own D at the end of training reads {meter_gan.readings['log 4 - D loss'][-1]:.3f}")

# %%
gen_floor = torch.Generator().manual_seed(SEED + 13)
w1_floor = gan_course.record("meter_w1_floor", metrics.wasserstein1(ring.sample(N_W1, gen_floor),
                                                                     ring.sample(N_W1, gen_floor)))
fig, axes = plt.subplots(1, 3, figsize=(18, 4.6))
viz.plot_progress_meter(meter_clip.steps, meter_clip.w1, meter_clip.readings, ax=axes[0],
                        reading_label="$\\mathbb{E}_r f - \\mathbb{E}_g f$",
                        title=f"WGAN, weight clipping: r = {r_clip:.2f}")
viz.plot_progress_meter(meter_gp.steps, meter_gp.w1, meter_gp.readings, ax=axes[1], same_scale=True,
                        title=f"WGAN-GP: r = {r_gp:.2f} in training, {r_gp_fresh:.2f} afresh")
viz.plot_progress_meter(meter_gan.steps, meter_gan.w1, meter_gan.readings, ax=axes[2],
                        reading_label="$\\log 4 - L_D$", title=f"GAN: r = {r_gan:.2f}")
for ax in axes:
    ax.axhline(w1_floor, color="grey", ls=":", lw=1)  # W1 between two samples of the data itself
fig.tight_layout()
plt.show()

# %% [markdown]
# Black is the truth, the exact $W_1$ between 1,000 generated and 1,000 real samples. It never reaches 0:
# even two samples of the *data* are `meter_w1_floor` apart (the dotted grey line). The dashed lines are
# what the critics read at the same moments. The correlations over the whole run are in the titles; the
# summary also gives them without the first reading.
#
# * **Weight clipping.** The first reading, after the authors' 100 warm-up updates, is large where $W_1$ is
#   large, and both drop together as the generator's samples spread out from the centre in its first few
#   hundred steps. That single drop is what makes $r$ high: leave out the first reading and the correlation
#   is gone (it is even negative, `meter_clip_r_after_first`). After that, $W_1$ wanders between about 0.35
#   and 0.55 (the samples form an elongated cloud across the ring, section 3), and the critic reads nearly
#   the same tiny number throughout. Its scale $K$, the ratio of reading to $W_1$, is not a constant
#   either: it is several times smaller at the end than at the start (`meter_clip_k_first`,
#   `meter_clip_k_last`). On this problem the clipped critic's loss tells "far"
#   from "near", not "near" from "nearer".
# * **Gradient penalty.** The critic in training is no meter here at all. Its reading swings around and is
#   sometimes *negative*: the generated samples then score higher than the real ones, which happens when
#   the generator has just moved to where the critic's scores were high, before the critic has caught up.
#   With Algorithm 1's defaults the generator never settles on this problem: $W_1$ itself jumps between
#   about 0.6 and 2. This is the behaviour Mescheder, Geiger & Nowozin (2018) prove for WGAN-GP with a
#   finite number of critic updates per generator update: it need not converge to the equilibrium. A critic
#   **trained afresh** against each frozen generator, on the other hand, reads $W_1$ in its own units
#   (the median ratio of reading to $W_1$ is close to 1, and $r$ is high): the penalty fixes the scale, so a
#   *converged* WGAN-GP critic is a meter; one that is a few updates behind a moving generator is not.
#   (Some of its readings still fall short: 500 updates from one fixed initialisation are not always enough.)
# * **GAN.** $\log 4 - L_D$ does not follow $W_1$ ($r$ near zero or negative). It stays close to 0 and moves
#   with the discriminator's own ups and downs, far below what a discriminator trained to convergence reads
#   against the same generator (the bounds printed above). That converged reading is itself no meter here:
#   $2\,\mathrm{JS}$ is within a few percent of $2 \log 2$ both for the untrained generator and for the trained
#   one. The supports are not disjoint, but nearly all of each distribution's mass lies where the other has
#   almost none: the ring's modes have standard deviation 0.01, and a density $e^{-x^2/(2 \cdot 0.01^2)}$ is
#   negligible a few tenths away. JS then tells "different" from "equal", not "far" from "near".
#
# ## 3. Clipping vs penalty: what the constraint does to the critic
#
# Lesson 02 (section 5) trained both kinds of critic against a *fixed* blob and found the clipped one
# badly scaled and crude, with nearly all weights at $\pm c$. Here are the two critics of section 2 as
# they are at the end of GAN training, over the real samples (black) and their generator's samples (white).

# %%
shown_real = ring.sample(1000, torch.Generator().manual_seed(SEED + 30)).to(DEVICE)
z_shown = torch.randn(1000, 2, generator=torch.Generator().manual_seed(SEED + 31)).to(DEVICE)
with torch.no_grad():
    fake_clip, fake_gp = G_clip(z_shown), G_gp(z_shown)
clip_params = torch.cat([p.detach().flatten().cpu() for p in critic_clip.parameters()])
gp_params = torch.cat([p.detach().flatten().cpu() for p in critic_gp.parameters()])
at_bound = gan_course.record("clip_weights_at_bound", (clip_params.abs() > 0.99 * WGAN.clip).float().mean())
gan_course.record("gp_weights_max_abs", gp_params.abs().max())
gan_course.record("gp_weights_beyond_c", (gp_params.abs() > WGAN.clip).float().mean())
lip_clip = gan_course.record("clip_lipschitz", metrics.lipschitz_estimate(critic_clip, shown_real, fake_clip))
lip_gp = gan_course.record("gp_lipschitz", metrics.lipschitz_estimate(critic_gp, shown_real, fake_gp))

# %%
fig, axes = plt.subplots(2, 2, figsize=(11, 9.5), gridspec_kw={"height_ratios": [1.4, 1]})
viz.plot_critic(critic_clip, shown_real, fake_clip, ax=axes[0, 0], lim=1.6,
                title=f"weight clipping: Lipschitz estimate {lip_clip:.2g}")
viz.plot_critic(critic_gp, shown_real, fake_gp, ax=axes[0, 1], lim=1.6,
                title=f"gradient penalty: Lipschitz estimate {lip_gp:.2f}")
viz.plot_weight_histogram(critic_clip, clip=WGAN.clip, ax=axes[1, 0],
                          title=f"clipped critic: {100 * at_bound:.0f}% of the parameters at ±c")
viz.plot_weight_histogram(critic_gp, clip=WGAN.clip, ax=axes[1, 1],
                          title="gradient-penalty critic: parameters (±c marked for scale)")
fig.tight_layout()
plt.show()

# %% [markdown]
# The clipped critic is nearly a plane: one tilted ramp across the whole picture, with a Lipschitz estimate
# of a few thousandths, more than half of its parameters pinned at $\pm c$ and the rest mostly in two
# clusters just inside the box. It can tell the generator in which direction the data lies on average, and
# nothing about eight separate modes: the same crude, low-capacity critic as against lesson 02's fixed blob
# (compare Gulrajani et al. 2017, Figures 1a and 1b). The gradient-penalty critic works at the scale of
# the problem (a Lipschitz estimate a little above 1: the penalty is soft), its landscape has structure, and
# its parameters spread freely, most of them far outside $[-c, c]$. At the end of this run its generator had
# collapsed to a small cloud that the critic scores *above* the real data: the critic has not caught up with
# the generator's last move (the negative readings of section 2).
#
# ## 4. The gradient penalty: one norm per sample
#
# WGAN-GP replaces the box on the weights by a soft constraint on the function: the optimal critic has
# gradient norm 1 almost everywhere on the lines between coupled real and generated points (Gulrajani et
# al. 2017, Proposition 1), so the critic's loss gets the term
#
# $$\lambda\, \mathbb E_{\hat x}\big[(\|\nabla_{\hat x} f(\hat x)\|_2 - 1)^2\big], \qquad
#   \hat x = \epsilon\, x_{real} + (1 - \epsilon)\, x_{fake},\quad \epsilon \sim U[0, 1],\quad \lambda = 10.$$
#
# The norm is the norm of the whole gradient of $f$ with respect to its whole input: for an image, over all
# channels and pixels together, one number per sample. A bug that appeared in several popular PyTorch
# implementations takes `grad.norm(2, dim=1)` of a (B, C, H, W) gradient: a norm over the channels only,
# one per **pixel**, and then penalises every pixel's norm towards 1. The course's penalty flattens each
# sample's gradient first:

# %%
gan_course.show(losses.gradient_penalty)

# %% [markdown]
# A linear critic $f(x) = \langle w, x\rangle$ on 3×8×8 images makes the difference exact: its gradient
# is $w$ everywhere. Take every entry of $w$ equal to $1/\sqrt{192}$, so that $\|w\|_2 = 1$: the critic is
# exactly 1-Lipschitz, and the correct penalty is 0. Per pixel, each of the 64 norms over 3 channels is
# $\sqrt{3/192} = 1/8$, and the buggy penalty is $10\,(1/8 - 1)^2 = 7.65625$: it punishes a perfect critic,
# and is 0 only when every pixel's gradient has norm 1, i.e. when the whole gradient has norm
# $\sqrt{64} = 8$, an 8-Lipschitz critic.

# %%
image_shape = (3, 8, 8)
w_image = torch.full(image_shape, 1 / math.sqrt(3 * 8 * 8), dtype=torch.float64)  # ||w||_2 = 1


def linear_critic(x: torch.Tensor) -> torch.Tensor:
    return (x.flatten(1) * w_image.flatten()).sum(1)  # (B,)


gen_images = torch.Generator().manual_seed(SEED + 40)
real_images = torch.rand(16, *image_shape, generator=gen_images, dtype=torch.float64) * 2 - 1  # (B, C, H, W)
fake_images = torch.rand(16, *image_shape, generator=gen_images, dtype=torch.float64) * 2 - 1
x_hat = ((real_images + fake_images) / 2).requires_grad_(True)
(grad_images,) = torch.autograd.grad(linear_critic(x_hat).sum(), x_hat)  # (B, C, H, W), equal to w
per_sample = grad_images.flatten(1).norm(dim=1)  # (B,): the norm WGAN-GP means
per_pixel = grad_images.norm(2, dim=1)  # (B, H, W): over the channels only, the bug
gan_course.record("norm_per_sample", per_sample.mean())
gan_course.record("norm_per_pixel", per_pixel.mean())
gan_course.record("gp_per_sample", 10 * ((per_sample - 1) ** 2).mean())
gan_course.record("gp_per_pixel", 10 * ((per_pixel - 1) ** 2).mean())
gan_course.record("gp_package", losses.gradient_penalty(linear_critic, real_images, fake_images))
# the slope the buggy penalty asks for: every pixel's norm 1, so the whole gradient's norm is sqrt(H * W)
gan_course.record("gp_per_pixel_optimal_slope", math.sqrt(8 * 8))

# %% [markdown]
# ## 5. Your turn
# Three functions, each checked by the cell after it, and an open exercise.
#
# **a) The critic's loss**: the quantity the WGAN critic minimises, $\mathbb E[f(\text{fake})] -
# \mathbb E[f(\text{real})]$, from the critic's scores on a batch of real and a batch of fake samples
# (1D tensors, possibly of different lengths). No sigmoid, no log. Return a scalar tensor that keeps its graph.

# %% nbgrader={"grade": false, "grade_id": "critic_loss", "locked": false, "schema_version": 3, "solution": true, "task": false}
def critic_loss(real_scores: torch.Tensor, fake_scores: torch.Tensor) -> torch.Tensor:
    """The WGAN critic's loss E[f(fake)] - E[f(real)] (a scalar tensor)."""
    ### BEGIN SOLUTION
    return fake_scores.mean() - real_scores.mean()
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "check_critic_loss", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
gan_course.checks.critic_loss(critic_loss)

# %% [markdown]
# **b) Weight clipping**: clamp every parameter of `module` (weights and biases, in every layer, however
# deeply nested) to $[-c, c]$, **in place**: the optimizer holds references to these very tensors, so change
# their values, do not replace them. Parameters that require grad can be changed in place only where
# autograd is not recording (`torch.no_grad()`). Return nothing.

# %% nbgrader={"grade": false, "grade_id": "clip_weights", "locked": false, "schema_version": 3, "solution": true, "task": false}
def clip_weights(module: torch.nn.Module, c: float) -> None:
    """Clamp every parameter of `module` to [-c, c] in place."""
    ### BEGIN SOLUTION
    with torch.no_grad():  # change the values in place; autograd must not record this
        for parameter in module.parameters():  # every parameter, biases and nested layers included
            parameter.clamp_(-c, c)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "check_clip_weights", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
gan_course.checks.weight_clipping(clip_weights)

# %% [markdown]
# **c) The gradient penalty** of WGAN-GP, $10 \cdot \mathbb E_{\hat x}\big[(\|\nabla_{\hat x} f(\hat x)\|_2 - 1)^2\big]$,
# for a batch of real and fake samples of any shape (B, ...):
# * one $\epsilon \sim U[0, 1]$ per sample, $\hat x = \epsilon\,\text{real} + (1 - \epsilon)\,\text{fake}$;
# * the gradient of the critic's scores with `torch.autograd.grad(..., create_graph=True)`, so the penalty
#   itself can be back-propagated into the critic's weights;
# * the norm per sample over **all** its dimensions (channels and pixels together, section 4), then the mean.

# %% nbgrader={"grade": false, "grade_id": "gradient_penalty", "locked": false, "schema_version": 3, "solution": true, "task": false}
def gradient_penalty(critic, real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
    """WGAN-GP's penalty with lambda = 10, as a scalar tensor that keeps its graph."""
    ### BEGIN SOLUTION
    mix = torch.rand(real.shape[0], *([1] * (real.dim() - 1)), device=real.device)  # one epsilon per sample
    between = (mix * real + (1 - mix) * fake.detach()).requires_grad_(True)
    (slope,) = torch.autograd.grad(critic(between).sum(), between, create_graph=True)
    slope_norms = slope.reshape(slope.shape[0], -1).norm(dim=1)  # (B,)
    return 10.0 * ((slope_norms - 1) ** 2).mean()
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "check_gradient_penalty", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
gan_course.checks.gradient_penalty(gradient_penalty)

# %% [markdown]
# **d) Open: a clipped critic in $W_1$'s own units.** Section 2 found the clipped critic reading $K \cdot W_1$ for some
# unknown, tiny $K$. Choose the clipping bound $c$ and RMSProp's learning rate so that a clipped critic, trained for
# 1,000 updates between lesson 02's ring and blob, reads $W_1$ itself: $K$ between 0.9 and 1.1. The check
# (`gan_course.checks.lesson04.clipped_critic_reading`, a few seconds) grades that, then reads a second pair with
# your settings. Before you run it: will $K$ stay near 1 on the second pair?

# %% nbgrader={"grade": false, "grade_id": "clip_settings", "locked": false, "schema_version": 3, "solution": true, "task": false}
def clip_settings() -> dict:
    """The clipping bound c and the learning rate of a clipped critic that reads W1 with K close to 1."""
    ### BEGIN SOLUTION
    return {"clip": 0.2, "lr": 5e-5}
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "check_clip_settings", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
gan_course.checks.clipped_critic_scale(clip_settings)

# %% [markdown]
# ## Summary
# * A WGAN is a GAN with four changes: a critic that outputs a score (no sigmoid), losses without logs,
#   weight clipping to $[-c, c]$ after every critic update, and RMSProp instead of Adam.
# * Its critic's negated loss estimates $K \cdot W_1$ only as well as the critic is trained. Measured
#   against the exact $W_1$ on the ring: the clipped critic follows the big first drop but not the later
#   wandering, with a $K$ that shrinks during training; the gradient-penalty critic in training lags a
#   generator that never settles and reads nonsense, while a critic trained afresh reads $W_1$ itself;
#   the GAN's discriminator loss does not follow $W_1$.
# * Clipping leaves a nearly linear critic with most weights at $\pm c$ and a tiny slope; the penalty gives
#   a critic with slopes near 1 and real structure.
# * The penalty's gradient norm is one norm per sample over all its dimensions; per pixel, a perfect
#   1-Lipschitz critic is penalised and the optimum becomes $\sqrt{HW}$-Lipschitz.
# * The optimal discriminator's $\log 4 - L_D$ is $2\,\mathrm{JS}$; it equals $2\log 2$ only for distributions on
#   disjoint sets. On the ring it lies below and depends on $G$, but only by a few percent: the modes are so
#   narrow that the two distributions barely overlap. The numbers measured in this run:

# %%
r = gan_course.report.results()
print(f"profile {r['profile']}")
print(f"progress meter (Pearson r with the exact W1 over training): WGAN clipping {r['meter_clip_r']:.2f} "
      f"(K from {r['meter_clip_k_first']:.1e} to {r['meter_clip_k_last']:.1e}); WGAN-GP in training "
      f"{r['meter_gp_r']:.2f}, trained afresh {r['meter_gp_fresh_r']:.2f} (median ratio to W1 "
      f"{r['meter_gp_fresh_ratio_median']:.2f}); GAN log 4 - D loss {r['meter_gan_r']:.2f}")
print(f"clipped critic: {100 * r['clip_weights_at_bound']:.0f}% of parameters at ±c, Lipschitz estimate "
      f"{r['clip_lipschitz']:.2g};  gradient-penalty critic: Lipschitz estimate {r['gp_lipschitz']:.2f}")
print(f"linear critic with ||w|| = 1 on 3x8x8 images: penalty per sample {r['gp_per_sample']:.4f} "
      f"(package {r['gp_package']:.4f}), per pixel {r['gp_per_pixel']:.5f}")
print(f"2 JS >= {r['js_bound_untrained']:.3f} (untrained G), >= {r['js_bound_trained']:.3f} (trained GAN's G), "
      f"by a discriminator trained to convergence; 2 log 2 = {2 * math.log(2):.3f}")

# %% [markdown]
# **Next:** `05_stabilising_gans`: normalised discriminators, three tricks, and every method of lessons 03–05
# on the mode-coverage benchmark with the same budget and a tuned learning rate.
#
# **References.** Arjovsky, Chintala & Bottou (2017), *Wasserstein generative adversarial networks*,
# ICML. Gulrajani, Ahmed, Arjovsky, Dumoulin & Courville (2017), *Improved training of Wasserstein GANs*,
# NeurIPS. Miyato, Kataoka, Koyama & Yoshida (2018), *Spectral normalization for generative adversarial
# networks*, ICLR. Salimans & Kingma (2016), *Weight normalization: a simple reparameterization to
# accelerate training of deep neural networks*, NeurIPS. Ioffe & Szegedy (2015), *Batch normalization:
# accelerating deep network training by reducing internal covariate shift*, ICML. Srivastava, Valkov,
# Russell, Gutmann & Sutton (2017), *VEEGAN: reducing mode collapse in GANs using implicit variational
# learning*, NeurIPS. Lin, Khetan, Fanti & Oh (2018), *PacGAN: the power of two samples in generative
# adversarial networks*, NeurIPS. Mescheder, Geiger & Nowozin (2018), *Which training methods for GANs do
# actually converge?*, ICML.
