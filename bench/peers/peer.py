#!/usr/bin/python3
"""PyTorch peer of the MlNetSiamese speed harness (GitHub issue #6).

Implements the same networks, sampler, augmentation, distance, miner, loss and optimiser as the C# library
(src/MlNetSiamese: Encoders/ConvNetEncoder.cs, Encoders/FastConvNetEncoder.cs, Encoders/ResNetEncoder.cs, Training/ClassBalancedSampler.cs,
Training/ImageAugmentation.cs, Losses/CosineDistance.cs, Losses/SemiHardMiner.cs, Losses/MarginTripletLoss.cs,
Losses/TripletObjective.cs, Training/SiameseTrainer.cs) in plain PyTorch eager mode, run with Debian's
python3-torch (CPU). Progress goes to stderr; the last line of stdout is one JSON object with the measurements.

  peer.py train    --threads N --encoder ConvNet|FastConvNet|ResNet --classes 16 --rows R --P 16 --K 4 --warmup W --batches N --reps R --seed S
  peer.py infer    --threads N --encoder ConvNet|FastConvNet|ResNet --rows R --batches 64,256 --reps R --latency-calls C --latency-warmup W
  peer.py selftest   (vectorised miner and augmentation against literal ports of the C# loops)
"""
import argparse
import json
import math
import os
import random
import re
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

CHANNELS, SIDE = 3, 32
INPUT_SIZE = CHANNELS * SIDE * SIDE


