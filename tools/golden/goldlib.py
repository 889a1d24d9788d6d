"""Shared helpers for the golden-data generators: a minimal safetensors writer (no extra Python
package needed) and the location of the reference models (tools/reference/octaveml_ref.py).

Run the generators with Debian's python3-torch:  /usr/bin/python3 tools/golden/make_all.py
They write test/golden/*.safetensors, which the C# tests read with OctaveML.Interop.SafeTensors,
or into the folder named by the environment variable OCTAVEML_GOLDEN_DIR (make_all.py --out DIR)."""
import json, os, struct, sys
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GOLDEN = os.environ.get('OCTAVEML_GOLDEN_DIR') or os.path.join(ROOT, 'test', 'golden')
REFERENCE = os.path.join(ROOT, 'tools', 'reference')
sys.path.insert(0, REFERENCE)

def save(name, tensors, meta=None):
    """Writes {name: tensor} as float32 (int tensors too: C# reads everything as float32)
    to test/golden/<name>.safetensors; meta values are stored as strings in __metadata__."""
    os.makedirs(GOLDEN, exist_ok=True)
    header, blobs, off = {}, [], 0
    if meta:
        header['__metadata__'] = {k: str(v) for k, v in meta.items()}
    for k, t in tensors.items():
        t = t.detach().to(torch.float32).contiguous()
        b = t.numpy().tobytes()
        header[k] = {'dtype': 'F32', 'shape': list(t.shape), 'data_offsets': [off, off + len(b)]}
        blobs.append(b); off += len(b)
    h = json.dumps(header, separators=(',', ':')).encode()
    h += b' ' * ((8 - len(h) % 8) % 8)
    path = os.path.join(GOLDEN, name + '.safetensors')
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(h))); f.write(h)
        for b in blobs: f.write(b)
    return path

def seeded(seed):
    torch.manual_seed(seed)
    return torch.Generator().manual_seed(seed)
