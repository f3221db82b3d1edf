"""Lesson 06's checks (generator_block, discriminator_block, dcgan_init) accept the references and reject plausible
mistakes."""

import math

import pytest
import torch
import torch.nn.functional as F
from check_helpers import assert_rejected, mistake_ids, solutions, stub
from torch import nn

from gan_course import checks
from gan_course.models.dcgan import init_weights as dcgan_init_reference

# --------------------------------------------------------------------------- generator_block


def g_block(c_in, c_out, kernel=4, stride=2, padding=1, bias=False, norm=nn.BatchNorm2d, act=nn.ReLU,
            relu_first=False, conv=nn.ConvTranspose2d, extra=(), **conv_kw):
    layers = [conv(c_in, c_out, kernel, stride, padding, bias=bias, **conv_kw)]
    layers += [act()] if relu_first else []
    layers += [norm(c_out)] if norm else []
    layers += [] if relu_first else [act()]
    return nn.Sequential(*layers, *extra)


def gb_stride_one(c_in, c_out):
    return g_block(c_in, c_out, stride=1)


def gb_no_padding(c_in, c_out):
    return g_block(c_in, c_out, padding=0)


def gb_kernel_three(c_in, c_out):
    return g_block(c_in, c_out, kernel=3, output_padding=1)  # the right size, with uneven overlap


def gb_with_bias(c_in, c_out):
    return g_block(c_in, c_out, bias=True)


def gb_leaky(c_in, c_out):
    return g_block(c_in, c_out, act=lambda: nn.LeakyReLU(0.2))


def gb_no_batch_norm(c_in, c_out):
    return g_block(c_in, c_out, norm=None)


def gb_relu_before_norm(c_in, c_out):
    return g_block(c_in, c_out, relu_first=True)


def gb_upsample_conv(c_in, c_out):
    return nn.Sequential(nn.Upsample(scale_factor=2), nn.Conv2d(c_in, c_out, 3, 1, 1, bias=False),
                         nn.BatchNorm2d(c_out), nn.ReLU())


def gb_no_return(c_in, c_out):
    g_block(c_in, c_out)


class GeneratorBlockModule(nn.Module):  # a correct block written as a module of its own
    def __init__(self, c_in, c_out):
        super().__init__()
        self.up = nn.ConvTranspose2d(c_in, c_out, 4, 2, 1, bias=False)
        self.norm = nn.BatchNorm2d(c_out)

    def forward(self, x):
        return F.relu(self.norm(self.up(x)))


