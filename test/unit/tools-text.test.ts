// The pure parts of the tools: the contract (names, inputs, JSON Schema), checking the model's input, path safety on
// a real folder with real symlinks, and the text helpers (numbered reads cut with a note, counts, +N −M, globs).
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { describeCall, parseToolCall, READ_ONLY_TOOLS, toolDefinitions } from '../../src/core/tools/definitions';
import { looksSecret, resolveToolPath, type RealPath, type WorkspaceRoot } from '../../src/core/tools/paths';
import { GitignoreFilter, searchFiles } from '../../src/core/tools/search';
import { looksBinary } from '../../src/core/tools/textFile';
import {
  countOccurrences, ExcludeMatcher, gitignoreGlobs, globToRegExp, lineChanges, numberedLines, searchLines, searchPattern,
} from '../../src/core/tools/text';

test('the eight tools, with exactly the contract\'s names and inputs, each described', () => {
  const tools = toolDefinitions();
  const shape = Object.fromEntries(tools.map((t) => [t.name, { props: Object.keys((t.input_schema.properties ?? {}) as object), required: t.input_schema.required ?? [] }]));
  assert.deepEqual(shape, {
    read_file: { props: ['path', 'start_line', 'end_line'], required: ['path'] },
    list_directory: { props: ['path'], required: ['path'] },
    find_files: { props: ['glob'], required: ['glob'] },
    search_text: { props: ['query', 'is_regexp', 'include'], required: ['query'] },
    get_diagnostics: { props: ['path'], required: [] },
    edit_file: { props: ['path', 'old_text', 'new_text'], required: ['path', 'old_text', 'new_text'] },
    create_file: { props: ['path', 'content'], required: ['path', 'content'] },
    run_command: { props: ['command', 'cwd', 'timeout_seconds'], required: ['command'] },
  });
  for (const tool of tools) {
    assert.equal(tool.input_schema.type, 'object');
    assert.ok((tool.description ?? '').length > 40, `${tool.name} says when to use it`);
    assert.ok(!JSON.stringify(tool.input_schema).includes('$schema'));
    assert.ok(!JSON.stringify(tool.input_schema).includes('9007199254740991'));
  }
  assert.deepEqual([...READ_ONLY_TOOLS].sort(), ['find_files', 'get_diagnostics', 'list_directory', 'read_file', 'search_text']);
});

test('the model\'s input is checked: what is wrong is said in words it can act on', () => {
  assert.deepEqual(parseToolCall('read_file', { path: 'a.ts', start_line: 3 }), { ok: true, call: { name: 'read_file', input: { path: 'a.ts', start_line: 3 } } });
  const bad = parseToolCall('read_file', { path: 'a.ts', start_line: 5, end_line: 2 });
  assert.deepEqual(bad, { ok: false, error: 'Invalid input for read_file: end_line: end_line must not be before start_line.' });
  const missing = parseToolCall('edit_file', { path: 'a.ts', new_text: 'x' });
  assert.ok(!missing.ok && /old_text: /.test(missing.error));
  const empty = parseToolCall('edit_file', { path: 'a.ts', old_text: '', new_text: 'x' });
  assert.ok(!empty.ok && /old_text: must not be empty/.test(empty.error));
  const unknown = parseToolCall('delete_everything', {});
  assert.ok(!unknown.ok && unknown.error.startsWith('Unknown tool "delete_everything". Available tools: read_file'));
  const unparsed = parseToolCall('read_file', { _unparsed: '{"path": "a' });
  assert.deepEqual(unparsed, { ok: false, error: 'The input of read_file was not valid JSON.' });
  assert.equal(describeCall({ name: 'read_file', input: { path: 'src/a.ts', start_line: 1, end_line: 40 } }), 'Reading src/a.ts:1–40');
  assert.equal(describeCall({ name: 'search_text', input: { query: 'parseUrl' } }), "Searching 'parseUrl'");
  assert.equal(describeCall({ name: 'list_directory', input: { path: 'src' } }), 'Listing src/');
});

let dir: string;
let outside: string;
let roots: WorkspaceRoot[];
const real: RealPath = async (p) => realpath(p).catch(() => undefined);

before(async () => {
  const base = await realpath(await mkdtemp(join(tmpdir(), 'tools-paths-')));
  dir = join(base, 'ws');
  outside = join(base, 'outside');
  await mkdir(join(dir, 'src'), { recursive: true });
  await mkdir(outside);
  await writeFile(join(dir, 'src', 'a.ts'), 'a');
  await writeFile(join(outside, 'secret.txt'), 'nope');
  await writeFile(join(dir, '.env.local'), 'KEY=1');
  await symlink(outside, join(dir, 'escape'));
  await symlink(join(outside, 'secret.txt'), join(dir, 'innocent.txt'));
  await symlink(join(dir, '.env.local'), join(dir, 'config.txt'));
  await symlink(join(dir, 'src'), join(dir, 'src-link'));
  roots = [{ name: 'ws', fsPath: dir }];
});
after(async () => rm(join(dir, '..'), { recursive: true, force: true }));

