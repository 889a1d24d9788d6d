#!/usr/bin/env python3
"""Oct (alpha 0.5) vs plain (alpha 0) on full Fashion-MNIST, as the seed articles compared them (issue 14).

One command runs the grid {OctCifarResNet-20, OctMobileNet} x {alpha 0.5, 0} x {the seeds' recipe, the
project's best recipe} x {seed 1, 2} through the samples' `train` command (the ML.NET trainers), one
process per run, each in its own folder (train.log, epochs.csv, curves.png, result.json). A run whose
result.json exists is skipped; an interrupted run continues from its last epoch checkpoint. Every
finished run is a row of results.csv, and the markdown report (docs/oct-vs-plain.md) is written again
after every run: test accuracy mean and range per configuration, train time, CPU time, parameters and
MACs (the samples' `summary`), beside the seed articles' numbers, with each run's command.

    python3 tools/experiments/oct_vs_plain.py            # the grid, into runs/oct-vs-plain (hours)
    python3 tools/experiments/oct_vs_plain.py --quick    # the shipped 2,000-image subset, 1 epoch: about a minute
    python3 tools/experiments/oct_vs_plain.py --report-only   # rewrite the report from the finished runs

The samples program is built once and copied into <out>/app, so every run of a grid uses the same
binary even if the work tree changes meanwhile (--rebuild replaces the copy). Python 3 standard library only.
"""
from __future__ import annotations

import argparse
import csv
import ctypes
import datetime as dt
import json
import os
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "src" / "OctaveML.Samples"
FULL_DATA = Path("/usr/share/datasets/fashion-mnist")
QUICK_DATA = REPO / "data" / "fashion-mnist-small"
DOC = REPO / "docs" / "oct-vs-plain.md"
SELF = "tools/experiments/oct_vs_plain.py"

# The networks. OctMobileNet at width 0.5 (the main job's size; 28 px input, so its 3x3/2 stem leaves
# 14 x 14 and the last blocks run at 1 x 1): each run fits in well under 20 minutes on 2 cores.
MODELS = {
    "OctCifarResNet-20": ["--model", "oct-cifar-resnet", "--depth", "20"],
    "OctMobileNet-w0.5": ["--model", "oct-mobilenet", "--width", "0.5"],
}
ALPHAS = ["0.5", "0"]
SEEDS = [1, 2]

# The recipes. "seeds": the seed articles' Paddle code, paddle.optimizer.Adam(learning_rate=0.001) with
# no weight decay and no schedule for 12 epochs, no augmentation (their batch was 768 or 256 on 224 px
# CIFAR-10; here 128). OctaveML's AdamW with weight decay 0 is exactly Adam (torch.optim.AdamW's update,
# betas 0.9/0.999, eps 1e-8: the decay term vanishes). "best": the project's best measured recipe on full
# Fashion-MNIST so far (README: SGD momentum 0.9, peak 0.1 one-cycle, weight decay 5e-4, batch 128,
# random crop (padding 2) and horizontal flip, 12 epochs: 0.9371 at alpha 0.5, 0.9396 at alpha 0).
RECIPES = {
    "seeds": {
        "title": "seeds' recipe: Adam 1e-3 constant, 12 epochs, no augmentation, batch 128",
        "args": ["--optimizer", "adamw", "--lr", "0.001", "--schedule", "constant", "--weight-decay", "0",
                 "--augment", "none", "--epochs", "12", "--batch-size", "128"],
    },
    "best": {
        "title": "project's best: SGD 0.1 one-cycle, wd 5e-4, crop + flip, 12 epochs, batch 128",
        "args": ["--optimizer", "sgd", "--lr", "0.1", "--schedule", "onecycle", "--weight-decay", "5e-4",
                 "--augment", "crop,flip", "--epochs", "12", "--batch-size", "128"],
    },
}

