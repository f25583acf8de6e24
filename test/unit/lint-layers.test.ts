// The layer rule has no holes: each forbidden arrow, written at several depths, is a lint error; each allowed arrow is
// clean. The probes are linted as text under real paths (ESLint's lintText), so no file is written into src/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ESLint } from 'eslint';

const eslint = new ESLint({ cwd: process.cwd() });

async function problems(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: file });
  return result.messages.filter((m) => m.ruleId === 'fastrouter/layers').map((m) => m.message);
}

const forbidden: Array<[file: string, specifier: string]> = [
  ['src/core/tools/probe.ts', '../../host/request/settings'],
  ['src/core/tools/deep/probe.ts', '../../../host/tools/readFile'],
  ['src/core/tools/probe.ts', '../../webviews/chat/app'],
  ['src/core/conversation/probe.ts', '../../extension'],
  ['src/core/probe.ts', 'vscode'],
  ['src/core/cost/probe.ts', '../../webviews/cost/app'],
  ['src/api/probe.ts', '../core/request/settings'],
  ['src/api/probe.ts', '../host/request/apiKey'],
  ['src/api/probe.ts', 'vscode'],
  ['src/common/probe.ts', '../core/request/settings'],
  ['src/common/probe.ts', '../api'],
  ['src/common/probe.ts', 'vscode'],
  ['src/common/probe.ts', 'node:fs'],
  ['src/host/probe.ts', '../webviews/chat/app'],
  ['src/host/tools/probe.ts', '../../webviews/cost/main'],
  ['src/host/chat/deep/probe.ts', '../../../webviews/common/dom'],
  ['src/host/probe.ts', '../extension'],
  ['src/extension.ts', './webviews/chat/main'],
  ['src/webviews/chat/probe.ts', '../../core/request/settings'],
  ['src/webviews/chat/probe.ts', '../../api'],
  ['src/webviews/chat/probe.ts', '../../host/chat/chatService'],
  ['src/webviews/chat/probe.ts', '../cost/app'],
  ['src/webviews/chat/probe.ts', 'vscode'],
  ['src/webviews/chat/probe.ts', 'node:path'],
  ['src/webviews/cost/probe.ts', '../chat/markdown'],
  ['src/webviews/cost/probe.ts', '../../core/cost/costTotals'],
  ['src/webviews/common/probe.ts', '../chat/app'],
  ['src/webviews/common/probe.ts', '../cost/app'],
  ['src/webviews/common/probe.ts', '../../host/webviews/webviewHost'],
  ['src/webviews/common/probe.ts', 'vscode'],
  ['src/webviews/common/probe.ts', 'node:crypto'],
  ['src/core/conversation/probe.ts', '../../webviews/common/boot'],
  ['src/api/probe.ts', '../webviews/common/dom'],
  ['src/common/probe.ts', '../webviews/common/dom'],
  ['src/host/webviews/probe.ts', '../../webviews/common/boot'],
  // The webviews take no zod: neither the package nor a module that builds schemas (below: their types are fine).
  ['src/webviews/chat/probe.ts', 'zod/mini'],
  ['src/webviews/cost/probe.ts', 'zod'],
  ['src/webviews/common/probe.ts', 'zod/v4/core'],
  ['src/webviews/chat/probe.ts', '../../common/protocol'],
  ['src/webviews/chat/deep/probe.ts', '../../../common/chatTypes'],
  ['src/webviews/chat/probe.ts', '../../common/protocol.js'],
  ['src/webviews/cost/probe.ts', '../../common/costViewProtocol.ts'],
  ['src/core/probe.ts', '../host/chat/chatService.js'],
  ['src/webviews/cost/probe.ts', '../../common/costViewProtocol'],
  ['src/webviews/common/probe.ts', '../../common/protocol'],
  ['src/extension.ts', './webviews/common/boot'],
];

const allowed: Array<[file: string, specifier: string]> = [
  ['src/core/tools/probe.ts', '../../api'],
  ['src/core/tools/probe.ts', '../../common/protocol'],
  ['src/core/tools/probe.ts', '../conversation/conversation'],
  ['src/core/tools/probe.ts', 'node:fs'],
  ['src/api/probe.ts', '../common/credits'],
  ['src/common/probe.ts', './credits'],
  ['src/common/probe.ts', 'zod'],
  ['src/host/tools/probe.ts', '../../core/tools/paths'],
  ['src/host/probe.ts', 'vscode'],
  ['src/extension.ts', './host/commands'],
  ['src/webviews/chat/probe.ts', '../common/dom'],
  ['src/webviews/chat/probe.ts', '../../common/imageType'],
  ['src/webviews/cost/probe.ts', '../common/dom'],
  ['src/webviews/cost/deep/probe.ts', '../../common/boot'],
];

for (const [file, specifier] of forbidden) {
  test(`lint refuses ${file} → ${specifier}`, async () => {
    assert.equal((await problems(file, `import { x } from '${specifier}';\nexport const y = x;\n`)).length, 1);
    // The same arrow as a re-export, a dynamic import or a require is refused too.
    assert.equal((await problems(file, `export { x } from '${specifier}';\n`)).length, 1);
    assert.equal((await problems(file, `export const y = import('${specifier}');\n`)).length, 1);
  });
}

for (const [file, specifier] of allowed) {
  test(`lint allows ${file} → ${specifier}`, async () => {
    assert.deepEqual(await problems(file, `import { x } from '${specifier}';\nexport const y = x;\n`), []);
  });
}

test('a webview may import the types of the schema modules, in either way of writing it', async () => {
  for (const [file, specifier] of [['src/webviews/chat/probe.ts', '../../common/protocol'], ['src/webviews/chat/deep/probe.ts', '../../../common/chatTypes'], ['src/webviews/cost/probe.ts', '../../common/costViewProtocol']]) {
    assert.deepEqual(await problems(file, `import type { X } from '${specifier}';\nexport let y: X;\n`), []);
    assert.deepEqual(await problems(file, `import { type X, type Y } from '${specifier}';\nexport let y: X | Y;\n`), []);
    assert.deepEqual(await problems(file, `export type { X } from '${specifier}';\n`), []);
    // One value among the types brings the module in: refused.
    assert.equal((await problems(file, `import { type X, Y } from '${specifier}';\nexport let y: X = Y;\n`)).length, 1);
  }
  // The host and core/ use the schemas themselves.
  assert.deepEqual(await problems('src/host/chat/probe.ts', `import { X } from '../../common/protocol';\nexport const y = X;\n`), []);
});

test('lint refuses a focused test (.only and { only: true })', async () => {
  const messages = async (code: string) => (await eslint.lintText(code, { filePath: 'test/unit/probe.test.ts' }))[0].messages.map((m) => m.ruleId);
  assert.ok((await messages(`import { test } from 'node:test';\ntest.only('a', () => {});\n`)).includes('no-restricted-syntax'));
  assert.ok((await messages(`import { test } from 'node:test';\ntest('a', { only: true }, () => {});\n`)).includes('no-restricted-syntax'));
  assert.ok((await messages(`suite.only('a', () => {});\n`)).includes('no-restricted-syntax'));
  assert.deepEqual((await messages(`import { test } from 'node:test';\ntest('a', () => {});\n`)).filter((r) => r === 'no-restricted-syntax'), []);
});

test('lint wants type-only imports written as such', async () => {
  const [result] = await eslint.lintText(`import { Foo } from './foo';\nexport let y: Foo;\n`, { filePath: 'src/core/probe.ts' });
  assert.ok(result.messages.some((m) => m.ruleId === '@typescript-eslint/consistent-type-imports'));
});