class GeneratorBlockInAList(nn.Module):  # the layers in a plain Python list: invisible to .parameters()
    def __init__(self, c_in, c_out):
        super().__init__()
        self.layers = [nn.ConvTranspose2d(c_in, c_out, 4, 2, 1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU()]

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x


class GeneratorBlockDetachingItsInput(GeneratorBlockModule):
    def forward(self, x):
        return super().forward(x.detach())  # no gradient reaches the layers before this block


def gb_python_list(c_in, c_out):
    return GeneratorBlockInAList(c_in, c_out)


def gb_detaches_input(c_in, c_out):
    return GeneratorBlockDetachingItsInput(c_in, c_out)


def gb_tanh(c_in, c_out):
    return g_block(c_in, c_out, act=nn.Tanh)  # the output layer's activation


def gb_batch_norm_1d(c_in, c_out):
    return g_block(c_in, c_out, norm=nn.BatchNorm1d)


def gb_conv2d(c_in, c_out):
    return g_block(c_in, c_out, conv=nn.Conv2d)  # halves instead of doubling


def gb_batch_norm_without_affine(c_in, c_out):
    return g_block(c_in, c_out, norm=lambda c: nn.BatchNorm2d(c, affine=False))


def gb_channels_swapped(c_in, c_out):
    return nn.Sequential(nn.ConvTranspose2d(c_out, c_in, 4, 2, 1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU())


def gb_output_padding(c_in, c_out):
    return g_block(c_in, c_out, output_padding=1)


def gb_dropout(c_in, c_out):
    return g_block(c_in, c_out, extra=[nn.Dropout(0.5)])


def gb_instance_norm(c_in, c_out):
    return g_block(c_in, c_out, norm=nn.InstanceNorm2d)


# --------------------------------------------------------------------------- discriminator_block


def d_block(c_in, c_out, batch_norm=True, stride=2, bias=None, act=lambda: nn.LeakyReLU(0.2), always_bn=None,
            conv=nn.Conv2d, kernel=4, padding=1, norm=nn.BatchNorm2d, act_first=False, extra=()):
    use_bn = batch_norm if always_bn is None else always_bn
    layers = [conv(c_in, c_out, kernel, stride, padding, bias=(not use_bn) if bias is None else bias)]
    norms = [norm(c_out)] if use_bn else []
    layers += [act()] + norms if act_first else norms + [act()]
    return nn.Sequential(*layers, *extra)


def db_relu(c_in, c_out, batch_norm=True):
    return d_block(c_in, c_out, batch_norm, act=nn.ReLU)


def db_default_slope(c_in, c_out, batch_norm=True):
    return d_block(c_in, c_out, batch_norm, act=nn.LeakyReLU)


def db_always_batch_norm(c_in, c_out, batch_norm=True):
    return d_block(c_in, c_out, batch_norm, always_bn=True)


def db_never_batch_norm(c_in, c_out, batch_norm=True):
    return d_block(c_in, c_out, batch_norm, always_bn=False)


def db_stride_one(c_in, c_out, batch_norm=True):
    return d_block(c_in, c_out, batch_norm, stride=1)


def db_bias_with_norm(c_in, c_out, batch_norm=True):
    return d_block(c_in, c_out, batch_norm, bias=True)


def db_max_pooling(c_in, c_out, batch_norm=True):
    layers = [nn.Conv2d(c_in, c_out, 3, 1, 1, bias=not batch_norm), nn.MaxPool2d(2)]
    return nn.Sequential(*layers, *([nn.BatchNorm2d(c_out)] if batch_norm else []), nn.LeakyReLU(0.2))


def db_without_bias(c_in, c_out, batch_norm=True):
    return d_block(c_in, c_out, batch_norm, bias=False)  # also correct: a bias is optional without batch norm


def db_transposed(c_in, c_out, batch_norm=True):
    return d_block(c_in, c_out, batch_norm, conv=nn.ConvTranspose2d)


def db_norm_after_activation(c_in, c_out, batch_norm=True):
    return d_block(c_in, c_out, batch_norm, act_first=True)


def db_sigmoid(c_in, c_out, batch_norm=True):
    return d_block(c_in, c_out, batch_norm, act=nn.Sigmoid)


def db_default_without_batch_norm(c_in, c_out, batch_norm=False):  # the wrong default
    return d_block(c_in, c_out, batch_norm)


def db_padding_two(c_in, c_out, batch_norm=True):
    return d_block(c_in, c_out, batch_norm, padding=2)


def db_kernel_three(c_in, c_out, batch_norm=True):
    return d_block(c_in, c_out, batch_norm, kernel=3)  # the right size on even inputs, a checkerboard of overlaps


def db_batch_norm_without_affine(c_in, c_out, batch_norm=True):
    return d_block(c_in, c_out, batch_norm, norm=lambda c: nn.BatchNorm2d(c, affine=False))


def db_dropout(c_in, c_out, batch_norm=True):
    return d_block(c_in, c_out, batch_norm, extra=[nn.Dropout2d(0.3)])


class DiscriminatorBlockInAList(nn.Module):
    def __init__(self, c_in, c_out, batch_norm=True):
        super().__init__()
        self.layers = [nn.Conv2d(c_in, c_out, 4, 2, 1, bias=not batch_norm),
                       *([nn.BatchNorm2d(c_out)] if batch_norm else []), nn.LeakyReLU(0.2)]

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x


def db_python_list(c_in, c_out, batch_norm=True):
    return DiscriminatorBlockInAList(c_in, c_out, batch_norm)


# --------------------------------------------------------------------------- dcgan_init


def _init(module, conv_std=0.02, dist="normal", bn_mean=1.0, transposed=True, zero_bias=True, bn_init=True):
    kinds = (nn.Conv2d, nn.ConvTranspose2d) if transposed else (nn.Conv2d,)
    if isinstance(module, kinds):
        if dist == "normal":
            nn.init.normal_(module.weight, 0.0, conv_std)
        else:
            nn.init.uniform_(module.weight, -conv_std * math.sqrt(3 if dist == "uniform-std" else 1),
                             conv_std * math.sqrt(3 if dist == "uniform-std" else 1))
        if module.bias is not None and zero_bias:
            nn.init.zeros_(module.bias)
    elif isinstance(module, nn.BatchNorm2d) and bn_init:
        nn.init.normal_(module.weight, bn_mean, 0.02)
        nn.init.zeros_(module.bias)


def init_std_point_two(module):
    _init(module, conv_std=0.2)


def init_uniform(module):
    _init(module, dist="uniform")  # U(-0.02, 0.02): standard deviation 0.0115


def init_uniform_same_std(module):
    _init(module, dist="uniform-std")  # U(-0.0346, 0.0346): standard deviation 0.02, but not normal


def init_batch_norm_scale_zero(module):
    _init(module, bn_mean=0.0)


def init_conv2d_only(module):
    _init(module, transposed=False)


def init_keeps_biases(module):
    _init(module, zero_bias=False)


def init_skips_batch_norm(module):
    _init(module, bn_init=False)


def init_mean_std_swapped(module):
    if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d)):
        nn.init.normal_(module.weight, 0.02)  # mean 0.02, standard deviation 1
        if module.bias is not None:
            nn.init.zeros_(module.bias)
    elif isinstance(module, nn.BatchNorm2d):
        nn.init.normal_(module.weight, 1.0, 0.02)
        nn.init.zeros_(module.bias)


