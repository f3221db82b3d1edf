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
# # 16 · Anomaly detection with GANs: AnoGAN and EGBAD
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/gan-course/gan-course/blob/main/notebooks/16_anomaly_gans.ipynb)
#
# **Learning goals.** After this notebook you can
# 1. say what a one-class detector is, and measure one by its AUROC, the probability that an anomaly scores above
#    a normal image;
# 2. turn a GAN trained on normal images into a detector with AnoGAN's latent search, and say what its score and
#    its residual image measure;
# 3. derive why a BiGAN's encoder inverts its generator, and use it as EGBAD does to replace the search with one
#    forward pass; measure what that costs and saves.
#
# **Prerequisites.** Lesson 04 (WGAN-GP), lesson 06 (DCGAN's building blocks). The detectors scored here are
# committed checkpoints; lesson 17 adds GANomaly and f-AnoGAN and compares all of them.
#
# **Time.** `smoke`: about 30 s · `cpu`: about 3 minutes on 2 CPU cores · `gpu`: not measured yet.

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
import time

import matplotlib.pyplot as plt
import torch

import gan_course
from gan_course import metrics
from gan_course.data import anomaly
from gan_course.models import anogan, detectors, egbad
from gan_course.viz import anomaly as viz_anomaly
from gan_course.viz import core as viz_core

# %% [markdown]
# ## Parameters
# `PROFILE = "auto"` picks `gpu` with CUDA and `cpu` otherwise (`GAN_COURSE_PROFILE` overrides it);
# the sizes are derived in the cell after it.

# %% tags=["parameters"]
PROFILE = "auto"
SEED = 0

# %%
P = gan_course.profile(PROFILE)
N_TEST = P.pick(smoke=20, cpu=200, gpu=200)           # test images searched (of 200: 100 eights, 100 sixes)
SEARCH_STEPS = P.pick(smoke=20, cpu=500, gpu=500)     # Γ, AnoGAN's search steps (the paper: 500)
LAMBDAS = P.pick(smoke=(0.1, 1.0), cpu=(0.0, 0.1, 0.5, 0.9, 1.0), gpu=(0.0, 0.1, 0.5, 0.9, 1.0))  # ~20 s each, cpu

gan_course.seed_everything(SEED)
gan_course.record("profile", P.name)
print(P)
print(gan_course.runtime.describe_machine())

# %% [markdown]
# ## 1. Normal, and not
# An inspector sees thousands of good parts and a handful of bad ones, each bad in its own way. There is no
# labelled set of defects to train a classifier on; there is plenty of what is normal. A **one-class detector**
# learns from normal data only and gives any new image an **anomaly score**, high when the image is unlike
# what it learned.
#
# The source post's example: learn from handwritten 8s, then tell held-out 8s from 6s, which the detector has
# never seen. `anomaly.one_class_digits(8, [6])` gives the 400 training 8s of the offline MNIST and a test set of
# the 100 held-out 8s and 100 held-out 6s, each marked normal or anomalous:

# %%
train, test = anomaly.one_class_digits(**anomaly.POST_SPLIT)
order = torch.cat([torch.arange(0, 100), torch.arange(100, 200)])[torch.randperm(200)][:N_TEST]
test_images, is_anomaly = test.images[order], test.is_anomaly[order]
print(train.source)
print(f"training: {len(train)} images, all 8s; test: {int((~is_anomaly).sum())} normal, "
      f"{int(is_anomaly.sum())} anomalies (6s) searched below")
viz_core.plot_images(torch.cat([train.images[:8], test.images[100:108]]), nrow=8,
                     title="top: training 8s (normal) · bottom: held-out 6s (anomalies)")
plt.show()

# %% [markdown]
# **Measuring a detector.** A detector flags an image when its score exceeds a threshold $t$. At each $t$ it
# has a **false-alarm rate** (normal images flagged) and a **detection rate** (anomalies flagged); lowering $t$
# trades one for the other along the ROC curve. The area under it, the **AUROC**, needs no threshold:
#
# $$\text{AUROC} = P\big(s(x_a) > s(x_n)\big) + \tfrac12 P\big(s(x_a) = s(x_n)\big),$$
#
# for an anomaly $x_a$ and a normal image $x_n$ drawn at random. 0.5 is a coin, 1 a perfect ranking. Counting it
# over all pairs costs $n_a n_n$ comparisons; `metrics.auroc` gets the same number from the ranks of the scores
# (the Mann–Whitney U statistic), in $O(n \log n)$. Both, and scikit-learn's, on random scores with ties:

