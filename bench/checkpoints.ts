// Checkpoints (issue 17): the snapshot before a command on a 5,000-file workspace (the first, which keeps every file,
// and a later one, which reads only what changed), the restore of a 20-file turn, and the storage a turn adds versus
// the bytes it changed. Real files in a temporary folder; numbers only.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CheckpointStore } from '../src/core/checkpoints/checkpointStore';
import type { BenchRunOptions } from './run';

const FILES = 5000;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

export async function benchCheckpoints(options: BenchRunOptions = {}): Promise<void> {
  const rounds = options.rounds ?? 5;
  const base = mkdtempSync(join(tmpdir(), 'bench-checkpoints-'));
  const ws = join(base, 'ws');
  try {
    const files: string[] = [];
    for (let i = 0; i < FILES; i++) {
      const folder = join(ws, 'src', `pkg${i % 50}`);
      mkdirSync(folder, { recursive: true });
      const file = join(folder, `file${i}.ts`);
      writeFileSync(file, `export const value${i} = ${i};\n`.repeat(100));
      files.push(file);
    }
    mkdirSync(join(ws, 'node_modules', 'dep'), { recursive: true });
    for (let i = 0; i < 500; i++) writeFileSync(join(ws, 'node_modules', 'dep', `f${i}.js`), 'x'.repeat(4000));
    const store = new CheckpointStore({ dir: join(base, 'store'), roots: () => [ws] });
    let t = performance.now();
    const first = await store.snapshot();
    const firstMs = performance.now() - t;
    const baseline = await store.blobs.storedBytes();

    const later: number[] = [];
    const restores: number[] = [];
    const ratios: number[] = [];
    for (let round = 0; round < rounds; round++) {
      t = performance.now();
      const before = await store.snapshot();
      later.push(performance.now() - t);
      // A turn: a command changes 20 files (a line each).
      const stored = await store.blobs.storedBytes();
      let changedBytes = 0;
      for (let k = 0; k < 20; k++) {
        const content = `export const value${k} = ${k};\n`.repeat(100) + `// round ${round}\n`;
        writeFileSync(files[(round * 20 + k) % files.length], content);
        changedBytes += Buffer.byteLength(content);
      }
      const after = await store.snapshot();
      await store.recordCommand(`q${round}`, 'c', before, after);
      ratios.push((await store.blobs.storedBytes() - stored) / changedBytes);
      t = performance.now();
      await store.restore(`q${round}`, await store.plan(`q${round}`));
      restores.push(performance.now() - t);
    }
    console.log(`Checkpoints, ${FILES} files (${(baseline / 1024 / 1024).toFixed(1)} MiB kept once; node_modules skipped), ${rounds} rounds:`);
    console.log(`  snapshot before a command: first ${firstMs.toFixed(0)} ms (${first.size} files read and kept), later ${median(later).toFixed(0)} ms median (stat only)`);
    console.log(`  restore of a 20-file turn: ${median(restores).toFixed(1)} ms median (target ≤ 300 ms)`);
    console.log(`  storage a turn adds / bytes it changed: ${median(ratios).toFixed(2)}× median (target ≤ 1.2×; the after-images, kept for Redo and conflict checks)`);
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}
