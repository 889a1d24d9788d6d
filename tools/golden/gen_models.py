"""Whole-model golden data: OctResNet-50 (small stem, 49 px: odd sizes down to 7x7), OctMobileNet (112 px: 7x7 and 4x4 stages) and OctResNet-20
(grayscale) from tools/reference/octaveml_ref.py, in train and eval mode.

A ResNet-50's float32 weights are 100 MB, too much to commit, so every convolution and linear
weight is binary: w = scale * t with t in {-1, 1}, stored as I8 plus a float32 scale, and the
file is gzipped (about 1 bit a weight). Binary rather than ternary: zero taps would make whole channels
constant at small spatial sizes, and BN on a constant channel is ill-conditioned (float32 and
float64 PyTorch then disagree by 1%). PyTorch runs on exactly these values, so the C# test
loads the same weights by name. Per model, test/golden/model_<name>.safetensors.gz holds:
  weights:  "<state_dict name>" (I8 for conv/linear weights, F32 otherwise) and "scale/<name>" (F32 [])
  case:     "x" input, "labels", "logits_train" (train-mode forward), "loss",
            "grad/<name>" for a few parameters (cross-entropy, mean) and "grad64/<name>", the same
            from a float64 copy of the model (deep BN/ReLU stacks can be ill-conditioned, so float32
            results are judged against the float64 truth), "after/<buffer>" BN running
            statistics after that forward, "logits_eval" (eval mode, after the train step's
            statistics update; no optimizer step is taken).
"""
import copy, gzip, io, json, os, struct, sys
import torch, torch.nn.functional as F
from goldlib import GOLDEN, seeded
import octaveml_ref as ref

def tensor_bytes(t):
    return t.contiguous().numpy().tobytes()

def write_gz(name, entries, meta):
    """entries: list of (key, dtype, tensor)."""
    header, blobs, off = {'__metadata__': {k: str(v) for k, v in meta.items()}}, [], 0
    for k, dt, t in entries:
        b = tensor_bytes(t)
        header[k] = {'dtype': dt, 'shape': list(t.shape), 'data_offsets': [off, off + len(b)]}
        blobs.append(b); off += len(b)
    h = json.dumps(header, separators=(',', ':')).encode()
    h += b' ' * ((8 - len(h) % 8) % 8)
    raw = io.BytesIO()
    raw.write(struct.pack('<Q', len(h))); raw.write(h)
    for b in blobs: raw.write(b)
    path = os.path.join(GOLDEN, f'model_{name}.safetensors.gz')
    with gzip.GzipFile(path, 'wb', mtime=0, compresslevel=9) as f:
        f.write(raw.getvalue())
    print(f'{path}: {os.path.getsize(path) / 1e6:.2f} MB')

def make(name, model, x, grads):
    if only and name not in only: return
    g = seeded(1234)
    entries = []
    with torch.no_grad():
        for k, p in model.named_parameters():
            if p.dim() >= 2:  # conv and linear weights: binary
                fan_in = p[0].numel()
                t = (torch.randint(0, 2, p.shape, generator=g, dtype=torch.int8) * 2 - 1).to(torch.int8)
                scale = torch.tensor(1.4 / fan_in ** 0.5, dtype=torch.float32)
                p.copy_(t.float() * scale)
                entries += [(k, 'I8', t), (f'scale/{k}', 'F32', scale)]
            elif k.endswith('.weight'):  # BN gamma
                p.copy_(torch.rand(p.shape, generator=g) * 0.5 + 0.75)
                entries.append((k, 'F32', p.detach().clone()))
            else:  # BN beta, fc bias
                p.copy_(torch.randn(p.shape, generator=g) * 0.1)
                entries.append((k, 'F32', p.detach().clone()))
        for k, b in model.named_buffers():
            if k.endswith('running_mean'): b.copy_(torch.randn(b.shape, generator=g) * 0.1)
            elif k.endswith('running_var'): b.copy_(torch.rand(b.shape, generator=g) + 0.5)
            entries.append((k, 'F32', b.detach().clone().float()))
    labels = torch.randint(0, model.fc.out_features, (x.shape[0],), generator=g)
    # The same step in float64: the true gradients, to measure how far float32 (PyTorch's or ours) is.
    m64 = copy.deepcopy(model).double().train()
    F.cross_entropy(m64(x.double()), labels).backward()
    p64 = dict(m64.named_parameters())
    model.train()
    logits = model(x)
    loss = F.cross_entropy(logits, labels)
    loss.backward()
    params = dict(model.named_parameters())
    entries += [('x', 'F32', x), ('labels', 'F32', labels.float()), ('logits_train', 'F32', logits.detach()),
                ('loss', 'F32', loss.detach().reshape(1))]
    entries += [(f'grad/{k}', 'F32', params[k].grad.detach().clone()) for k in grads]
    entries += [(f'grad64/{k}', 'F64', p64[k].grad.detach().clone()) for k in grads]
    for k, b in model.named_buffers():
        if 'running' in k: entries.append((f'after/{k}', 'F32', b.detach().clone()))
    model.eval()
    with torch.no_grad():
        entries.append(('logits_eval', 'F32', model(x)))
    write_gz(name, entries, {'grads': ','.join(grads)})

if __name__ == '__main__':
    only = set(sys.argv[1:])  # e.g. gen_models.py oct_resnet20: regenerate only that model
    torch.set_num_threads(1)
    g = seeded(7)
    m = ref.oct_resnet50(num_classes=10, alpha=.5, stem='small', in_channels=3)
    make('oct_resnet50', m, torch.randn(2, 3, 49, 49, generator=g),
         ['conv1.weight', 'layer1.0.conv1.conv.conv_h2h.weight', 'layer1.0.conv1.conv.conv_h2l.weight',
          'layer2.0.conv2.conv.conv_l2h.weight', 'layer3.1.conv2.conv.conv_l2l.weight',
          'layer2.0.downsample.0.bn_l.weight', 'layer4.2.conv3.bn_h.bias', 'fc.weight', 'fc.bias'])
    m = ref.oct_mobilenet(num_classes=10, alpha=.5)
    make('oct_mobilenet', m, torch.randn(2, 3, 112, 112, generator=g),
         ['features.0.0.weight', 'features.1.0.conv.conv_h2h.weight', 'features.2.0.conv.conv_l2l.weight',
          'features.2.1.conv.conv_l2h.weight', 'features.11.0.bn_l.weight', 'features.11.1.bn_h.weight',
          'features.11.1.conv.conv_h2h.weight', 'features.12.0.conv.conv_h2h.weight', 'features.12.0.bn_h.weight',
          'features.12.1.bn_h.weight', 'features.13.0.bn_h.weight', 'features.13.1.bn_h.weight',
          'fc.weight'])
    m = ref.oct_resnet20(num_classes=10, alpha=.5, in_channels=1)
    make('oct_resnet20', m, torch.randn(2, 1, 28, 28, generator=g),
         ['conv1.weight', 'layer1.0.conv1.conv.conv_h2l.weight', 'layer1.0.downsample.0.conv.conv_h2h.weight',
          'layer2.1.conv2.conv.conv_l2h.weight', 'layer3.0.conv1.conv.conv_l2h.weight', 'layer3.2.conv2.bn_h.weight',
          'fc.bias'])