def init_by_class_name(module):  # the PyTorch DCGAN example's way: also correct
    name = type(module).__name__
    if "Conv" in name:
        module.weight.data.normal_(0.0, 0.02)
        if module.bias is not None:
            module.bias.data.zero_()
    elif "BatchNorm" in name:
        module.weight.data.normal_(1.0, 0.02)
        module.bias.data.zero_()


def init_linear_too(module):  # the paper's "all weights": also correct
    _init(module)
    if isinstance(module, nn.Linear):
        nn.init.normal_(module.weight, 0.0, 0.02)
        nn.init.zeros_(module.bias)


def init_catch_all_like_batch_norm(module):
    if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d)):
        _init(module)
    elif hasattr(module, "weight"):  # meant for batch norm, also catches nn.Linear
        nn.init.normal_(module.weight, 1.0, 0.02)
        nn.init.zeros_(module.bias)


def init_variance_not_std(module):
    if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d)):
        nn.init.normal_(module.weight, 0.0, 0.02 ** 2)  # the variance where the standard deviation belongs
        if module.bias is not None:
            nn.init.zeros_(module.bias)
    else:
        _init(module)


def init_batch_norm_shift_one(module):
    _init(module)
    if isinstance(module, nn.BatchNorm2d):
        nn.init.ones_(module.bias)


def init_batch_norm_scale_exactly_one(module):
    _init(module)
    if isinstance(module, nn.BatchNorm2d):
        nn.init.ones_(module.weight)  # PyTorch's default, not DCGAN's N(1, 0.02)


def init_xavier(module):
    if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d)):
        nn.init.xavier_normal_(module.weight)
        if module.bias is not None:
            nn.init.zeros_(module.bias)
    else:
        _init(module)


def init_not_written_back(module):
    if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d)):
        torch.normal(0.0, 0.02, size=module.weight.shape)  # computed, never stored in the module
    else:
        _init(module)


def init_plain_tensor(module):
    if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d)):
        module.weight = torch.randn_like(module.weight) * 0.02  # a tensor cannot replace a Parameter
    _init(module)


