/**
 * What the benchmark runs: the peers, the settings of each section in full and
 * quick mode, and the command-line flags that select among them.
 * @module
 */
import { availableParallelism } from 'node:os';
import { defaultFashionDir } from './dataset.js';
import { DEBIAN_FORTUNES_DIR } from 'cortex-nn/node';
import type { AccuracySettings, CnnSettings, GemmSettings, GemmShape, GptSettings, MlpSettings, Section, TinySettings } from './protocol.js';
import { SECTIONS } from './protocol.js';

const TIMED = ['sgemm', 'mlp', 'tiny'] as const;

/** One competitor, run as a child process per section. */
export interface PeerDef {
  /** Stable id used in JSON and on the command line (`--peers`). */
  id: string;
  /** Column or row title in tables. */
  label: string;
  kind: 'js' | 'python';
  /** Script path relative to the repository root. */
  script: string;
  /** Passed to the peer: the TF.js backend name, for instance. */
  variant: string;
  threads: number;
  sections: readonly Section[];
  /** True for Cortex's own rows (the numerators of every ratio). */
  cortex: boolean;
  /** Extra environment variables of the peer's process. */
  env?: Record<string, string>;
}

/** Opts Cortex in to relaxed-SIMD FMA on Node 20, where V8 hides it behind a flag. */
const RELAXED = { CORTEX_RELAXED_SIMD: '1' };

const cores = availableParallelism();

/** Every peer, in table order. */
export const PEERS: readonly PeerDef[] = [
  { id: 'cortex-1t', label: 'Cortex 1 thread', kind: 'js', script: 'bench/peers/cortex.ts', variant: '', threads: 1, sections: ['sgemm', 'cnn', 'gpt'], cortex: true },
  { id: 'cortex-2t', label: 'Cortex 2 threads', kind: 'js', script: 'bench/peers/cortex.ts', variant: '', threads: 2, sections: ['sgemm', 'cnn', 'gpt'], cortex: true },
  { id: 'cortex-2t-fma', label: 'Cortex 2 threads, relaxed SIMD', kind: 'js', script: 'bench/peers/cortex.ts', variant: '', threads: 2, sections: ['sgemm', 'gpt'], cortex: true, env: RELAXED },
  { id: 'cortex', label: 'Cortex', kind: 'js', script: 'bench/peers/cortex.ts', variant: '', threads: cores, sections: ['mlp', 'accuracy', 'tiny', 'leak'], cortex: true },
  { id: 'cortex-fma', label: 'Cortex, relaxed SIMD', kind: 'js', script: 'bench/peers/cortex.ts', variant: '', threads: cores, sections: ['mlp', 'tiny'], cortex: true, env: RELAXED },
  { id: 'tfjs-cpu', label: 'TF.js cpu', kind: 'js', script: 'bench/peers/tfjs.ts', variant: 'cpu', threads: 1, sections: [...TIMED, 'cnn'], cortex: false },
  { id: 'tfjs-wasm', label: 'TF.js wasm', kind: 'js', script: 'bench/peers/tfjs.ts', variant: 'wasm', threads: 1, sections: [...TIMED, 'cnn'], cortex: false },
  { id: 'jaxjs', label: 'jax-js wasm', kind: 'js', script: 'bench/peers/jaxjs.ts', variant: 'wasm', threads: 1, sections: ['sgemm', 'mlp', 'accuracy'], cortex: false },
  { id: 'brain', label: 'brain.js', kind: 'js', script: 'bench/peers/brain.ts', variant: '', threads: 1, sections: ['mlp'], cortex: false },
  { id: 'numpy', label: 'numpy', kind: 'python', script: 'bench/python/numpy_peer.py', variant: '', threads: cores, sections: [...TIMED, 'accuracy'], cortex: false },
  { id: 'torch', label: 'torch', kind: 'python', script: 'bench/python/torch_peer.py', variant: '', threads: cores, sections: [...TIMED, 'accuracy', 'cnn'], cortex: false },
  // cnn section (issue 12): torch on 2 threads again, with OpenMP's idle threads sleeping instead of
  // spinning; on this shared machine that measured 2-3× faster per CNN step than the default.
  { id: 'torch-passive', label: 'torch, OMP_WAIT_POLICY=PASSIVE', kind: 'python', script: 'bench/python/torch_peer.py', variant: '', threads: cores, sections: ['cnn'], cortex: false, env: { OMP_WAIT_POLICY: 'PASSIVE' } },
  // gpt section (issue 13): one intra-op thread, as bench/python/char_gpt.py's fastest setting;
  // Debian's pthread OpenBLAS still runs each product on both cores.
  { id: 'torch-1t', label: 'torch, set_num_threads(1)', kind: 'python', script: 'bench/python/torch_peer.py', variant: '', threads: 1, sections: ['gpt'], cortex: false },
];

