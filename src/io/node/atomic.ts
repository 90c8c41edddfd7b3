/**
 * Node only: atomic file writes. The bytes go to a temporary file in the same folder,
 * which is flushed to disk (`fsync`) and then renamed over the target. A reader, or a
 * process killed half-way, sees either the old file or the complete new one, never a
 * partial file.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { type FileHandle, open, readdir, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** The temporary-file name used while writing `path` (same folder, hidden, unique). */
export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/**
 * Writes `bytes` to `path` atomically: temporary file, `fsync`, rename, then `fsync` of
 * the folder so the rename itself survives a crash. On failure the temporary file is
 * removed and the previous contents of `path` are untouched. Temporary files left by an
 * earlier writer of the same path that was killed (its process no longer exists) are
 * deleted first.
 *
 * @example
 * ```ts
 * await writeFileAtomic('model.cortex', bytes);
 * ```
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const { tmp, file } = await openTemp(path);
  try {
    let done = 0;
    while (done < bytes.length) {
      const { bytesWritten } = await file.write(bytes, done, bytes.length - done);
      done += bytesWritten;
    }
    await file.sync();
    await file.close();
    await rename(tmp, path);
  } catch (e) {
    await file.close().catch(() => undefined);
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
  await syncFolder(dirname(path));
}

/**
 * Creates the temporary file for writing `path` (after removing stale ones). A failure is
 * reported for `path` itself, e.g. `cannot write out/m.cortex: the folder out does not exist`,
 * with the system error's `code`.
 */
export async function openTemp(path: string): Promise<{ tmp: string; file: FileHandle }> {
  await removeStaleTemps(path);
  const tmp = tempPathFor(path);
  try {
    return { tmp, file: await open(tmp, 'wx', 0o644) };
  } catch (e) {
    const code = e instanceof Error && 'code' in e ? String(e.code) : 'EIO';
    const why: Record<string, string> = {
      ENOENT: `the folder ${dirname(path)} does not exist`,
      EACCES: `no permission to write in ${dirname(path)}`,
      EROFS: 'the file system is read-only',
      ENOTDIR: `${dirname(path)} is not a folder`,
    };
    const err = new Error(`cannot write ${path}: ${why[code] ?? (e instanceof Error ? e.message : String(e))}`) as Error & { code: string; path: string };
    err.code = code;
    err.path = path;
    throw err;
  }
}

async function syncFolder(dir: string): Promise<void> {
  // Not every platform lets a folder be opened and flushed (Windows does not); the rename
  // has already happened, so this is best effort.
  try {
    const d = await open(dir, 'r');
    try {
      await d.sync();
    } finally {
      await d.close();
    }
  } catch {
    /* best effort */
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e instanceof Error && 'code' in e && e.code === 'EPERM';
  }
}

/** Deletes `.<name>.<pid>.<hex>.tmp` files next to `path` whose writer process is gone. */
export async function removeStaleTemps(path: string): Promise<string[]> {
  const dir = dirname(path);
  const prefix = `.${basename(path)}.`;
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith('.tmp')) continue;
    const m = /^(\d+)\.[0-9a-f]{8}\.tmp$/.exec(name.slice(prefix.length));
    if (!m) continue;
    const pid = Number(m[1]);
    if (pid === process.pid || alive(pid)) continue;
    await unlink(join(dir, name)).catch(() => undefined);
    removed.push(name);
  }
  return removed;
}
