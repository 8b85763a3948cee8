"""`make bench-check`: the newest benchmark result judged against the committed baseline."""

import copy
import json
import os

import pytest

from bench import check


def result(**overrides) -> dict:
    data = {
        "commit": "abc1234",
        "baseline_H_rps": 800.0,
        "storm": {"errors": 0, "latency_ms": {"p99": 6000.0}},
        "ratios": {"baseline": 1.0, "exam_page": 0.20, "autosave": 0.30},
        "scenarios": {
            "exam_page": {"errors": 0, "latency_ms": {"p50": 100.0, "p99": 150.0}},
            "autosave": {"errors": 0, "latency_ms": {"p50": 50.0, "p99": 80.0}},
        },
        "item_analysis": {"best_s": 1.5},
        "certificates": {"ratio": 0.9},
    }
    for path, value in overrides.items():
        node = data
        *parents, last = path.split("__")
        for key in parents:
            node = node[key]
        node[last] = value
    return data


@pytest.fixture
def files(tmp_path):
    def write(baseline: dict, newest: dict):
        (tmp_path / "results").mkdir(exist_ok=True)
        (tmp_path / "baseline.json").write_text(json.dumps(baseline))
        path = tmp_path / "results" / "2026-11-23-new.json"
        path.write_text(json.dumps(newest))
        return ["--baseline", str(tmp_path / "baseline.json"), "--result", str(path)]

    return write


def test_a_throughput_ratio_over_15_percent_lower_fails(files, capsys):
    assert check.main(files(result(), result(ratios__exam_page=0.16))) == 1
    out = capsys.readouterr().out
    assert "1 regression(s): exam page throughput × H" in out
    assert "-20.0%" in out


def test_within_15_percent_or_better_passes(files, capsys):
    newest = result(ratios__exam_page=0.18, ratios__autosave=0.40, item_analysis__best_s=1.2)
    assert check.main(files(result(), newest)) == 0
    out = capsys.readouterr().out
    assert "no regression" in out
    assert "+20.0%" in out  # item analysis 1.5 s → 1.2 s is an improvement


def test_a_slower_timing_fails(files, capsys):
    assert check.main(files(result(), result(item_analysis__best_s=1.8))) == 1
    assert "item analysis, s" in capsys.readouterr().out.splitlines()[-1]


def test_latency_spread_is_judged_against_the_target_not_the_baseline(files, capsys):
    wider = result()
    wider["scenarios"]["autosave"]["latency_ms"]["p99"] = 190.0  # p99/p50 1.6 → 3.8: noise, under 4
    assert check.main(files(result(), wider)) == 0
    assert "ok (≤ 4)" in capsys.readouterr().out
    past = result()
    past["scenarios"]["autosave"]["latency_ms"]["p99"] = 210.0  # 4.2: the target is missed
    assert check.main(files(result(), past)) == 1
    out = capsys.readouterr().out
    assert "REGRESSION (over 4)" in out
    assert out.splitlines()[-1] == "1 regression(s): autosave p99 / p50"


def test_the_start_storm_is_judged_in_baseline_requests(files, capsys):
    # A machine 25 % faster: H up, the storm's p99 down alike. Not a change.
    faster = result(baseline_H_rps=1000.0, storm__latency_ms={"p99": 4800.0})
    assert check.main(files(result(), faster)) == 0
    out = capsys.readouterr().out
    assert "start storm p99, ms" in out
    assert "not judged" in out
    # The same machine (same H), the storm 20 % slower: a regression.
    slower = result(storm__latency_ms={"p99": 7200.0})
    assert check.main(files(result(), slower)) == 1
    assert capsys.readouterr().out.splitlines()[-1] == "1 regression(s): start storm p99 × H"


def test_any_new_error_fails(files, capsys):
    assert check.main(files(result(), result(scenarios__autosave__errors=1))) == 1
    assert "autosave errors" in capsys.readouterr().out.splitlines()[-1]


def test_figures_missing_from_a_partial_run_are_listed_not_judged(files, capsys):
    only_certificates = {"commit": "def5678", "certificates": {"ratio": 0.88}}
    assert check.main(files(result(), only_certificates)) == 0
    out = capsys.readouterr().out
    assert "not in the newest" in out
    assert "no regression" in out


def test_the_newest_result_is_the_last_finished_not_the_last_named(tmp_path):
    older, newer = tmp_path / "2026-11-23-zzz.json", tmp_path / "2026-11-23-aaa.json"
    older.write_text(json.dumps({"finished_at": "2026-11-23T10:00:00+00:00"}))
    newer.write_text(json.dumps({"finished_at": "2026-11-23T11:00:00+00:00"}))
    assert check.newest_result(tmp_path) == newer
    legacy = tmp_path / "2026-11-22-old.json"  # no finished_at: its modification time counts
    legacy.write_text("{}")
    os.utime(legacy, (0, 0))
    assert check.newest_result(tmp_path) == newer


def test_accept_makes_the_result_the_baseline(files, tmp_path):
    newest = result(ratios__exam_page=0.25)
    args = files(result(), copy.deepcopy(newest))
    assert check.main([*args, "--accept"]) == 0
    assert json.loads((tmp_path / "baseline.json").read_text()) == newest
