"""Each figure is written as a real, non-trivial PNG (drawn on the Agg canvas: no display needed)."""

import json
import struct

import numpy as np
import pytest

from trainers.evaluation import figures
from trainers.evaluation.cumpt import calibrate
from trainers.evaluation.figures import plot_calibration, plot_confusion, plot_per_class_f1, plot_slices
from trainers.evaluation.metrics import classification_report, slice_report

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
def drawn(monkeypatch):
    """The Figure objects the plots draw, in call order, to read titles, legends and ticks back."""
    figs = []
    save = figures._save

    def spy(fig, path):
        figs.append(fig)
        return save(fig, path)

    monkeypatch.setattr(figures, "_save", spy)
    return figs


def legend_texts(ax):
    return [t.get_text() for t in ax.get_legend().get_texts()]


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


@pytest.mark.parametrize("share,text", [(1.0, "100%"), (0.0, "0%"), (0.125, "12.5%"), (2 / 9, "22.2%"),
                                        (0.004, "0.4%"), (1 / 5000, "<0.1%"), (4999 / 5000, ">99.9%")])
def test_rates_print_short(share, text):
    assert figures._rate(share) == text


def test_confusion_title_is_a_prefix_that_keeps_the_facts(tmp_path, report, drawn):
    # 9 examples, diagonal 4,4 / 4,4 / 2,2 / 1,1 -> accuracy 4/9; two None -> unparsed 2/9
    plot_confusion(report, tmp_path / "c.png", title="Decoded CoT labels")
    assert drawn[-1].axes[0].get_title() == "Decoded CoT labels\nn = 9, accuracy 44.4%, unparsed 22.2%"
    plot_confusion(dict(report, beta=0.35), tmp_path / "c2.png")
    assert drawn[-1].axes[0].get_title() == "Confusion matrix\nn = 9, accuracy 44.4%, unparsed 22.2%, CumPT beta = 0.35"


def test_per_class_f1_legend_carries_the_parse_failure_rate(tmp_path, report, drawn):
    unparsed = classification_report(GOLD, [None] * len(GOLD), LABELS)
    cumpt = dict(classification_report(GOLD, GOLD, LABELS), beta=0.4)
    plot_per_class_f1(unparsed, tmp_path / "f.png", compare=cumpt)
    ax = drawn[-1].axes[0]
    assert legend_texts(ax) == ["decoded (100% unparsed)", "CumPT, beta = 0.4 (0% unparsed)"]
    assert ax.get_title() == "F1 per class: decoded vs CumPT (n = 9)"
    plot_per_class_f1(report, tmp_path / "f1.png")  # one system: the legend is there too
    assert legend_texts(drawn[-1].axes[0]) == ["decoded (22.2% unparsed)"]


def _slices():
    # "big" has 24 examples, "small" 3: only "small" is under the default min_n of 20
    gold = [4, 3, 2, 1] * 6 + [4, 3, 2]
    pred = [4, 3, 2, 2] * 6 + [4, None, 1]
    tags = [["big"]] * 24 + [["small"]] * 3
    cumpt = [4, 3, 1, 1] * 6 + [4, 3, 2]
    return slice_report(gold, pred, tags, LABELS), slice_report(gold, cumpt, tags, LABELS)


def _hatched(ax):
    return [bool(bar.get_hatch()) for bar in ax.patches]


def test_slices_say_decoded_show_n_and_fade_small_slices(tmp_path, drawn):
    decoded, _ = _slices()
    plot_slices(decoded, tmp_path / "s.png")
    ax = drawn[-1].axes[0]
    assert ax.get_title() == "Decoded labels: quality per query-type slice"
    # n per slice, and the parse failures that make a bar low without a wrong label
    assert [t.get_text() for t in ax.get_xticklabels()] == ["big\n(n=24)", "small\n(n=3)\n1 unparsed"]
    assert [t.get_color() for t in ax.get_xticklabels()] == ["black", figures.MUTED]
    assert _hatched(ax) == [False, True, False, True]  # bars series by series: accuracy big, small; macro-F1 ...
    assert legend_texts(ax) == ["accuracy", "macro-F1", "n < 20: too few to read"]
    plot_slices(decoded, tmp_path / "s1.png", min_n=3)  # nothing small: no faded bar, no legend entry
    assert not any(_hatched(drawn[-1].axes[0])) and len(legend_texts(drawn[-1].axes[0])) == 2


