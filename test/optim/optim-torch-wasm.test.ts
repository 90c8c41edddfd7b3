/**
 * The PyTorch fixture suite of `optim-torch.test.ts` again, with the WASM backend
 * active, so the optimizers run its float32 update kernels (`asm/optim.ts`)
 * instead of the reference's. The tolerances are the same: PyTorch computes in
 * float32 as well.
 */
import { expect } from 'vitest';
import { getBackend, setBackend } from '../../src/backend/registry.js';
import { initWasmBackend } from '../../src/backend/wasm/index.js';

expect(await initWasmBackend()).not.toBeNull();
setBackend('wasm');
expect(getBackend().name).toBe('wasm');
await import('./optim-torch.test.js');
