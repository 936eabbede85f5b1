"""bench/report.py: one well-formed table, and every benchmark in bench/ run by it.

No benchmark runs here: the report's one call per benchmark is replaced by fake figures,
and each benchmark's figures are computed from fake measurements.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from bench import build_scale, fanout, load, replies, report, search
from bench.report import Figure

BENCH = Path(report.__file__).parent
FAKE = [
    Figure("ratio", "0.970", "≥ 0.95", True, "the ceiling"),
    Figure("429 answers", "3", "0", False),
    Figure("p50 | median", "12 ms"),
]


def _cells(line: str) -> list[str]:
    """A Markdown table row's cells, escaped pipes kept inside their cell."""
    return [cell.strip() for cell in line.replace("\\|", "\0").strip("|").split("|")]


def test_the_table_has_one_header_and_six_cells_a_row() -> None:
    text = report.table([("fanout", figure) for figure in FAKE])
    header, rule, *rows = text.splitlines()
    assert _cells(header) == ["benchmark", "figure", "result", "goal", "met?", "measured against"]
    assert _cells(rule) == ["---"] * 6
    assert [_cells(row) for row in rows] == [
        ["fanout", "ratio", "0.970", "≥ 0.95", "yes", "the ceiling"],
        ["fanout", "429 answers", "3", "0", "**no**", ""],
        ["fanout", "p50 \0 median", "12 ms", "", "", ""],
    ]


def test_results_name_the_machine_and_count_the_goals() -> None:
    about = {"CPU": "Test CPU, 2 cores", "RAM": "3.8 GiB"}
    started = dt.datetime(2026, 1, 2, 3, 4, tzinfo=dt.UTC)
    rows = [("fanout", figure) for figure in FAKE]
    text = report.render(rows, about, quick=True, started=started, load=(0.5, 1.5))
    assert "quick run (`make bench QUICK=1`), started 2026-01-02 03:04 UTC" in text
    assert "- CPU: Test CPU, 2 cores" in text and "- RAM: 3.8 GiB" in text
    assert "0.50 before, 1.50 after" in text
    assert "Goals met: 1 of 2; not met: fanout: 429 answers." in text
    assert text.count("\n| fanout |") == len(FAKE)


def test_the_machine_is_described_from_this_one() -> None:
    about = report.machine()
    assert set(about) == {"CPU", "RAM", "OS", "Python", "commit"}
    assert about["CPU"].endswith(" cores") and about["Python"][0].isdigit()


def test_a_goal_needs_a_verdict_and_a_verdict_a_goal() -> None:
    with pytest.raises(ValueError):
        Figure("429 answers", "0", "0")
    with pytest.raises(ValueError):
        Figure("429 answers", "0", met=True)


def test_figures_go_to_the_report_as_json_and_back(capsys: pytest.CaptureFixture[str]) -> None:
    report.show(FAKE, as_json=True)
    assert [Figure(**row) for row in json.loads(capsys.readouterr().out)] == FAKE


def _benchmark_files() -> set[str]:
    return {path.stem for path in BENCH.glob("*.py")} - {"__init__", "report"}


def test_every_benchmark_in_bench_is_run_by_the_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ran: list[tuple[str, bool]] = []

    def fake_run(name: str, *, quick: bool) -> list[Figure]:
        ran.append((name, quick))
        return [Figure(f"{name} figure", "1", "≤ 2", True)]

    monkeypatch.setattr(report, "run_benchmark", fake_run)
    output = tmp_path / "RESULTS.md"
    assert report.main(["--quick", "--output", str(output)]) == 0
    assert {"build_scale", "replies", "fanout", "load"} <= _benchmark_files()
    assert sorted(ran) == sorted((name, True) for name in _benchmark_files())
    written = output.read_text()
    assert all(f"| {name} | {name} figure |" in written for name in _benchmark_files())


@pytest.mark.parametrize("name", sorted(_benchmark_files()))
def test_every_benchmark_speaks_the_reports_command_line(name: str) -> None:
    module = importlib.import_module(f"bench.{name}")
    arguments = module.parser().parse_args(["--json", "--quick"])
    assert arguments.json and arguments.quick
    assert callable(module.figures) and callable(module.main)


