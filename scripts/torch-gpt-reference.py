#!/usr/bin/python3
"""Writes test/fixtures/torch/gpt.json: nanoGPT-layout GPTs in PyTorch, for Cortex's GPT.

Run from the repository root with Debian's Python (python3-torch):

    /usr/bin/python3 scripts/torch-gpt-reference.py

The model is the one of bench/python/char_gpt.py (the PyTorch side of the char-gpt
benchmark), in float64. For each case it stores the config, every parameter by its
state-dict name, a batch of token ids and targets, the logits, the mean next-token
cross-entropy and the gradient of that loss for every parameter. Cortex loads the same
state dict (the names are nanoGPT's in both) and must agree.
"""
import importlib.util
import os

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


ref = load('torch_reference', os.path.join(HERE, 'torch-reference.py'))
cg = load('char_gpt', os.path.join(ROOT, 'bench', 'python', 'char_gpt.py'))


def case(name, seed, cfg, batch, time):
    torch.manual_seed(seed)
    model = cg.GPT(cfg).double()
    # Perturb the LayerNorm scales and biases so their gradients are not trivially symmetric.
    with torch.no_grad():
        for n, p in model.named_parameters():
            if p.dim() == 1:
                p.add_(0.1 * torch.randn_like(p))
    idx = torch.randint(0, cfg['vocab_size'], (batch, time))
    targets = torch.randint(0, cfg['vocab_size'], (batch, time))
    logits = model(idx)
    loss = F.cross_entropy(logits.reshape(-1, cfg['vocab_size']), targets.reshape(-1))
    loss.backward()
    return {
        'name': name,
        'config': {'vocabSize': cfg['vocab_size'], 'blockSize': cfg['block_size'], 'nLayer': cfg['n_layer'],
                   'nHead': cfg['n_head'], 'nEmbd': cfg['n_embd'], 'bias': cfg['bias']},
        'params': {n: ref.enc(p) for n, p in model.state_dict().items()},
        'idx': ref.enc(idx.int()),
        'targets': ref.enc(targets.int()),
        'logits': ref.enc(logits),
        'loss': ref.num(loss.item()),
        'grads': {n: ref.enc(p.grad) for n, p in model.named_parameters()},
    }


def main():
    cases = [
        case('no-bias', 1, dict(vocab_size=11, block_size=8, n_layer=2, n_head=2, n_embd=8, bias=False), 3, 6),
        case('bias-full-block', 2, dict(vocab_size=7, block_size=5, n_layer=1, n_head=4, n_embd=8, bias=True), 2, 5),
    ]
    ref.write(os.path.join(ref.OUT, 'gpt.json'), {'torch': torch.__version__, 'cases': cases})


if __name__ == '__main__':
    main()
