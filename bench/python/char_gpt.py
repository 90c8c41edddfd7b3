#!/usr/bin/python3
"""The PyTorch side of the character-level GPT comparison (examples/char-gpt.ts is Cortex's).

Same data, same split, same tokenizer, same model, same optimizer and schedule as the Cortex
example; only the random draws differ (torch's generator, not Cortex's). Run with Debian's
python3 (it has torch) after `apt-get install fortunes`:

    /usr/bin/python3 bench/python/char_gpt.py [--iters 2000] [--threads 2]

Threads: with Debian's pthread OpenBLAS, `--threads 1` is the fastest setting (the BLAS calls still
use both cores; two intra-op threads on top oversubscribe them). This machine's environment sets
OPENBLAS_CORETYPE=Haswell, which selects OpenBLAS's AVX2 kernels: 79.3 s for the 2,000 steps on
2026-12-07, against 62.4 s with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset (its AVX-512
kernels, as `npm run bench` runs the Python peers). Say which one a figure used.

The configuration is nanoGPT's CPU run of train_shakespeare_char (its README):
4 layers, 4 heads, width 128, context 64, batch 12, dropout 0, no biases, AdamW
(lr 1e-3, betas (0.9, 0.99), weight decay 0.1 on the 2-D weights), 100 warm-up steps then
cosine decay to 1e-4 at the last step, gradient clipping at norm 1, validation loss as the
mean of 20 batches every 250 steps. Prints the loss schedule, then one JSON line with the
final losses and the wall time.
"""
import argparse
import json
import math
import os
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

FORTUNES = '/usr/share/games/fortunes'


def read_fortunes(folder):
    """The corpus as readFortunes() in src/data/node/fortunes.ts builds it."""
    if not os.path.isdir(folder):
        raise SystemExit(f'{folder}: the fortunes corpus is not installed; run `sudo apt-get install fortunes`')
    names = sorted(n for n in os.listdir(folder) if '.' not in n and os.path.isfile(os.path.join(folder, n)))
    parts = []
    for n in names:
        with open(os.path.join(folder, n), 'rb') as f:
            t = f.read().decode('utf-8')
        if not t.endswith('\n'):
            t += '\n'
        if not (t == '%\n' or t.endswith('\n%\n')):
            t += '%\n'
        parts.append(t)
    return ''.join(parts), names


class LayerNorm(nn.Module):
    """LayerNorm with a scale and an optional shift (torch 1.13's has no bias=False)."""

    def __init__(self, n, bias):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(n))
        self.bias = nn.Parameter(torch.zeros(n)) if bias else None

    def forward(self, x):
        return F.layer_norm(x, self.weight.shape, self.weight, self.bias, 1e-5)