# The seed articles' own comparison (PaddlePaddle, CIFAR-10 resized to 224 px, Adam 1e-3, 12 epochs;
# "eval acc" is their test-set accuracy; both articles report the same table).
SEED_NUMBERS = [
    ("OctMobileNetV1 (alpha 0.5)", "0.9609", "0.6952", "3,253,898"),
    ("MobileNetV1", "0.9488", "0.7289", "3,239,114"),
    ("OctResNet-50 (alpha 0.5)", "0.9613", "0.7915", "23,625,674"),
    ("ResNet-50", "0.9524", "0.7939", "23,581,642"),
]

CSV_FIELDS = ["run", "model", "alpha", "recipe", "seed", "test_accuracy", "test_accuracy_flip", "macro_accuracy", "log_loss", "test_images",
              "train_images", "epochs", "final_train_loss", "final_train_accuracy", "train_seconds", "wall_seconds",
              "cpu_seconds", "attempts", "peak_working_set_mb", "params", "macs", "load_start", "load_end",
              "finished", "build", "command"]


def log(msg: str) -> None:
    print(f"[{dt.datetime.now():%H:%M:%S}] {msg}", flush=True)


def loadavg() -> float:
    return float(Path("/proc/loadavg").read_text().split()[0])


def cpu_model() -> str:
    """The CPU's name and the widest vector instructions the engine uses on it."""
    info = Path("/proc/cpuinfo").read_text()
    name = next((l.split(":", 1)[1].strip() for l in info.splitlines() if l.startswith("model name")), "unknown CPU")
    flags = next((l.split(":", 1)[1].split() for l in info.splitlines() if l.startswith("flags")), [])
    return f"{name} ({'AVX-512' if 'avx512f' in flags else 'AVX2 + FMA' if 'avx2' in flags else 'no AVX2'})"


def git(*args: str) -> str:
    return subprocess.run(["git", "-C", str(REPO), *args], capture_output=True, text=True).stdout.strip()


def build(app: Path, rebuild: bool) -> str:
    """Builds the samples and copies the build into app (once): every run of a grid uses one binary."""
    stamp = app / "BUILD"
    if stamp.exists() and not rebuild:
        return stamp.read_text().strip()
    log("building the samples (dotnet build -c Release)")
    subprocess.run(["dotnet", "build", str(SAMPLES), "-c", "Release", "--nologo", "-v", "q"], check=True, cwd=REPO)
    src = SAMPLES / "bin" / "Release" / "net10.0"
    if app.exists():
        shutil.rmtree(app)
    rid = "linux-x64"

    def ignore(folder: str, names: list[str]) -> list[str]:
        # Only this machine's native libraries; the runs use the managed engine, not libtorch.
        return [n for n in names if Path(folder).name == "runtimes" and n != rid]

    shutil.copytree(src, app, ignore=ignore, copy_function=copy_or_link)
    describe = f"{git('rev-parse', '--short', 'HEAD')}{' + uncommitted changes' if git('status', '--porcelain', '--untracked-files=no') else ''}"
    stamp.write_text(describe + "\n")
    return describe


def copy_or_link(src: str, dst: str) -> None:
    # libtorch (hundreds of MB, never loaded here) is linked rather than copied.
    if os.path.getsize(src) > 64 * 1024 * 1024:
        os.symlink(os.path.abspath(src), dst)
    else:
        shutil.copy2(src, dst)


def samples(app: Path, *args: str) -> list[str]:
    return ["dotnet", str(app / "OctaveML.Samples.dll"), *args]


def model_size(app: Path, out: Path, model: str, alpha: str) -> tuple[int, int]:
    """(parameters, MACs per 28 x 28 grayscale image, 10 classes) from the samples' `summary`, cached."""
    cache = out / "summary.json"
    known = json.loads(cache.read_text()) if cache.exists() else {}
    key = f"{model} alpha {alpha}"
    if key not in known:
        text = subprocess.run(samples(app, "summary", *MODELS[model], "--alpha", alpha, "--size", "28", "--classes", "10",
                                      "--channels", "1"), capture_output=True, text=True, check=True).stdout
        params = int(re.search(r"Total params: ([\d,]+)", text).group(1).replace(",", ""))
        macs = int(re.search(r"Total MACs: ([\d,]+)", text).group(1).replace(",", ""))
        known[key] = [params, macs]
        cache.write_text(json.dumps(known, indent=1) + "\n")
    return tuple(known[key])


