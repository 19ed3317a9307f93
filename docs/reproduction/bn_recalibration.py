#!/usr/bin/env python3
"""Is a run's test error a train/inference discrepancy of batch normalisation?

Evaluates exported runs (./densenet export --run DIR --out FILE.safetensors) on 1,000 Fashion-MNIST
test images twice: with the moving BN statistics the run trained (what the trainer reports), and with
BN statistics recomputed on 1,000 training images in one forward pass without dropout. A large drop
from the first to the second means the moving statistics, accumulated while dropout was active, do not
describe the network without dropout (the "variance shift" of dropout before batch normalisation).
NumPy only; the forward pass is the reference of docs/export.md (DenseNets only).

usage: python3 docs/reproduction/bn_recalibration.py RUN.safetensors...
"""
import sys, json, gzip, struct
import numpy as np

# --- the NumPy reference forward pass of docs/export.md ---

def load_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    meta = header.pop("__metadata__", {})
    tensors = {}
    for name, t in header.items():
        assert t["dtype"] == "F32"
        b, e = t["data_offsets"]
        tensors[name] = np.frombuffer(data[b:e], dtype="<f4").reshape(t["shape"])
    return tensors, meta

def conv(x, w, stride=1):
    # x NCHW, w OIHW; TensorFlow SAME padding as documented
    o, i, kh, kw = w.shape
    h = x.shape[2]
    if stride == 1:
        p = ((kh - 1) // 2, (kh - 1) // 2)
    else:
        out = -(-h // stride)
        total = max((out - 1) * stride + kh - h, 0)
        p = (total // 2, total - total // 2)
    x = np.pad(x, ((0, 0), (0, 0), p, p))
    H = (x.shape[2] - kh) // stride + 1
    W = (x.shape[3] - kw) // stride + 1
    y = np.zeros((x.shape[0], o, H, W), np.float64)
    for dy in range(kh):
        for dx in range(kw):
            patch = x[:, :, dy:dy + stride * H:stride, dx:dx + stride * W:stride]
            y += np.einsum("nchw,oc->nohw", patch, w[:, :, dy, dx])
    return y

def bn_relu_reference(x, t, p, eps):  # the reference's; replaced below
    s = t[p + ".weight"] / np.sqrt(t[p + ".running_var"] + eps)
    y = (x - t[p + ".running_mean"][None, :, None, None]) * s[None, :, None, None] + t[p + ".bias"][None, :, None, None]
    return np.maximum(y, 0)

def avgpool2(x):
    n, c, h, w = x.shape
    return x[:, :, :h // 2 * 2, :w // 2 * 2].reshape(n, c, h // 2, 2, w // 2, 2).mean(axis=(3, 5))

def head(x, t, eps):
    x = bn_relu(x, t, "final.bn", eps).mean(axis=(2, 3))
    return x @ t["classifier.weight"].T + t["classifier.bias"]

def densenet(x, t, spec, eps):
    n = sum(1 for k in t if k.startswith("block1.") and k.endswith(".bn1.weight"))
    x = conv(x, t["stem.conv.weight"])
    for b in range(1, 4):
        for l in range(1, n + 1):
            p = f"block{b}.layer{l}"
            h = conv(bn_relu(x, t, p + ".bn1", eps), t[p + ".conv1.weight"])
            if p + ".conv2.weight" in t:
                h = conv(bn_relu(h, t, p + ".bn2", eps), t[p + ".conv2.weight"])
            x = np.concatenate([x, h], axis=1)
        if b < 3:
            x = avgpool2(conv(bn_relu(x, t, f"transition{b}.bn", eps), t[f"transition{b}.conv.weight"]))
    return head(x, t, eps)

def preresnet(x, t, spec, eps):
    n = sum(1 for k in t if k.startswith("stage1.") and k.endswith(".bn1.weight"))
    x = conv(x, t["stem.conv.weight"])
    for s in range(1, 4):
        for u in range(1, n + 1):
            p = f"stage{s}.unit{u}"
            stride = 2 if (s > 1 and u == 1) else 1
            pre = bn_relu(x, t, p + ".bn1", eps)
            sc = conv(pre, t[p + ".shortcut.weight"], stride) if p + ".shortcut.weight" in t else x
            if p + ".conv3.weight" in t:
                h = conv(pre, t[p + ".conv1.weight"])
                h = conv(bn_relu(h, t, p + ".bn2", eps), t[p + ".conv2.weight"], stride)
                h = conv(bn_relu(h, t, p + ".bn3", eps), t[p + ".conv3.weight"])
            else:
                h = conv(pre, t[p + ".conv1.weight"], stride)
                h = conv(bn_relu(h, t, p + ".bn2", eps), t[p + ".conv2.weight"])
            x = sc + h
    return head(x, t, eps)


# --- the diagnostic: batch normalisation from the moving statistics, or recomputed without dropout ---
MODE = {"m": "moving", "stats": {}}


def bn_relu(x, t, p, eps):  # replaces the reference's bn_relu (densenet() looks it up at call time)
    if MODE["m"] == "moving":
        mean, var = t[p + ".running_mean"], t[p + ".running_var"]
    elif MODE["m"] == "record":
        mean, var = x.mean(axis=(0, 2, 3)), x.var(axis=(0, 2, 3))
        MODE["stats"][p] = (mean, var)
    else:
        mean, var = MODE["stats"][p]
    s = t[p + ".weight"] / np.sqrt(var + eps)
    y = (x - mean[None, :, None, None]) * s[None, :, None, None] + t[p + ".bias"][None, :, None, None]
    return np.maximum(y, 0)


def idx(path):
    with gzip.open(path) as f:
        d = f.read()
    if d[3] == 3:
        return np.frombuffer(d, np.uint8, offset=16).reshape(-1, 28, 28)
    return np.frombuffer(d, np.uint8, offset=8)


def main(files):
    base = "/usr/share/datasets/fashion-mnist/"
    xt, yt = idx(base + "t10k-images-idx3-ubyte.gz"), idx(base + "t10k-labels-idx1-ubyte.gz")
    xr = idx(base + "train-images-idx3-ubyte.gz")
    rng = np.random.default_rng(0)
    ti = rng.choice(len(xt), 1000, replace=False)
    ri = rng.choice(len(xr), 1000, replace=False)
    for f in files:
        tensors, meta = load_safetensors(f)
        t = {k: v.astype(np.float64) for k, v in tensors.items()}
        eps = float(meta["bn_epsilon"])
        mean = np.array(json.loads(meta["normalization_mean"]))
        std = np.array(json.loads(meta["normalization_std"]))

        def norm(a):
            return ((a[..., None] / 255.0 - mean) / std).transpose(0, 3, 1, 2)

        MODE["m"] = "moving"
        moving = (densenet(norm(xt[ti]), t, None, eps).argmax(1) != yt[ti]).mean()
        MODE["m"], MODE["stats"] = "record", {}
        densenet(norm(xr[ri]), t, None, eps)
        MODE["m"] = "replay"
        recomputed = (densenet(norm(xt[ti]), t, None, eps).argmax(1) != yt[ti]).mean()
        print(f"{f.split('/')[-1]}: test error {100 * moving:.1f}% with the moving BN statistics it trained,"
              f" {100 * recomputed:.1f}% with BN statistics recomputed on 1,000 training images without dropout")


if __name__ == "__main__":
    main(sys.argv[1:])
