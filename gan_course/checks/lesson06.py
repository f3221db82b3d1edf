"""Checks of lesson 06, DCGAN: the generator's and the discriminator's blocks, and DCGAN's weight
initialisation; and its open exercise, an upsampling layer without a checkerboard.

A block is checked on its layers (the paper's guidelines), on its output shape and values, and on its
gradient with respect to its input and to every parameter: a block that computes the right numbers but
hides its layers from ``.parameters()`` or cuts the graph would never train. The initialisation is
checked on a network with every layer type of the lesson's models (ConvTranspose2d, Conv2d, BatchNorm2d,
with and without biases) plus a Linear layer, which DCGAN's rule leaves alone or treats like a convolution.

Taught in: lesson 06
"""

from __future__ import annotations

import math
from typing import Callable

import torch
from torch import Tensor, nn
from torch.nn import functional as F

from ._common import _call, _describe, _number_in, _passed, _settings, _values, exercise_check


def _module(value, case: str) -> nn.Module:
    if not isinstance(value, nn.Module):
        raise AssertionError(f"case '{case}': expected an nn.Module such as nn.Sequential(...), received "
                             f"{_describe(value)}")
    return value


def _layers(block: nn.Module, kind) -> list:
    return [m for m in block.modules() if isinstance(m, kind)]


def _forward(block: nn.Module, x: Tensor, case: str, expected_shape: tuple) -> Tensor:
    try:
        return block(x)
    except Exception as err:  # noqa: BLE001
        raise AssertionError(f"case '{case}': expected an output of shape {expected_shape}, received an error: your "
                             f"block raised {type(err).__name__} on an input of shape {tuple(x.shape)}: {err}") from err


def _check_conv(block: nn.Module, kind, c_in: int, c_out: int, case: str, why: str) -> nn.Module:
    convs = _layers(block, nn.modules.conv._ConvNd)
    if len(convs) != 1 or type(convs[0]) is not kind:
        found = ", ".join(type(m).__name__ for m in convs) or "none"
        hidden = (" Your block computes an output, so its layers are hidden from .modules() and .parameters(): a "
                  "Python list does that (use nn.Sequential or nn.ModuleList), and the optimizer would never train "
                  "them." if not convs else "")
        raise AssertionError(f"case '{case}': expected exactly one nn.{kind.__name__} ({why}), received "
                             f"{found}.{hidden}")
    conv = convs[0]
    if (conv.in_channels, conv.out_channels) != (c_in, c_out):
        raise AssertionError(f"case '{case}': expected the {kind.__name__} to map {c_in} to {c_out} channels, "
                             f"received {conv.in_channels} to {conv.out_channels}")
    if (conv.kernel_size, conv.stride, conv.padding) != ((4, 4), (2, 2), (1, 1)):
        raise AssertionError(f"case '{case}': expected the {kind.__name__} with kernel_size=4, stride=2, padding=1, "
                             f"received kernel_size={conv.kernel_size[0]}, stride={conv.stride[0]}, "
                             f"padding={conv.padding[0]}. A kernel that the stride divides (4 by 2) makes every output "
                             "pixel receive the same number of contributions; kernel 3 with stride 2 makes a "
                             "checkerboard (section 2.1).")
    if getattr(conv, "output_padding", (0, 0)) != (0, 0) or conv.dilation != (1, 1) or conv.groups != 1:
        raise AssertionError(f"case '{case}': expected a plain {kind.__name__} (no output_padding, dilation or "
                             f"groups), received output_padding={getattr(conv, 'output_padding', None)}, "
                             f"dilation={conv.dilation}, groups={conv.groups}")
    return conv


def _one_batch_norm(block: nn.Module, conv: nn.Module, channels: int, case: str, why: str) -> nn.Module:
    norms = _layers(block, nn.modules.batchnorm._NormBase)
    if len(norms) != 1 or type(norms[0]) is not nn.BatchNorm2d or norms[0].num_features != channels:
        found = ", ".join(f"{type(m).__name__}({m.num_features})" for m in norms) or "none"
        raise AssertionError(f"case '{case}': expected one nn.BatchNorm2d({channels}) after the convolution "
                             f"({why}), received {found}")
    if not norms[0].affine:
        raise AssertionError(f"case '{case}': expected nn.BatchNorm2d({channels}) with a learnable scale and shift "
                             "(affine=True, the default), received affine=False: the block could not undo the "
                             "normalisation where that helps")
    if conv.bias is not None:
        raise AssertionError(f"case '{case}': expected the convolution with bias=False, received one with a bias. "
                             "The BatchNorm2d right after it subtracts each channel's mean: the bias cancels out, "
                             "gets a zero gradient and never learns. Pass bias=False to a convolution that batch norm "
                             "follows.")
    return norms[0]