def test_lesson_05_checks_accept_references(capsys):
    checks.generator_block(g_block)
    checks.generator_block(GeneratorBlockModule)
    checks.discriminator_block(d_block)
    checks.discriminator_block(db_without_bias)
    checks.dcgan_init(dcgan_init_reference)
    checks.dcgan_init(init_by_class_name)
    checks.dcgan_init(init_linear_too)
    lesson = solutions("06_dcgan")
    checks.generator_block(lesson["generator_block"])
    checks.discriminator_block(lesson["discriminator_block"])
    checks.dcgan_init(lesson["init_weights"])
    assert capsys.readouterr().out.count("passed") == 10


OLD_MISTAKES = [
    (checks.generator_block, stub, "not implemented yet"),
    (checks.generator_block, gb_no_return, "did you forget `return`"),
    (checks.generator_block, gb_stride_one, "twice the height and width"),
    (checks.generator_block, gb_no_padding, "twice the height and width"),
    (checks.generator_block, gb_kernel_three, "kernel_size=4, stride=2, padding=1"),
    (checks.generator_block, gb_with_bias, "bias=False"),
    (checks.generator_block, gb_leaky, "end in nn.ReLU"),
    (checks.generator_block, gb_no_batch_norm, "nn.BatchNorm2d(8)"),
    (checks.generator_block, gb_relu_before_norm, "in this order"),
    (checks.generator_block, gb_upsample_conv, "nn.ConvTranspose2d"),
    (checks.discriminator_block, stub, "not implemented yet"),
    (checks.discriminator_block, db_relu, "LeakyReLU(0.2)"),
    (checks.discriminator_block, db_default_slope, "negative_slope=0.2"),
    (checks.discriminator_block, db_always_batch_norm, "no batch norm with batch_norm=False"),
    (checks.discriminator_block, db_never_batch_norm, "nn.BatchNorm2d(16)"),
    (checks.discriminator_block, db_stride_one, "half the height and width"),
    (checks.discriminator_block, db_bias_with_norm, "bias=False"),
    (checks.discriminator_block, db_max_pooling, "remove the MaxPool2d"),
    (checks.dcgan_init, stub, "not implemented yet"),
    (checks.dcgan_init, init_std_point_two, "weights ~ N(0, 0.02²), received values"),
    (checks.dcgan_init, init_uniform, "N(0, 0.02²)"),
    (checks.dcgan_init, init_uniform_same_std, "not nn.init.uniform_"),
    (checks.dcgan_init, init_batch_norm_scale_zero, "scales"),
    (checks.dcgan_init, init_conv2d_only, "ConvTranspose2d weights were not initialised"),
    (checks.dcgan_init, init_keeps_biases, "convolution biases to be 0"),
    (checks.dcgan_init, init_skips_batch_norm, "BatchNorm2d weights (the scales gamma) were not initialised"),
    (checks.dcgan_init, init_mean_std_swapped, "the mean comes first"),
]