# %%
gen = torch.Generator().manual_seed(SEED)
labels = torch.rand(300, generator=gen) < 0.3
scores = torch.round(torch.randn(300, generator=gen) + labels.float(), decimals=1)   # shifted, with ties
pairs = scores[labels][:, None] - scores[~labels][None, :]                            # every (anomaly, normal) pair
by_pairs = ((pairs > 0).double() + 0.5 * (pairs == 0).double()).mean().item()
from sklearn.metrics import roc_auc_score  # noqa: E402  (only to check ours)

auroc_check = {"pairs counted": by_pairs, "metrics.auroc (ranks)": metrics.auroc(scores, labels),
               "scikit-learn": float(roc_auc_score(labels.numpy(), scores.numpy()))}
gan_course.record("auroc_check", auroc_check)
for name, value in auroc_check.items():
    print(f"{name:>24}: {value:.12f}")

# %% [markdown]
# The three agree to the last digit. Every comparison in lessons 16 and 17 is an AUROC on held-out images.
#
# ## 2. AnoGAN: search the generator for the image
# Schlegl et al. (2017) train a DCGAN on normal images only. Its generator has then learned the **manifold** of
# normal images: every $G(z)$ looks like a normal image. An anomaly is off that manifold, so no $z$ makes it.
# AnoGAN turns this into a score. For a query $x$, start from a random $z$ and take $\Gamma$ gradient steps on
#
# $$\mathcal L(z) = (1-\lambda)\,\underbrace{|x - G(z)|}_{\text{residual } \mathcal L_R} \;+\; \lambda\,
# \underbrace{|f(x) - f(G(z))|}_{\text{discrimination } \mathcal L_D},$$
#
# with $f$ an intermediate layer of D (here its last feature map). $\mathcal L_R$ asks for the same pixels;
# $\mathcal L_D$ asks for the same features, which D learned to make informative about normal images. The paper
# uses $\Gamma = 500$ and $\lambda = 0.1$; the final $\mathcal L$ is the **anomaly score**, and the **residual**
# $|x - G(z)|$ shows where the image leaves the manifold. `anogan.search_loss` and `anogan.latent_search`:

# %%
gan_course.show(anogan.search_loss)
gan_course.show(anogan.latent_search)

# %% [markdown]
# Each image gets its own $z$; the loss is a sum over images and Adam acts on each coordinate separately, so one
# batched search is the same as one search per image. G and D stay in eval mode: with batch norm in training mode
# the images of a batch would change each other's results. Adam's step size was chosen without looking at a single
# anomaly: the one with the lowest final loss on 200 *normal training* images (0.1 of 0.005 to 0.1).
#
# The committed AnoGAN (`anogan-digits`: 1,500 DCGAN steps on the 400 training 8s). First, what its G makes:

# %%
nets = detectors.load("anogan-digits")
G, D = nets["G"], nets["D"]
with torch.no_grad():
    samples = G(torch.randn(16, G.z_dim, generator=torch.Generator().manual_seed(SEED)))
viz_core.plot_images(samples, nrow=16, title="G(z) for 16 random z: AnoGAN's manifold of 8s")
plt.show()

# %% [markdown]
# Now the search, on the held-out 8s and 6s, recording the score after several values of $\Gamma$ on the way:

# %%
CONFIG = detectors.config("anogan")
recorded_steps = tuple(s for s in (10, 20, 50, 100, 200, 500) if s <= SEARCH_STEPS)
start = time.perf_counter()
z, anogan_scores, by_steps = anogan.latent_search(G, D, test_images, SEARCH_STEPS, CONFIG.lam, CONFIG.search_lr,
                                                  seed=SEED, record_at=recorded_steps)
anogan_seconds = time.perf_counter() - start
with torch.no_grad():
    rebuilt = G(z)
anogan_auroc = metrics.auroc(anogan_scores, is_anomaly)
gan_course.record("anogan_auroc_8v6", anogan_auroc)
print(f"{len(test_images)} images, Γ = {SEARCH_STEPS}: {anogan_seconds:.1f} s; AUROC 8 vs 6: {anogan_auroc:.3f}")
show = torch.cat([torch.nonzero(~is_anomaly)[:6, 0], torch.nonzero(is_anomaly)[:6, 0]])
viz_anomaly.plot_reconstructions({"query x": test_images[show], "G(z) found": rebuilt[show],
                                  "|x - G(z)|": (test_images - rebuilt)[show].abs()},
                                 title="six normal 8s, then six 6s")
