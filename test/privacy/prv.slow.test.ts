/** The larger PRV reference cases (a few seconds each): the Opacus MNIST setting and a two-stage history. */
import { describe } from 'vitest';
import { checkCase, fixture } from './prv-fixture.js';

describe('PRVAccountant (slow)', () => {
  for (const c of fixture.prv.filter((k) => k.name !== 'q01_s1_1000')) checkCase(c);
});
