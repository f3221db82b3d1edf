"""Lesson 06 (DCGAN: the architecture guidelines measured) runs headless; its recorded figures are checked.

``pytest tests/lessons/test_lesson_06.py`` runs the notebook in the smoke profile (code paths and sanity);
``GAN_COURSE_TEST_PROFILE=cpu`` runs the cpu profile and asserts what the lesson's text says. The cpu
thresholds leave a margin around the values of the cpu run (seed 0, one torch thread), noted next to them. Assertions marked CHECKPOINT read the committed DCGAN checkpoints (gan_course/pretrained/dcgan*.pt): re-tune
them when those are retrained.
"""

import math

import pytest

from conftest import LESSON_PROFILE
from gan_course.models import dcgan
from gan_course.models.dcgan import DCGANDiscriminator, DCGANGenerator

SMOKE = LESSON_PROFILE == "smoke"
KINDS = ("guidelines", "everywhere", "none")


@pytest.fixture(scope="module")
def r(lesson_results):
    return lesson_results("06_dcgan")


def test_data_and_architecture(r):
    assert r["train_images"] > 0 and "MNIST" in r["data_source"]
    w = dcgan.WIDTH
    assert r["g_shapes"] == [[4 * w, 7, 7], [2 * w, 14, 14], [w, 28, 28], [1, 28, 28]]  # 1 -> 7 -> 14 -> 28
    assert r["d_shapes"] == [[w, 14, 14], [2 * w, 7, 7], [4 * w, 4, 4], [1, 1, 1]]  # 28 -> 14 -> 7 -> 4 -> score
    assert r["g_parameters"] == sum(p.numel() for p in DCGANGenerator(width=w).parameters())
    assert r["d_parameters"] == sum(p.numel() for p in DCGANDiscriminator(width=w).parameters())


def test_strided_convolutions_and_the_checkerboard(r):
    assert r["maxpool_grad_share"] == 0.25 and r["strided_grad_share"] == 1.0
    assert r["overlap_k3_interior"] == [1, 2, 4] and r["overlap_k4_interior"] == [4]
    assert r["d_layer3_coverage"] == [1, 2, 4]  # D's third layer (kernel 3, stride 2) spreads its gradient unevenly
    assert r["period_two_share_real"] < 0.01  # real digits: cpu 0.29%
    assert r["period_two_share_noise"] == pytest.approx(55 / 783, abs=0.01)  # white noise: 55 of 783 frequencies
    assert r["period_two_share_untrained"] > 0.2  # "almost a third" of the untrained G's energy (31%)
    # CHECKPOINT (in gpu: the run): training removes it, down to about the real digits' share (0.28% vs 0.29%)
    assert r["period_two_share_trained"] < 3 * r["period_two_share_real"]


def test_batch_norm_on_g_output_pins_the_batch_statistics(r):
    gap, before_tanh = r["ink_gap"], r["pre_tanh_gap"]
    assert set(gap) == set(before_tanh) == set(KINDS) and r["ink_gap_real"] > 0.1  # real: 0.32
    assert all(g["eval"] > 0.05 for g in gap.values())  # bold and thin samples differ at test time (cpu 0.31-0.34)
    # output BN in training mode: the same mean and standard deviation before the tanh, whatever the batch
    assert abs(before_tanh["everywhere"]["mean"]) < 1e-3 and abs(before_tanh["everywhere"]["std"]) < 1e-3
    assert abs(before_tanh["none"]["mean"]) > 0.01  # without BN the batches differ before the tanh too
    assert gap["none"]["train"] == pytest.approx(gap["none"]["eval"], rel=1e-3)  # no BN: nothing changes
    # CHECKPOINT: the ink gap left in training mode: output BN 14%, hidden BN only 45%, none 100%
    kept = {kind: g["train"] / g["eval"] for kind, g in gap.items()}
    assert kept["everywhere"] < 0.35 and kept["everywhere"] < kept["guidelines"] - 0.15
    assert 0.2 < kept["guidelines"] < 0.9


def test_batch_norm_on_d_input_is_blind_to_a_washed_out_batch(r):
    change = r["d_scores_change_under_affine_input"]
    assert change["everywhere"] < 0.01  # identical scores up to rounding and batch norm's eps (cpu 5e-4)
    assert change["guidelines"] > 1 and change["none"] > 1  # CHECKPOINT: whole units (cpu 18 and 5.7)


def test_batch_norm_ties_a_sample_to_its_batch_in_training_mode_only(r):
    tie = r["same_z_two_batches"]
    assert all(tie[kind]["eval"] < 1e-6 for kind in KINDS)
    assert tie["none"]["train"] < 1e-6
    assert tie["guidelines"]["train"] > 1e-3 and tie["everywhere"]["train"] > 1e-3


def test_no_fully_connected_hidden_layers(r):
    assert r["first_layer_as_linear_difference"] < 1e-4  # G's first layer is a reshaped matrix product
    assert r["fc_hidden_parameters"] > 10 * r["d_parameters"]  # "many times over" (19x at width 32)


def test_tanh_output(r):
    assert 0.7 < r["background_share_real"] < 0.9  # MNIST: mostly background at exactly -1 (0.81)
    low, high = r["pre_tanh_range"]
    # CHECKPOINT: pre-tanh values from -59 to 7, 92% outside [-1, 1]; 79% background after the tanh (real 81%)
    assert low < -5 and r["outside_range_without_tanh"] > 0.5
    assert abs(r["background_share_generated"] - r["background_share_real"]) < 0.1


def test_leaky_relu_passes_gradient_for_negative_inputs(r):
    assert len(r["d_negative_share"]) == 3 and all(0 < s < 1 for s in r["d_negative_share"])  # D's 3 LeakyReLUs
    assert r["leaky_zero_gradient_pixels"] == 0
    assert r["relu_gradient_norm_ratio"] > 0 and math.isfinite(r["relu_gradient_norm_ratio"])
    assert len(r["d_always_negative_share"]) == 3
    assert all(0 <= a <= n for a, n in zip(r["d_always_negative_share"], r["d_negative_share"]))
    # CHECKPOINT: about half of D's units see a negative input (58%, 46%, 47%); 14% of the first layer's always
    assert all(0.3 < s < 0.7 for s in r["d_negative_share"]) and r["d_always_negative_share"][0] > 0.02
    border, inside = r["d_always_negative_border_interior"]  # mostly near the border: 28% vs 0.6%
    assert border > 5 * inside


def test_init(r):
    default, dcgan = r["init_stats"]["default"], r["init_stats"]["N(0, 0.02²)"]
    assert dcgan["output_weight_std"] == pytest.approx(0.02, abs=0.002) and default["output_weight_std"] > 0.1
    for row in (default, dcgan):
        assert all(s == pytest.approx(1.0, abs=0.05) for s in row["after_batch_norm"])  # BN rescales either way
    assert default["pre_tanh_std"] > 3 * dcgan["pre_tanh_std"]
    assert default["saturated_share"] > 0.2 and dcgan["saturated_share"] < 0.01
    assert dcgan["tanh_slope"] > 0.9 and default["tanh_slope"] < 0.6  # mean slope of the tanh: 0.96 vs 0.36
    assert 0.35 < default["saturated_share"] < 0.6  # "almost half" of the pixels saturated (46%)


