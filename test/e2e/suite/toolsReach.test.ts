// In-host tests of issue 14 on a real folder in a real extension host: the tools see the whole workspace although an
// ignored folder holds 30,000 files (excludes in the query itself; a cut list says so), the Add File… picker finds
// a file by typing; one boundary (links out of the workspace, secrets behind innocent names); files keep their bytes
// (latin1 through files.encoding, UTF-16 with a BOM, mixed line endings).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ParsedToolCall } from '../../../src/core/tools/definitions';
import type { PreparedToolCall, ToolRunResult } from '../../../src/core/tools/types';
import { pickFileQuery } from '../../../src/host/editor/addContext';
import { WorkspaceTools } from '../../../src/host/tools';
import { activate, setSetting } from './support';

const ROOT = process.env.FASTROUTER_E2E_WORKSPACE ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '';
const DIR = 'reach-e2e';
const abs = (rel: string) => path.join(ROOT, DIR, rel);
const IGNORED_FILES = 30_000;

function write(rel: string, content: string | Uint8Array): void {
  fs.mkdirSync(path.dirname(abs(rel)), { recursive: true });
  fs.writeFileSync(abs(rel), content);
}

suite('tools see the whole workspace, one boundary (issue 14)', () => {
  let tools: WorkspaceTools;
  let outside = '';
  const signal = new AbortController().signal;

  async function call(c: ParsedToolCall): Promise<PreparedToolCall | { error: string }> {
    return tools.prepare(c, { toolUseId: `toolu_${Math.random().toString(36).slice(2)}` });
  }

  async function run(c: ParsedToolCall): Promise<ToolRunResult> {
    const prepared = await call(c);
    assert.ok(!('error' in prepared), 'error' in prepared ? prepared.error : '');
    return prepared.run(signal);
  }

  suiteSetup(async function () {
    this.timeout(180_000);
    const api = await activate({ apiKey: 'test-key' });
    tools = new WorkspaceTools(api.settings);
    assert.ok(ROOT, 'a workspace folder');
    fs.rmSync(path.join(ROOT, DIR), { recursive: true, force: true });
    write('.gitignore', 'vendor/\n');
    // The ignored folder: 300 folders of 100 files, each naming the needle (none of them may count or use up a budget).
    for (let folder = 0; folder < IGNORED_FILES / 100; folder++) {
      fs.mkdirSync(abs(`vendor/p${folder}`), { recursive: true });
      for (let file = 0; file < 100; file++) fs.writeFileSync(abs(`vendor/p${folder}/f${file}.ts`), 'export const needle = "vendored";\n');
    }
    for (let i = 0; i < 30; i++) write(`src/m${i}.ts`, i === 17 ? 'export const needle = "tracked";\n' : `export const m${i} = ${i};\n`);
    write('src/deep/extension.ts', 'export function activate() {}\n');
    for (let i = 0; i < 600; i++) write(`many/f${String(i).padStart(3, '0')}.md`, `# ${i}\n`);
    write('.env', 'API_TOKEN=needle-secret\n');
    fs.symlinkSync('.env', abs('app-settings.txt'));
    outside = fs.mkdtempSync(path.join(os.tmpdir(), 'reach-outside-'));
    fs.writeFileSync(path.join(outside, 'leak.ts'), 'export const needle = "outside the workspace";\n');
    fs.symlinkSync(outside, abs('linked'));
  });

  suiteTeardown(async () => {
    tools?.dispose();
    fs.rmSync(path.join(ROOT, DIR), { recursive: true, force: true });
    if (outside) fs.rmSync(outside, { recursive: true, force: true });
  });

  test('find_files lists every tracked file although an ignored folder holds 30,000 files', async () => {
    const found = await run({ name: 'find_files', input: { glob: `${DIR}/**/*.ts` } });
    const lines = found.content.split('\n');
    assert.equal(lines.length, 31, found.content.slice(0, 500));
    assert.ok(lines.includes(`${DIR}/src/m17.ts`) && lines.includes(`${DIR}/src/deep/extension.ts`));
    assert.ok(!lines.some((l) => l.includes('/vendor/')), 'ignored folder left out');
    assert.equal(found.summary, `Found 31 files for '${DIR}/**/*.ts'`);
  });

  test('search_text finds the tracked match; the ignored folder does not use up the file budget', async () => {
    const found = await run({ name: 'search_text', input: { query: 'needle', include: `${DIR}/**` } });
    assert.match(found.content, new RegExp(`^${DIR}/src/m17\\.ts:1:  export const needle = "tracked";$`, 'm'));
    assert.doesNotMatch(found.content, /vendored|Cut/);
    assert.equal(found.summary, `Searched 'needle' in ${DIR}/** — 1 match`);
  });

  test('a cut file list says it was cut and how to narrow it', async () => {
    const found = await run({ name: 'find_files', input: { glob: `${DIR}/many/*.md` } });
    const lines = found.content.split('\n');
    assert.equal(lines.length, 501);
    assert.equal(lines[499], `${DIR}/many/f499.md`);
    assert.match(lines[500], /^\[Cut: 600 files match; the first 500 \(sorted\) are shown\. Narrow the glob to a folder/);
    assert.equal(found.summary, `Found 600 files for '${DIR}/many/*.md' (500 shown)`);
  });

  test('the Add File… picker queries as the user types: extension.ts is found, ignored files never listed', async () => {
    const query = pickFileQuery();
    const typed = await query('extension.ts');
    assert.equal(vscode.workspace.asRelativePath(typed[0]), `${DIR}/src/deep/extension.ts`);
    const fuzzy = await query('extnts');
    assert.ok(fuzzy.some((uri) => uri.fsPath === abs('src/deep/extension.ts')), 'letters in order find it');
    const first = await query('');
    assert.ok(first.length > 0 && !first.some((uri) => uri.fsPath.includes(`${path.sep}vendor${path.sep}`)), 'no ignored file in the list');
    const vendorNames = await query('f42');
    assert.ok(!vendorNames.some((uri) => uri.fsPath.includes(`${path.sep}vendor${path.sep}`)));
  });

  test('a folder linked to outside the workspace is neither listed nor searched', async () => {
    const found = await run({ name: 'find_files', input: { glob: `${DIR}/**/leak.ts` } });
    assert.equal(found.content, `No files match "${DIR}/**/leak.ts".`);
    const searched = await run({ name: 'search_text', input: { query: 'outside the workspace', include: `${DIR}/**` } });
    assert.match(searched.content, /^No matches/);
    const read = await call({ name: 'read_file', input: { path: `${DIR}/linked/leak.ts` } });
    assert.ok('error' in read && /link to a place outside/.test(read.error));
  });

  test('a secret behind an innocent name (app-settings.txt → .env) is judged by its real name', async () => {
    const searched = await run({ name: 'search_text', input: { query: 'needle-secret', include: `${DIR}/**` } });
    assert.match(searched.content, /^No matches/);
    const read = await call({ name: 'read_file', input: { path: `${DIR}/app-settings.txt` } });
    assert.ok(!('error' in read) && read.secret === true, 'read_file asks');
  });
});

suite('files keep their bytes (issue 14)', () => {
  let tools: WorkspaceTools;
  const signal = new AbortController().signal;
  const LATIN1_TAIL = [0x2f, 0x2f, 0x20, 0x63, 0x61, 0x66, 0xe9, 0x20, 0x6e, 0x61, 0xef, 0x76, 0x65, 0x0a]; // "// café naïve\n" in ISO-8859-1
  const latin1 = (x: number) => Buffer.from([...Buffer.from(`const x = ${x};\n`), ...LATIN1_TAIL]);
  const utf16 = (text: string) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);

  async function call(c: ParsedToolCall): Promise<PreparedToolCall | { error: string }> {
    return tools.prepare(c, { toolUseId: `toolu_${Math.random().toString(36).slice(2)}` });
  }

  async function run(c: ParsedToolCall): Promise<ToolRunResult> {
    const prepared = await call(c);
    assert.ok(!('error' in prepared), 'error' in prepared ? prepared.error : '');
    return prepared.run(signal);
  }

  suiteSetup(async () => {
    const api = await activate();
    tools = new WorkspaceTools(api.settings);
    fs.rmSync(abs('bytes'), { recursive: true, force: true });
  });

  suiteTeardown(async () => {
    tools?.dispose();
    await setSetting('encoding', undefined, { section: 'files' });
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    fs.rmSync(path.join(ROOT, DIR), { recursive: true, force: true });
  });

  test('a latin1 file that UTF-8 cannot decode is refused by read_file and edit_file, its bytes untouched', async () => {
    write('bytes/plain-latin1.ts', latin1(1));
    const read = await run({ name: 'read_file', input: { path: `${DIR}/bytes/plain-latin1.ts` } });
    assert.equal(read.isError, true);
    assert.match(read.content, /cannot be read in its encoding \(utf8, from files\.encoding\) without losing characters.*set files\.encoding/);
    const edit = await call({ name: 'edit_file', input: { path: `${DIR}/bytes/plain-latin1.ts`, old_text: 'const x = 1;', new_text: 'const x = 2;' } });
    assert.ok('error' in edit && /without losing characters/.test(edit.error));
    assert.deepEqual(fs.readFileSync(abs('bytes/plain-latin1.ts')), latin1(1));
  });

  test('with files.encoding iso88591: read_file shows the accents, edit_file saves in latin1 and keeps the other bytes', async () => {
    write('bytes/latin1.ts', latin1(1));
    await setSetting('encoding', 'iso88591', { section: 'files' });
    try {
      const read = await run({ name: 'read_file', input: { path: `${DIR}/bytes/latin1.ts` } });
      assert.equal(read.content, `${DIR}/bytes/latin1.ts (2 lines):\n1\tconst x = 1;\n2\t// café naïve`);
      const edit = await run({ name: 'edit_file', input: { path: `${DIR}/bytes/latin1.ts`, old_text: 'const x = 1;', new_text: 'const x = 2;' } });
      assert.match(edit.content, /and saved\.$/);
      assert.deepEqual(fs.readFileSync(abs('bytes/latin1.ts')), latin1(2));
    } finally {
      await setSetting('encoding', undefined, { section: 'files' });
    }
  });

  test('a UTF-16LE file with a BOM is text: read_file and search_text read it, edit_file keeps it UTF-16LE with the BOM', async () => {
    write('bytes/wide.txt', utf16('first line\nwide needle here\n'));
    const read = await run({ name: 'read_file', input: { path: `${DIR}/bytes/wide.txt` } });
    assert.equal(read.content, `${DIR}/bytes/wide.txt (2 lines):\n1\tfirst line\n2\twide needle here`);
    const found = await run({ name: 'search_text', input: { query: 'wide needle', include: `${DIR}/bytes/**` } });
    assert.match(found.content, new RegExp(`^${DIR}/bytes/wide\\.txt:2:  wide needle here$`, 'm'));
    const edit = await run({ name: 'edit_file', input: { path: `${DIR}/bytes/wide.txt`, old_text: 'first line', new_text: 'first líne' } });
    assert.match(edit.content, /and saved/);
    assert.deepEqual(fs.readFileSync(abs('bytes/wide.txt')), utf16('first líne\nwide needle here\n'));
  });

  test('mixed line endings: an edit across lines is found; the result and the card say the endings were normalised', async () => {
    write('bytes/mixed.txt', 'alpha\nbeta\r\ngamma\ndelta\n');
    const prepared = await call({ name: 'edit_file', input: { path: `${DIR}/bytes/mixed.txt`, old_text: 'gamma\ndelta', new_text: 'gamma\nDELTA' } });
    assert.ok(!('error' in prepared), 'error' in prepared ? prepared.error : '');
    assert.equal(prepared.summary, `Edit ${DIR}/bytes/mixed.txt (line endings normalised)`);
    assert.deepEqual(prepared.change, { path: `${DIR}/bytes/mixed.txt`, added: 1, removed: 1 });
    const result = await prepared.run(signal);
    assert.match(result.content, /and saved\. The file mixes line endings; VS Code saves it with one \(LF\) throughout\.$/);
    assert.equal(fs.readFileSync(abs('bytes/mixed.txt'), 'utf8'), 'alpha\nbeta\ngamma\nDELTA\n');
    // A CRLF file keeps CRLF: the model's \n text is matched and written with the file's endings.
    write('bytes/crlf.txt', 'one\r\ntwo\r\nthree\r\n');
    const crlf = await run({ name: 'edit_file', input: { path: `${DIR}/bytes/crlf.txt`, old_text: 'two\nthree', new_text: 'two\nTHREE' } });
    assert.doesNotMatch(crlf.content, /normalised|mixes/);
    assert.equal(fs.readFileSync(abs('bytes/crlf.txt'), 'utf8'), 'one\r\ntwo\r\nTHREE\r\n');
  });
});
