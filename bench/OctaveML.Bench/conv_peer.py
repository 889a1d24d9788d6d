"""PyTorch peer for ConvBench: times torch.nn.functional.conv2d forward and forward+backward
(input and weight gradients, no bias) on the given shape, on the given number of threads.
Usage: conv_peer.py N CIN H W COUT K STRIDE PAD GROUPS THREADS REPS
Prints 'forward_s S' and 'step_s S' (medians)."""
import sys, time
import torch
from peerlib import median
import torch.nn.functional as F

def main():
    n, cin, h, w, cout, k, s, p, g, threads, reps = map(int, sys.argv[1:12])
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    x = torch.randn(n, cin, h, w, requires_grad=True)
    wt = (torch.randn(cout, cin // g, k, k) * 0.05).requires_grad_()
    with torch.no_grad():
        y = F.conv2d(x, wt, None, s, p, 1, g)
    dy = torch.randn_like(y)

    def forward():
        with torch.no_grad():
            F.conv2d(x, wt, None, s, p, 1, g)

    def step():
        y = F.conv2d(x, wt, None, s, p, 1, g)
        torch.autograd.grad(y, (x, wt), dy)

    print('forward_s', median(forward, reps))
    print('step_s', median(step, reps))
    print('threads', torch.get_num_threads())

if __name__ == '__main__':
    main()
