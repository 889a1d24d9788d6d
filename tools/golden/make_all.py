"""Regenerates every golden file: runs each tools/golden/gen_*.py in name order, each writing
test/golden/<name>.safetensors from PyTorch (Debian's python3-torch, CPU); gen_pytorch.py writes
torch.save files and their expected results into test/golden/pytorch/.

    /usr/bin/python3 tools/golden/make_all.py                   # all generators
    /usr/bin/python3 tools/golden/make_all.py ops conv          # only gen_ops.py and gen_conv.py
    /usr/bin/python3 tools/golden/make_all.py --out /tmp/gold   # write elsewhere (to compare with test/golden)
    /usr/bin/python3 tools/golden/make_all.py pytorch           # only gen_pytorch.py

Each generator is self-contained, seeds its own random numbers (so the files are reproducible)
and is run in its own process with tools/golden on the import path (for goldlib). Stops at the
first generator that fails and exits non-zero."""
import glob, os, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))

def main(argv):
    env = dict(os.environ, PYTHONPATH=HERE + os.pathsep + os.environ.get('PYTHONPATH', ''))
    if argv[:1] == ['--out']:
        if len(argv) < 2:
            sys.exit('--out needs a folder')
        os.makedirs(argv[1], exist_ok=True)
        env['OCTAVEML_GOLDEN_DIR'] = os.path.abspath(argv[1])
        argv = argv[2:]
    scripts = sorted(glob.glob(os.path.join(HERE, 'gen_*.py')))
    if argv:
        wanted = {f'gen_{a}.py' for a in argv}
        scripts = [s for s in scripts if os.path.basename(s) in wanted]
        missing = wanted - {os.path.basename(s) for s in scripts}
        if missing:
            sys.exit(f'no such generator: {", ".join(sorted(missing))}')
    for s in scripts:
        print(f'== {os.path.basename(s)}', flush=True)
        r = subprocess.run([sys.executable, s], cwd=HERE, env=env)
        if r.returncode != 0:
            sys.exit(f'{os.path.basename(s)} failed with exit code {r.returncode}')
    print(f'{len(scripts)} generator(s) done')

if __name__ == '__main__':
    main(sys.argv[1:])