class SelfAttention(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.n_head = cfg['n_head']
        e = cfg['n_embd']
        self.c_attn = nn.Linear(e, 3 * e, bias=cfg['bias'])
        self.c_proj = nn.Linear(e, e, bias=cfg['bias'])
        t = cfg['block_size']
        self.register_buffer('mask', torch.tril(torch.ones(t, t, dtype=torch.bool)), persistent=False)

    def forward(self, x):
        b, t, c = x.shape
        q, k, v = self.c_attn(x).split(c, dim=2)
        q, k, v = (z.view(b, t, self.n_head, c // self.n_head).transpose(1, 2) for z in (q, k, v))
        # torch 1.13 has no scaled_dot_product_attention: the explicit masked softmax.
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.shape[-1]))
        att = att.masked_fill(~self.mask[:t, :t], float('-inf')).softmax(dim=-1)
        y = (att @ v).transpose(1, 2).contiguous().view(b, t, c)
        return self.c_proj(y)


class MLP(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        e = cfg['n_embd']
        self.c_fc = nn.Linear(e, 4 * e, bias=cfg['bias'])
        self.c_proj = nn.Linear(4 * e, e, bias=cfg['bias'])

    def forward(self, x):
        return self.c_proj(F.gelu(self.c_fc(x)))


class Block(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.ln_1 = LayerNorm(cfg['n_embd'], cfg['bias'])
        self.attn = SelfAttention(cfg)
        self.ln_2 = LayerNorm(cfg['n_embd'], cfg['bias'])
        self.mlp = MLP(cfg)

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class GPT(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.transformer = nn.ModuleDict(dict(
            wte=nn.Embedding(cfg['vocab_size'], cfg['n_embd']),
            wpe=nn.Embedding(cfg['block_size'], cfg['n_embd']),
            h=nn.ModuleList([Block(cfg) for _ in range(cfg['n_layer'])]),
            ln_f=LayerNorm(cfg['n_embd'], cfg['bias']),
        ))
        for name, p in self.named_parameters():
            if p.dim() == 1:
                if name.endswith('.bias'):
                    nn.init.zeros_(p)
                continue
            std = 0.02 / math.sqrt(2 * cfg['n_layer']) if name.endswith('c_proj.weight') else 0.02
            nn.init.normal_(p, 0.0, std)

    def forward(self, idx):
        t = idx.shape[1]
        tr = self.transformer
        x = tr.wte(idx) + tr.wpe(torch.arange(t))
        for block in tr.h:
            x = block(x)
        # The head shares the token embedding's weight.
        return F.linear(tr.ln_f(x), tr.wte.weight)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--iters', type=int, default=2000)
    ap.add_argument('--eval-interval', type=int, default=250)
    ap.add_argument('--eval-iters', type=int, default=20)
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--seed', type=int, default=1337)
    ap.add_argument('--data-dir', default=FORTUNES)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)

    text, files = read_fortunes(args.data_dir)
    chars = sorted(set(text))
    stoi = {c: i for i, c in enumerate(chars)}
    data = torch.tensor([stoi[c] for c in text], dtype=torch.long)
    n = int(len(data) * 0.9)
    splits = {'train': data[:n], 'val': data[n:]}
    cfg = dict(vocab_size=len(chars), block_size=64, n_layer=4, n_head=4, n_embd=128, bias=False)
    batch_size = 12
    print(f'corpus: {len(files)} files, {len(text)} characters, vocabulary {len(chars)}, '
          f'train {n}, val {len(data) - n} tokens; torch {torch.__version__}, {torch.get_num_threads()} threads')

    def get_batch(split):
        d = splits[split]
        ix = torch.randint(len(d) - cfg['block_size'], (batch_size,))
        x = torch.stack([d[i:i + cfg['block_size']] for i in ix])
        y = torch.stack([d[i + 1:i + 1 + cfg['block_size']] for i in ix])
        return x, y

    model = GPT(cfg)
    n_params = sum(p.numel() for p in model.parameters()) - model.transformer.wpe.weight.numel()
    print(f'parameters: {n_params / 1e6:.2f} M (without the position embeddings)')
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{'params': decay, 'weight_decay': 0.1}, {'params': no_decay, 'weight_decay': 0.0}],
                            lr=1e-3, betas=(0.9, 0.99), eps=1e-8)
    warmup, lr_max, lr_min = min(100, max(1, args.iters // 20)), 1e-3, 1e-4

    def lr_at(it):
        if it < warmup:
            return lr_max * it / warmup
        ratio = (it - warmup) / (args.iters - warmup)
        return lr_min + 0.5 * (1 + math.cos(math.pi * ratio)) * (lr_max - lr_min)

    @torch.no_grad()
    def estimate():
        model.eval()
        out = {}
        for split in ('train', 'val'):
            losses = []
            for _ in range(args.eval_iters):
                x, y = get_batch(split)
                losses.append(F.cross_entropy(model(x).view(-1, cfg['vocab_size']), y.view(-1)).item())
            out[split] = sum(losses) / len(losses)
        model.train()
        return out

    history = []
    start = time.perf_counter()
    for it in range(args.iters + 1):
        if it % args.eval_interval == 0 or it == args.iters:
            e = estimate()
            history.append({'step': it, 'train': e['train'], 'val': e['val'], 'seconds': time.perf_counter() - start})
            print(f"step {it:5d}: train {e['train']:.4f}, val {e['val']:.4f}  ({time.perf_counter() - start:.1f} s)", flush=True)
        if it == args.iters:
            break
        for g in opt.param_groups:
            g['lr'] = lr_at(it)
        x, y = get_batch('train')
        loss = F.cross_entropy(model(x).view(-1, cfg['vocab_size']), y.view(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
    wall = time.perf_counter() - start
    print(json.dumps({'impl': 'pytorch', 'torch': torch.__version__, 'threads': torch.get_num_threads(), 'iters': args.iters,
                      'finalTrain': history[-1]['train'], 'finalVal': history[-1]['val'], 'seconds': wall, 'history': history}))


if __name__ == '__main__':
    main()
