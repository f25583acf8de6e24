// The one exclude glob of a file query (issue 14 §1): settings and .gitignore patterns joined, braces expanded, every
// pattern also excluding what is below it; and the Add File… picker's fuzzy glob.
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { excludeGlob, expandBraces, fuzzyFileGlob, scopedGitignoreGlobs } from '../../src/core/tools/excludeGlob';
import { globToRegExp } from '../../src/core/tools/text';

test('expandBraces: groups, nested groups, several groups; an unclosed brace is literal', () => {
  assert.deepEqual(expandBraces('**/*.{js,ts}'), ['**/*.js', '**/*.ts']);
  assert.deepEqual(expandBraces('{a,b{c,d}}/x'), ['a/x', 'bc/x', 'bd/x']);
  assert.deepEqual(expandBraces('{a,b}/{c,d}'), ['a/c', 'a/d', 'b/c', 'b/d']);
  assert.deepEqual(expandBraces('a{b'), ['a{b']);
  assert.deepEqual(expandBraces('plain'), ['plain']);
});

test('excludeGlob: one flat brace group; each pattern excludes what is below it; nothing to exclude is undefined', () => {
  const glob = excludeGlob(['**/node_modules', '.tools/', '**/*.{map,log}', '**/node_modules']);
  assert.equal(glob, '{**/node_modules,**/node_modules/**,.tools,.tools/**,**/*.map,**/*.map/**,**/*.log,**/*.log/**}');
  assert.equal(excludeGlob([]), undefined);
  const re = expandBraces(glob!).map(globToRegExp);
  const excluded = (p: string) => re.some((r) => r.test(p));
  assert.ok(excluded('node_modules/pkg/index.ts'));
  assert.ok(excluded('a/b/node_modules/x.js'));
  assert.ok(excluded('.tools/node_modules/code-server/x.ts'));
  assert.ok(excluded('out/a.js.map'));
  assert.ok(!excluded('src/extension.ts'));
});

test('scopedGitignoreGlobs: a nested .gitignore names paths below its folder only', () => {
  assert.deepEqual(scopedGitignoreGlobs('', 'node_modules/\n/dist\n# c\n!keep\n'), ['**/node_modules', 'dist']);
  assert.deepEqual(scopedGitignoreGlobs('pkg/a', 'vendor/\n/out\n'), ['pkg/a/**/vendor', 'pkg/a/out']);
});

test('fuzzyFileGlob: the typed letters in order, any case; a slash puts the part before it in a folder', () => {
  const match = (typed: string, p: string) => globToRegExp(fuzzyFileGlob(typed)!).test(p);
  assert.ok(match('extension.ts', 'src/extension.ts'));
  assert.ok(match('ExtTs', 'src/extension.ts'));
  assert.ok(match('exts', 'a/b/extension.ts'));
  assert.ok(!match('extension.ts', 'src/other.ts'));
  assert.ok(match('src/ext', 'src/host/extension.ts'));
  assert.ok(!match('test/ext', 'src/extension.ts'));
  assert.ok(match('a*b', 'ab.ts'), 'glob specials typed are left out');
  assert.equal(fuzzyFileGlob('   '), undefined);
});
