// Loading the host bundle must not read the global `navigator`: VS Code's extension host turns that read into a
// PendingMigrationError in its log on every activation (zod probes it, unless configured first: src/zodConfig.ts).
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { join } from 'node:path';
import { test } from 'node:test';

const BUNDLE = join(__dirname, '..', '..', 'dist', 'extension.js');

/**
 * Enough of `vscode` for module top-level code (enum lookups such as `vscode.SymbolKind.Function`): every name the API
 * declares, each an inert value. Anything deeper would be activation, not loading.
 */
function vscodeForLoading(): unknown {
  const declarations = readFileSync(require.resolve('@types/vscode/index.d.ts'), 'utf8');
  const names = [...new Set([...declarations.matchAll(/^\s{1,8}export (?:namespace|enum|class|const|function|let) (\w+)/gm)].map((m) => m[1]))];
  const inert: ProxyHandler<() => void> = { get: (_target, key) => (key === Symbol.toPrimitive ? () => 0 : new Proxy(() => undefined, inert)) };
  return Object.fromEntries(names.map((name) => [name, new Proxy(() => undefined, inert)]));
}

test('loading dist/extension.js reads no global navigator', { skip: !existsSync(BUNDLE) && 'run `npm run build` first' }, () => {
  const reads: string[] = [];
  const had = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
  Object.defineProperty(globalThis, 'navigator', { configurable: true, get: () => void reads.push(new Error().stack ?? '') });
  const modules = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
  const load = modules._load;
  modules._load = (request, ...rest) => (request === 'vscode' ? vscodeForLoading() : load(request, ...rest));
  try {
    const requireBundle = createRequire(__filename);
    delete requireBundle.cache[BUNDLE];
    const extension = requireBundle(BUNDLE) as { activate?: unknown };
    assert.equal(typeof extension.activate, 'function', 'the bundle loaded');
  } finally {
    modules._load = load;
    if (had) Object.defineProperty(globalThis, 'navigator', had);
    else delete (globalThis as { navigator?: unknown }).navigator;
  }
  assert.deepEqual(reads, [], 'nothing read navigator while the bundle loaded');
});
