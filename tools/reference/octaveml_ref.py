"""OctaveML's reference models in PyTorch: the executable spec the C# engine is tested against.

Octave Convolution ("Drop an Octave", Chen et al., ICCV 2019) keeps a share alpha of every
feature map's channels at half resolution. The rules OctaveML follows, all visible below:
  * one channel split per tensor: low = int(alpha * C), high = C - low (conv and BN agree);
  * stride 2 = 2x2 average pooling, then a stride-1 convolution; high->low pools once more;
  * odd sizes: the low map of an HxW map is ceil(H/2) x ceil(W/2) (ceil-mode 2x2 pooling, each
    window averaged over the pixels it covers), and the upsampled low->high path is cropped to HxW;
  * convolutions have no bias (a BN follows each one).
The modules' attribute names are OctaveML's parameter names (state_dict keys such as
layer1.0.conv1.conv.conv_h2l.weight, layer1.0.conv1.bn_h.running_mean, features.1.0.bn_h.weight,
fc.bias), in checkpoints and in exported safetensors.

Needs Debian's python3-torch (run with /usr/bin/python3). Used by tools/golden (golden tensors for
the C# tests), tools/reference/macs.py and the PyTorch peers of bench/.
"""
import math

import torch.nn as nn
import torch.nn.functional as F

__all__ = ['split', 'OctaveConv', 'Conv_BN', 'Conv_BN_ACT', 'BasicBlock', 'Bottleneck', 'OctResNet',
           'OctCifarResNet', 'OctMobileNet', 'oct_resnet26', 'oct_resnet50', 'oct_resnet101',
           'oct_resnet152', 'oct_resnet200', 'oct_resnet20', 'oct_resnet32', 'oct_resnet44',
           'oct_resnet56', 'oct_resnet110', 'oct_mobilenet']


def split(channels, alpha):
    """(high, low) channel counts of an octave tensor with `channels` channels in all."""
    low = int(alpha * channels)
    return channels - low, low


def downsample(x):
    """2x2 average pooling, ceil mode: an odd side rounds up, edge windows average what they cover."""
    return F.avg_pool2d(x, 2, 2, ceil_mode=True)


def upsample_like(x, like):
    """Nearest 2x upsampling of a low map, cropped to the size of the high map `like`."""
    x = F.interpolate(x, scale_factor=2, mode='nearest')
    h, w = like.shape[-2:]
    return x[..., :h, :w]


class OctaveConv(nn.Module):
    """Four convolutions between the high and low parts of an octave tensor (h2h, h2l, l2h, l2l).

    Input and output are (high, low) pairs; a plain tensor (alpha_in = 0) is accepted as input, and
    low is None when alpha_out = 0. groups == in_channels is a depthwise convolution: each part is
    convolved on its own (no h2l, no l2h)."""

    def __init__(self, in_channels, out_channels, kernel_size, alpha_in=.5, alpha_out=.5, stride=1,
                 padding=0, dilation=1, groups=1):
        super().__init__()
        assert stride in (1, 2), 'stride 2 is pooling then a stride-1 convolution; nothing else'
        assert 0 <= alpha_in <= 1 and 0 <= alpha_out <= 1
        self.stride = stride
        self.depthwise = groups == in_channels
        high_in, low_in = split(in_channels, alpha_in)
        high_out, low_out = split(out_channels, alpha_out)

        def conv(cin, cout, g):
            return nn.Conv2d(cin, cout, kernel_size, 1, padding, dilation, g, bias=False)

        # Creation order is part of the spec: it fixes the default initialisation's random draws.
        has_low_in, has_low_out = alpha_in > 0, alpha_out > 0
        has_high_in, has_high_out = alpha_in < 1, alpha_out < 1
        self.conv_l2l = conv(low_in, low_out, math.ceil(alpha_in * groups)) if has_low_in and has_low_out else None
        self.conv_l2h = conv(low_in, high_out, groups) if has_low_in and has_high_out and not self.depthwise else None
        self.conv_h2l = conv(high_in, low_out, groups) if has_high_in and has_low_out and not self.depthwise else None
        self.conv_h2h = conv(high_in, high_out, math.ceil(groups - alpha_in * groups)) if has_high_in and has_high_out else None

    def forward(self, x):
        x_h, x_l = x if isinstance(x, tuple) else (x, None)
        if self.stride == 2:
            x_h = downsample(x_h)
        y_h = self.conv_h2h(x_h)
        h2l = self.conv_h2l(downsample(x_h)) if self.conv_h2l is not None else None
        if x_l is None:
            return y_h, h2l
        l2l = None
        if self.conv_l2l is not None:
            l2l = self.conv_l2l(downsample(x_l) if self.stride == 2 else x_l)
        if self.depthwise:
            return y_h, l2l
        l2h = self.conv_l2h(x_l)
        if self.stride == 1:
            l2h = upsample_like(l2h, y_h)
        y_l = h2l + l2l if h2l is not None and l2l is not None else None
        return y_h + l2h, y_l