test('paths resolve inside the workspace folder, relative or absolute', async () => {
  const rel = await resolveToolPath('src/a.ts', roots, real);
  assert.deepEqual(rel.ok && [rel.path.fsPath, rel.path.display, rel.path.secret], [join(dir, 'src', 'a.ts'), 'src/a.ts', false]);
  const abs = await resolveToolPath(join(dir, 'src', 'a.ts'), roots, real);
  assert.ok(abs.ok && abs.path.display === 'src/a.ts');
  const dot = await resolveToolPath('./src/../src/a.ts', roots, real);
  assert.ok(dot.ok && dot.path.display === 'src/a.ts');
  const root = await resolveToolPath('.', roots, real);
  assert.ok(root.ok && root.path.display === '');
  const missing = await resolveToolPath('src/new/file.ts', roots, real);
  assert.ok(missing.ok && missing.path.display === 'src/new/file.ts', 'a file to be created resolves');
  const linkInside = await resolveToolPath('src-link/a.ts', roots, real);
  assert.ok(linkInside.ok, 'a symlink that stays inside is fine');
});

test('outside the workspace is refused: `..`, absolute paths elsewhere, and symlinks that lead out', async () => {
  for (const input of ['../outside/secret.txt', 'src/../../outside/secret.txt', join(outside, 'secret.txt'), '/etc/passwd']) {
    const result = await resolveToolPath(input, roots, real);
    assert.ok(!result.ok && /outside the workspace folders/.test(result.error), input);
  }
  for (const input of ['escape/secret.txt', 'innocent.txt', 'escape/new-file.txt']) {
    const result = await resolveToolPath(input, roots, real);
    assert.ok(!result.ok && /link to a place outside/.test(result.error), input);
  }
  const none = await resolveToolPath('a.ts', [], real);
  assert.ok(!none.ok && /No workspace folder is open/.test(none.error));
});

test('a workspace opened through a symlink accepts the real path of its own files; outside stays outside', async () => {
  const opened = join(dir, '..', 'opened-through-link');
  await symlink(dir, opened);
  const linkedRoots = [{ name: 'ws', fsPath: opened }];
  const byReal = await resolveToolPath(join(dir, 'src', 'a.ts'), linkedRoots, real);
  assert.deepEqual(byReal.ok && [byReal.path.fsPath, byReal.path.display], [join(opened, 'src', 'a.ts'), 'src/a.ts']);
  const byLink = await resolveToolPath(join(opened, 'src', 'a.ts'), linkedRoots, real);
  assert.ok(byLink.ok && byLink.path.display === 'src/a.ts');
  const secretByReal = await resolveToolPath(join(dir, 'config.txt'), linkedRoots, real);
  assert.ok(secretByReal.ok && secretByReal.path.secret, 'a secret by its real name through the real path too');
  const out = await resolveToolPath(join(outside, 'secret.txt'), linkedRoots, real);
  assert.ok(!out.ok && /outside the workspace folders/.test(out.error));
});

test('files that look secret are marked, also behind an innocent-looking symlink', async () => {
  for (const p of ['.env', '.env.local', 'config/.env.production', 'id_rsa', 'keys/id_ed25519.pub', 'server.pem', 'tls.key', '.git/config', 'a/.git/HEAD', '.npmrc', '.ssh/known_hosts']) {
    assert.ok(looksSecret(p), p);
  }
  for (const p of ['src/env.ts', 'environment.md', 'keyboard.ts', 'src/git/log.ts', 'README.md', '.gitignore']) assert.ok(!looksSecret(p), p);
  const link = await resolveToolPath('config.txt', roots, real);
  assert.ok(link.ok && link.path.secret, 'config.txt -> .env.local');
});

test('multi-root: a path may start with the folder name', async () => {
  const two: WorkspaceRoot[] = [{ name: 'ws', fsPath: dir }, { name: 'other', fsPath: outside }];
  const inOther = await resolveToolPath('other/secret.txt', two, real);
  assert.ok(inOther.ok && inOther.path.fsPath === join(outside, 'secret.txt') && inOther.path.display === 'other/secret.txt');
  const inFirst = await resolveToolPath('src/a.ts', two, real);
  assert.ok(inFirst.ok && inFirst.path.display === 'ws/src/a.ts');
});

test('numbered reads: a range, a cut with a note saying how to go on, an empty file', () => {
  const text = Array.from({ length: 30 }, (_, i) => `line ${i + 1}`).join('\n') + '\n';
  const range = numberedLines(text, 9, 11);
  assert.equal(range.text, ' 9\tline 9\n10\tline 10\n11\tline 11');
  const cut = numberedLines(text, 1, undefined, { maxLines: 10, maxChars: 100_000 });
  assert.equal(cut.cut, true);
  assert.match(cut.text, /\[Showing lines 1–10 of 30\. To read more, call read_file with start_line: 11\.\]$/);
  const byChars = numberedLines('x'.repeat(50) + '\n' + 'y'.repeat(50) + '\n', 1, undefined, { maxLines: 100, maxChars: 60 });
  assert.equal(byChars.last, 1);
  assert.equal(numberedLines('').text, '(empty file)');
  assert.equal(numberedLines('a\r\nb\r\n').text, '1\ta\n2\tb');
  assert.equal(numberedLines('a\nb', 5).text, '(the file has only 2 lines)');
});