class Run:
    def __init__(self, out: Path, model: str, alpha: str, recipe: str, seed: int, quick: bool, threads: int):
        self.model, self.alpha, self.recipe, self.seed = model, alpha, recipe, seed
        self.id = f"{model}_a{alpha}_{recipe}_s{seed}"
        self.dir = out / "runs" / self.id
        data = QUICK_DATA if quick else FULL_DATA
        recipe_args = list(RECIPES[recipe]["args"])
        if quick:  # one epoch on a few images: the pipeline end to end, not a result
            recipe_args[recipe_args.index("--epochs") + 1] = "1"
            recipe_args[recipe_args.index("--batch-size") + 1] = "64"
            recipe_args += ["--max-train-images", "256"]
        self.args = ["train", "--data", str(data), *MODELS[model], "--alpha", alpha, *recipe_args, "--seed", str(seed),
                     "--validation-fraction", "0", "--test-flip", "--threads", str(threads),
                     "--checkpoint-dir", str(self.dir), "--resume", "--plot", str(self.dir / "curves.png")]

    @property
    def result_file(self) -> Path:
        return self.dir / "result.json"

    def command(self) -> str:
        """The command as a reader runs it from the repository root."""
        shown = [str(Path(a).relative_to(REPO)) if a.startswith(str(REPO)) else a for a in self.args]
        return "dotnet run -c Release --project src/OctaveML.Samples -- " + " ".join(shown)

    def result(self) -> dict | None:
        return json.loads(self.result_file.read_text()) if self.result_file.exists() else None


def parse_log(text: str, epochs_csv: Path) -> dict:
    """The figures of the last attempt in a train.log; the epochs from epochs.csv (a resumed run's whole history)."""
    last = text.rsplit("=== attempt", 1)[-1]

    def find(pattern: str, cast=float):
        m = re.findall(pattern, last, re.M)
        return cast(m[-1]) if m else None

    test = re.findall(r"^test +MicroAccuracy ([\d.]+), MacroAccuracy ([\d.]+), LogLoss ([\d.]+) on (\d+) images", last, re.M)
    with open(epochs_csv) as f:
        epochs = list(csv.DictReader(f))
    data = re.search(r"^data +\S+ .*?: (\d+) train images", last, re.M)
    return {
        "test_accuracy": find(r"^figure test_accuracy ([\d.]+)$"),
        "test_accuracy_flip": find(r"^figure test_accuracy_flip ([\d.]+)$"),
        "macro_accuracy": float(test[-1][1]) if test else None,
        "log_loss": float(test[-1][2]) if test else None,
        "test_images": int(test[-1][3]) if test else None,
        "train_images": int(data.group(1)) if data else None,
        "epochs": len(epochs),
        "final_train_loss": round(float(epochs[-1]["train_loss"]), 4) if epochs else None,
        "final_train_accuracy": round(float(epochs[-1]["train_accuracy"]), 4) if epochs else None,
        "train_seconds": find(r"^time +([\d.]+) s$"),
        "peak_working_set_mb": find(r"^memory .* peak (\d+) MB", int),
    }


