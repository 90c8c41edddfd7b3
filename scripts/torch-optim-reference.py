#!/usr/bin/python3
"""Reference values for Cortex's optimizers and learning-rate schedulers, from PyTorch.

Every optimizer case starts from the same parameters and is fed the same sequence of
gradients (independent of the parameters), so the TypeScript test can replay it exactly.
Run with Debian's python3 (it has torch):

    /usr/bin/python3 scripts/torch-optim-reference.py

Writes test/fixtures/torch/optim.json and test/fixtures/torch/optim-schedulers.json.
"""
import json
import os

import torch

STEPS = 5
OUT = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'torch')


def to_list(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def make_start():
    g = torch.Generator().manual_seed(1234)
    shapes = [[3, 4], [4]]
    params = [torch.randn(*s, generator=g, dtype=torch.float32) for s in shapes]
    grads = [[torch.randn(*s, generator=g, dtype=torch.float32) for s in shapes] for _ in range(STEPS)]
    return shapes, params, grads


# (name, torch class, kwargs for the torch constructor, options in Cortex's camelCase)
OPTIMIZERS = [
    ('sgd', torch.optim.SGD, {'lr': 0.1}, {'lr': 0.1}),
    ('sgd-momentum', torch.optim.SGD, {'lr': 0.1, 'momentum': 0.9}, {'lr': 0.1, 'momentum': 0.9}),
    ('sgd-dampening', torch.optim.SGD, {'lr': 0.05, 'momentum': 0.8, 'dampening': 0.3},
     {'lr': 0.05, 'momentum': 0.8, 'dampening': 0.3}),
    ('sgd-nesterov-wd', torch.optim.SGD, {'lr': 0.1, 'momentum': 0.9, 'nesterov': True, 'weight_decay': 0.01},
     {'lr': 0.1, 'momentum': 0.9, 'nesterov': True, 'weightDecay': 0.01}),
    ('adam', torch.optim.Adam, {'lr': 0.01}, {'lr': 0.01}),
    ('adam-wd-betas', torch.optim.Adam, {'lr': 0.02, 'betas': (0.8, 0.99), 'eps': 1e-6, 'weight_decay': 0.1},
     {'lr': 0.02, 'betas': [0.8, 0.99], 'eps': 1e-6, 'weightDecay': 0.1}),
    ('adam-amsgrad', torch.optim.Adam, {'lr': 0.01, 'amsgrad': True}, {'lr': 0.01, 'amsgrad': True}),
    ('adamw', torch.optim.AdamW, {'lr': 0.01}, {'lr': 0.01}),
    ('adamw-wd', torch.optim.AdamW, {'lr': 0.05, 'weight_decay': 0.5, 'betas': (0.85, 0.995)},
     {'lr': 0.05, 'weightDecay': 0.5, 'betas': [0.85, 0.995]}),
    ('rmsprop', torch.optim.RMSprop, {'lr': 0.01}, {'lr': 0.01}),
    ('rmsprop-centered-momentum', torch.optim.RMSprop,
     {'lr': 0.01, 'alpha': 0.9, 'momentum': 0.5, 'centered': True, 'weight_decay': 0.05},
     {'lr': 0.01, 'alpha': 0.9, 'momentum': 0.5, 'centered': True, 'weightDecay': 0.05}),
    ('adagrad', torch.optim.Adagrad, {'lr': 0.1}, {'lr': 0.1}),
    ('adagrad-decay', torch.optim.Adagrad,
     {'lr': 0.1, 'lr_decay': 0.1, 'weight_decay': 0.02, 'initial_accumulator_value': 0.5},
     {'lr': 0.1, 'lrDecay': 0.1, 'weightDecay': 0.02, 'initialAccumulatorValue': 0.5}),
]


def optimizer_cases():
    shapes, start, grads = make_start()
    cases = []
    for name, cls, kwargs, options in OPTIMIZERS:
        params = [p.clone().requires_grad_(True) for p in start]
        opt = cls(params, **kwargs)
        trajectory = []
        for step in range(STEPS):
            for p, g in zip(params, grads[step]):
                p.grad = g.clone()
            opt.step()
            trajectory.append([to_list(p) for p in params])
        cases.append({'name': name, 'optimizer': cls.__name__, 'options': options, 'trajectory': trajectory})

    # Two parameter groups with their own learning rates and momenta.
    params = [p.clone().requires_grad_(True) for p in start]
    opt = torch.optim.SGD([{'params': [params[0]]}, {'params': [params[1]], 'lr': 0.5, 'momentum': 0.5}],
                          lr=0.1, momentum=0.9)
    trajectory = []
    for step in range(STEPS):
        for p, g in zip(params, grads[step]):
            p.grad = g.clone()
        opt.step()
        trajectory.append([to_list(p) for p in params])
    cases.append({'name': 'sgd-groups', 'optimizer': 'SGD', 'options': {'lr': 0.1, 'momentum': 0.9},
                  'groups': [{}, {'lr': 0.5, 'momentum': 0.5}], 'trajectory': trajectory})
    return {
        'shapes': shapes,
        'start': [to_list(p) for p in start],
        'grads': [[to_list(g) for g in gs] for gs in grads],
        'cases': cases,
    }


def scheduler_cases():
    steps = 12
    base_lr = 0.1
    cases = []

    def run(name, make, options, metrics=None):
        p = torch.zeros(1, requires_grad=True)
        opt = torch.optim.SGD([p], lr=base_lr)
        sched = make(opt)
        lrs = []
        for i in range(steps):
            opt.step()
            if metrics is None:
                sched.step()
            else:
                sched.step(metrics[i])
            lrs.append(opt.param_groups[0]['lr'])
        case = {'name': name, 'options': options, 'baseLr': base_lr, 'lrs': lrs}
        if metrics is not None:
            case['metrics'] = metrics
        cases.append(case)

    sch = torch.optim.lr_scheduler
    run('StepLR', lambda o: sch.StepLR(o, step_size=3, gamma=0.5), {'stepSize': 3, 'gamma': 0.5})
    run('ExponentialLR', lambda o: sch.ExponentialLR(o, gamma=0.8), {'gamma': 0.8})
    run('CosineAnnealingLR', lambda o: sch.CosineAnnealingLR(o, T_max=10, eta_min=0.001),
        {'tMax': 10, 'etaMin': 0.001})
    run('LinearLR', lambda o: sch.LinearLR(o, start_factor=0.25, end_factor=1.0, total_iters=4),
        {'startFactor': 0.25, 'endFactor': 1.0, 'totalIters': 4})
    run('LinearWarmup-cosine',
        lambda o: sch.SequentialLR(o, [sch.LinearLR(o, start_factor=0.1, end_factor=1.0, total_iters=3),
                                       sch.CosineAnnealingLR(o, T_max=8, eta_min=0.0)], milestones=[3]),
        {'warmupSteps': 3, 'startFactor': 0.1, 'after': {'tMax': 8, 'etaMin': 0.0}})
    plateau = [1.0, 0.9, 0.9, 0.9, 0.95, 0.9, 0.85, 0.85, 0.86, 0.87, 0.88, 0.9]
    run('ReduceLROnPlateau', lambda o: sch.ReduceLROnPlateau(o, factor=0.5, patience=1),
        {'factor': 0.5, 'patience': 1}, plateau)
    run('ReduceLROnPlateau-max-cooldown',
        lambda o: sch.ReduceLROnPlateau(o, mode='max', factor=0.2, patience=0, cooldown=2, min_lr=0.001),
        {'mode': 'max', 'factor': 0.2, 'patience': 0, 'cooldown': 2, 'minLr': 0.001},
        [0.5, 0.6, 0.6, 0.55, 0.61, 0.6, 0.6, 0.6, 0.6, 0.7, 0.7, 0.7])
    return {'cases': cases}


def main():
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, 'optim.json'), 'w') as f:
        json.dump({'torch': torch.__version__, **optimizer_cases()}, f)
    with open(os.path.join(OUT, 'optim-schedulers.json'), 'w') as f:
        json.dump({'torch': torch.__version__, **scheduler_cases()}, f, indent=1)


if __name__ == '__main__':
    main()
