// Starts test/support/faultChild.ts, lets it commit a random number of writes, SIGKILLs it at a random moment after
// that and reports the last write it said was committed. Bounded: a child that stops making progress fails the test.
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const CHILD = join(__dirname, 'faultChild.ts');

export interface KillResult {
  /** The last `committed N` the child printed before it died (what it was told was done). */
  committed: number;
}

export async function killAtRandom(mode: 'save' | 'journal' | 'delete' | 'ledger', dir: string, options: { minCommits?: number; maxCommits: number; random?: () => number }): Promise<KillResult> {
  const random = options.random ?? Math.random;
  const min = options.minCommits ?? 1;
  const target = min + Math.floor(random() * (options.maxCommits - min + 1));
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, mode, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  let committed = 0;
  let buffered = '';
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const guard = setTimeout(() => reject(new Error(`the ${mode} child made no progress for 30 s (${committed} commits)`)), 30_000);
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) if (line.startsWith('committed ')) committed = Number(line.slice(10));
      if (committed >= target) {
        clearTimeout(guard);
        resolve();
      }
    });
    child.on('exit', (code) => {
      clearTimeout(guard);
      reject(new Error(`the ${mode} child exited (${code}) before it was killed`));
    });
  });
  // A random point inside the next write(s): the fault position, not a wait for a result.
  await new Promise((resolve) => setTimeout(resolve, random() * 8));
  child.kill('SIGKILL');
  // 'close' comes after the pipe is drained: lines printed before the kill still count.
  await exited;
  return { committed };
}
