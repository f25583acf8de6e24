// One set of Chromium flags for every harness (two copies had drifted: one lacked --disable-dev-shm-usage).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';

const ROOT = join(__dirname, '..', '..');

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? tsFiles(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

test('CHROMIUM_ARGS is defined once (test/support/chromium.ts) and imported everywhere else', () => {
  const defining = [...tsFiles(join(ROOT, 'test')), ...tsFiles(join(ROOT, 'bench'))]
    .filter((file) => /(const|let)\s+CHROMIUM_ARGS\b/.test(readFileSync(file, 'utf8')))
    .map((file) => relative(ROOT, file));
  assert.deepEqual(defining, ['test/support/chromium.ts']);
});