test('counts, +N −M, binary detection and line search', () => {
  assert.deepEqual(countOccurrences('a b a b a', 'a'), { count: 3, index: 0 });
  assert.deepEqual(countOccurrences('abc', 'x'), { count: 0, index: -1 });
  assert.deepEqual(lineChanges('a\nb\nc', 'a\nB\nc'), { added: 1, removed: 1 });
  assert.deepEqual(lineChanges('', 'one\ntwo'), { added: 2, removed: 0 });
  assert.deepEqual(lineChanges('x\ny', 'x\nnew\ny'), { added: 1, removed: 0 });
  assert.ok(looksBinary(new Uint8Array([0x89, 0x50, 0x00, 0x01])));
  assert.ok(!looksBinary(new TextEncoder().encode('plain text')));
  const pattern = searchPattern('parseUrl(', false);
  assert.ok(pattern instanceof RegExp);
  const found = searchLines('import x\nconst u = parseUrl(s);\nreturn u;\n', pattern, 10);
  assert.deepEqual(found, [{ line: 2, text: 'const u = parseUrl(s);', before: 'import x', after: 'return u;' }]);
  assert.match(String(searchPattern('(', true)), /not valid/);
});

test('globs and excludes work like VS Code\'s: **, *, {a,b}, and a match excludes what is below it', () => {
  assert.ok(globToRegExp('**/*.ts').test('src/a/b.ts'));
  assert.ok(globToRegExp('**/*.ts').test('b.ts'));
  assert.ok(!globToRegExp('*.ts').test('src/b.ts'));
  assert.ok(globToRegExp('src/**/*.{ts,js}').test('src/x/y.js'));
  assert.ok(globToRegExp('file?.md').test('file1.md'));
  const excludes = new ExcludeMatcher(['**/.git', '**/node_modules', 'dist']);
  assert.ok(excludes.excludes('node_modules/pkg/index.js'));
  assert.ok(excludes.excludes('packages/a/node_modules'));
  assert.ok(excludes.excludes('dist/out.js'));
  assert.ok(!excludes.excludes('src/dist.ts'));
  assert.deepEqual(gitignoreGlobs('# c\nnode_modules/\n/build\nlogs/*.log\n!keep.log\n'), ['**/node_modules', 'build', 'logs/*.log']);
});

test('search: .gitignore of each folder on the way counts; results are path:line with context, capped with a note', async () => {
  const gitignores: Record<string, string> = { '/w/.gitignore': 'dist/\n', '/w/pkg/.gitignore': '*.gen.ts\n' };
  const reads: string[] = [];
  const filter = new GitignoreFilter(async (file) => {
    reads.push(file);
    if (file in gitignores) return gitignores[file];
    throw new Error('ENOENT');
  });
  assert.equal(await filter.ignored('/w', 'dist/a.js'), true);
  assert.equal(await filter.ignored('/w', 'pkg/x.gen.ts'), true);
  assert.equal(await filter.ignored('/w', 'pkg/x.ts'), false);
  assert.equal(await filter.ignored('/w', 'other/x.gen.ts'), false);
  assert.equal(new Set(reads).size, reads.length, 'each .gitignore is read once');

  const texts: Record<string, string> = { '/w/a.ts': 'one\nfind me\nthree\n', '/w/b.ts': 'nothing here\n', '/w/c.ts': 'find me too\n' };
  const files = Object.keys(texts).map((fsPath) => ({ fsPath, path: fsPath.slice(3) }));
  const signal = new AbortController().signal;
  const result = await searchFiles(files, /find me/i, async (p) => texts[p], { label: "'find me'", signal, listedAll: true });
  assert.equal(result.content, 'a.ts-1-  one\na.ts:2:  find me\na.ts-3-  three\n--\nc.ts:1:  find me too');
  assert.equal(result.summary, "Searched 'find me' — 2 matches");
  const many = Array.from({ length: 300 }, (_, i) => ({ fsPath: `/m/${i}`, path: `m${i}.ts` }));
  const capped = await searchFiles(many, /x/, async () => 'x\n', { label: "'x'", signal, listedAll: true });
  assert.match(capped.summary, /— 200\+ matches$/);
  assert.match(capped.content, /\[Cut: stopped at 200 matches\. Narrow the query, or use include to search a folder \(e\.g\. "src\/\*\*"\)\.\]$/);
  // A file list cut by the query's limit says so, with or without matches.
  const none = await searchFiles(files, /absent/, async (p) => texts[p], { label: "'absent'", signal, listedAll: false });
  assert.match(none.content, /^No matches for 'absent' in the 3 files searched\. The workspace has more than 20000 files that could match, and only the first 3 were searched\. Use include/);
  assert.match(none.summary, /\(cut\)$/);
  const some = await searchFiles(files, /find me/i, async (p) => texts[p], { label: "'find me'", signal, listedAll: false });
  assert.match(some.content, /\[Cut: stopped at 2 matches\. The workspace has more than 20000 files/);
  assert.match(some.summary, /2\+ matches$/);
});