/** Parsed command-line options. */
export interface Options {
  quick: boolean;
  sections: Section[];
  /** Peer ids to run (all when empty). */
  peers: string[];
  /** Results file name (without `.json`). */
  name: string;
  dataDir: string;
  /** Overrides the number of MLP epochs. */
  epochs: number | null;
  /** Overrides the number of seeds of the accuracy section. */
  seeds: number | null;
  verbose: boolean;
  help: boolean;
  /** The Python interpreter of the numpy and torch peers. */
  python: string;
  /** `js` forces Cortex onto its reference backend; `auto` uses WASM when it starts. */
  cortexBackend: 'auto' | 'js';
  /** Before each peer, wait up to this many seconds for the CPUs to be nearly idle (0: don't wait). */
  waitIdle: number;
  /** Overrides the training images of the cnn section (issue 12). */
  cnnTrain: number | null;
  /** Overrides the timed steps of the gpt section (issue 13). */
  gptSteps: number | null;
  /** Overrides the rounds of the gpt section. */
  gptRounds: number | null;
}

/** The `--help` text. */
export const USAGE = `npm run bench -- [options]

  --quick             fast smoke run: small matrices, 1 MLP epoch on a 10k subset, short timings
  --only <list>       sections to run, comma-separated: ${SECTIONS.join(', ')} (default: all);
                      accuracy = the MLP of Cortex, jax-js, numpy and torch once per seed (--seeds);
                      leak = Cortex's RSS over 50 MLP epochs of 10k samples;
                      cnn = the Fashion-MNIST CNN of examples/fashion-cnn.ts, one 60k epoch (quick: 3,200 images);
                      gpt = the character-level GPT of examples/char-gpt.ts, 150 timed steps (quick: 30)
  --seeds <n>         seeds of the accuracy section (default 10, quick 2)
  --peers <list>      peer ids to run, comma-separated: ${PEERS.map((p) => p.id).join(', ')}
  --epochs <n>        MLP epochs (default 5, quick 1)
  --name <name>       results file bench/results/<name>.json (default: <date>-full or <date>-quick)
  --data <dir>        Fashion-MNIST directory (default: found with dpkg -L dataset-fashion-mnist)
  --python <path>     interpreter of the numpy and torch peers (default Debian's /usr/bin/python3)
  --cortex-backend <b> auto: Cortex on the WASM backend when it starts (default); js: the reference backend
  --wait-idle <s>     before each peer, wait up to s seconds until other processes leave the CPUs idle
  --cnn-train <n>     cnn section: train on the first n images and extrapolate the epoch to 60k
  --gpt-steps <n>     gpt section: timed training steps per run (default 150, quick 30)
  --gpt-rounds <n>    gpt section: runs of every peer, round-robin; each row keeps its median (default 3, quick 1)
  --verbose           echo each peer's diagnostics
  --help              this text`;

/** Parses `argv` (without node and the script). Throws on an unknown flag. */
export function parseArgs(argv: readonly string[]): Options {
  const o: Options = {
    quick: false,
    sections: [...SECTIONS],
    peers: [],
    name: '',
    dataDir: defaultFashionDir(),
    epochs: null,
    seeds: null,
    verbose: false,
    help: false,
    python: '/usr/bin/python3',
    waitIdle: 0,
    cortexBackend: 'auto',
    cnnTrain: null,
    gptSteps: null,
    gptRounds: null,
  };
  const value = (i: number, flag: string): string => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new Error(`${flag} needs a value`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const [flag, inline] = a.includes('=') ? (a.split(/=(.*)/s, 2) as [string, string]) : [a, undefined];
    const arg = (): string => inline ?? value(i++, flag);
    switch (flag) {
      case '--quick':
        o.quick = true;
        break;
      case '--verbose':
        o.verbose = true;
        break;
      case '--help':
      case '-h':
        o.help = true;
        break;
      case '--only': {
        const list = arg().split(',').map((s) => s.trim()).filter((s) => s !== '' && s !== 'rss');
        for (const s of list) if (!(SECTIONS as readonly string[]).includes(s)) throw new Error(`--only: unknown section '${s}' (${SECTIONS.join(', ')})`);
        o.sections = SECTIONS.filter((s) => list.includes(s));
        break;
      }
      case '--peers': {
        o.peers = arg().split(',').map((s) => s.trim()).filter((s) => s !== '');
        for (const p of o.peers) if (!PEERS.some((d) => d.id === p)) throw new Error(`--peers: unknown peer '${p}' (${PEERS.map((d) => d.id).join(', ')})`);
        break;
      }
      case '--epochs': {
        const n = Number(arg());
        if (!Number.isInteger(n) || n < 1) throw new Error('--epochs needs a positive integer');
        o.epochs = n;
        break;
      }
      case '--seeds': {
        const n = Number(arg());
        if (!Number.isInteger(n) || n < 1) throw new Error('--seeds needs a positive integer');
        o.seeds = n;
        break;
      }
      case '--name':
        o.name = arg().replace(/\.json$/, '');
        if (!/^[\w.-]+$/.test(o.name)) throw new Error('--name may contain letters, digits, ".", "_" and "-" only');
        break;
      case '--data':
        o.dataDir = arg();
        break;
      case '--python':
        o.python = arg();
        break;
      case '--cortex-backend': {
        const v = arg();
        if (v !== 'auto' && v !== 'js') throw new Error("--cortex-backend takes 'auto' (WASM when it starts) or 'js' (the reference backend)");
        o.cortexBackend = v;
        break;
      }
      case '--wait-idle': {
        const n = Number(arg());
        if (!Number.isFinite(n) || n < 0) throw new Error('--wait-idle needs a number of seconds');
        o.waitIdle = n;
        break;
      }
      case '--cnn-train': {
        const n = Number(arg());
        if (!Number.isInteger(n) || n < 64 || n > 60000) throw new Error('--cnn-train needs an integer from 64 to 60000');
        o.cnnTrain = n;
        break;
      }
      case '--gpt-steps':
      case '--gpt-rounds': {
        const n = Number(arg());
        if (!Number.isInteger(n) || n < 1 || n > 100000) throw new Error(`${flag} needs a positive integer`);
        if (flag === '--gpt-steps') o.gptSteps = n;
        else o.gptRounds = n;
        break;
      }
      default:
        throw new Error(`unknown option '${a}'; see --help`);
    }
  }
  if (o.name === '') o.name = `${new Date().toISOString().slice(0, 10)}-${o.quick ? 'quick' : 'full'}`;
  return o;
}

