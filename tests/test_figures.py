"""Each figure is written as a real, non-trivial PNG (drawn on the Agg canvas: no display needed)."""

import json
import struct

import numpy as np
import pytest

from trainers.cumpt import calibrate
from trainers.figures import plot_calibration, plot_confusion, plot_per_class_f1, plot_slices
from trainers.metrics import classification_report, slice_report

LABELS = [4, 3, 2, 1]
NAMES = {4: "Excellent", 3: "Related", 2: "Mismatch", 1: "Irrelevant"}
GOLD = [4, 4, 4, 3, 3, 2, 2, 2, 1]
PRED = [4, 4, None, 4, 2, 2, 1, None, 1]


def png_size(path) -> tuple[int, int]:
    """Width and height from the PNG header, after checking the signature."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    assert len(data) > 5_000  # an empty canvas compresses to far less
    return struct.unpack(">II", data[16:24])


@pytest.fixture
def report():
    return classification_report(GOLD, PRED, LABELS, tiers={"Good": [4, 3], "Mid": [2], "Bad": [1]},
                                 label_names=NAMES)


def test_confusion_png(tmp_path, report):
    out = plot_confusion(report, tmp_path / "sub" / "confusion.png")  # missing folders are created
    w, h = png_size(out)
    assert w > 400 and h > 300


def test_per_class_f1_png_single_and_compared(tmp_path, report):
    cumpt = classification_report(GOLD, [4, 4, 4, 3, 2, 2, 1, 2, 1], LABELS, label_names=NAMES)
    single = png_size(plot_per_class_f1(report, tmp_path / "f1.png"))
    both = png_size(plot_per_class_f1(report, tmp_path / "f1_vs.png", compare=cumpt))
    assert single[0] > 400 and both[0] > 400


def test_slices_png(tmp_path):
    sl = slice_report(GOLD, PRED, [["negation"], ["qa"], ["negation", "knowledge"]] * 3, LABELS)
    assert png_size(plot_slices(sl, tmp_path / "slices.png"))[0] > 400
    with pytest.raises(ValueError, match="no example carried a query-type tag"):
        plot_slices({}, tmp_path / "empty.png")


def test_calibration_png_from_result_and_from_curve(tmp_path):
    probs = np.random.default_rng(0).dirichlet([1, 1, 1, 1], size=40)
    gold = [LABELS[i] for i in probs.argmax(axis=1)]
    res = calibrate(probs, gold, LABELS)
    assert png_size(plot_calibration(res, tmp_path / "cal.png"))[0] > 400
    assert png_size(plot_calibration(res.curve, tmp_path / "cal2.png", chosen=res.beta))[0] > 400
    with pytest.raises(ValueError, match="curve is empty"):
        plot_calibration([], tmp_path / "none.png")


def test_a_report_read_back_from_json_plots(tmp_path, report):
    back = json.loads(json.dumps(report))
    png_size(plot_confusion(back, tmp_path / "c.png"))
    png_size(plot_per_class_f1(back, tmp_path / "f.png"))