class Conv_BN(nn.Module):
    """OctaveConv, then a BatchNorm2d per part (bn_h, bn_l); with act=True a ReLU on both."""

    def __init__(self, in_channels, out_channels, kernel_size, alpha_in=.5, alpha_out=.5, stride=1,
                 padding=0, dilation=1, groups=1, act=False):
        super().__init__()
        self.conv = OctaveConv(in_channels, out_channels, kernel_size, alpha_in, alpha_out, stride,
                               padding, dilation, groups)
        high_out, low_out = split(out_channels, alpha_out)
        self.bn_h = nn.BatchNorm2d(high_out) if alpha_out < 1 else None
        self.bn_l = nn.BatchNorm2d(low_out) if alpha_out > 0 else None
        self.act = act

    def forward(self, x):
        h, l = self.conv(x)
        h = self.bn_h(h)
        l = self.bn_l(l) if l is not None else None
        if self.act:
            h = F.relu(h)
            l = F.relu(l) if l is not None else None
        return h, l


class Conv_BN_ACT(Conv_BN):
    """Conv_BN followed by ReLU."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, act=True, **kwargs)


def _residual(out, identity):
    """relu(out + identity) on both parts (low is None when the block's output is plain)."""
    (h, l), (id_h, id_l) = out, identity
    h = F.relu(h + id_h)
    l = F.relu(l + id_l) if id_l is not None else None
    return h, l


class BasicBlock(nn.Module):
    """Two 3x3 Conv_BN (the CIFAR ResNets). `output` marks the last stage, which is plain (alpha 0)."""
    expansion = 1

    def __init__(self, inplanes, planes, stride=1, downsample=None, alpha_in=.5, alpha_out=.5,
                 alpha=.5, output=False):
        super().__init__()
        a = 0 if output else alpha
        self.conv1 = Conv_BN_ACT(inplanes, planes, 3, alpha_in, alpha_out, stride, 1)
        self.conv2 = Conv_BN(planes, planes, 3, a, a, 1, 1)
        self.downsample = downsample

    def forward(self, x):
        identity = x if isinstance(x, tuple) else (x, None)
        out = self.conv2(self.conv1(x))
        if self.downsample is not None:
            identity = self.downsample(x)
        return _residual(out, identity)


class Bottleneck(nn.Module):
    """1x1 (in: alpha_in -> alpha_out), 3x3 (stride), 1x1 expanding 4x. `output` makes the block plain
    after its first convolution (the last stage)."""
    expansion = 4

    def __init__(self, inplanes, planes, stride=1, downsample=None, alpha_in=.5, alpha_out=.5,
                 alpha=.5, output=False):
        super().__init__()
        a = 0 if output else alpha
        self.conv1 = Conv_BN_ACT(inplanes, planes, 1, alpha_in, alpha_out)
        self.conv2 = Conv_BN_ACT(planes, planes, 3, a, a, stride, 1)
        self.conv3 = Conv_BN(planes, planes * self.expansion, 1, a, a)
        self.downsample = downsample

    def forward(self, x):
        identity = x if isinstance(x, tuple) else (x, None)
        out = self.conv3(self.conv2(self.conv1(x)))
        if self.downsample is not None:
            identity = self.downsample(x)
        return _residual(out, identity)


def _stage(block, inplanes, planes, blocks, stride, alpha_in, alpha_out, alpha, output):
    """A stage of `blocks` residual blocks; the first one changes resolution, channels or split."""
    outplanes = planes * block.expansion
    downsample = None
    if stride != 1 or inplanes != outplanes or alpha_in != alpha_out:
        # Built before the block: the default initialisation draws its weights first.
        downsample = nn.Sequential(Conv_BN(inplanes, outplanes, 1, alpha_in, alpha_out, stride))
    layers = [block(inplanes, planes, stride, downsample, alpha_in, alpha_out, alpha, output)]
    a = 0 if output else alpha
    layers += [block(outplanes, planes, 1, None, a, a, alpha, output) for _ in range(1, blocks)]
    return nn.Sequential(*layers)


class OctResNet(nn.Module):
    """ResNet-26/50/101/152/200 with octave bottlenecks: layer1 turns the plain stem output into an
    octave pair, layer4 is plain again. stem='imagenet': 7x7/2 conv and 3x3/2 max pooling;
    stem='small': one 3x3/1 conv, no pooling, for 28-64 px inputs (Fashion-MNIST, CIFAR)."""

    def __init__(self, layers, num_classes=1000, alpha=.5, stem='imagenet', in_channels=3):
        super().__init__()
        assert stem in ('imagenet', 'small')
        if stem == 'imagenet':
            self.conv1 = nn.Conv2d(in_channels, 64, 7, 2, 3, bias=False)
        else:
            self.conv1 = nn.Conv2d(in_channels, 64, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.maxpool = nn.MaxPool2d(3, 2, 1) if stem == 'imagenet' else nn.Identity()
        self.layer1 = _stage(Bottleneck, 64, 64, layers[0], 1, 0, alpha, alpha, False)
        self.layer2 = _stage(Bottleneck, 256, 128, layers[1], 2, alpha, alpha, alpha, False)
        self.layer3 = _stage(Bottleneck, 512, 256, layers[2], 2, alpha, alpha, alpha, False)
        self.layer4 = _stage(Bottleneck, 1024, 512, layers[3], 2, alpha, 0, alpha, True)
        self.fc = nn.Linear(512 * Bottleneck.expansion, num_classes)

    def forward(self, x):
        x = self.maxpool(F.relu(self.bn1(self.conv1(x))))
        h, _ = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(F.adaptive_avg_pool2d(h, 1).flatten(1))


class OctCifarResNet(nn.Module):
    """The CIFAR ResNets of He et al. (depth 6n+2: 20, 32, 44, 56, 110; stages of 16, 32 and 64
    channels on 28-32 px inputs) with octave convolutions; as in OctResNet the first stage turns
    the plain stem output into an octave pair and the last stage is plain."""

    def __init__(self, depth=20, num_classes=10, alpha=.5, in_channels=3):
        super().__init__()
        assert depth >= 8 and (depth - 2) % 6 == 0, 'depth is 6n + 2'
        n = (depth - 2) // 6
        self.conv1 = nn.Conv2d(in_channels, 16, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.layer1 = _stage(BasicBlock, 16, 16, n, 1, 0, alpha, alpha, False)
        self.layer2 = _stage(BasicBlock, 16, 32, n, 2, alpha, alpha, alpha, False)
        self.layer3 = _stage(BasicBlock, 32, 64, n, 2, alpha, 0, alpha, True)
        self.fc = nn.Linear(64, num_classes)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        h, _ = self.layer3(self.layer2(self.layer1(x)))
        return self.fc(F.adaptive_avg_pool2d(h, 1).flatten(1))


def _depthwise_separable(in_channels, out_channels, stride, alpha_in, alpha_out):
    """A 3x3 depthwise Conv_BN_ACT that keeps the input's split, then a 1x1 one to alpha_out."""
    return nn.Sequential(
        Conv_BN_ACT(in_channels, in_channels, 3, alpha_in, alpha_in, stride, 1, groups=in_channels),
        Conv_BN_ACT(in_channels, out_channels, 1, alpha_in, alpha_out))


class OctMobileNet(nn.Module):
    """MobileNetV1 with octave convolutions, as in the paper: a plain 3x3/2 stem, then 13
    depthwise-separable blocks; the first turns the stem output into an octave pair, the last two
    are plain."""

    def __init__(self, num_classes=1000, alpha=.5, in_channels=3):
        super().__init__()
        a = alpha
        # (in, out, stride, alpha_in, alpha_out) per block
        blocks = [(32, 64, 1, 0, a), (64, 128, 2, a, a), (128, 128, 1, a, a), (128, 256, 2, a, a),
                  (256, 256, 1, a, a), (256, 512, 2, a, a), (512, 512, 1, a, a), (512, 512, 1, a, a),
                  (512, 512, 1, a, a), (512, 512, 1, a, a), (512, 512, 1, a, 0), (512, 1024, 2, 0, 0),
                  (1024, 1024, 1, 0, 0)]
        stem = nn.Sequential(nn.Conv2d(in_channels, 32, 3, 2, 1, bias=False), nn.BatchNorm2d(32), nn.ReLU())
        self.features = nn.Sequential(stem, *[_depthwise_separable(*b) for b in blocks])
        self.fc = nn.Linear(1024, num_classes)

    def forward(self, x):
        h, _ = self.features(x)
        return self.fc(F.adaptive_avg_pool2d(h, 1).flatten(1))


def oct_resnet26(**kwargs): return OctResNet([2, 2, 2, 2], **kwargs)
def oct_resnet50(**kwargs): return OctResNet([3, 4, 6, 3], **kwargs)
def oct_resnet101(**kwargs): return OctResNet([3, 4, 23, 3], **kwargs)
def oct_resnet152(**kwargs): return OctResNet([3, 8, 36, 3], **kwargs)
def oct_resnet200(**kwargs): return OctResNet([3, 24, 36, 3], **kwargs)

def oct_resnet20(**kwargs): return OctCifarResNet(20, **kwargs)
def oct_resnet32(**kwargs): return OctCifarResNet(32, **kwargs)
def oct_resnet44(**kwargs): return OctCifarResNet(44, **kwargs)
def oct_resnet56(**kwargs): return OctCifarResNet(56, **kwargs)
def oct_resnet110(**kwargs): return OctCifarResNet(110, **kwargs)

def oct_mobilenet(**kwargs): return OctMobileNet(**kwargs)
