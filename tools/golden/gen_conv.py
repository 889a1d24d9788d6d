"""Golden data for OctaveML.Ops.Conv2dKernel: torch.nn.functional.conv2d forward and its
autograd gradients. Each case stores <case>/params = [N, Cin, H, W, Cout, kH, kW, stride, padding,
dilation, groups, has_bias] so the C# test reads the case list from this file alone, plus
<case>/x, w, (b), y, dy, grad_x, grad_w, (grad_b).

Run: /usr/bin/python3 tools/golden/gen_conv.py  ->  test/golden/conv2d.safetensors"""
import torch
import torch.nn.functional as F
from goldlib import save, seeded

# name: (N, Cin, H, W, Cout, kH, kW, stride, padding, dilation, groups, bias)
CASES = {
    'k1_s1_p0':      (2, 2, 8, 8, 3, 1, 1, 1, 0, 1, 1, True),
    'k1_s2_nb':      (2, 3, 7, 9, 2, 1, 1, 2, 0, 1, 1, False),
    'k1_g2':         (2, 4, 7, 9, 2, 1, 1, 1, 0, 1, 2, True),
    'k3_s1_p1':      (2, 3, 8, 8, 2, 3, 3, 1, 1, 1, 1, True),
    'k3_s1_p0_7x9':  (2, 2, 7, 9, 3, 3, 3, 1, 0, 1, 1, True),
    'k3_s2_p1_nb':   (2, 3, 7, 9, 2, 3, 3, 2, 1, 1, 1, False),
    'k3_d2_p2':      (2, 2, 8, 8, 3, 3, 3, 1, 2, 2, 1, True),
    'k3_g2_p1':      (2, 4, 8, 8, 2, 3, 3, 1, 1, 1, 2, True),
    'k3_s2_g2_nb':   (2, 4, 7, 9, 2, 3, 3, 2, 1, 1, 2, False),
    'k7_s2_p3_stem': (2, 3, 9, 8, 2, 7, 7, 2, 3, 1, 1, False),
    'k1x3_p1':       (2, 2, 7, 9, 3, 1, 3, 1, 1, 1, 1, True),
    'dw3_s1_p1':     (2, 3, 8, 8, 3, 3, 3, 1, 1, 1, 3, True),
    'dw3_s2_p1_nb':  (2, 3, 7, 9, 3, 3, 3, 2, 1, 1, 3, False),
    'dw3_s1_7x9':    (2, 2, 7, 9, 2, 3, 3, 1, 1, 1, 2, False),
    'dw3_m2':        (2, 2, 8, 8, 4, 3, 3, 1, 1, 1, 2, True),
    'dw3_d2_p2':     (2, 2, 8, 8, 2, 3, 3, 1, 2, 2, 2, True),
    'dw5_s2_p2':     (2, 2, 9, 7, 2, 5, 5, 2, 2, 1, 2, True),
}

def main():
    seeded(1234)
    tensors, meta = {}, {'layout': 'params = N,Cin,H,W,Cout,kH,kW,stride,padding,dilation,groups,has_bias'}
    for name, (n, cin, h, w_, cout, kh, kw, s, p, d, g, bias) in CASES.items():
        x = torch.randn(n, cin, h, w_, requires_grad=True)
        w = (torch.randn(cout, cin // g, kh, kw) / (cin // g * kh * kw) ** 0.5).requires_grad_()
        b = torch.randn(cout, requires_grad=True) if bias else None
        y = F.conv2d(x, w, b, stride=s, padding=p, dilation=d, groups=g)
        dy = torch.randn_like(y)
        y.backward(dy)
        tensors[f'{name}/params'] = torch.tensor([n, cin, h, w_, cout, kh, kw, s, p, d, g, int(bias)], dtype=torch.float32)
        tensors[f'{name}/x'] = x
        tensors[f'{name}/w'] = w
        tensors[f'{name}/y'] = y
        tensors[f'{name}/dy'] = dy
        tensors[f'{name}/grad_x'] = x.grad
        tensors[f'{name}/grad_w'] = w.grad
        if bias:
            tensors[f'{name}/b'] = b
            tensors[f'{name}/grad_b'] = b.grad
        meta[name] = ','.join(str(int(v)) for v in (n, cin, h, w_, cout, kh, kw, s, p, d, g, bias))
    print(save('conv2d', tensors, meta))

if __name__ == '__main__':
    main()
