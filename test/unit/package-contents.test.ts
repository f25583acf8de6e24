// The .vsix ships only the two bundles, their assets and the docs: no source maps, sources, tests or screenshots.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { test } from 'node:test';

const ROOT = path.resolve(__dirname, '..', '..');

test('vsce packages exactly the bundles, media assets and docs', () => {
  const vsce = path.join(ROOT, 'node_modules', '@vscode', 'vsce', 'vsce');
  const listed = execFileSync(process.execPath, [vsce, 'ls', '--no-dependencies'], { cwd: ROOT, encoding: 'utf8' })
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0)
    .sort();
  assert.deepEqual(listed, [
    'CHANGELOG.md',
    'LICENSE',
    'README.md',
    'dist/extension.js',
    'media/chat.css',
    'media/icon-fastrouter.svg',
    'media/webview.js',
    'package.json',
  ]);
});