def log(msg):
    print(msg, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- networks (Encoders/*.cs)

class ConvNetEncoder(nn.Module):
    """Per stage: conv3x3 (no bias) + BN + ReLU, twice, then MaxPool2d(2); global average pool; Linear."""

    def __init__(self, channels, widths, dim):
        super().__init__()
        layers = []
        c = channels
        for s, w in enumerate(widths):
            layers += [nn.Conv2d(c, w, 3, padding=1, bias=False), nn.BatchNorm2d(w), nn.ReLU(),
                       nn.Conv2d(w, w, 3, padding=1, bias=False), nn.BatchNorm2d(w), nn.ReLU(),
                       nn.MaxPool2d(2)]
            c = w
        layers.append(nn.AdaptiveAvgPool2d(1))
        self.features = nn.Sequential(*layers)
        self.projection = nn.Linear(c, dim)

    def forward(self, x):
        return self.projection(self.features(x).flatten(1))


class BasicBlock(nn.Module):
    def __init__(self, inputs, outputs, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(inputs, outputs, 3, stride=stride, padding=1, bias=False)
        self.norm1 = nn.BatchNorm2d(outputs)
        self.conv2 = nn.Conv2d(outputs, outputs, 3, padding=1, bias=False)
        self.norm2 = nn.BatchNorm2d(outputs)
        self.shortcut = None
        if stride != 1 or inputs != outputs:
            self.shortcut = nn.Sequential(nn.Conv2d(inputs, outputs, 1, stride=stride, bias=False), nn.BatchNorm2d(outputs))

    def forward(self, x):
        y = F.relu(self.norm1(self.conv1(x)))
        y = self.norm2(self.conv2(y))
        skip = self.shortcut(x) if self.shortcut is not None else x
        return F.relu(y.add_(skip))


class ResNetEncoder(nn.Module):
    """Stem conv3x3 + BN + ReLU; one BasicBlock per stage (stride 2 from the 2nd stage); global average pool; Linear."""

    def __init__(self, channels, widths, dim):
        super().__init__()
        layers = [nn.Conv2d(channels, widths[0], 3, padding=1, bias=False), nn.BatchNorm2d(widths[0]), nn.ReLU()]
        c = widths[0]
        for s, w in enumerate(widths):
            layers.append(BasicBlock(c, w, 1 if s == 0 else 2))
            c = w
        layers.append(nn.AdaptiveAvgPool2d(1))
        self.body = nn.Sequential(*layers)
        self.projection = nn.Linear(c, dim)

    def forward(self, x):
        return self.projection(self.body(x).flatten(1))


def scale_free_norm(channels):
    """BatchNorm2d whose scale stays 1 (not trained): only the shift is learned."""
    norm = nn.BatchNorm2d(channels)
    norm.weight.requires_grad_(False)
    return norm


class FastConvNetEncoder(nn.Module):
    """Stem conv3x3 + BN + GELU; per stage conv3x3, MaxPool2d(2), BN, GELU, conv3x3, BN, GELU (BN scales fixed at 1);
    global max pool; Linear. widths = [stem, stage 1, ...]."""

    def __init__(self, channels, widths, dim):
        super().__init__()
        c = widths[0]
        layers = [nn.Conv2d(channels, c, 3, padding=1, bias=False), scale_free_norm(c), nn.GELU()]
        for w in widths[1:]:
            layers += [nn.Conv2d(c, w, 3, padding=1, bias=False), nn.MaxPool2d(2), scale_free_norm(w), nn.GELU(),
                       nn.Conv2d(w, w, 3, padding=1, bias=False), scale_free_norm(w), nn.GELU()]
            c = w
        layers.append(nn.AdaptiveMaxPool2d(1))
        self.features = nn.Sequential(*layers)
        self.projection = nn.Linear(c, dim)

    def forward(self, x):
        return self.projection(self.features(x).flatten(1))


# The widths the C# harness gives each encoder: the library's defaults (SiameseEmbeddingOptions.DefaultWidths).
WIDTHS = {"ConvNet": (32, 64, 128), "ResNet": (32, 64, 128), "FastConvNet": (16, 32, 128, 128)}


def build(kind, dim=64):
    network = {"ConvNet": ConvNetEncoder, "ResNet": ResNetEncoder, "FastConvNet": FastConvNetEncoder}[kind]
    return network(CHANNELS, list(WIDTHS[kind]), dim)


def embed(model, flat):
    """Encoder.Forward: view as images, network, L2 normalisation."""
    return F.normalize(model(flat.view(-1, CHANNELS, SIDE, SIDE)), p=2, dim=1)


# ---------------------------------------------------------------- sampler (Training/ClassBalancedSampler.cs)

class ClassBalancedSampler:
    def __init__(self, labels, p, k):
        classes = int(labels.max()) + 1
        self.by_class = [list(np.nonzero(labels == c)[0]) for c in range(classes)]
        self.eligible = [c for c in range(classes) if len(self.by_class[c]) >= 2]
        if len(self.eligible) < 2:
            raise ValueError("online mining needs at least 2 classes with 2 or more examples")
        self.p, self.k = min(p, len(self.eligible)), k
        self.batches_per_epoch = max(1, math.ceil(len(labels) / (self.p * self.k)))

    @staticmethod
    def _pick_in_place(items, count, rng):
        for j in range(count):
            pick = rng.randrange(j, len(items))
            items[j], items[pick] = items[pick], items[j]

    def next(self, rng):
        self._pick_in_place(self.eligible, self.p, rng)
        rows = []
        for c in range(self.p):
            members = self.by_class[self.eligible[c]]
            if len(members) >= self.k:
                self._pick_in_place(members, self.k, rng)
                rows += members[:self.k]
            else:
                rows += [members[rng.randrange(len(members))] for _ in range(self.k)]
        return rows


# ---------------------------------------------------------------- augmentation (Training/ImageAugmentation.cs)

_XS = np.arange(SIDE)


def copy_augmented(source, target, rng, pad=2, flip_enabled=True):
    """target[c, y, x] = source[c, y + dy, (flip ? W-1-x : x) + dx] where inside, else 0; one image, on the host."""
    dx = rng.randrange(-pad, pad + 1) if pad > 0 else 0
    dy = rng.randrange(-pad, pad + 1) if pad > 0 else 0
    flip = flip_enabled and rng.randrange(2) == 1
    target.fill(0)
    src = source.reshape(CHANNELS, SIDE, SIDE)
    dst = target.reshape(CHANNELS, SIDE, SIDE)
    y0, y1 = max(0, -dy), min(SIDE, SIDE - dy)             # target rows whose source row y + dy is inside
    sx = (SIDE - 1 - _XS if flip else _XS) + dx
    valid = (sx >= 0) & (sx < SIDE)
    if y1 > y0 and valid.any():
        dst[:, y0:y1, valid] = src[:, y0 + dy:y1 + dy, :][:, :, sx[valid]]


def copy_augmented_loop(source, target, rng, pad=2, flip_enabled=True):
    """Literal port of ImageAugmentation.CopyAugmented (reference for the self-test)."""
    dx = rng.randrange(-pad, pad + 1) if pad > 0 else 0
    dy = rng.randrange(-pad, pad + 1) if pad > 0 else 0
    flip = flip_enabled and rng.randrange(2) == 1
    target.fill(0)
    for c in range(CHANNELS):
        for y in range(SIDE):
            sy = y + dy
            if sy < 0 or sy >= SIDE:
                continue
            for x in range(SIDE):
                sx = (SIDE - 1 - x if flip else x) + dx
                if 0 <= sx < SIDE:
                    target[(c * SIDE + y) * SIDE + x] = source[(c * SIDE + sy) * SIDE + sx]


# ---------------------------------------------------------------- distance, miner, loss (Losses/*.cs)

def cosine_pairwise(e):
    """CosineDistance.Pairwise: 1 - e e^T."""
    return (e @ e.t()).neg().add_(1.0)


def semi_hard_mine(d, labels):
    """SemiHardMiner.Mine, vectorised over (anchor, positive) pairs in the C# loop order (anchor, then positive,
    ascending). Negative: the nearest one farther than the positive; if none, the farthest one; ties to the lower
    index (argmin/argmax return the first extreme)."""
    b = labels.shape[0]
    same = labels[:, None] == labels[None, :]
    pos = same & ~torch.eye(b, dtype=torch.bool)
    a_idx, p_idx = pos.nonzero(as_tuple=True)
    dap = d[a_idx, p_idx]
    da = d[a_idx]                              # [T, B]
    neg = ~same[a_idx]                         # [T, B]
    outside = neg & (da > dap[:, None])
    inside = neg & ~outside
    out_idx = da.masked_fill(~outside, float("inf")).argmin(1)
    in_idx = da.masked_fill(~inside, float("-inf")).argmax(1)
    has_out, has_in = outside.any(1), inside.any(1)
    n_idx = torch.where(has_out, out_idx, in_idx)
    keep = has_out | has_in
    return a_idx[keep], p_idx[keep], n_idx[keep]


def semi_hard_mine_loop(d, labels):
    """Literal port of SemiHardMiner.Mine (reference for the self-test)."""
    b = len(labels)
    out = []
    for a in range(b):
        for p in range(b):
            if p == a or labels[p] != labels[a]:
                continue
            dap = d[a][p]
            outside = inside = -1
            for n in range(b):
                if labels[n] == labels[a]:
                    continue
                dan = d[a][n]
                if dan > dap:
                    if outside < 0 or dan < d[a][outside]:
                        outside = n
                elif inside < 0 or dan > d[a][inside]:
                    inside = n
            neg = outside if outside >= 0 else inside
            if neg >= 0:
                out.append((a, p, neg))
    return out


def triplet_objective(e, labels_t, margin):
    """TripletObjective.Compute with cosine distance, semi-hard miner and margin loss: mean over active triplets."""
    d = cosine_pairwise(e)
    a, p, n = semi_hard_mine(d.detach(), labels_t)
    if a.numel() == 0:
        return e.sum() * 0.0, 0.0
    b = e.shape[0]
    flat = d.flatten()
    ap = flat.index_select(0, a * b + p)
    an = flat.index_select(0, a * b + n)
    per = F.relu(ap - an + margin)
    active = int((per > 1e-12).sum().item())
    mean = per.sum() / active if active > 0 else per.sum() * 0.0
    return mean, active / a.numel()


# ---------------------------------------------------------------- training loop (Training/SiameseTrainer.cs)

def synthetic(classes, rows, seed):
    """Random CIFAR-shaped images, uint8 scaled to 0..1 (as the loaders do); classes round-robin."""
    rng = np.random.default_rng(seed)
    features = (rng.integers(0, 256, size=(rows, INPUT_SIZE), dtype=np.uint8).astype(np.float32) / np.float32(255))
    labels = np.arange(rows) % classes
    return features, labels


def train(model, features, labels, p, k, batches, seed, margin=0.4, lr=1e-3, on_batch=None):
    rng = random.Random(seed)
    sampler = ClassBalancedSampler(labels, p, k)
    optimizer = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=lr, weight_decay=0.0)
    model.train()
    loss_sum = active_sum = 0.0
    for b in range(1, batches + 1):
        rows = sampler.next(rng)
        buffer = np.empty((len(rows), INPUT_SIZE), dtype=np.float32)
        for i, r in enumerate(rows):
            copy_augmented(features[r], buffer[i], rng)
        batch_labels = torch.from_numpy(labels[rows])
        x = torch.from_numpy(buffer)
        optimizer.zero_grad()
        e = embed(model, x)
        loss, active = triplet_objective(e, batch_labels, margin)
        loss.backward()
        optimizer.step()
        loss_sum += loss.item()
        active_sum += active
        if on_batch:
            on_batch(b)
    return loss_sum / batches, active_sum / batches


def cmd_train(a):
    batches = a.warmup + a.batches
    features, labels = synthetic(a.classes, a.rows, seed=7)
    per_rep = []
    loss = active = float("nan")
    for rep in range(a.reps):
        seed = a.seed + rep
        torch.manual_seed(seed)
        model = build(a.encoder)
        marks = {}

        def on_batch(b):
            if b == a.warmup or b == batches:
                marks[b] = time.perf_counter()

        loss, active = train(model, features, labels, a.P, a.K, batches, seed=seed, on_batch=on_batch)
        ips = a.batches * a.P * a.K / (marks[batches] - marks[a.warmup])
        per_rep.append(ips)
        log(f"peer train {a.encoder} seed {seed}: {ips:.1f} images/s")
    return {"images_per_s": per_rep, "mean_loss_last_rep": loss, "active_fraction_last_rep": active}


# ---------------------------------------------------------------- inference

def cmd_infer(a):
    torch.manual_seed(1)
    model = build(a.encoder)
    # A few training batches, as the C# side does, so batch-norm statistics are not the identity.
    f, l = synthetic(16, a.train_batches * 64, seed=5)
    train(model, f, l, 16, 4, a.train_batches, seed=1)
    model.eval()
    rng = np.random.default_rng(11)
    data = (rng.integers(0, 256, size=(a.rows, INPUT_SIZE)).astype(np.float32) / np.float32(255))
    result = {"images_per_s": {}}
    with torch.no_grad():
        for batch in [int(x) for x in a.batches.split(",")]:
            inputs = [torch.from_numpy(data[s:s + batch]).clone() for s in range(0, a.rows, batch)]

            def one_pass():
                t0 = time.perf_counter()
                for x in inputs:
                    embed(model, x)
                return time.perf_counter() - t0

            one_pass()  # warm-up
            values = [a.rows / one_pass() for _ in range(a.reps)]
            result["images_per_s"][str(batch)] = values
            log(f"peer infer {a.encoder} batch {batch}: {values}")
        # Single item: copy in, forward, copy out (as Encoder.Embed with one row).
        ms = []
        for i in range(a.latency_warmup + a.latency_calls):
            t0 = time.perf_counter()
            x = torch.from_numpy(data[i % a.rows:i % a.rows + 1]).clone()
            embed(model, x).numpy().copy()
            if i >= a.latency_warmup:
                ms.append((time.perf_counter() - t0) * 1000)
        result["latency_ms"] = ms
    return result


# ---------------------------------------------------------------- self-test

def cmd_selftest(a):
    rng = random.Random(1)
    checked = 0
    for trial in range(a.trials):
        b = rng.choice([8, 12, 16, 64])
        labels = torch.tensor([rng.randrange(rng.choice([2, 3, 4])) for _ in range(b)])
        # quantised distances so that ties occur
        d = torch.tensor([[rng.randrange(0, 9) / 4.0 for _ in range(b)] for _ in range(b)], dtype=torch.float32)
        got = list(zip(*(t.tolist() for t in semi_hard_mine(d, labels))))
        want = semi_hard_mine_loop(d.tolist(), labels.tolist())
        if got != want:
            raise SystemExit(f"miner mismatch in trial {trial}: {got[:5]} vs {want[:5]}")
        checked += len(want)
    img = np.random.default_rng(2).random(INPUT_SIZE, dtype=np.float32)
    for trial in range(a.trials):
        t1, t2 = np.empty(INPUT_SIZE, np.float32), np.empty(INPUT_SIZE, np.float32)
        copy_augmented(img, t1, random.Random(trial))
        copy_augmented_loop(img, t2, random.Random(trial))
        if not np.array_equal(t1, t2):
            raise SystemExit(f"augmentation mismatch in trial {trial}")
    log(f"selftest: miner agrees with the loop port on {checked} triplets in {a.trials} batches; augmentation on {a.trials} images")
    return {"selftest": "ok", "triplets_checked": checked}


def build_info():
    """How this torch was built and which BLAS it really calls: Debian's python3-torch uses generic BLAS (whatever
    libblas.so.3 the alternatives system points at), not MKL as the pytorch.org wheels and TorchSharp's libtorch do."""
    config = torch.__config__.show()
    blas = re.search(r"BLAS_INFO=([^,\s]+)", config)
    mapped = set()
    with open("/proc/self/maps") as maps:
        for line in maps:
            path = line.split()[-1] if len(line.split()) >= 6 else ""
            name = os.path.basename(path)
            if any(k in name for k in ("blas", "lapack", "mkl", "libtorch", "libgomp", "dnnl")):
                mapped.add(os.path.realpath(path))
    return {"blas_info": blas.group(1) if blas else "?", "mkl": torch.backends.mkl.is_available(),
            "mkldnn": torch.backends.mkldnn.is_available(), "parallel": torch.__config__.parallel_info().splitlines()[-1].strip(),
            "mapped": sorted(mapped)}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    t = sub.add_parser("train")
    i = sub.add_parser("infer")
    s = sub.add_parser("selftest")
    s.add_argument("--trials", type=int, default=200)
    for p in (t, i, s):
        p.add_argument("--threads", type=int, default=0)
    for p in (t, i):
        p.add_argument("--encoder", choices=sorted(WIDTHS), required=True)
        p.add_argument("--rows", type=int, required=True)
        p.add_argument("--reps", type=int, default=5)
    t.add_argument("--classes", type=int, default=16)
    t.add_argument("--P", type=int, default=16)
    t.add_argument("--K", type=int, default=4)
    t.add_argument("--warmup", type=int, default=5)
    t.add_argument("--batches", type=int, default=30)
    t.add_argument("--seed", type=int, default=1, help="seed of the first repetition (the next ones count up)")
    i.add_argument("--batches", default="64,256")
    i.add_argument("--train-batches", type=int, default=3)
    i.add_argument("--latency-calls", type=int, default=1000)
    i.add_argument("--latency-warmup", type=int, default=50)
    a = parser.parse_args()
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    if a.command == "train" and a.warmup < 1:
        parser.error("--warmup must be at least 1")
    result = {"train": cmd_train, "infer": cmd_infer, "selftest": cmd_selftest}[a.command](a)
    result.update({"torch": torch.__version__, "threads": torch.get_num_threads(), "numpy": np.__version__, "build": build_info()})
    print(json.dumps(result))


if __name__ == "__main__":
    main()