def lower_priority(nice: int) -> None:
    """In a training child before exec (start_new_session): niceness, also for its scheduling group, and end with the driver."""
    os.nice(nice)
    # Linux's autogroup scheduling shares the CPU between sessions first, so niceness alone only orders the
    # processes of one session: a niced run still took half the machine from a benchmark in another session.
    # The run has a session of its own (start_new_session); its group gets the same niceness.
    try:
        with open("/proc/self/autogroup", "w") as f:
            f.write(str(nice))
    except OSError:
        pass  # no autogroup (kernel without it, or not Linux): niceness alone is what applies
    # Outside the terminal's session a Ctrl-C or a killed driver would no longer reach it: die with the driver.
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def execute(run: Run, app: Path, nice: int, build_id: str, params: int, macs: int) -> dict:
    run.dir.mkdir(parents=True, exist_ok=True)
    attempts_file = run.dir / "attempts.json"
    log_file = run.dir / "train.log"
    attempts = json.loads(attempts_file.read_text()) if attempts_file.exists() else []
    for a in attempts:
        if a["wall_seconds"] is None:
            # This process was stopped with the driver: its time lasted up to the log's last line (CPU unknown).
            a["wall_seconds"] = round(max(0.0, log_file.stat().st_mtime - a["start_time"]), 1)
            a["interrupted"] = True
    load_start = loadavg()
    attempts.append({"start_time": time.time(), "wall_seconds": None, "cpu_seconds": None, "exit": None,
                     "load_start": load_start, "load_end": None})
    attempts_file.write_text(json.dumps(attempts, indent=1) + "\n")
    started = time.monotonic()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(log_file, "a") as logf:
        logf.write(f"=== attempt {len(attempts)} {dt.datetime.now().isoformat(timespec='seconds')} build {build_id} "
                   f"load {load_start:.2f}\n$ {' '.join(run.args)}\n")
        logf.flush()
        status = subprocess.run(samples(app, *run.args), stdout=logf, stderr=subprocess.STDOUT, cwd=REPO,
                                start_new_session=nice > 0, preexec_fn=(lambda: lower_priority(nice)) if nice > 0 else None).returncode
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    attempts[-1].update({"wall_seconds": round(time.monotonic() - started, 1), "cpu_seconds": round(cpu, 1),
                         "exit": status, "load_end": loadavg()})
    attempts_file.write_text(json.dumps(attempts, indent=1) + "\n")
    if status != 0:
        raise RuntimeError(f"{run.id}: train exited with {status}; see {run.dir / 'train.log'}")
    figures = parse_log(log_file.read_text(), run.dir / "epochs.csv")
    if figures["test_accuracy"] is None:
        raise RuntimeError(f"{run.id}: no 'figure test_accuracy' in {run.dir / 'train.log'}")
    if len(attempts) > 1:
        # The last attempt's own time covers only the epochs it ran: count every attempt's process time instead.
        figures["train_seconds"] = round(sum(a["wall_seconds"] for a in attempts), 1)
    result = {
        "run": run.id, "model": run.model, "alpha": run.alpha, "recipe": run.recipe, "seed": run.seed, **figures,
        # An interrupted attempt's time counts too: the work it did up to its last checkpoint was kept.
        "wall_seconds": round(sum(a["wall_seconds"] for a in attempts), 1),
        "cpu_seconds": round(sum(a["cpu_seconds"] or 0 for a in attempts), 1),  # an interrupted attempt's CPU is not known
        "attempts": len(attempts), "params": params, "macs": macs,
        "load_start": attempts[0]["load_start"], "load_end": attempts[-1]["load_end"],
        "finished": dt.datetime.now().isoformat(timespec="seconds"), "build": build_id, "command": run.command(),
    }
    run.result_file.write_text(json.dumps(result, indent=1) + "\n")
    checkpoint = run.dir / "checkpoint.safetensors"
    if checkpoint.exists():
        checkpoint.unlink()  # the run is finished; its epochs.csv, curves and result stay
    return result


def write_csv(out: Path, results: list[dict]) -> Path:
    path = out / "results.csv"
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=CSV_FIELDS, extrasaction="ignore")
        w.writeheader()
        for r in results:
            w.writerow(r)
    return path


