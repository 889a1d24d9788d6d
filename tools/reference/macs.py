"""Parameters and multiply-accumulates (MACs, the paper's "FLOPs") of a reference model, counting
convolutions and the classifier: each convolution's output elements x (in_channels / groups) x
kernel area, plus in x out for the classifier. OctaveML's ModelSummary counts the same way.

usage: /usr/bin/python3 tools/reference/macs.py MODEL SIZE [ALPHA=0.5] [CLASSES=1000] [STEM]
MODEL: a factory of octaveml_ref (oct_resnet50, oct_mobilenet, oct_resnet20...); STEM: imagenet or
small for the OctResNets (default: small up to 64 px, else imagenet).
Prints "MODEL alpha=A size=S classes=C params=P MACs=M (G GMACs)" with exact integers."""
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import octaveml_ref  # noqa: E402

OCT_RESNETS = ('oct_resnet26', 'oct_resnet50', 'oct_resnet101', 'oct_resnet152', 'oct_resnet200')


def count(model, size, in_channels=3):
    """(parameters, MACs) of one forward pass of a size x size image."""
    macs = 0

    def conv_hook(mod, inp, out):
        nonlocal macs
        macs += out.numel() * (mod.in_channels // mod.groups) * mod.kernel_size[0] * mod.kernel_size[1]

    def linear_hook(mod, inp, out):
        nonlocal macs
        macs += mod.in_features * mod.out_features

    for mod in model.modules():
        if isinstance(mod, torch.nn.Conv2d):
            mod.register_forward_hook(conv_hook)
        elif isinstance(mod, torch.nn.Linear):
            mod.register_forward_hook(linear_hook)
    model.eval()
    with torch.no_grad():
        model(torch.zeros(1, in_channels, size, size))
    return sum(p.numel() for p in model.parameters()), macs


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    name, size = argv[0], int(argv[1])
    alpha = float(argv[2]) if len(argv) > 2 else .5
    classes = int(argv[3]) if len(argv) > 3 else 1000
    kwargs = dict(num_classes=classes, alpha=alpha)
    if name in OCT_RESNETS:
        kwargs['stem'] = argv[4] if len(argv) > 4 else 'small' if size <= 64 else 'imagenet'
    params, macs = count(getattr(octaveml_ref, name)(**kwargs), size)
    print(f'{name} alpha={alpha} size={size} classes={classes} params={params} MACs={macs} ({macs / 1e9:.3f} GMACs)')


if __name__ == '__main__':
    main(sys.argv[1:])
