"""torch.save files for the PyTorch checkpoint reader (OctaveML.Interop.PyTorchCheckpoint) and
InitialWeights, written by Debian's python3-torch in both of its formats: the zip format
(PyTorch >= 1.6, the default) and the legacy one (_use_new_zipfile_serialization=False).
Every file is gzipped (mtime 0) into test/golden/pytorch/; the tests decompress them.

  oct_resnet20_random_legacy.pth.gz    OctCifarResNet-20 (alpha .5, 1 channel, 10 classes), PyTorch's
                                       default init, legacy format
  oct_resnet20_trained.pth.gz          the same after 5 SGD steps (BN running statistics moved), zip
  oct_resnet20_trained_wrapped_legacy.pth.tar.gz
                                       the trained weights as a training script saves them, legacy:
                                       {"state_dict": DataParallel names ("module."), "epoch": 3,
                                       "optimizer": ..., "arch": ...}; conv weights channels-last and
                                       fc.weight transposed in memory (non-contiguous strides)
  oct_resnet26_half.pth.gz             OctResNet-26 (alpha .5, small stem, 1 channel, 10 classes) in
                                       float16, zip. 14M weights do not fit in a small fixture as
                                       random numbers, so every conv weight repeats one random
                                       sequence of 4093 values (gzip then stores each period once);
                                       BN running statistics are measured on a batch, so eval-mode
                                       activations stay normalised.
  tensors.pth.gz, tensors_legacy.pth.gz, tensors_legacy_protocol4.pth.gz (pickle protocol 4)
                                       a dict of tensors of every supported dtype and layout
                                       (transposed, strided slices, views at an offset into a shared
                                       storage, broadcast stride 0, channels-last, 0-d, empty, a Parameter)
  whole_model.pth.gz, whole_model_legacy.pth.gz
                                       torch.save(model): a pickled __main__.TinyNet, not a state dict
  evil.pth.gz                          a dict whose value reduces to os.system (must never run)
  torchscript.pt.gz                    torch.jit.save of TinyNet
  no_state_dict.pth.gz                 a dict of plain values without tensors
  single_tensor.pth.gz                 one tensor, not a dict
  complex.pth.gz                       a state dict of a dtype the reader does not convert (complex64)

test/golden/pytorch/expected.safetensors holds what PyTorch computes from the same files:
  "x/resnet20", "x/resnet26"   the fixed inputs [2, 1, 28, 28]
  "logits/<file stem>"         eval-mode logits of the model each file holds
  "tensor/<name>"              every tensor of tensors.pth, contiguous float32
"""
import gzip, os, shutil, tempfile
import torch, torch.nn as nn, torch.nn.functional as F
from goldlib import GOLDEN, save, seeded
import octaveml_ref as octref

OUT = os.path.join(GOLDEN, 'pytorch')

class TinyNet(nn.Module):
    """Pickled whole (torch.save(model)): a class the reader must refuse to instantiate."""
    def __init__(s):
        super().__init__()
        s.conv = nn.Conv2d(1, 2, 3)
    def forward(s, x):
        return s.conv(x)

class Evil:
    """Reduces to os.system: a reader that executes pickles would run the command."""
    def __reduce__(s):
        return (os.system, ('exit 7',))

def write(name, obj, legacy=False, saver=None, protocol=2):
    """torch.save(obj) (or saver(obj, path)) into test/golden/pytorch/<name>.gz."""
    with tempfile.TemporaryDirectory() as tmp:
        raw = os.path.join(tmp, name)
        if saver: saver(obj, raw)
        else: torch.save(obj, raw, pickle_protocol=protocol, _use_new_zipfile_serialization=not legacy)
        path = os.path.join(OUT, name + '.gz')
        with open(raw, 'rb') as src, gzip.GzipFile(path, 'wb', mtime=0, compresslevel=9) as dst:
            shutil.copyfileobj(src, dst)
    print(f'{path}: {os.path.getsize(path) / 1e3:.0f} kB')

def eval_logits(model, x):
    model.eval()
    with torch.no_grad():
        return model(x)

def resnet20_files(expected):
    g = seeded(15)
    model = octref.oct_resnet20(num_classes=10, alpha=.5, in_channels=1)
    x = torch.randn(2, 1, 28, 28, generator=g)
    expected['x/resnet20'] = x
    write('oct_resnet20_random_legacy.pth', model.state_dict(), legacy=True)
    expected['logits/oct_resnet20_random_legacy'] = eval_logits(model, x)

    opt = torch.optim.SGD(model.parameters(), lr=0.05)  # no momentum: a small optimizer state
    images, labels = torch.randn(8, 1, 28, 28, generator=g), torch.randint(0, 10, (8,), generator=g)
    model.train()
    for _ in range(5):
        opt.zero_grad()
        F.cross_entropy(model(images), labels).backward()
        opt.step()
    write('oct_resnet20_trained.pth', model.state_dict())
    logits = eval_logits(model, x)
    expected['logits/oct_resnet20_trained'] = logits

    wrapped = nn.DataParallel(model.to(memory_format=torch.channels_last)).state_dict()
    assert not wrapped['module.layer1.0.conv1.conv.conv_h2h.weight'].is_contiguous()
    wrapped['module.fc.weight'] = wrapped['module.fc.weight'].t().contiguous().t()
    write('oct_resnet20_trained_wrapped_legacy.pth.tar',
          {'epoch': 3, 'arch': 'oct_resnet20', 'state_dict': wrapped, 'optimizer': opt.state_dict(), 'best_acc1': 0.25},
          legacy=True)
    expected['logits/oct_resnet20_trained_wrapped_legacy'] = logits