NEW_MISTAKES = [
    (checks.generator_block, gb_python_list, "expected exactly one nn.ConvTranspose2d (the fractionally-strided "
                                             "convolution that learns its own upsampling, no fixed nn.Upsample), "
                                             "received none. Your block computes an output, so its layers are hidden"),
    (checks.generator_block, gb_detaches_input, "expected the gradient with respect to the block's input = "),
    (checks.generator_block, gb_tanh, "expected the generator's hidden blocks to end in nn.ReLU (LeakyReLU is for the "
                                      "discriminator, tanh only for G's output layer), received Tanh"),
    (checks.generator_block, gb_batch_norm_1d, "expected an output of shape (4, 8, 14, 14), received an error: your "
                                               "block raised ValueError"),
    (checks.generator_block, gb_conv2d, "expected an output of shape (4, 8, 14, 14) (twice the height and width), "
                                        "received a tensor of shape (4, 8, 3, 3)"),
    (checks.generator_block, gb_batch_norm_without_affine, "received affine=False"),
    (checks.generator_block, gb_channels_swapped, "received an error: your block raised RuntimeError"),
    (checks.generator_block, gb_output_padding, "received a tensor of shape (4, 8, 15, 15)"),
    (checks.generator_block, gb_dropout, "in this order, received other values"),
    (checks.generator_block, gb_instance_norm, "expected one nn.BatchNorm2d(8) after the convolution"),
    (checks.discriminator_block, db_transposed, "expected an output of shape (4, 8, 14, 14) (half the height and "
                                                "width), received a tensor of shape (4, 8, 56, 56)"),
    (checks.discriminator_block, db_norm_after_activation, "expected Conv2d -> BatchNorm2d -> LeakyReLU(0.2), in "
                                                           "this order"),
    (checks.discriminator_block, db_sigmoid, "expected nn.LeakyReLU(0.2), received Sigmoid"),
    (checks.discriminator_block, db_default_without_batch_norm, "case 'discriminator_block(4, 8) on images of "
                                                                "14x10': expected one nn.BatchNorm2d(8)"),
    (checks.discriminator_block, db_padding_two, "received a tensor of shape (4, 8, 15, 15)"),
    (checks.discriminator_block, db_kernel_three, "kernel_size=4, stride=2, padding=1, received kernel_size=3"),
    (checks.discriminator_block, db_batch_norm_without_affine, "received affine=False"),
    (checks.discriminator_block, db_dropout, "in this order, received other values"),
    (checks.discriminator_block, db_python_list, "received none. Your block computes an output, so its layers are "
                                                 "hidden"),
    (checks.dcgan_init, init_catch_all_like_batch_norm, "expected the Linear weights (left alone, or initialised like "
                                                        "a convolution) ~ N(0, 0.02²), received values with mean 1.0"),
    (checks.dcgan_init, init_variance_not_std, "and standard deviation 0.0004. Use nn.init.normal_(module.weight, "
                                               "0.0, 0.02): the mean comes first, then the standard deviation (not the "
                                               "variance)"),
    (checks.dcgan_init, init_batch_norm_shift_one, "expected all BatchNorm2d biases (shifts) to be 0, received values "
                                                   "up to 1"),
    (checks.dcgan_init, init_batch_norm_scale_exactly_one, "expected the BatchNorm2d weights (scales) ~ N(1, 0.02²), "
                                                           "received values with mean 1.0000 and standard deviation "
                                                           "0.0000"),
    (checks.dcgan_init, init_xavier, "expected the ConvTranspose2d weights ~ N(0, 0.02²)"),
    (checks.dcgan_init, init_not_written_back, "expected the ConvTranspose2d weights ~ N(0, 0.02²), received them "
                                               "unchanged"),
    (checks.dcgan_init, init_plain_tensor, "received an error instead: your function raised TypeError"),
]


@pytest.mark.parametrize("check, wrong, fragment", OLD_MISTAKES + NEW_MISTAKES,
                         ids=mistake_ids(OLD_MISTAKES + NEW_MISTAKES))
def test_lesson_05_checks_reject_mistakes(check, wrong, fragment):
    assert_rejected(check, wrong, fragment)


def test_even_upsampling_grades_the_layer_it_measures(capsys):
    checks.even_upsampling(solutions("06_dcgan")["upsampling_settings"])
    checks.even_upsampling(lambda: {"kernel": 2, "stride": 2, "padding": 0})
    assert capsys.readouterr().out.count("✔ even_upsampling") == 2
    with pytest.raises(AssertionError, match="other than 4"):
        checks.even_upsampling(lambda: {"kernel": 4, "stride": 2, "padding": 1})
    with pytest.raises(AssertionError, match="27 x 27"):  # kernel 3 cannot double 14 with stride 2
        checks.even_upsampling(lambda: {"kernel": 3, "stride": 2, "padding": 1})
    with pytest.raises(AssertionError, match="not evenly"):  # 28 x 28, but the stride does not divide the kernel
        checks.even_upsampling(lambda: {"kernel": 5, "stride": 3, "padding": 8})
    with pytest.raises(AssertionError, match="exactly the keys"):
        checks.even_upsampling(lambda: {"kernel": 2, "stride": 2})
    with pytest.raises(AssertionError, match="not implemented"):
        checks.even_upsampling(stub)