def _same_gradients(block: nn.Module, out: Tensor, expected: Tensor, x: Tensor, case: str) -> None:
    """The block's gradient with respect to its input and to every one of its parameters, against the reference's
    (the same layers, composed with torch.nn.functional)."""
    params = [(name, p) for name, p in block.named_parameters()]
    upstream = torch.linspace(-1, 1, out.numel()).reshape(out.shape)  # varies in every coordinate
    wanted = torch.autograd.grad((expected * upstream).sum(), [x] + [p for _, p in params], allow_unused=True)
    if not out.requires_grad:
        raise AssertionError(f"case '{case}': expected an output that requires grad (G's and D's training "
                             "backpropagates through the block), received a detached output")
    received = torch.autograd.grad((out * upstream).sum(), [x] + [p for _, p in params], allow_unused=True)
    for name, got, want in zip(["the block's input"] + [f"parameter '{n}'" for n, _ in params], received, wanted):
        want = torch.zeros_like(got if got is not None else x) if want is None else want
        if got is None or not torch.allclose(got, want, atol=1e-4, rtol=1e-3):
            shown = "no gradient (None): the graph is cut" if got is None else _values(got)
            raise AssertionError(f"case '{case}': expected the gradient with respect to {name} = {_values(want)}, "
                                 f"received {shown}")


_G_CASES = ((16, 8, (7, 7), 4), (8, 4, (14, 10), 4), (3, 6, (4, 4), 1))  # c_in, c_out, (H, W), batch


@exercise_check(seed=50)
def generator_block(student_fn: Callable[[int, int], nn.Module]) -> None:
    """Check ``student_fn(in_channels, out_channels)``: DCGAN's generator block, ConvTranspose2d (kernel 4,
    stride 2, padding 1, no bias) -> BatchNorm2d -> ReLU, which doubles the height and width."""
    for c_in, c_out, (h, w), batch in _G_CASES:
        case = (f"generator_block({c_in}, {c_out}) on images of {h}x{w}"
                + (", a batch of one" if batch == 1 else ""))
        block = _module(_call(student_fn, case, c_in, c_out, expected="an nn.Module"), case).train()
        x = torch.randn(batch, c_in, h, w, requires_grad=True)
        expected_shape = (batch, c_out, 2 * h, 2 * w)
        out = _forward(block, x, case, expected_shape)
        if not isinstance(out, Tensor) or tuple(out.shape) != expected_shape:
            raise AssertionError(f"case '{case}': expected an output of shape {expected_shape} (twice the height "
                                 f"and width), received {_describe(out)}. A transposed convolution makes "
                                 "(H - 1) * stride - 2 * padding + kernel_size pixels: with kernel 4, stride 2 "
                                 "and padding 1 that is 2 H.")
        conv = _check_conv(block, nn.ConvTranspose2d, c_in, c_out, case, "the fractionally-strided convolution that "
                           "learns its own upsampling, no fixed nn.Upsample")
        bn = _one_batch_norm(block, conv, c_out, case, "the guidelines: batch norm in every generator layer except "
                                                       "the output layer")
        others = _layers(block, (nn.LeakyReLU, nn.Tanh, nn.Sigmoid, nn.ELU))
        if others:
            raise AssertionError(f"case '{case}': expected the generator's hidden blocks to end in nn.ReLU "
                                 "(LeakyReLU is for the discriminator, tanh only for G's output layer), received "
                                 f"{type(others[0]).__name__}")
        expected = torch.relu(F.batch_norm(F.conv_transpose2d(x, conv.weight, None, stride=2, padding=1),
                                           None, None, bn.weight, bn.bias, training=True, eps=bn.eps))
        if not torch.allclose(out, expected, atol=1e-4):
            hint = " Your block's outputs include negative values: ReLU must come last." if out.min() < 0 else ""
            raise AssertionError(f"case '{case}': expected ConvTranspose2d -> BatchNorm2d -> ReLU, in this order, "
                                 f"received other values (largest difference "
                                 f"{(out - expected).abs().max().item():.4f}).{hint}")
        _same_gradients(block, out, expected, x, case)
    _passed("generator_block", len(_G_CASES))


_D_CASES = ((1, 8, (28, 28), False, 4), (8, 16, (14, 14), True, 4), (4, 8, (14, 10), None, 4),
            (3, 5, (8, 8), True, 1))  # c_in, c_out, (H, W), batch_norm (None: the default), batch


