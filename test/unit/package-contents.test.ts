// The .vsix ships only the bundles, their assets and the docs: no source maps, sources, tests or screenshots.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
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
    'media/costview.css',
    'media/costview.js',
    'media/icon-fastrouter.svg',
    'media/icon.png',
    'media/webview.js',
    'package.json',
  ]);
});

test('the extension icon is a 128×128 PNG that ships in the package', () => {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { icon?: string };
  assert.equal(pkg.icon, 'media/icon.png', 'package.json names an icon (the Marketplace and the Extensions view show it)');
  const png = readFileSync(path.join(ROOT, pkg.icon));
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG (the Marketplace rejects SVG icons)');
  assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [128, 128], '128×128 pixels');
});
