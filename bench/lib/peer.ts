/**
 * The child-process side of the harness protocol, for JavaScript peers.
 * @module
 */
import { type Job, type PeerResult, RESULT_MARKER } from './protocol.js';

/** What a peer's handler returns; the peak RSS is filled in by {@link runPeer}. */
export type PeerAnswer = Omit<PeerResult, 'maxRssMB'>;

/** Peak resident set size of this process so far, in MB. */
export function maxRssMB(): number {
  return process.resourceUsage().maxRSS / 1024;
}

/** Current resident set size of this process, in MB. */
export function rssMB(): number {
  return process.memoryUsage().rss / (1024 * 1024);
}

/**
 * Reads the job from `argv[2]`, runs `handler` and prints the result line.
 * An exception is printed to stderr and turns into exit code 1, which the
 * harness reports as a crash of this peer.
 */
export async function runPeer(handler: (job: Job) => Promise<PeerAnswer>): Promise<void> {
  const raw = process.argv[2];
  if (raw === undefined) {
    process.stderr.write('usage: node --import tsx <peer>.ts <job json>\n');
    process.exit(2);
  }
  try {
    const job = JSON.parse(raw) as Job;
    const answer = await handler(job);
    const result: PeerResult = { ...answer, maxRssMB: maxRssMB() };
    process.stdout.write(`\n${RESULT_MARKER}${JSON.stringify(result)}\n`);
    process.exit(0);
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  }
}
