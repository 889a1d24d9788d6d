"""PyTorch peer for OpsBench: times the non-convolution ops of a training step (forward, and
forward + backward) on the given thread count. Usage: ops_peer.py N C H W THREADS REPS
Prints '<op>_forward_s S' and '<op>_step_s S' (medians) for bn_relu, maxpool (on [N, C, 2H, 2W])
and add_relu."""
import sys, time
import torch
from peerlib import median
import torch.nn.functional as F

def main():
    n, c, h, w, threads, reps = map(int, sys.argv[1:7])
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    x = torch.randn(n, c, h, w, requires_grad=True)
    big = torch.randn(n, c, 2 * h, 2 * w, requires_grad=True)
    b = torch.randn(n, c, h, w, requires_grad=True)
    gamma = torch.ones(c, requires_grad=True); beta = torch.zeros(c, requires_grad=True)
    rm, rv = torch.zeros(c), torch.ones(c)
    ops = {
        'bn_relu': (lambda: F.relu(F.batch_norm(x, rm, rv, gamma, beta, True, 0.1, 1e-5)), (x, gamma, beta)),
        'maxpool': (lambda: F.max_pool2d(big, 3, 2, 1), (big,)),
        'add_relu': (lambda: F.relu(x + b), (x, b)),
    }
    grads = {}
    for name, (fn, inputs) in ops.items():
        with torch.no_grad():
            grads[name] = torch.randn_like(fn())
    # Every op runs for a while before any timing (as OpsBench does): the first timings on idle cores read slow.
    start = time.perf_counter()
    while time.perf_counter() - start < 0.5:
        for name, (fn, inputs) in ops.items():
            torch.autograd.grad(fn(), inputs, grads[name])
    for name, (fn, inputs) in ops.items():
        dy = grads[name]
        def fwd():
            with torch.no_grad():
                fn()
        def step():
            torch.autograd.grad(fn(), inputs, dy)
        print(f'{name}_forward_s', median(fwd, reps, warmup=2))
        print(f'{name}_step_s', median(step, reps, warmup=2))

if __name__ == '__main__':
    main()