def resnet26_file(expected):
    g = seeded(26)
    model = octref.oct_resnet26(num_classes=10, alpha=.5, stem='small', in_channels=1)
    period = torch.rand(4093, generator=g) * 2 - 1
    with torch.no_grad():
        for k, p in model.named_parameters():
            if p.dim() == 4:  # conv weights: the repeated sequence
                p.copy_(period.repeat(p.numel() // period.numel() + 1)[:p.numel()].view(p.shape))
            elif k == 'fc.weight':
                p.copy_(period.repeat(p.numel() // period.numel() + 1)[:p.numel()].view(p.shape) / 32)
            elif k.endswith('.weight'):  # BN gamma
                p.copy_(torch.rand(p.shape, generator=g) * 0.5 + 0.75)
            else:  # BN beta, fc bias
                p.copy_(torch.randn(p.shape, generator=g) * 0.1)
        model.half().float()  # the float16 values the file holds
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.reset_running_stats(); m.momentum = None  # running statistics = one batch's
        model.train()
        model(torch.randn(8, 1, 28, 28, generator=g))
        model.half().float()
    x = torch.randn(2, 1, 28, 28, generator=g)
    expected['x/resnet26'] = x
    state = {k: v.half() if v.is_floating_point() else v for k, v in model.state_dict().items()}
    write('oct_resnet26_half.pth', state)
    expected['logits/oct_resnet26_half'] = eval_logits(model, x)

def tensor_zoo(expected):
    g = seeded(3)
    base = torch.randn(40, generator=g)
    t = {
        'f32': torch.randn(3, 4, generator=g),
        'f16': torch.randn(2, 3, 4, generator=g).half(),
        'bf16': torch.randn(5, generator=g).bfloat16(),
        'f64': torch.randn(2, 2, generator=g).double(),
        'i64': torch.arange(-3, 3).reshape(2, 3),
        'i32': torch.arange(6, dtype=torch.int32),
        'i16': torch.arange(-2, 2, dtype=torch.int16),
        'i8': torch.tensor([-128, 0, 127], dtype=torch.int8),
        'u8': torch.tensor([0, 200, 255], dtype=torch.uint8),
        'bool': torch.tensor([True, False, True]),
        'transposed': torch.randn(4, 6, generator=g).t(),
        'strided': torch.randn(10, 10, generator=g)[::2, 1::3],
        'shared_base': base,
        'shared_view': base[5:17].view(3, 4),
        'shared_view_t': base[20:32].view(3, 4).t(),
        'expanded': torch.randn(3, 1, generator=g).expand(3, 4),
        'channels_last': torch.randn(2, 3, 4, 5, generator=g).contiguous(memory_format=torch.channels_last),
        'f16_transposed': torch.randn(3, 5, generator=g).half().t(),
        'scalar': torch.tensor(3.5),
        'empty': torch.zeros(0, 3),
        'param': nn.Parameter(torch.randn(3, generator=g)),
    }
    for k, v in t.items():
        expected['tensor/' + k] = v.detach().float().contiguous()
    write('tensors.pth', t)
    write('tensors_legacy.pth', t, legacy=True)
    write('tensors_legacy_protocol4.pth', t, legacy=True, protocol=4)

def not_state_dicts():
    torch.manual_seed(0)
    write('whole_model.pth', TinyNet())
    write('whole_model_legacy.pth', TinyNet(), legacy=True)
    write('evil.pth', {'weight': torch.zeros(2), 'payload': Evil()})
    write('torchscript.pt', torch.jit.script(TinyNet()), saver=torch.jit.save)
    write('no_state_dict.pth', {'epoch': 3, 'arch': 'oct_resnet20', 'best_acc1': 0.5})
    write('single_tensor.pth', torch.zeros(3))
    write('complex.pth', {'w': torch.zeros(2, dtype=torch.complex64)})

if __name__ == '__main__':
    torch.set_num_threads(1)
    os.makedirs(OUT, exist_ok=True)
    expected = {}
    resnet20_files(expected)
    resnet26_file(expected)
    tensor_zoo(expected)
    not_state_dicts()
    print(save('pytorch/expected', expected))