viz_anomaly.plot_score_histograms({"AnoGAN": anogan_scores}, is_anomaly, {"AnoGAN": anogan_auroc},
                                  names=("8 (normal)", "6 (anomaly)"))
plt.show()

# %% [markdown]
# The search rebuilds each 8 closely, and its residual is faint. For a 6 it cannot: G has never drawn a 6, and
# what the search finds is a blotchy shape, part 6 and part 8, with the residual spread along the 6's strokes.
# That residual is the method's second output: it shows where the image leaves the manifold of 8s, without the
# detector ever having seen a 6.
#
# ## 3. How long to search, and which λ
# The search is AnoGAN's cost, so how many steps does the score need? The AUROC after each recorded $\Gamma$, and
# after full searches at several $\lambda$ ($\lambda = 0$: pixels only; $\lambda = 1$: D's features only):

# %%
by_steps_auroc = {steps: metrics.auroc(s, is_anomaly) for steps, s in by_steps.items()}
by_lambda_auroc = {}
for lam in LAMBDAS:
    _, s, _ = anogan.latent_search(G, D, test_images, SEARCH_STEPS, lam, CONFIG.search_lr, seed=SEED)
    by_lambda_auroc[lam] = metrics.auroc(s, is_anomaly)
gan_course.record("anogan_auroc_by_steps", {str(k): v for k, v in by_steps_auroc.items()})
gan_course.record("anogan_auroc_by_lambda", {str(k): v for k, v in by_lambda_auroc.items()})
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3))
ax1.semilogx(list(by_steps_auroc), list(by_steps_auroc.values()), "o-")
ax1.set(xlabel="search steps Γ", ylabel="AUROC, 8 vs 6", title="the score needs the search")
ax2.plot(list(by_lambda_auroc), list(by_lambda_auroc.values()), "o-")
ax2.set(xlabel="λ", ylabel="AUROC, 8 vs 6", title=f"the mix of the two terms (Γ = {SEARCH_STEPS})")
fig.tight_layout()
plt.show()
print("by Γ:", {k: round(v, 3) for k, v in by_steps_auroc.items()})
print("by λ:", {k: round(v, 3) for k, v in by_lambda_auroc.items()})

# %% [markdown]
# In the cpu run (seed 0) the AUROC climbed from 0.80 after 10 steps to 0.855 after 100, and then stayed (0.860 at
# 200, 0.858 at 500): most of the paper's 500 steps buy nothing here. Over λ it was 0.852 (pixels only), 0.858 (the
# paper's 0.1), 0.845, 0.831 and 0.811 (D's features only). Which of these differences are real? The search starts
# from random codes: the same detector scored these 200 images at 0.841 and 0.851 from two other starts
# (`benchmarks/RESULTS.md`), and at 0.858 here. The benchmark repeats both sweeps on the AnoGANs of three training
# seeds: 0.788 ± 0.012 after 10 steps, 0.845 ± 0.001 after 100 and 0.853 ± 0.002 after 500 (mean ± standard
# error); 0.847 ± 0.009, 0.853 ± 0.002, 0.851 ± 0.002, 0.835 ± 0.003 and 0.827 ± 0.006 for the five λ. So λ from 0
# to 0.5 cannot be told apart on this test set; mostly or only D's features score lower on every seed, and a search
# stopped after 10–20 steps is clearly worse. A fifth of the paper's search keeps almost all of the score.
#
# ## 4. EGBAD: learn the inverse instead of searching for it
# The search inverts G one image at a time. Zenati et al. (2018) learn the inverse once, during training, with a
# **BiGAN** (Donahue et al. 2017): an encoder $E$ maps images to codes, and the discriminator judges *pairs*,
# real images with their codes $(x, E(x))$ against generated images with theirs $(G(z), z)$:
#
# $$\min_{G,E}\max_D\; \mathbb E_{x}\big[\log D(x, E(x))\big] + \mathbb E_{z}\big[\log\big(1 - D(G(z), z)\big)\big].$$
#
# **Why E inverts G.** This is lesson 01's game on the joint space of (image, code). With $D$ optimal it is
# $2\,\mathrm{JS}(p_{EX} \,\|\, p_{GZ}) - \log 4$, minimal exactly when the two joint distributions are equal:
# $p_{EX}(x, z) = p(x)\,\delta(z - E(x))$, the pairs a real image makes, and $p_{GZ}(x, z) = p(z)\,\delta(x - G(z))$,
# the pairs a code makes. Their supports are the graph of $E$, $\{(x, E(x))\}$, and the graph of $G$,
# $\{(G(z), z)\}$; equal distributions have equal supports, so (almost) every point lies on both graphs: if
# $z = E(x)$ then $x = G(z)$, that is $G(E(x)) = x$, and likewise $E(G(z)) = z$. Nothing in the loss asks
# for reconstruction; at the optimum it comes free (Donahue et al., Theorems 1 and 2). A finite network trained
# for 1,500 steps is not at the optimum, so measure how far it is. The committed EGBAD (`egbad-digits`, the same
# budget and networks), its $E(G(z))$ against $z$, against a random other code, and its reconstructions:

