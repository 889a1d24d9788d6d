"""PyTorch / torchvision peer of the data suite: the same work as DataSuite.cs, timed the same way
(median of 3 after 1 warm-up). Args: FASHION_MNIST_FOLDER. Prints "key value" lines."""
import gzip, os, struct, sys, time
import torch
from peerlib import median
from torch.utils.data import DataLoader, Dataset, TensorDataset
import torchvision.transforms as T

fashion = sys.argv[1]

def load_idx():
    # What torchvision's read_sn3_pascalvincent_tensor does: decompress, parse, frombuffer.
    with gzip.open(os.path.join(fashion, 'train-images-idx3-ubyte.gz'), 'rb') as f: data = f.read()
    n, r, c = struct.unpack('>III', data[4:16])
    x = torch.frombuffer(bytearray(data[16:]), dtype=torch.uint8).view(n, r, c)
    with gzip.open(os.path.join(fashion, 'train-labels-idx1-ubyte.gz'), 'rb') as f: lab = f.read()
    y = torch.frombuffer(bytearray(lab[8:]), dtype=torch.uint8).long()
    return x, y

state = {}
def do_load(): state['xy'] = load_idx()
print('idx_load_s', median(do_load))
x, y = state['xy']
xf = x.unsqueeze(1).float().div(255)
g = torch.Generator(); g.manual_seed(1)
loader = DataLoader(TensorDataset(xf, y), batch_size=64, shuffle=True, generator=g)
def epoch(l):
    for _ in l: pass
print('loader_images_per_s', len(y) / median(lambda: epoch(loader)))

mean, std = xf.mean().item(), xf.std().item()
class Augmented(Dataset):
    def __init__(self): self.t = T.Compose([T.RandomCrop(28, padding=4), T.RandomHorizontalFlip(), T.Normalize([mean], [std])])
    def __len__(self): return len(y)
    def __getitem__(self, i): return self.t(xf[i]), y[i]
aug = DataLoader(Augmented(), batch_size=64, shuffle=True, generator=g)
print('loader_augmented_images_per_s', len(y) / median(lambda: epoch(aug)))