def charts(app: Path, runs: list[Run], chart_dir: Path, redraw: set[tuple[str, str]] | None) -> list[tuple[str, Path]]:
    """One chart per model and recipe, every finished seed at both alphas (the samples' `curves`); draws those in
    redraw (all when None) and lists every chart there is."""
    made = []
    chart_dir.mkdir(parents=True, exist_ok=True)
    for model in MODELS:
        for recipe in RECIPES:
            done = [r for r in runs if r.model == model and r.recipe == recipe and r.result() and (r.dir / "epochs.csv").exists()]
            if not done:
                continue
            png = chart_dir / f"{model}_{recipe}.png"
            if redraw is None or (model, recipe) in redraw or not png.exists():
                specs = [f"alpha {r.alpha} seed {r.seed}={r.dir / 'epochs.csv'}" for r in done]
                subprocess.run(samples(app, "curves", *specs, "--out", str(png)), check=True, capture_output=True, text=True)
            made.append((f"{model}, {RECIPES[recipe]['title']}", png))
    return made


def fmt_acc(values: list[float]) -> str:
    if not values:
        return "pending"
    mean = statistics.fmean(values)
    if len(values) == 1:
        return f"{mean:.4f} (1 run)"
    return f"{mean:.4f} ({min(values):.4f}-{max(values):.4f}, n={len(values)})"


def fmt_mean(values: list[float], digits: int = 0) -> str:
    return f"{statistics.fmean(values):.{digits}f}" if values else "-"


EPOCH_END = re.compile(r"^epoch \d+/\d+ \|")


def cpu_time(run_dir: Path, result: dict) -> tuple[float, bool]:
    """A run's CPU seconds and whether they are estimated. An attempt stopped with the driver left no CPU record:
    its finished epochs count at the CPU per epoch of the run's attempts that have one (those also load the data
    and evaluate, so the estimate errs high by that much); an unfinished epoch was trained again and is not counted."""
    attempts_file = run_dir / "attempts.json"
    attempts = json.loads(attempts_file.read_text()) if attempts_file.exists() else []
    if all(a.get("cpu_seconds") is not None for a in attempts):
        return result["cpu_seconds"], False
    log = run_dir / "train.log"
    segments = log.read_text().split("=== attempt ")[1:] if log.exists() else []
    epochs = [sum(1 for line in seg.splitlines() if EPOCH_END.match(line)) for seg in segments]
    known = [(a["cpu_seconds"], e) for a, e in zip(attempts, epochs) if a.get("cpu_seconds") is not None]
    known_cpu, known_epochs = sum(c for c, _ in known), sum(e for _, e in known)
    if len(epochs) != len(attempts) or known_epochs == 0:
        return result["cpu_seconds"], True  # the log does not say which epochs each attempt ran: the known part alone
    unknown_epochs = sum(e for a, e in zip(attempts, epochs) if a.get("cpu_seconds") is None)
    if unknown_epochs == 0:
        return known_cpu, False  # the stopped attempt finished no epoch: its work was redone and is counted
    return known_cpu + unknown_epochs * known_cpu / known_epochs, True


def fmt_cpu(values: list[tuple[float, bool]]) -> str:
    """Mean CPU seconds, with ~ when any of them is estimated."""
    return ("~" if any(e for _, e in values) else "") + fmt_mean([v for v, _ in values])


def load_text(value) -> str:
    """A load average for the tables, or '-' when it was not recorded."""
    return "-" if value is None else f"{float(value):.1f}"


