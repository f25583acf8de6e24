// The host bundle is minified for the .vsix; error names must survive it, because they reach the log
// ("ConnectionError: Could not connect…", not "pe: Could not connect…").
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import * as esbuild from 'esbuild';

const requireHere = createRequire(__filename);
const { targets } = requireHere('../../esbuild.js') as { targets: esbuild.BuildOptions[] };
const dir = mkdtempSync(join(tmpdir(), 'fastrouter-bundle-names-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('error classes keep their names in the minified host bundle', async () => {
  const host = targets.find((t) => (t.entryPoints as string[])[0] === 'src/extension.ts');
  assert.ok(host, 'the host target');
  const outfile = join(dir, 'api.js');
  // The host target's options (minify as in --production), over the API module the log's errors come from.
  await esbuild.build({ ...host, entryPoints: [join(__dirname, '../../src/api/index.ts')], outfile, minify: true, sourcemap: false, plugins: [] });
  const api = requireHere(outfile) as Record<string, new (message: string, options?: unknown) => Error>;
  for (const name of ['FastRouterError', 'ConnectionError', 'AbortedError', 'MalformedStreamError', 'EventTooLargeError', 'HtmlInsteadOfStreamError']) {
    assert.equal(new api[name]('x').name, name);
  }
  assert.equal(new api.IdleTimeoutError('x', { timeoutMs: 1 }).name, 'IdleTimeoutError');
  assert.equal(new api.ApiError('x', { status: 500, type: 'api_error' }).name, 'ApiError');
});
