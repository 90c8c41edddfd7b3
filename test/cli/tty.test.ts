import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { irisCsv, root } from './helpers.js';

// `script` (util-linux) runs a command on a pseudo-terminal, so the CLI sees a TTY.
const script = ['/usr/bin/script', '/bin/script'].find((p) => existsSync(p));
const dir = mkdtempSync(join(tmpdir(), 'cortex-cli-tty-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function onTty(args: string, env: Record<string, string> = {}): string {
  const cmd = `node --import tsx src/cli/main.ts ${args}`;
  return execFileSync(script!, ['-qec', cmd, '/dev/null'], { cwd: root, encoding: 'utf8', env: { ...process.env, NO_COLOR: '', ...env } });
}

describe.skipIf(!script)('on a terminal', () => {
  it('shows a progress bar and colour; NO_COLOR and --no-color turn colour off', () => {
    const out = onTty(`train ${irisCsv} --target species --epochs 30 --out ${join(dir, 'a.cortex')}`);
    expect(out).toMatch(/\d+% \| epoch \d+\/30 \| loss \d\.\d{4} \| .* elapsed, .* left/);
    expect(out).toContain('\x1b[32m'); // green diagonal of the confusion matrix
    const noColour = onTty(`evaluate ${join(dir, 'a.cortex')} ${irisCsv}`, { NO_COLOR: '1' });
    expect(noColour).toContain('accuracy');
    expect(noColour).not.toContain('\x1b[');
    const flag = onTty(`evaluate ${join(dir, 'a.cortex')} ${irisCsv} --no-color`);
    expect(flag).not.toContain('\x1b[');
  });
});