def test_a_benchmark_that_fails_is_a_row_that_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    answers = iter([(0, 'warming up\n[{"name": "rate", "result": "9/s"}]\n'), (3, ""), (0, "")])

    def fake_subprocess(command: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
        assert command[1:] == [str(BENCH / "fanout.py"), "--json"]
        status, out = next(answers)
        return subprocess.CompletedProcess(command, status, out)

    monkeypatch.setattr(report.subprocess, "run", fake_subprocess)
    assert [f.name for f in report.run_benchmark("fanout", quick=False)] == ["rate", "run time"]
    failed, took = report.run_benchmark("fanout", quick=False)
    assert (failed.result, failed.met, took.name) == ("exit status 3", False, "run time")
    silent, _ = report.run_benchmark("fanout", quick=False)  # exit 0, but no figures
    assert (silent.name, silent.met) == ("benchmark ran", False)


def _verdicts(figures: list[Figure]) -> dict[str, bool | None]:
    return {figure.name: figure.met for figure in figures}


def _round(**changes: Any) -> fanout.Round:
    values: dict[str, Any] = {
        "seconds": 10.0,
        "digest_rate": 140.0,
        "ratio": 0.97,
        "digest_ratio": 0.93,
        "too_many": 0,
        "duplicates": 0,
        "missing": 0,
        "asked": 3,
        "waits": [("/cuba", 0.02), ("/cuba", 0.03), ("/tren", 1.6)],
        "extra": 0,
        "cpu_s": 5.0,
        "wall_s": 11.0,
        "starved_s": 0.2,
        "resident_mb": 100.0,
    }
    return fanout.Round(**{**values, **changes})


def test_fanout_figures_judge_each_goal() -> None:
    measured = fanout.Run(fanout.Scenario(2_000), 90.0, [_round(too_many=2, ratio=0.9)])
    verdicts = _verdicts(fanout.figures(measured))
    assert verdicts["achieved / ceiling, digests and replies"] is False
    assert verdicts["429 answers"] is False
    assert verdicts["duplicate digests"] is True and verdicts["missing digests"] is True
    assert verdicts["people answered during the fan-out"] is True
    assert verdicts["people's wait for an answer, p99"] is False  # 1.6 s
    slowest = next(f for f in fanout.figures(measured) if f.name == "slowest question, p99")
    assert slowest.result == "/tren 1600 ms"


def test_load_figures_call_memory_flat_only_within_the_goal() -> None:
    scenario = load.QUICK
    flat = fanout.Run(scenario, 80.0, [_round(resident_mb=100.0), _round(resident_mb=102.0)])
    grown = fanout.Run(scenario, 80.0, [_round(resident_mb=100.0), _round(resident_mb=110.0)])
    unanswered = fanout.Run(scenario, 80.0, [_round(asked=4), _round()])
    assert _verdicts(load.figures(flat))["memory growth in round 2 (flat)"] is True
    assert _verdicts(load.figures(grown))["memory growth in round 2 (flat)"] is False
    assert _verdicts(load.figures(unanswered))["people answered during the fan-out"] is False
    rows = {f.name: f.result for f in load.figures(grown)}
    assert rows["bot's resident memory after round 2"] == "110.0 MB"
    assert rows["memory growth in round 2 (flat)"] == "+10.0 MB, ratio 1.100"


def test_build_scale_figures_judge_the_time_and_its_growth() -> None:
    rows = [
        {"articles": 1_000, "found": 990, "seconds": 4.0, "peak_mb": 80},
        {"articles": 10_000, "found": 9_900, "seconds": 61.0, "peak_mb": 400},
    ]
    verdicts = _verdicts(build_scale.figures(rows))
    assert verdicts["compile 1,000 articles"] is None
    assert verdicts["compile 10,000 articles"] is False  # over 60 s
    assert verdicts["time growth, 10× the articles"] is False  # 15.2×: 1.52 of linear
    rows[1].update(index_seconds=1.5, index_mb=30.0, index_records=80_000, catalog_mb=25.0)
    index = {f.name: f for f in build_scale.figures(rows)}["search index, 10,000 articles"]
    assert "1.50 s" in index.result and "30.0 MB" in index.result and index.met is None


def test_search_figures_judge_the_p99_of_the_index_and_of_the_answer() -> None:
    fast, slow = [0.0005] * 100, [0.0005] * 98 + [0.006] * 2
    verdicts = _verdicts(search.figures(search.Measured(0.008, 196, 131072, fast, slow)))
    assert verdicts["search p99, index"] is True
    assert verdicts["search p99, answer"] is False  # 6 ms at the 99th percentile


def test_replies_figures_compare_with_the_echo_bot_of_the_same_run() -> None:
    rate = {"echo": 500.0, "echo_chats": 400.0, "echo_shaped": 390.0, "briefbot": 388.0}
    measured = replies.Measured(2_000, 3, 0.0, rate, [0.001] * 99 + [0.003], 0)
    figures = {f.name: f for f in replies.figures(measured)}
    ratio = figures["briefbot / echo, same concurrency"]
    assert (ratio.result, ratio.met, ratio.peer.startswith("echo bot")) == ("0.970", True, True)
    assert figures["briefbot handler time (own work), p99"].met is False  # 3 ms
    assert figures["Bot API calls refused"].met is True
    assert figures["briefbot / echo, PTB defaults"].met is False  # 0.776


def test_replies_figures_weigh_the_processor_and_the_distant_run_against_ptbs_defaults() -> None:
    rate = {"echo": 500.0, "echo_chats": 490.0, "echo_shaped": 390.0, "briefbot": 480.0}
    distant = replies.Distant(400, 1, 50.0, {"echo": 16.0, "briefbot": 96.0}, 0)
    measured = replies.Measured(400, 1, 0.0, rate, [0.001], 0, (7.0, 5.0), distant)
    figures = {f.name: f for f in replies.figures(measured)}
    share = figures["per-chat processor's cost / an echo reply at 0 ms"]
    assert (share.result, share.met) == ("0.1%", True)  # 2 µs of a 2 ms reply
    assert figures["echo with the per-chat processor / echo on PTB's defaults"].met is True
    assert figures["briefbot / echo, PTB defaults"].met is True  # 0.96
    distant_ratio = figures["briefbot / echo, PTB defaults, 50 ms a call"]
    assert (distant_ratio.result, distant_ratio.met) == ("6.00", True)