def report(doc: Path, out: Path, runs: list[Run], quick: bool, build_id: str, chart_list: list[tuple[str, Path]], sizes: dict) -> None:
    results = [r.result() for r in runs]
    done = [r for r in results if r]
    pending = [run for run, r in zip(runs, results) if not r]
    cpu = {run.id: cpu_time(run.dir, r) for run, r in zip(runs, results) if r}
    rel = lambda p: os.path.relpath(p, doc.parent)
    lines = []
    add = lines.append
    add("# Oct vs plain on Fashion-MNIST (issue 14)")
    add("")
    add(f"<!-- written by {SELF}{' --quick' if quick else ''}; do not edit by hand: run it again (or with --report-only) -->")
    add("")
    if quick:
        add("**Quick mode: 256 training images of the shipped subset, 1 epoch. These figures prove the pipeline, "
            "they are not results.**")
        add("")
    add("The seed articles compared Octave Convolution networks (alpha 0.5) with their plain counterparts on CIFAR-10 "
        "(PaddlePaddle, images resized to 224 px, Adam 1e-3, 12 epochs). Their numbers:")
    add("")
    add("| model (seed articles, CIFAR-10 at 224 px) | epochs | train acc | test acc | params |")
    add("|---|---|---|---|---|")
    for name, train_acc, eval_acc, params in SEED_NUMBERS:
        add(f"| {name} | 12 | {train_acc} | {eval_acc} | {params} |")
    add("")
    add("Oct lost 3.4 points on MobileNetV1 and 0.2 on ResNet-50 there, with about the same parameters "
        "(their Oct models are not faster: Paddle runs the four octave convolutions separately).")
    add("")
    add("The same comparison at the scale of 2 cores: full Fashion-MNIST (60,000 training and 10,000 test images, "
        "28 x 28 grayscale, `/usr/share/datasets/fashion-mnist`), every run through the samples' `train` command "
        "(the ML.NET trainers, OctaveML's managed engine, 2 threads), trained on all 60,000 images (no validation split) "
        "and tested once on the 10,000 test images with ML.NET's Evaluate (MicroAccuracy).")
    add("")
    add("| recipe | `train` settings |")
    add("|---|---|")
    for name, recipe in RECIPES.items():
        add(f"| {name}: {recipe['title']} | `{' '.join(recipe['args'])}` |")
    add("")
    add("The seeds' Adam is OctaveML's AdamW with weight decay 0 (torch.optim.AdamW's update, betas 0.9/0.999, "
        "eps 1e-8; with no decay it is Adam's update), a constant rate and no augmentation. Their batch was 768 "
        "(MobileNet) or 256 (ResNet-50) at 224 px; here 128. The \"best\" recipe is the best one measured on full "
        "Fashion-MNIST before this experiment (README: 0.9371 at alpha 0.5 and 0.9396 at alpha 0 for OctCifarResNet-20).")
    add("")
    add(f"Machine: {cpu_model()}, {os.cpu_count()} cores, shared with other work (the 1-minute load average at the "
        f"start of each run is in the per-run table: above 2 the times are slowed by neighbours). Build: {build_id}.")
    add("")
    add("## Results")
    add("")
    add(f"**{len(done)} of {len(runs)} runs finished**" + (f"; the {len(pending)} pending runs are listed under \"Pending\" and "
        "appear here when they finish (nothing below is extrapolated)." if pending else "."))
    add("")
    add("Test accuracy: mean over seeds (lowest-highest, number of runs). Times are means per run: `train` is the "
        "command's own wall time (data loading, training, evaluation; for a run resumed after an interruption, the sum of its "
        "processes' wall times), CPU is user + system time of the process(es) (~: estimated, for a run with an attempt "
        "stopped with the driver, which left no CPU record: its finished epochs count at the CPU per epoch of the run's "
        "other attempts). "
        "MACs and parameters are per 28 x 28 image from the samples' `summary` (multiply-accumulates of one forward pass). "
        "\"With test-time flip\" is the mean accuracy when each test image's and its mirror's class probabilities are "
        "averaged (`train --test-flip`; the model itself scores one image).")
    add("")
    add("| model | alpha | recipe | test accuracy | with test-time flip | train time (s) | CPU time (s) | params | MACs |")
    add("|---|---|---|---|---|---|---|---|---|")
    for model in MODELS:
        for recipe in RECIPES:
            for alpha in ALPHAS:
                rs = [r for r in done if r["model"] == model and r["recipe"] == recipe and r["alpha"] == alpha]
                planned = len([x for x in runs if x.model == model and x.recipe == recipe and x.alpha == alpha])
                params, macs = sizes[(model, alpha)]
                acc = fmt_acc([r["test_accuracy"] for r in rs])
                if rs and len(rs) < planned:
                    acc += f"; {planned - len(rs)} pending"
                flip = [r["test_accuracy_flip"] for r in rs if r.get("test_accuracy_flip") is not None]
                add(f"| {model} | {alpha} | {recipe} | {acc} | {fmt_mean(flip, 4)} | {fmt_mean([r['train_seconds'] for r in rs])} | "
                    f"{fmt_cpu([cpu[r['run']] for r in rs])} | {params:,} | {macs / 1e6:.2f} M |")
    add("")
    add("Oct minus plain (difference of the means; CPU-time ratio plain / Oct, above 1 means Oct trains faster: CPU time, "
        "not wall time, because a neighbour's load or a paused run stretches wall time far more than the CPU a run used):")
    add("")
    add("| model | recipe | accuracy, Oct - plain | CPU time, plain / Oct | MACs, Oct / plain |")
    add("|---|---|---|---|---|")
    for model in MODELS:
        for recipe in RECIPES:
            oct_ = [r for r in done if r["model"] == model and r["recipe"] == recipe and r["alpha"] == "0.5"]
            plain = [r for r in done if r["model"] == model and r["recipe"] == recipe and r["alpha"] == "0"]
            macs = sizes[(model, "0.5")][1] / sizes[(model, "0")][1]
            if oct_ and plain:
                d = statistics.fmean(r["test_accuracy"] for r in oct_) - statistics.fmean(r["test_accuracy"] for r in plain)
                t = statistics.fmean(cpu[r["run"]][0] for r in plain) / statistics.fmean(cpu[r["run"]][0] for r in oct_)
                estimated = "~" if any(cpu[r["run"]][1] for r in oct_ + plain) else ""
                add(f"| {model} | {recipe} | {d * 100:+.2f} points | {estimated}{t:.2f} | {macs:.2f} |")
            else:
                add(f"| {model} | {recipe} | pending | pending | {macs:.2f} |")
    add("")
    if chart_list:
        add("## Training curves")
        add("")
        add("Training loss and accuracy per epoch (no validation split: the runs train on all 60,000 images).")
        add("")
        for title, png in chart_list:
            add(f"{title}:")
            add("")
            add(f"![{title}]({rel(png)})")
            add("")
    add("## Every run")
    add("")
    add("| run | test accuracy | with flip | final train loss / acc | train time (s) | CPU time (s) | peak memory (MB) | load at start / end | attempts | finished |")
    add("|---|---|---|---|---|---|---|---|---|---|")
    if not done:
        add("| (none finished yet) | | | | | | | | | |")
    for r in done:
        flip = f"{r['test_accuracy_flip']:.4f}" if r.get("test_accuracy_flip") is not None else "-"
        add(f"| {r['run']} | {r['test_accuracy']:.4f} | {flip} | {r['final_train_loss']:.4f} / {r['final_train_accuracy']:.4f} | "
            f"{r['train_seconds']:.0f} | {fmt_cpu([cpu[r['run']]])} | {r['peak_working_set_mb']} | {r['load_start']:.1f} / {load_text(r.get('load_end'))} | "
            f"{r['attempts']} | {r['finished']} |")
    add("")
    if pending:
        add("## Pending")
        add("")
        add(f"{len(pending)} of {len(runs)} runs, not yet run or not finished:")
        add("")
        for run in pending:
            add(f"- {run.id}")
        add("")
    add("## Commands")
    add("")
    add("The whole grid, resumable (finished runs are skipped, an interrupted one continues from its last epoch); "
        "results.csv and this file are written after every run:")
    add("")
    add("```")
    add(f"nice -n 19 python3 {SELF}{' --quick' if quick else ''}")
    add("```")
    add("")
    add("Each run, as the grid runs it from the repository root (its folder holds the checkpoint while it runs, "
        "then train.log, epochs.csv, curves.png and result.json; the grid runs the same build copied into "
        f"`{os.path.relpath(out / 'app', REPO)}` instead of `dotnet run`):")
    add("")
    add("```")
    for run in runs:
        add(run.command())
    add("```")
    add("")
    doc.parent.mkdir(parents=True, exist_ok=True)
    doc.write_text("\n".join(lines))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="256 images of the shipped subset, 1 epoch: proves the pipeline in about a minute")
    ap.add_argument("--out", type=Path, help="results folder (default runs/oct-vs-plain, or runs/oct-vs-plain-quick)")
    ap.add_argument("--doc", type=Path, help="the markdown report (default docs/oct-vs-plain.md, or OUT/oct-vs-plain.md with --quick)")
    ap.add_argument("--report-only", action="store_true", help="write results.csv and the report from the finished runs; run nothing")
    ap.add_argument("--only", default="", help="run only the runs whose id contains this text (e.g. OctCifarResNet-20_a0.5_best)")
    ap.add_argument("--threads", type=int, default=2, help="compute threads of each run (default 2)")
    ap.add_argument("--nice", type=int, default=19, help="niceness of the training processes (default 19: the machine is shared)")
    ap.add_argument("--rebuild", action="store_true", help="build the samples again and replace OUT/app")
    a = ap.parse_args()

    out = (a.out or REPO / "runs" / ("oct-vs-plain-quick" if a.quick else "oct-vs-plain")).resolve()
    doc = (a.doc or (out / "oct-vs-plain.md" if a.quick else DOC)).resolve()
    chart_dir = out / "charts" if a.quick else doc.parent / "oct-vs-plain"
    data = QUICK_DATA if a.quick else FULL_DATA
    if not data.is_dir():
        print(f"error: {data} is missing (Debian package dataset-fashion-mnist)", file=sys.stderr)
        return 2
    out.mkdir(parents=True, exist_ok=True)
    chart_dir.mkdir(parents=True, exist_ok=True)
    app = out / "app"
    build_id = build(app, a.rebuild)
    runs = [Run(out, m, al, rc, s, a.quick, a.threads) for m in MODELS for rc in RECIPES for al in ALPHAS for s in SEEDS]
    sizes = {(m, al): model_size(app, out, m, al) for m in MODELS for al in ALPHAS}

    def write_reports(redraw: set[tuple[str, str]] | None = None):
        results = [r.result() for r in runs]
        csv_path = write_csv(out, [r for r in results if r])
        if not a.quick:  # the data behind the report goes beside it, into the repository
            shutil.copy2(csv_path, chart_dir / "results.csv")
        report(doc, out, runs, a.quick, build_id, charts(app, runs, chart_dir, redraw), sizes)
        return csv_path

    failed: list[str] = []
    if not a.report_only:
        # seed-major: every configuration once before any is repeated, so a partial grid already compares them all
        todo = sorted((r for r in runs if a.only in r.id), key=lambda r: r.seed)
        for i, run in enumerate(todo, 1):
            if run.result():
                log(f"[{i}/{len(todo)}] {run.id}: done ({run.result()['test_accuracy']:.4f}), skipped")
                continue
            resumed = (run.dir / "checkpoint.safetensors").exists()
            log(f"[{i}/{len(todo)}] {run.id}: {'resuming' if resumed else 'training'} (load {loadavg():.2f}); log {run.dir / 'train.log'}")
            try:
                r = execute(run, app, a.nice, build_id, *sizes[(run.model, run.alpha)])
            except RuntimeError as e:  # the next runs still run; this one is tried again next time
                failed.append(run.id)
                log(f"[{i}/{len(todo)}] FAILED {e}")
                continue
            log(f"[{i}/{len(todo)}] {run.id}: test accuracy {r['test_accuracy']:.4f}, {r['train_seconds']:.0f} s, CPU {r['cpu_seconds']:.0f} s")
            write_reports({(run.model, run.recipe)})
    csv_path = write_reports(None if a.report_only else set())
    finished = sum(1 for r in runs if r.result())
    log(f"{finished} of {len(runs)} runs finished; results {csv_path}; report {doc}")
    if failed:
        log(f"failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