# %%
eg = detectors.load("egbad-digits")
with torch.no_grad():
    codes = torch.randn(1000, eg["G"].z_dim, generator=torch.Generator().manual_seed(SEED + 1))
    back = eg["E"](eg["G"](codes))
    other = codes[torch.randperm(1000, generator=torch.Generator().manual_seed(SEED + 2))]
    cycle = {"|E(G(z)) - z|²": (back - codes).pow(2).sum(1).mean().item(),
             "|z' - z|², z' another code": (other - codes).pow(2).sum(1).mean().item(),
             "correlation of E(G(z))_i with z_i": torch.stack([torch.corrcoef(torch.stack([back[:, i], codes[:, i]]))
                                                              [0, 1] for i in range(codes.shape[1])]).mean().item()}
gan_course.record("egbad_inversion", cycle)
for name, value in cycle.items():
    print(f"{name:>32}: {value:.3f}")

# %% [markdown]
# It is far from there. A correlation of 0.05 per dimension (cpu run, seed 0) means that $E(G(z))$ says almost
# nothing about the $z$ that drew the image, and $|E(G(z)) - z|^2 = 58$ is barely below the 64 of two unrelated
# codes (twice the 32 dimensions). The theorem is about the optimum of the game, and 1,500 steps do not reach it.
#
# **EGBAD's score** replaces the search by the encoder and mixes AnoGAN's two terms at $\alpha = 0.1$, the
# authors' setting:
#
# $$A(x) = (1-\alpha)\,|x - G(E(x))| + \alpha\,|f(x, E(x)) - f(G(E(x)), E(x))|,$$
#
# with $f$ D's joint hidden layer.

# %%
gan_course.show(egbad.score)
start = time.perf_counter()
egbad_scores, egbad_maps = egbad.score(eg, test_images)
egbad_seconds = time.perf_counter() - start
egbad_auroc = metrics.auroc(egbad_scores, is_anomaly)
gan_course.record("egbad_auroc_8v6", egbad_auroc)
viz_anomaly.plot_score_histograms({"AnoGAN": anogan_scores, "EGBAD": egbad_scores}, is_anomaly,
                                  {"AnoGAN": anogan_auroc, "EGBAD": egbad_auroc}, names=("8 (normal)", "6 (anomaly)"))
plt.show()

# %% [markdown]
# With an encoder this far from G's inverse, $G(E(x))$ is not the normal image nearest to $x$, and EGBAD's AUROC
# (0.666 in the cpu run) is well below AnoGAN's (0.858) on the same images at the same training budget. Whether a
# longer training closes the gap is not measured here.
#
# ## 5. What the search costs
# Both detectors scored the same images above, one after the other in this kernel. Per image:

# %%
speed = {"AnoGAN (Γ = %d)" % SEARCH_STEPS: 1000 * anogan_seconds / len(test_images),
         "EGBAD": 1000 * egbad_seconds / len(test_images)}
ratio = speed["AnoGAN (Γ = %d)" % SEARCH_STEPS] / speed["EGBAD"]
gan_course.record("egbad_speedup_vs_anogan", ratio)
for name, ms in speed.items():
    print(f"{name:>16}: {ms:8.3f} ms per image")
print(f"EGBAD is {ratio:,.0f} times faster")