function gemmShapes(quick: boolean): GemmShape[] {
  const square = (quick ? [64, 256] : [64, 256, 512, 1024]).map((n) => ({
    label: `${n}×${n}·${n}×${n}`,
    m: n,
    k: n,
    n,
    transA: false,
    transB: false,
  }));
  return [
    ...square,
    { label: 'MLP fwd X·W [64×784]·[784×128]', m: 64, k: 784, n: 128, transA: false, transB: false },
    { label: 'MLP dW = Xᵀ·dY [784×64]·[64×128]', m: 784, k: 64, n: 128, transA: true, transB: false },
    { label: 'MLP dX = dY·Wᵀ [64×128]·[128×784]', m: 64, k: 128, n: 784, transA: false, transB: true },
  ];
}

/** Settings of every section for this run. `brain` gets a smaller MLP subset. */
export function settingsFor(o: Options): {
  sgemm: GemmSettings;
  mlp: MlpSettings;
  mlpBrain: MlpSettings;
  accuracy: AccuracySettings;
  leak: MlpSettings;
  tiny: TinySettings;
  cnn: CnnSettings;
  gpt: GptSettings;
  gptRounds: number;
} {
  const epochs = o.epochs ?? (o.quick ? 1 : 5);
  const mlp: MlpSettings = {
    dataDir: o.dataDir,
    epochs,
    trainLimit: o.quick ? 10000 : 60000,
    batchSize: 64,
    learningRate: 0.1,
    hidden: 128,
    seed: 42,
  };
  return {
    sgemm: o.quick
      ? { shapes: gemmShapes(true), warmup: 1, warmupMs: 20, minReps: 3, maxReps: 50, budgetMs: 150 }
      : { shapes: gemmShapes(false), warmup: 2, warmupMs: 200, minReps: 5, maxReps: 5000, budgetMs: 1000 },
    mlp,
    mlpBrain: { ...mlp, trainLimit: o.quick ? 2000 : 10000 },
    accuracy: { mlp, seeds: Array.from({ length: o.seeds ?? (o.quick ? 2 : 10) }, (_, i) => i + 1) },
    leak: { ...mlp, epochs: o.quick ? 10 : 50, trainLimit: o.quick ? 2000 : 10000 },
    tiny: {
      samples: 100,
      inputs: 10,
      hidden: 32,
      learningRate: 0.1,
      warmupEpochs: o.quick ? 50 : 500,
      blocks: o.quick ? 5 : 15,
      blockMs: o.quick ? 40 : 150,
      seed: 7,
    },
    // cnn section (issue 12): examples/fashion-cnn.ts's network, batch 64, Adam lr 1e-3, seed 42.
    cnn: {
      dataDir: o.dataDir,
      epochs: 1,
      trainLimit: o.cnnTrain ?? (o.quick ? 3200 : 60000),
      testLimit: o.quick ? 2000 : 10000,
      slowBatches: o.quick ? 3 : 20,
      slowTestLimit: o.quick ? 200 : 1000,
      batchSize: 64,
      learningRate: 1e-3,
      seed: 42,
    },
    // gpt section (issue 13): examples/char-gpt.ts's model, optimizer and schedule, seed 1337.
    gpt: {
      corpusDir: DEBIAN_FORTUNES_DIR,
      steps: o.gptSteps ?? (o.quick ? 30 : 150),
      warmupSteps: o.quick ? 5 : 10,
      batchSize: 12,
      blockSize: 64,
      nLayer: 4,
      nHead: 4,
      nEmbd: 128,
      learningRate: 1e-3,
      scheduleSteps: 2000,
      seed: 1337,
    },
    gptRounds: o.gptRounds ?? (o.quick ? 1 : 3),
  };
}
