"""Golden data for the non-convolution kernels and the plain Nn layers (test/golden/ops.safetensors).

Every case is computed by PyTorch autograd on small random tensors: inputs, outputs, an upstream
gradient "dy" and the resulting gradients. Keys are "<case>/<tensor>". Run: /usr/bin/python3 tools/golden/gen_ops.py
(or tools/golden/make_all.py for every golden file)."""
import torch, torch.nn as nn, torch.nn.functional as F
from goldlib import save, seeded

def grads(fn, inputs, seed):
    """Runs fn(*inputs) with autograd and a random upstream gradient; returns (y, dy, [grads])."""
    ins = [t.detach().clone().requires_grad_(True) for t in inputs]
    y = fn(*ins)
    g = torch.Generator().manual_seed(seed)
    dy = torch.randn(y.shape, generator=g)
    y.backward(dy)
    return y.detach(), dy, [t.grad for t in ins]

def main():
    g = seeded(1234)
    r = lambda *s: torch.randn(*s, generator=g)
    out = {}

    # BatchNorm2d in training mode: batch statistics, biased variance; affine; optional fused ReLU.
    # An offset mean (3.0) checks that the statistics are computed accurately.
    for name, shape, relu in [('bn_8x8', (2, 3, 8, 8), False), ('bn_7x9', (2, 3, 7, 9), False),
                              ('bn_relu_8x8', (2, 3, 8, 8), True), ('bn_relu_7x9', (2, 3, 7, 9), True)]:
        c = shape[1]
        x = r(*shape) * 2 + 3
        w = r(c) * 0.5 + 1
        b = r(c) * 0.3
        bn = nn.BatchNorm2d(c)
        with torch.no_grad():
            bn.weight.copy_(w); bn.bias.copy_(b)
        xx = x.clone().requires_grad_(True)
        y = bn(xx)
        if relu: y = F.relu(y)
        dy = r(*y.shape)
        y.backward(dy)
        var = x.var(dim=(0, 2, 3), unbiased=False)
        out.update({f'{name}/x': x, f'{name}/weight': w, f'{name}/bias': b, f'{name}/y': y.detach(), f'{name}/dy': dy,
                    f'{name}/grad_x': xx.grad, f'{name}/grad_weight': bn.weight.grad, f'{name}/grad_bias': bn.bias.grad,
                    f'{name}/save_mean': x.mean(dim=(0, 2, 3)), f'{name}/save_invstd': 1 / torch.sqrt(var + 1e-5),
                    f'{name}/running_mean': bn.running_mean.clone(), f'{name}/running_var': bn.running_var.clone()})

    # BatchNorm2d running statistics after 3 training steps (momentum 0.1), then eval forward/backward.
    c, shape = 4, (2, 4, 5, 7)
    bn = nn.BatchNorm2d(c)
    w = r(c) * 0.5 + 1
    b = r(c) * 0.3
    with torch.no_grad():
        bn.weight.copy_(w); bn.bias.copy_(b)
    out['bn_steps/weight'] = w; out['bn_steps/bias'] = b
    for step in range(3):
        x = r(*shape) * (1 + step) + step
        out[f'bn_steps/x{step}'] = x
        bn(x)
    out['bn_steps/running_mean'] = bn.running_mean.clone()
    out['bn_steps/running_var'] = bn.running_var.clone()
    out['bn_steps/num_batches_tracked'] = bn.num_batches_tracked.clone().reshape(1)
    bn.eval()
    xe = r(*shape) + 1
    xx = xe.clone().requires_grad_(True)
    ye = bn(xx)
    dy = r(*shape)
    ye.backward(dy)
    out.update({'bn_steps/x_eval': xe, 'bn_steps/y_eval': ye.detach(), 'bn_steps/dy_eval': dy,
                'bn_steps/grad_x_eval': xx.grad, 'bn_steps/grad_weight_eval': bn.weight.grad,
                'bn_steps/grad_bias_eval': bn.bias.grad})

    # ReLU.
    x = r(2, 3, 5, 6)
    y, dy, (gx,) = grads(F.relu, [x], 1)
    out.update({'relu/x': x, 'relu/y': y, 'relu/dy': dy, 'relu/grad_x': gx})

    # Add + ReLU (residual merge): both inputs get the same gradient.
    a, bb = r(2, 3, 5, 6), r(2, 3, 5, 6)
    y, dy, (ga, gb) = grads(lambda p, q: F.relu(p + q), [a, bb], 2)
    out.update({'add_relu/a': a, 'add_relu/b': bb, 'add_relu/y': y, 'add_relu/dy': dy, 'add_relu/grad_a': ga, 'add_relu/grad_b': gb})

    # 2x2 average pooling, stride 2, ceil mode (odd sizes average the covered pixels).
    for h, w in [(8, 8), (7, 9), (5, 4), (1, 3), (3, 34)]:  # 34 wide: the 8-outputs-per-step vector path
        x = r(2, 3, h, w) if w < 16 else r(1, 2, h, w)
        y, dy, (gx,) = grads(lambda t: F.avg_pool2d(t, 2, 2, ceil_mode=True), [x], 3)
        k = f'avgpool_{h}x{w}'
        out.update({f'{k}/x': x, f'{k}/y': y, f'{k}/dy': dy, f'{k}/grad_x': gx})

    # Max pooling 3x3, stride 2, padding 1 (floor mode).
    for h, w in [(8, 8), (7, 9), (2, 3), (5, 40)]:  # 40 wide: 20 outputs, the vector path
        x = r(2, 3, h, w) if w < 16 else r(1, 2, h, w)
        y, dy, (gx,) = grads(lambda t: F.max_pool2d(t, 3, 2, 1), [x], 4)
        k = f'maxpool_{h}x{w}'
        out.update({f'{k}/x': x, f'{k}/y': y, f'{k}/dy': dy, f'{k}/grad_x': gx})

    # Nearest 2x upsampling cropped to a target size.
    for (h, w), (th, tw) in [((4, 5), (8, 10)), ((4, 5), (7, 9)), ((3, 20), (5, 39)), ((2, 2), (3, 4))]:
        x = r(2, 3, h, w) if w < 16 else r(1, 2, h, w)
        up = lambda t: F.interpolate(t, scale_factor=2, mode='nearest')[..., :th, :tw]
        y, dy, (gx,) = grads(up, [x], 5)
        k = f'upsample_{h}x{w}_to_{th}x{tw}'
        out.update({f'{k}/x': x, f'{k}/y': y, f'{k}/dy': dy, f'{k}/grad_x': gx})

    # Global average pooling.
    x = r(2, 3, 5, 7)
    y, dy, (gx,) = grads(lambda t: F.adaptive_avg_pool2d(t, 1).flatten(1), [x], 6)
    out.update({'gap/x': x, 'gap/y': y, 'gap/dy': dy, 'gap/grad_x': gx})

    # Linear.
    x, w, b = r(4, 10), r(6, 10) * 0.3, r(6)
    y, dy, (gx, gw, gb) = grads(F.linear, [x, w, b], 7)
    out.update({'linear/x': x, 'linear/weight': w, 'linear/bias': b, 'linear/y': y, 'linear/dy': dy,
                'linear/grad_x': gx, 'linear/grad_weight': gw, 'linear/grad_bias': gb})

    # Softmax cross-entropy, mean over the batch, label smoothing 0 and 0.1.
    logits = r(5, 7) * 3
    labels = torch.tensor([0, 6, 3, 3, 1])
    for name, s in [('ce_ls0', 0.0), ('ce_ls01', 0.1)]:
        z = logits.clone().requires_grad_(True)
        loss = F.cross_entropy(z, labels, label_smoothing=s)
        loss.backward()
        out.update({f'{name}/logits': logits, f'{name}/labels': labels, f'{name}/loss': loss.detach().reshape(1),
                    f'{name}/grad_logits': z.grad, f'{name}/probabilities': F.softmax(logits, 1)})

    # Conv2d module (grouped, strided, padded, with bias): the Nn layer on top of the conv kernel.
    x, w, b = r(2, 4, 6, 7), r(6, 2, 3, 3) * 0.3, r(6)
    conv = lambda t, ww, bb: F.conv2d(t, ww, bb, stride=2, padding=1, groups=2)
    y, dy, (gx, gw, gb) = grads(conv, [x, w, b], 8)
    out.update({'conv_g2_s2/x': x, 'conv_g2_s2/weight': w, 'conv_g2_s2/bias': b, 'conv_g2_s2/y': y, 'conv_g2_s2/dy': dy,
                'conv_g2_s2/grad_x': gx, 'conv_g2_s2/grad_weight': gw, 'conv_g2_s2/grad_bias': gb})

    path = save('ops', out, {'torch': torch.__version__, 'generator': 'tools/golden/gen_ops.py'})
    print(f'wrote {path}: {len(out)} tensors')

if __name__ == '__main__':
    main()