# %% [markdown]
# The ratio depends on the machine and on what else runs: 566× on an idle 2-core CPU, 938× with one torch thread
# while a benchmark used the other core. It is several hundred times either way, the size of the EGBAD paper's
# "several hundred-fold", and well above 100×. On this budget the price is the AUROC, 0.666 against 0.858; lesson
# 17 asks whether the other one-pass detectors pay it too.
#
# ## 6. Your turn
#
# **a) AnoGAN's search.** Write `search(G, D, x, z0, steps, lam, lr)`: starting from the codes `z0` (one row per
# image of `x`), take `steps` Adam steps (step size `lr`) on $z$ to minimise AnoGAN's loss summed over the images,
# with `anogan.search_loss(G, D, x, z, lam)` giving each image's loss. G and D must not change. Return the final
# $z$ and each image's loss at that $z$.

# %% nbgrader={"grade": false, "grade_id": "search", "locked": false, "schema_version": 3, "solution": true, "task": false}
def search(G, D, x: torch.Tensor, z0: torch.Tensor, steps: int, lam: float, lr: float):
    """AnoGAN's latent search from z0: (final z, final loss per image)."""
    ### BEGIN SOLUTION
    G.eval().requires_grad_(False)
    D.eval().requires_grad_(False)
    z = z0.clone().requires_grad_(True)
    optimizer = torch.optim.Adam([z], lr=lr)
    for _ in range(steps):
        loss = anogan.search_loss(G, D, x, z, lam).sum()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    final = anogan.search_loss(G, D, x, z.detach(), lam).detach()
    G.requires_grad_(True)
    D.requires_grad_(True)
    return z.detach(), final
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "check_search", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
gan_course.checks.latent_search(search)

# %% [markdown]
# **Open exercise (3 points). An alarm with a budget.** An inspection line can afford to stop for 5% of the good
# parts. Write `alarm_threshold(normal_scores, false_alarm_rate)` that picks the threshold from scores of normal
# images only, so that flagging every score *above* it raises at most that share of false alarms on new normal
# images, while catching as many anomalies as it can. The check scores fresh held-out 8s and 6s with the committed
# EGBAD, calibrates your threshold on half of the 8s, and requires that it keeps the budget there and detects
# within 5 points as many 6s as the best threshold that does; it reports the false-alarm rate on the other half of
# the 8s, which is what a new batch of good parts would see.

# %% nbgrader={"grade": false, "grade_id": "alarm_threshold", "locked": false, "schema_version": 3, "solution": true, "task": false}
def alarm_threshold(normal_scores: torch.Tensor, false_alarm_rate: float) -> float:
    """The threshold for at most ``false_alarm_rate`` false alarms, from normal images' scores."""
    ### BEGIN SOLUTION
    return metrics.threshold_at(normal_scores, false_alarm_rate)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "check_alarm_threshold", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
gan_course.checks.alarm_threshold(alarm_threshold)

# %% [markdown]
# ## Summary
# * A one-class detector learns normal images only and scores new ones; its AUROC is the chance that an anomaly
#   outscores a normal image (checked against all pairs and scikit-learn).
# * AnoGAN searches G's latent space for the image: the final loss is the score, the residual shows where.
# * A BiGAN's encoder inverts its generator at the optimum; EGBAD scores with it in one pass.
# * The numbers measured in this run:

# %%
r = gan_course.report.results()
print(f"AUROC 8 vs 6: AnoGAN {r['anogan_auroc_8v6']:.3f}, EGBAD {r['egbad_auroc_8v6']:.3f}; "
      f"EGBAD {r['egbad_speedup_vs_anogan']:,.0f}x faster")

# %% [markdown]
# **Next:** lesson 17 adds GANomaly and f-AnoGAN, compares all four with two detectors without a GAN over every
# digit and three seeds, and finds defects in brick textures pixel by pixel.
#
# **References.** Schlegl, Seeböck, Waldstein, Schmidt-Erfurth & Langs (2017), *Unsupervised anomaly detection with
# generative adversarial networks to guide marker discovery*, IPMI (AnoGAN: Eq. 3–6, Γ = 500, λ = 0.1). Zenati,
# Foo, Lecouat, Manek & Chandrasekhar (2018), *Efficient GAN-based anomaly detection*, ICLR workshop (EGBAD, its
# score and α). Donahue, Krähenbühl & Darrell (2017), *Adversarial feature learning*, ICLR (BiGAN, Theorems 1–2).
# Hanley & McNeil (1982), *The meaning and use of the area under a ROC curve*, Radiology (AUROC as a probability).
