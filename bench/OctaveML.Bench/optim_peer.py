"""PyTorch peer of the training suite (TrainingSuite.cs): times one torch.optim step over TENSORS parameters of SIZE
floats each (gradients set), on THREADS threads.
Usage: optim_peer.py TENSORS SIZE THREADS REPS
Prints 'adamw_s S' and 'sgd_s S' (medians; SGD with momentum 0.9, Nesterov, weight decay 5e-4)."""
import sys, time
import torch
from peerlib import median

def main():
    tensors, size, threads, reps = map(int, sys.argv[1:5])
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    params = [torch.nn.Parameter(torch.randn(size)) for _ in range(tensors)]
    for p in params:
        p.grad = torch.randn(size) * 1e-3
    adamw = torch.optim.AdamW(params, lr=1e-3, weight_decay=0.01)
    print('adamw_s', median(adamw.step, reps, warmup=2))
    sgd = torch.optim.SGD(params, lr=0.1, momentum=0.9, nesterov=True, weight_decay=5e-4)
    print('sgd_s', median(sgd.step, reps, warmup=2))

if __name__ == '__main__':
    main()
