"""PyTorch peer of the "models" suite: seconds per training step (forward, cross-entropy, backward,
SGD momentum 0.9 lr 0.01) and per inference batch (eval mode, no_grad) of a reference model
(tools/reference/octaveml_ref.py) on random data, 10 classes; medians of STEPS timed steps after
WARMUP, CPU time (all threads) and minor page faults per timed training step, and peak RSS of this process.
usage: /usr/bin/python3 model_peer.py MODEL SIZE [THREADS=2] [BATCH=16] [STEPS=5] [WARMUP=2] [ALPHA]
MODEL: oct_resnet50 | resnet50 | oct_mobilenet | mobilenet | oct_resnet20 ... (no oct_ = alpha 0, else
alpha .5 unless ALPHA is given); cifar_resnetD is the CIFAR ResNet of a depth OctResNet also has (50)."""
import os, resource, statistics, sys, time


def find_reference():
    """tools/reference of the repository this script is in (or was built from: bench's output folder)."""
    d = os.path.dirname(os.path.realpath(__file__))
    while d != os.path.dirname(d):
        if os.path.exists(os.path.join(d, 'OctaveML.sln')):
            return os.path.join(d, 'tools', 'reference')
        d = os.path.dirname(d)
    raise SystemExit('model_peer.py: no folder containing OctaveML.sln above ' + __file__)


sys.path.insert(0, find_reference())
import torch, octaveml_ref as ref

name, size = sys.argv[1], int(sys.argv[2])
threads = int(sys.argv[3]) if len(sys.argv) > 3 else 2
batch = int(sys.argv[4]) if len(sys.argv) > 4 else 16
steps = int(sys.argv[5]) if len(sys.argv) > 5 else 5
warmup = int(sys.argv[6]) if len(sys.argv) > 6 else 2
torch.set_num_threads(threads); torch.manual_seed(0)
plain = not name.startswith('oct_')
arch = name if plain else name[4:]
ctor = getattr(ref, 'oct_' + arch, None)
if ctor is None and arch.split('_')[-1].startswith('resnet'):  # any CIFAR depth 6n+2
    depth = int(arch.split('_')[-1][6:])
    ctor = lambda **k: ref.OctCifarResNet(depth, **k)
if ctor is None:
    raise SystemExit(f'model_peer.py: octaveml_ref has no model {name}')
alpha = float(sys.argv[7]) if len(sys.argv) > 7 else 0 if plain else .5
kw = dict(num_classes=10, alpha=alpha)
if arch in ('resnet26', 'resnet50', 'resnet101', 'resnet152', 'resnet200'):
    kw['stem'] = 'small' if size <= 64 else 'imagenet'
m = ctor(**kw)
opt = torch.optim.SGD(m.parameters(), lr=0.01, momentum=0.9)
x = torch.randn(batch, 3, size, size); y = torch.randint(0, 10, (batch,))


def median_s(f, counters=None):
    """Median wall time of STEPS calls after WARMUP; with a dict, also CPU seconds (all threads) and minor
    page faults per timed call."""
    for _ in range(warmup): f()
    ts, cpu, faults = [], 0.0, 0
    for _ in range(steps):
        c0, f0 = time.process_time(), resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        t0 = time.perf_counter(); f(); ts.append(time.perf_counter() - t0)
        cpu += time.process_time() - c0; faults += resource.getrusage(resource.RUSAGE_SELF).ru_minflt - f0
    if counters is not None: counters.update(cpu=cpu / steps, faults=faults / steps)
    return statistics.median(ts)


def step():
    opt.zero_grad(); torch.nn.functional.cross_entropy(m(x), y).backward(); opt.step()


print(f'torch_version {torch.__version__}')
m.train()
counters = {}
print(f'train_step_s {median_s(step, counters)}')
print(f'train_cpu_s {counters["cpu"]}')
print(f'train_minor_faults {counters["faults"]}')
m.eval()
with torch.no_grad():
    print(f'infer_step_s {median_s(lambda: m(x))}')
print(f'peak_rss_mb {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e6}')
