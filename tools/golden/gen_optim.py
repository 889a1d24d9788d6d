"""Golden data for OctaveML.Training: torch.optim.SGD / AdamW steps and lr_scheduler curves.

Writes test/golden/optim.safetensors with
  inputs/<p>            initial values of parameters p in (w, b, bn)  (w is 2-D, b and bn 1-D)
  inputs/grad<t>.<p>    the gradient fed at step t (t = 0..STEPS-1)
  <case>/step<t>.<p>    the parameter after step t for each optimizer case
  sched_<name>/lr       learning rate at iterations 0..len-1 (what the optimizer uses in that iteration)
  sched_<name>/momentum the cycled SGD momentum, for one-cycle with cycle_momentum
The C# test (test/OctaveML.Tests/Training/OptimizerGoldenTests.cs) repeats the hyper-parameters below.
Run with Debian's python3-torch 1.13:  /usr/bin/python3 tools/golden/gen_optim.py"""
import math, warnings, torch
from goldlib import save, seeded
warnings.filterwarnings("ignore", message="The epoch parameter")

STEPS = 5
g = seeded(1234)
shapes = {'w': (4, 6), 'b': (6,), 'bn': (5,)}
init = {k: torch.randn(*s, generator=g) for k, s in shapes.items()}
grads = [{k: torch.randn(*s, generator=g) * (0.5 + t) for k, s in shapes.items()} for t in range(STEPS)]

out = {f'inputs/{k}': v for k, v in init.items()}
for t, gt in enumerate(grads):
    for k, v in gt.items():
        out[f'inputs/grad{t}.{k}'] = v

def lr_at(base, t, varies):
    # Schedules set the lr before each step; 'varies' checks the optimizers honour a changing lr.
    return base * (1 - 0.15 * t) if varies else base

def run(case, make, base_lr, varies=False, no_decay=False, wd=0.0, cycle=None):
    params = {k: torch.nn.Parameter(v.clone()) for k, v in init.items()}
    if no_decay:  # the OctaveML switch: no weight decay on 1-D parameters (biases, BN)
        groups = [{'params': [params['w']], 'weight_decay': wd},
                  {'params': [params['b'], params['bn']], 'weight_decay': 0.0}]
    else:
        groups = [{'params': list(params.values()), 'weight_decay': wd}]
    opt = make(groups)
    for t in range(STEPS):
        for grp in opt.param_groups:
            grp['lr'] = lr_at(base_lr, t, varies)
            if cycle == 'momentum': grp['momentum'] = 0.95 - 0.03 * t   # what one-cycle does
            if cycle == 'beta1': grp['betas'] = (0.95 - 0.03 * t, grp['betas'][1])
        for k, p in params.items():
            p.grad = grads[t][k].clone()
        opt.step()
        for k, p in params.items():
            out[f'{case}/step{t}.{k}'] = p.detach().clone()

SGD = torch.optim.SGD
run('sgd_plain', lambda gr: SGD(gr, lr=0.1), 0.1)
run('sgd_momentum', lambda gr: SGD(gr, lr=0.05, momentum=0.9), 0.05, varies=True)
run('sgd_dampening', lambda gr: SGD(gr, lr=0.05, momentum=0.8, dampening=0.3), 0.05)
run('sgd_nesterov', lambda gr: SGD(gr, lr=0.05, momentum=0.9, nesterov=True), 0.05)
run('sgd_wd', lambda gr: SGD(gr, lr=0.05, momentum=0.9), 0.05, wd=0.01)
run('sgd_nesterov_wd_nodecay', lambda gr: SGD(gr, lr=0.05, momentum=0.9, nesterov=True), 0.05, wd=0.05, no_decay=True)
run('sgd_cycled_momentum', lambda gr: SGD(gr, lr=0.05, momentum=0.95), 0.05, varies=True, cycle='momentum')
AdamW = torch.optim.AdamW
run('adamw_cycled_beta1', lambda gr: AdamW(gr, lr=0.01), 0.01, varies=True, wd=0.01, cycle='beta1')
run('adamw', lambda gr: AdamW(gr, lr=0.01), 0.01, varies=True, wd=0.01)
run('adamw_betas', lambda gr: AdamW(gr, lr=0.003, betas=(0.8, 0.95), eps=1e-6), 0.003, wd=0.1)
run('adamw_nodecay', lambda gr: AdamW(gr, lr=0.01), 0.01, wd=0.05, no_decay=True)

def curve(name, make, n, base=0.1, momentum=0.0):
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=base, momentum=momentum)
    sched = make(opt)
    lrs, moms = [], []
    for _ in range(n):
        lrs.append(opt.param_groups[0]['lr']); moms.append(opt.param_groups[0]['momentum'])
        opt.step(); sched.step()
    out[f'sched_{name}/lr'] = torch.tensor(lrs, dtype=torch.float64)
    if momentum:
        out[f'sched_{name}/momentum'] = torch.tensor(moms, dtype=torch.float64)

S = torch.optim.lr_scheduler
curve('step', lambda o: S.StepLR(o, step_size=7, gamma=0.5), 40)
curve('cosine', lambda o: S.CosineAnnealingLR(o, T_max=50, eta_min=0.001), 50)
curve('cosine_warmup', lambda o: S.SequentialLR(o, [S.LinearLR(o, start_factor=0.01, total_iters=10),
                                                    S.CosineAnnealingLR(o, T_max=40, eta_min=0.0)], milestones=[10]), 50)
curve('onecycle', lambda o: S.OneCycleLR(o, max_lr=0.4, total_steps=60, pct_start=0.25, cycle_momentum=False), 60)
curve('onecycle_default', lambda o: S.OneCycleLR(o, max_lr=1.0, total_steps=37, cycle_momentum=False), 37)
curve('onecycle_momentum', lambda o: S.OneCycleLR(o, max_lr=0.2, total_steps=45, pct_start=0.4, base_momentum=0.8, max_momentum=0.9), 45, momentum=0.9)

print(save('optim', out, {'steps': STEPS}))
