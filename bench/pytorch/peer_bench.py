#!/usr/bin/env python3
"""PyTorch peer of `./densenet bench train`: the same networks, batch and optimiser step.

Builds DenseNet / DenseNet-BC / pre-activation ResNet for 32x32x3 inputs exactly as this project's
Java code does (same layers, channels and parameter count; see `--params`), then times training
steps (forward, cross-entropy, backward, SGD with Nesterov momentum 0.9 and weight decay 1e-4) and
inference steps (eval mode, no autograd) on random batches, and reports median images/s and the
process's peak resident set size (VmHWM), as `bench train --json` does.

Run it through run_peer.sh, which installs Debian's python3-torch when missing and configures the
allocator the way PyTorch is fastest on these machines (jemalloc that never returns pages to the
kernel: page faults are expensive on these VMs). Model names as ours: densenet-L-k,
densenet-bc-L-k, preresnet-D (bottleneck from depth 164 up), preresnet-D-basic.
"""
import argparse
import json
import math
import re
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class BnReluConv(nn.Sequential):
    """BN-ReLU-conv (no bias, padding k//2), optional dropout after the convolution."""

    def __init__(self, cin, cout, kernel, drop, stride=1):
        layers = [nn.BatchNorm2d(cin), nn.ReLU(inplace=True),
                  nn.Conv2d(cin, cout, kernel, stride=stride, padding=kernel // 2, bias=False)]
        if drop > 0:
            layers.append(nn.Dropout(drop))
        super().__init__(*layers)


class DenseLayer(nn.Module):
    def __init__(self, cin, k, bottleneck, drop):
        super().__init__()
        if bottleneck:
            self.body = nn.Sequential(BnReluConv(cin, 4 * k, 1, drop), BnReluConv(4 * k, k, 3, drop))
        else:
            self.body = BnReluConv(cin, k, 3, drop)

    def forward(self, x):
        return torch.cat([x, self.body(x)], 1)


class DenseNet(nn.Module):
    """Huang et al.'s CIFAR DenseNet as repro.densenet.core.model.DenseNetSpec builds it."""

    def __init__(self, depth, k, bottleneck, classes=10, drop=0.0):
        super().__init__()
        n = (depth - 4) // (6 if bottleneck else 3)
        compression = 0.5 if bottleneck else 1.0
        c = 2 * k if bottleneck else 16
        layers = [nn.Conv2d(3, c, 3, padding=1, bias=False)]
        for b in range(3):
            for _ in range(n):
                layers.append(DenseLayer(c, k, bottleneck, drop))
                c += k
            if b < 2:
                out = int(math.floor(c * compression))
                layers.append(BnReluConv(c, out, 1, drop))
                layers.append(nn.AvgPool2d(2))
                c = out
        layers += [nn.BatchNorm2d(c), nn.ReLU(inplace=True), nn.AdaptiveAvgPool2d(1), nn.Flatten()]
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Linear(c, classes)

    def forward(self, x):
        return self.classifier(self.features(x))


class PreActUnit(nn.Module):
    def __init__(self, cin, inner, out, stride, bottleneck, drop):
        super().__init__()
        self.pre = nn.Sequential(nn.BatchNorm2d(cin), nn.ReLU(inplace=False))
        self.shortcut = (nn.Conv2d(cin, out, 1, stride=stride, bias=False)
                         if stride != 1 or cin != out else None)

        def conv(a, b, kernel, s=1):
            m = [nn.Conv2d(a, b, kernel, stride=s, padding=kernel // 2, bias=False)]
            return m + ([nn.Dropout(drop)] if drop > 0 else [])

        if bottleneck:
            body = (conv(cin, inner, 1) + [nn.BatchNorm2d(inner), nn.ReLU(inplace=True)]
                    + conv(inner, inner, 3, stride) + [nn.BatchNorm2d(inner), nn.ReLU(inplace=True)]
                    + conv(inner, out, 1))
        else:
            body = conv(cin, out, 3, stride) + [nn.BatchNorm2d(out), nn.ReLU(inplace=True)] + conv(out, out, 3)
        self.body = nn.Sequential(*body)

    def forward(self, x):
        pre = self.pre(x)
        shortcut = self.shortcut(pre) if self.shortcut is not None else x
        return shortcut + self.body(pre)


class PreActResNet(nn.Module):
    """He et al.'s pre-activation ResNet as repro.densenet.core.model.ResNetSpec builds it.

    One difference in geometry only: stride-2 3x3 convolutions pad 1/1 here and 0/1 (TensorFlow's
    SAME) in ours; shapes and FLOPs are equal.
    """

    def __init__(self, depth, bottleneck, classes=10, drop=0.0):
        super().__init__()
        n = (depth - 2) // (9 if bottleneck else 6)
        expansion = 4 if bottleneck else 1
        layers = [nn.Conv2d(3, 16, 3, padding=1, bias=False)]
        c = 16
        for s, inner in enumerate((16, 32, 64)):
            for u in range(n):
                stride = 2 if s > 0 and u == 0 else 1
                out = inner * expansion
                layers.append(PreActUnit(c, inner, out, stride, bottleneck, drop))
                c = out
        layers += [nn.BatchNorm2d(c), nn.ReLU(inplace=True), nn.AdaptiveAvgPool2d(1), nn.Flatten()]
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Linear(c, classes)

    def forward(self, x):
        return self.classifier(self.features(x))


def build(name, drop):
    m = re.fullmatch(r"densenet-(bc-)?(\d+)-(\d+)", name)
    if m:
        return DenseNet(int(m.group(2)), int(m.group(3)), m.group(1) is not None, drop=drop)
    m = re.fullmatch(r"preresnet-(\d+)(-basic)?", name)
    if m:
        depth = int(m.group(1))
        return PreActResNet(depth, m.group(2) is None and depth >= 164, drop=drop)
    raise SystemExit(f"peer_bench.py: unknown model '{name}': expected densenet-L-k, densenet-bc-L-k, "
                     "preresnet-D or preresnet-D-basic")


def peak_rss_bytes():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return -1


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", default="densenet-40-12")
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--threads", type=int, default=None)
    p.add_argument("--drop-rate", type=float, default=0.0)
    p.add_argument("--params", action="store_true",
                   help="print 'model count' (trainable parameters) for each comma-separated --model and exit")
    p.add_argument("--json", action="store_true")
    a = p.parse_args()
    if a.batch < 1 or a.steps < 1 or a.warmup < 0:
        raise SystemExit(f"peer_bench.py: --batch and --steps must be >= 1 and --warmup >= 0, "
                         f"got {a.batch}, {a.steps}, {a.warmup}")
    threads = a.threads or len(__import__("os").sched_getaffinity(0))
    torch.set_num_threads(threads)
    torch.manual_seed(42)
    if a.params:
        for name in a.model.split(","):
            print(name, sum(t.numel() for t in build(name, a.drop_rate).parameters()))
        return
    model = build(a.model, a.drop_rate)
    params = sum(t.numel() for t in model.parameters())
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, nesterov=True, weight_decay=1e-4)
    images = torch.randn(a.batch, 3, 32, 32)
    labels = torch.randint(0, 10, (a.batch,))

    def train_step():
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(images), labels)
        loss.backward()
        opt.step()
        return loss.item()  # waits for the step, as ours fetches the loss

    def timed(step, n):
        out = []
        for _ in range(n):
            t0 = time.perf_counter()
            step()
            out.append(time.perf_counter() - t0)
        return out

    log = (lambda s: None) if a.json else (lambda s: print(s, file=sys.stderr))
    model.train()
    log(f"warming up training ({a.warmup} steps)")
    timed(train_step, a.warmup)
    log(f"timing training ({a.steps} steps)")
    train = timed(train_step, a.steps)

    model.eval()

    def infer_step():
        with torch.inference_mode():
            return model(images).argmax(1).sum().item()

    log(f"warming up inference ({a.warmup} steps)")
    timed(infer_step, a.warmup)
    log(f"timing inference ({a.steps} steps)")
    infer = timed(infer_step, a.steps)
    train_rate = a.batch / statistics.median(train)
    infer_rate = a.batch / statistics.median(infer)
    result = {
        "model": a.model, "batchSize": a.batch, "steps": a.steps, "threads": threads,
        "parameters": params, "torch": torch.__version__,
        "trainImagesPerSecond": train_rate, "inferImagesPerSecond": infer_rate,
        "inferToTrainRatio": infer_rate / train_rate, "peakRssBytes": peak_rss_bytes(),
        "trainStepSeconds": train, "inferStepSeconds": infer,
    }
    if a.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"{a.model} (PyTorch {torch.__version__}) batch {a.batch}, {threads} threads, median of "
              f"{a.steps} steps: train {train_rate:.1f} img/s, inference {infer_rate:.1f} img/s "
              f"({infer_rate / train_rate:.2f}x), peak RSS {peak_rss_bytes() / 1e9:.2f} GB")


if __name__ == "__main__":
    main()