def test_slices_compared_with_cumpt_side_by_side(tmp_path, drawn):
    decoded, cumpt = _slices()
    out = plot_slices(decoded, tmp_path / "s.png", compare=cumpt)
    assert png_size(out)[0] > 400
    acc, f1 = drawn[-1].axes
    assert acc.get_title() == "Query-type slices: decoded labels vs CumPT labels"
    assert acc.get_ylabel() == "accuracy (%)" and f1.get_ylabel() == "macro-F1 (%)"
    assert legend_texts(acc) == ["decoded", "CumPT", "n < 20: too few to read"]
    # big: decoded 18/24 right (1 -> 2 wrong), CumPT 18/24 (2 -> 1 wrong); small: decoded 1/3, CumPT 3/3
    assert [round(b.get_height(), 1) for b in acc.patches] == [75.0, 33.3, 75.0, 100.0]
    assert _hatched(acc) == [False, True, False, True]


def test_slices_with_different_tags_or_sizes_say_so(tmp_path, drawn):
    decoded, cumpt = _slices()
    cumpt = {**cumpt, "extra": {"n": 30, "accuracy": 0.5, "macro_f1": 0.5, "n_unparsed": 0},
             "small": dict(cumpt["small"], n=2), "big": dict(cumpt["big"], n_unparsed=6)}
    plot_slices(decoded, tmp_path / "s.png", compare=cumpt)
    ticks = [t.get_text() for t in drawn[-1].axes[1].get_xticklabels()]
    assert ticks == ["big\n(n=24)\nCumPT: 6 unparsed", "small\n(decoded n=3,\nCumPT n=2)\ndecoded: 1 unparsed",
                     "extra\n(decoded n=0,\nCumPT n=30)"]
    acc = drawn[-1].axes[0]
    assert acc.patches[2].get_height() == 0 and "n/a" in [t.get_text() for t in acc.texts]  # no decoded "extra"


def test_calibration_title_names_the_dev_set_and_its_size(tmp_path, drawn):
    probs = np.random.default_rng(0).dirichlet([1, 1, 1, 1], size=40)
    gold = [LABELS[i] for i in probs.argmax(axis=1)]
    res = calibrate(probs, gold, LABELS)
    plot_calibration(res.curve, tmp_path / "a.png", chosen=res.beta, objective="macro_f1",
                     dev="data/synthetic/eval_wild.jsonl", n=40)
    assert drawn[-1].axes[0].get_title() == "CumPT calibration on eval_wild.jsonl (n = 40)\ndev macro-F1 vs beta"
    plot_calibration(res, tmp_path / "b.png")  # a result knows its n, not its dev set
    assert drawn[-1].axes[0].get_title() == "CumPT calibration (n = 40)\ndev macro-F1 vs beta"
    stored = json.loads(json.dumps(dict(res.to_dict(), dev="dev.jsonl")))  # as the evaluator writes it
    plot_calibration(stored, tmp_path / "c.png", title="Tiny model")
    assert drawn[-1].axes[0].get_title() == "Tiny model on dev.jsonl (n = 40)\ndev macro-F1 vs beta"
    assert f"chosen beta = {res.beta:g}" in legend_texts(drawn[-1].axes[0])[-1]


def test_calibration_shades_the_plateau_the_beta_comes_from(tmp_path, drawn):
    curve = [(b / 20, 0.8 if b <= 4 else 0.5) for b in range(21)]  # 0 ... 0.2 tie, 0.25 drops
    plot_calibration(curve, tmp_path / "p.png", chosen=0.1, objective="good_f1")
    assert legend_texts(drawn[-1].axes[0]) == ["best-score plateau 0 to 0.2", "dev Good-F1",
                                               "chosen beta = 0.1 (80.00)"]
    plot_calibration([(0.4, 0.5), (0.5, 0.9), (0.6, 0.5)], tmp_path / "q.png", chosen=0.5)  # one point: no span
    assert not any(t.startswith("best-score") for t in legend_texts(drawn[-1].axes[0]))