@exercise_check(seed=51)
def discriminator_block(student_fn: Callable[..., nn.Module]) -> None:
    """Check ``student_fn(in_channels, out_channels, batch_norm=True)``: DCGAN's discriminator block, Conv2d
    (kernel 4, stride 2, padding 1) -> BatchNorm2d if ``batch_norm`` -> LeakyReLU(0.2), which halves the height
    and width."""
    for c_in, c_out, (h, w), batch_norm, batch in _D_CASES:
        args = (c_in, c_out) if batch_norm is None else (c_in, c_out, batch_norm)
        case = (f"discriminator_block{args} on images of {h}x{w}" + (", a batch of one" if batch == 1 else ""))
        block = _module(_call(student_fn, case, *args, expected="an nn.Module"), case).train()
        batch_norm = True if batch_norm is None else batch_norm  # the default
        x = torch.randn(batch, c_in, h, w, requires_grad=True)
        expected_shape = (batch, c_out, h // 2, w // 2)
        out = _forward(block, x, case, expected_shape)
        if not isinstance(out, Tensor) or tuple(out.shape) != expected_shape:
            raise AssertionError(f"case '{case}': expected an output of shape {expected_shape} (half the height "
                                 f"and width), received {_describe(out)}. A convolution makes "
                                 "(H + 2 * padding - kernel_size) // stride + 1 pixels: with kernel 4, stride 2 "
                                 "and padding 1 that is H / 2.")
        pools = _layers(block, (nn.MaxPool2d, nn.AvgPool2d, nn.AdaptiveAvgPool2d, nn.AdaptiveMaxPool2d))
        if pools:
            raise AssertionError(f"case '{case}': expected no pooling (the guidelines replace it by strided "
                                 f"convolutions: the network learns its own downsampling), received a "
                                 f"{type(pools[0]).__name__}: remove the {type(pools[0]).__name__}")
        conv = _check_conv(block, nn.Conv2d, c_in, c_out, case, "the strided convolution")
        if batch_norm:
            bn = _one_batch_norm(block, conv, c_out, case, "batch_norm=True")
        elif _layers(block, nn.modules.batchnorm._NormBase):
            raise AssertionError(f"case '{case}': expected no batch norm with batch_norm=False, received "
                                 f"{type(_layers(block, nn.modules.batchnorm._NormBase)[0]).__name__}. D's input "
                                 "layer has none: Radford et al. found that batch norm on every layer made training "
                                 "oscillate, and on the input it hides a wrong brightness or contrast of a whole "
                                 "batch from D (section 2.2).")
        wrong = _layers(block, (nn.ReLU, nn.ReLU6, nn.ELU, nn.Tanh, nn.Sigmoid))
        if wrong:
            raise AssertionError(f"case '{case}': expected nn.LeakyReLU(0.2), received {type(wrong[0]).__name__}. A "
                                 "ReLU passes no gradient where its input is negative, so fewer of D's units tell G "
                                 "how to change its images (section 2.5); a sigmoid belongs to the loss, not the "
                                 "block.")
        slopes = {m.negative_slope for m in _layers(block, nn.LeakyReLU)}
        if slopes and slopes != {0.2}:
            raise AssertionError(f"case '{case}': expected LeakyReLU with negative_slope=0.2 (the DCGAN paper's), "
                                 f"received {sorted(slopes)} (nn.LeakyReLU() defaults to 0.01)")
        h_ = F.conv2d(x, conv.weight, conv.bias, stride=2, padding=1)
        if batch_norm:
            h_ = F.batch_norm(h_, None, None, bn.weight, bn.bias, training=True, eps=bn.eps)
        expected = F.leaky_relu(h_, 0.2)
        if not torch.allclose(out, expected, atol=1e-4):
            order = "Conv2d -> BatchNorm2d -> LeakyReLU(0.2)" if batch_norm else "Conv2d -> LeakyReLU(0.2)"
            raise AssertionError(f"case '{case}': expected {order}, in this order, received other values (largest "
                                 f"difference {(out - expected).abs().max().item():.4f})")
        _same_gradients(block, out, expected, x, case)
    _passed("discriminator_block", len(_D_CASES))


def _init_test_network() -> nn.Module:
    """Layers like DCGAN's, with parameters set as a trained network might have them (so that a parameter the
    student's initialisation leaves alone is seen), and a Linear layer."""
    net = nn.Sequential(
        nn.ConvTranspose2d(64, 64, 4, 2, 1, bias=False), nn.BatchNorm2d(64), nn.ReLU(),
        nn.ConvTranspose2d(64, 1, 4, 2, 1), nn.Tanh(),                     # with a bias: G's output layer
        nn.Conv2d(1, 64, 4, 2, 1), nn.LeakyReLU(0.2),                      # with a bias: D's input layer
        nn.Conv2d(64, 128, 4, 2, 1, bias=False), nn.BatchNorm2d(128), nn.LeakyReLU(0.2),
        nn.Conv2d(128, 512, 3, 1, 1, bias=False), nn.BatchNorm2d(512),
        nn.Flatten(), nn.Linear(128, 64),                                  # a projection, as in the paper's G
    )
    with torch.no_grad():
        for m in net.modules():
            if isinstance(m, nn.modules.batchnorm._NormBase):
                m.weight.copy_(torch.linspace(0.3, 0.7, m.num_features))
                m.bias.copy_(torch.linspace(0.1, 0.5, m.num_features))
            elif isinstance(m, (nn.modules.conv._ConvNd, nn.Linear)):
                m.weight.uniform_(-0.5, 0.5)
                if m.bias is not None:
                    m.bias.uniform_(0.05, 0.15)
    return net


def _check_normal(values: Tensor, mean: float, std: float, what: str, case: str, hint: str) -> None:
    if not torch.isfinite(values).all():
        raise AssertionError(f"case '{case}': expected {what} ~ N({mean:g}, {std:g}²), received NaN or infinite "
                             f"values. {hint}")
    m, s = values.mean().item(), values.std().item()
    if abs(m - mean) > 0.1 * std + 4 * std / math.sqrt(values.numel()) or abs(s - std) > 0.1 * std:
        raise AssertionError(f"case '{case}': expected {what} ~ N({mean:g}, {std:g}²), received values with mean "
                             f"{m:.4f} and standard deviation {s:.4f}. {hint}")
    kurtosis = (((values - m) / s) ** 4).mean().item()
    if values.numel() > 10_000 and not 2.7 < kurtosis < 3.3:
        raise AssertionError(f"case '{case}': expected {what} normally distributed (kurtosis 3), received values "
                             f"with the right mean and standard deviation but kurtosis {kurtosis:.2f} (a uniform "
                             "distribution has 1.8). Draw them with nn.init.normal_, not nn.init.uniform_.")


@exercise_check(seed=52)
def dcgan_init(student_fn: Callable[[nn.Module], None]) -> None:
    """Check ``student_fn(module)``, used as ``model.apply(student_fn)``: convolution weights (Conv2d and
    ConvTranspose2d) ~ N(0, 0.02²), batch-norm scales ~ N(1, 0.02²), all their biases 0; a Linear layer either left
    alone or initialised like a convolution."""
    case = "model.apply(init_weights) on a DCGAN-like network"
    net = _init_test_network()
    before = {name: p.detach().clone() for name, p in net.named_parameters()}
    shapes = {name: p.shape for name, p in net.named_parameters()}
    _call(net.apply, case, student_fn, expected="the network's parameters initialised in place")
    params = dict(net.named_parameters())
    for name, p in params.items():
        if p.shape != shapes[name] or not p.requires_grad or not p.is_leaf:
            raise AssertionError(f"case '{case}': expected parameter '{name}' to keep its shape {tuple(shapes[name])} "
                                 f"and stay trainable, received shape {tuple(p.shape)}, requires_grad="
                                 f"{p.requires_grad}. Initialise in place (nn.init.normal_(module.weight, ...)).")

    def untouched(modules, attr):
        return all(torch.equal(getattr(m, attr).detach(), before[n + "." + attr]) for n, m in modules)

    if all(torch.equal(p.detach(), before[name]) for name, p in params.items()):
        raise AssertionError(f"case '{case}': expected the network's parameters initialised in place, received every "
                             "parameter unchanged. model.apply calls your function on every module: write into the "
                             "module's tensors in place (nn.init.normal_(module.weight, 0.0, 0.02)); computing new "
                             "values or returning them changes nothing.")
    named = list(net.named_modules())
    for kind in (nn.ConvTranspose2d, nn.Conv2d):
        layers = [(n, m) for n, m in named if type(m) is kind]
        if untouched(layers, "weight"):
            other = "nn.Conv2d" if kind is nn.ConvTranspose2d else "nn.ConvTranspose2d"
            raise AssertionError(f"case '{case}': expected the {kind.__name__} weights ~ N(0, 0.02²), received them "
                                 f"unchanged: the {kind.__name__} weights were not initialised. Handle {other} and "
                                 f"{kind.__name__} alike (they are different classes: isinstance(module, (nn.Conv2d, "
                                 "nn.ConvTranspose2d))), and write into the module's weight in place.")
        _check_normal(torch.cat([m.weight.detach().flatten() for _, m in layers]), 0.0, 0.02,
                      f"the {kind.__name__} weights", case, "Use nn.init.normal_(module.weight, 0.0, 0.02): the mean "
                      "comes first, then the standard deviation (not the variance).")
    norms = [(n, m) for n, m in named if isinstance(m, nn.BatchNorm2d)]
    if untouched(norms, "weight"):
        raise AssertionError(f"case '{case}': expected the BatchNorm2d scales ~ N(1, 0.02²), received them unchanged: "
                             "the BatchNorm2d weights (the scales gamma) were not initialised.")
    _check_normal(torch.cat([m.weight.detach() for _, m in norms]), 1.0, 0.02, "the BatchNorm2d weights (scales)", case,
                  "Batch norm's scale starts near 1 (nn.init.normal_(module.weight, 1.0, 0.02)), so that the layer "
                  "starts out passing the standardised values on; a scale near 0 would silence the layer.")
    for label, tensors in (("convolution biases", [m.bias for _, m in named
                                                   if isinstance(m, nn.modules.conv._ConvNd) and m.bias is not None]),
                           ("BatchNorm2d biases (shifts)", [m.bias for _, m in norms])):
        largest = max(t.abs().max().item() for t in tensors)
        if largest != 0:
            raise AssertionError(f"case '{case}': expected all {label} to be 0, received values up to {largest:.3g}. "
                                 "Use nn.init.zeros_(module.bias) (a convolution built with bias=False has "
                                 "module.bias None: skip it).")
    linear = [(n, m) for n, m in named if isinstance(m, nn.Linear)]
    if not (untouched(linear, "weight") and untouched(linear, "bias")):
        w = torch.cat([m.weight.detach().flatten() for _, m in linear])
        _check_normal(w, 0.0, 0.02, "the Linear weights (left alone, or initialised like a convolution)", case,
                      "DCGAN's rule is for convolutions and batch norm; a Linear layer is either left alone or "
                      "gets N(0, 0.02²) like a convolution -- not batch norm's N(1, 0.02²): check your elif/else.")
    _passed("dcgan_init", 5)  # ConvTranspose2d weights, Conv2d weights, batch-norm scales, biases, Linear


# --------------------------------------------------------------------------- the open exercise


def transposed_overlaps(kernel: int, stride: int, padding: int, size: int = 14) -> torch.Tensor:
    """How many input pixels paint each output pixel of ``ConvTranspose2d(1, 1, kernel, stride, padding)``
    on a ``size`` x ``size`` input with all weights 1 (no output padding): (H_out, W_out)."""
    up = torch.nn.ConvTranspose2d(1, 1, kernel, stride, padding, bias=False)
    torch.nn.init.ones_(up.weight)
    with torch.no_grad():
        return up(torch.ones(1, 1, size, size))[0, 0]


@exercise_check(seed=53)
def even_upsampling(student_fn) -> None:
    """Check (open exercise): grade an upsampling layer ``{'kernel', 'stride', 'padding'}`` other than kernel 4: 14 x 14 -> 28 x 28 and
    every interior output pixel painted equally often (no checkerboard built into the layer)."""
    settings = _settings(student_fn, ("kernel", "stride", "padding"), "{'kernel': 4, 'stride': 2, 'padding': 1}")
    kernel = _number_in(settings, "kernel", 1, 16, integer=True)
    stride = _number_in(settings, "stride", 1, 8, integer=True)
    padding = _number_in(settings, "padding", 0, 16, integer=True)
    if kernel == 4:
        raise AssertionError("case 'your settings': expected a kernel other than 4 (the lesson's answer), received 4")
    if 2 * padding >= kernel + 13 * stride:
        raise AssertionError(f"case 'your settings': expected a padding that leaves an output, received {padding}")
    counts = transposed_overlaps(kernel, stride, padding)
    size = tuple(counts.shape)
    if size != (28, 28):
        raise AssertionError(f"kernel {kernel}, stride {stride}, padding {padding} make {size[0]} x {size[1]} from "
                             f"14 x 14, expected 28 x 28: the output height is (H - 1) * stride - 2 * padding + kernel")
    interior = counts[2:-2, 2:-2].unique().int().tolist()
    if len(interior) > 1:
        raise AssertionError(f"kernel {kernel}, stride {stride}: interior output pixels are painted {interior} times, "
                             "not evenly: the stride must divide the kernel")
    print(f"✔ even_upsampling passed: kernel {kernel}, stride {stride}, padding {padding}: 14 x 14 -> 28 x 28, every "
          f"interior pixel painted {interior[0]} times")
