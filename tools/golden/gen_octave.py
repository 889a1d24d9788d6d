"""Golden data for OctaveConv and Conv_BN_ACT (tools/reference/octaveml_ref.py): inputs, weights
by state_dict name, outputs, and the gradients of both inputs and of every weight under a random
upstream gradient (loss = sum(out_h * g_h) + sum(out_l * g_l), so every path is exercised).

Keys: "<case>/params" = [kind, cin, cout, k, alpha_in, alpha_out, stride, padding, dilation, groups,
batch, H, W] (kind 0 = OctaveConv, 1 = Conv_BN_ACT in training mode, 2 = Conv_BN_ACT BN running
statistics after three training steps); "<case>/x_h", "x_l", "g_h", "g_l", "out_h", "out_l",
"grad_x_h", "grad_x_l", "w.<state_dict name>", "grad.<parameter name>" ("after.<buffer name>" for
kind 2, with inputs "x_h.<step>", "x_l.<step>"). Absent tensors (no low part) are not stored.

Run: /usr/bin/python3 tools/golden/gen_octave.py"""
import torch
from goldlib import save, seeded
import octaveml_ref as ref

def rnd(*shape):
    return torch.randn(*shape)

def make_inputs(cin, alpha_in, n, h, w):
    hin, lin = ref.split(cin, alpha_in)
    x_h = rnd(n, hin, h, w).requires_grad_()
    x_l = rnd(n, lin, (h + 1) // 2, (w + 1) // 2).requires_grad_() if alpha_in > 0 else None
    return x_h, x_l

def case(out, name, kind, cin, cout, k, ai, ao, stride=1, pad=None, dil=1, groups=1, n=2, h=8, w=8):
    pad = (k // 2) * dil if pad is None else pad
    params = [kind, cin, cout, k, ai, ao, stride, pad, dil, groups, n, h, w]
    out[f'{name}/params'] = torch.tensor(params, dtype=torch.float64)
    args = (cin, cout, k, ai, ao, stride, pad, dil, groups)
    m = ref.OctaveConv(*args) if kind == 0 else ref.Conv_BN_ACT(*args)
    with torch.no_grad():  # non-trivial BN affine parameters
        for mod in m.modules():
            if isinstance(mod, torch.nn.BatchNorm2d):
                mod.weight.uniform_(0.5, 1.5); mod.bias.uniform_(-0.5, 0.5)
    m.train()
    for key, t in m.state_dict().items():
        out[f'{name}/w.{key}'] = t.clone()
    if kind == 2:
        for step in range(3):
            x_h, x_l = make_inputs(cin, ai, n, h, w)
            out[f'{name}/x_h.{step}'] = x_h
            if x_l is not None: out[f'{name}/x_l.{step}'] = x_l
            m((x_h, x_l) if x_l is not None else x_h)
        for key, t in m.state_dict().items():
            if 'running' in key or 'num_batches' in key:
                out[f'{name}/after.{key}'] = t.clone()
        return
    x_h, x_l = make_inputs(cin, ai, n, h, w)
    y_h, y_l = m((x_h, x_l) if x_l is not None else x_h)
    g_h = torch.randn_like(y_h)
    loss = (y_h * g_h).sum()
    out[f'{name}/x_h'] = x_h; out[f'{name}/g_h'] = g_h; out[f'{name}/out_h'] = y_h
    if x_l is not None: out[f'{name}/x_l'] = x_l
    if y_l is not None:
        g_l = torch.randn_like(y_l)
        loss = loss + (y_l * g_l).sum()
        out[f'{name}/g_l'] = g_l; out[f'{name}/out_l'] = y_l
    loss.backward()
    out[f'{name}/grad_x_h'] = x_h.grad
    if x_l is not None: out[f'{name}/grad_x_l'] = x_l.grad
    for key, p in m.named_parameters():
        out[f'{name}/grad.{key}'] = p.grad

def main():
    seeded(1234)
    out = {}
    alphas = [(0, .5), (.5, .5), (.5, 0), (0, 0), (.25, .75)]
    tag = lambda a: str(a).replace('.', '')
    # OctaveConv: every alpha pair x stride x kernel x size.
    for ai, ao in alphas:
        for s in (1, 2):
            for k in (1, 3):
                for (h, w) in ((8, 8), (7, 9)):
                    case(out, f'oc_a{tag(ai)}_{tag(ao)}_s{s}_k{k}_{h}x{w}', 0, 8, 8, k, ai, ao, s, h=h, w=w)
    # Unequal channel counts, dilation, no padding, grouped and depthwise.
    case(out, 'oc_c12to8_a05_05_s1_k3_7x9', 0, 12, 8, 3, .5, .5, 1, h=7, w=9)
    case(out, 'oc_c12to8_a025_075_s2_k3_7x9', 0, 12, 8, 3, .25, .75, 2, h=7, w=9)
    case(out, 'oc_dil2_a05_05_s1_k3_9x8', 0, 8, 8, 3, .5, .5, 1, dil=2, h=9, w=8)
    for s in (1, 2):
        for (h, w) in ((8, 8), (7, 9)):
            case(out, f'oc_g2_a05_05_s{s}_k3_{h}x{w}', 0, 8, 8, 3, .5, .5, s, groups=2, h=h, w=w)
            case(out, f'oc_g4_a0_05_s{s}_k3_{h}x{w}', 0, 8, 8, 3, 0, .5, s, groups=4, h=h, w=w)
            case(out, f'oc_dw_a05_05_s{s}_k3_{h}x{w}', 0, 8, 8, 3, .5, .5, s, groups=8, h=h, w=w)
            case(out, f'oc_dw_a0_0_s{s}_k3_{h}x{w}', 0, 8, 8, 3, 0, 0, s, groups=8, h=h, w=w)
    case(out, 'oc_dw_a025_025_s1_k3_7x9', 0, 8, 8, 3, .25, .25, 1, groups=8, h=7, w=9)
    case(out, 'oc_dw_c8to16_a05_05_s2_k3_7x9', 0, 8, 16, 3, .5, .5, 2, groups=8, h=7, w=9)
    # Conv_BN_ACT (training-mode BN) and its running statistics.
    for ai, ao in alphas:
        for s in (1, 2):
            case(out, f'cba_a{tag(ai)}_{tag(ao)}_s{s}_k3_7x9', 1, 8, 8, 3, ai, ao, s, h=7, w=9)
    case(out, 'cba_a05_05_s1_k1_8x8', 1, 8, 12, 1, .5, .5, 1)
    case(out, 'cba_dw_a05_05_s2_k3_7x9', 1, 8, 8, 3, .5, .5, 2, groups=8, h=7, w=9)
    case(out, 'bnstats_a05_05_s1_k3_7x9', 2, 8, 8, 3, .5, .5, 1, h=7, w=9)
    case(out, 'bnstats_a0_05_s2_k3_8x8', 2, 8, 8, 3, 0, .5, 2)
    path = save('octave', out)
    print(path, len(out), 'tensors')

if __name__ == '__main__':
    main()
