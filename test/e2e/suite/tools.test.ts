// In-host tests of the workspace tools (issue 9) in a real extension host on a real folder: every tool through VS
// Code's APIs (paths outside refused, symlink escape refused, excludes honoured, the unsaved buffer read, an edit as
// one undo step, the saved/unsaved rule, create refusing to overwrite), and the chat's loop against the simulator:
// read then edit → Apply → file changed on disk; Reject → unchanged and is_error sent; Stop while a card waits.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { MessageParam } from '../../../src/api';
import type { ParsedToolCall } from '../../../src/core/tools/definitions';
import type { PreparedToolCall, ToolRunResult } from '../../../src/core/tools/types';
import type { ExtensionApi } from '../../../src/extension';
import { WorkspaceTools } from '../../../src/host/tools';
import type { AnswerBlock, AssistantTurn, Turn } from '../../../src/common/chatTypes';
import { activate, enqueue, lastAnswer, resetSim, setSetting, simRequests, until } from './support';

type ToolBlock = Extract<AnswerBlock, { kind: 'tool_use' }>;
interface RecordedRequest {
  status?: number;
  body: { messages: MessageParam[]; tools?: { name: string }[] };
}

const ROOT = process.env.FASTROUTER_E2E_WORKSPACE ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '';
const DIR = 'tools-e2e';
const abs = (rel: string) => path.join(ROOT, DIR, rel);

function write(rel: string, content: string): void {
  fs.mkdirSync(path.dirname(abs(rel)), { recursive: true });
  fs.writeFileSync(abs(rel), content);
}

const toolRows = (turn: AssistantTurn): ToolBlock[] => turn.blocks.filter((b): b is ToolBlock => b.kind === 'tool_use');

/** The approval card of the running answer, once there is one. */
function waitingCard(turns: Turn[]): ToolBlock | undefined {
  const turn = turns[turns.length - 1];
  return turn?.role === 'assistant' ? toolRows(turn).find((b) => b.state === 'approval') : undefined;
}

suite('workspace tools (real VS Code)', () => {
  let api: ExtensionApi;
  let tools: WorkspaceTools;
  const signal = new AbortController().signal;

  async function call(c: ParsedToolCall, id = `toolu_${Math.random().toString(36).slice(2)}`): Promise<PreparedToolCall | { error: string }> {
    return tools.prepare(c, { toolUseId: id });
  }

  async function run(c: ParsedToolCall): Promise<ToolRunResult> {
    const prepared = await call(c);
    assert.ok(!('error' in prepared), 'error' in prepared ? prepared.error : '');
    return prepared.run(signal);
  }

  async function refused(c: ParsedToolCall, pattern: RegExp): Promise<void> {
    const prepared = await call(c);
    assert.ok('error' in prepared, `refused: ${JSON.stringify(c)}`);
    assert.match(prepared.error, pattern);
  }

  suiteSetup(async () => {
    api = await activate({ apiKey: 'test-key' });
    tools = new WorkspaceTools(api.settings);
    assert.ok(ROOT, 'a workspace folder');
    fs.rmSync(path.join(ROOT, DIR), { recursive: true, force: true });
    write('src/a.ts', 'export function parseUrl(s: string) {\n  return new URL(s);\n}\n');
    write('src/b.ts', 'import { parseUrl } from "./a";\nconst u = parseUrl("https://x");\n');
    write('build/out.js', 'parseUrl compiled\n');
    write('hidden/skip.ts', 'parseUrl hidden\n');
    write('.env', 'API_TOKEN=parseUrl-secret\n');
    write('.gitignore', 'build/\n');
    fs.writeFileSync(abs('image.bin'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 1]));
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'tools-outside-'));
    fs.writeFileSync(path.join(outside, 'secret.txt'), 'outside the workspace');
    fs.symlinkSync(outside, abs('escape'));
    await setSetting('exclude', { '**/hidden': true }, { section: 'files' });
  });

  suiteTeardown(async () => {
    tools?.dispose();
    await setSetting('exclude', undefined, { section: 'files' });
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  setup(async () => {
    api.chat.stop();
    await api.chat.idle();
    await resetSim();
  });

  test('read_file: numbered lines from disk; the editor buffer (unsaved changes) when open; binary refused', async () => {
    const read = await run({ name: 'read_file', input: { path: `${DIR}/src/a.ts`, start_line: 2, end_line: 2 } });
    assert.equal(read.content, `${DIR}/src/a.ts (3 lines):\n2\t  return new URL(s);`);
    assert.equal(read.summary, `Read ${DIR}/src/a.ts:2`);
    const document = await vscode.workspace.openTextDocument(abs('src/b.ts'));
    const editor = await vscode.window.showTextDocument(document);
    await editor.edit((e) => e.insert(new vscode.Position(0, 0), '// unsaved line\n'));
    const unsaved = await run({ name: 'read_file', input: { path: abs('src/b.ts') } });
    assert.match(unsaved.content, /with unsaved changes from the editor/);
    assert.match(unsaved.content, /^1\t\/\/ unsaved line$/m);
    await vscode.commands.executeCommand('workbench.action.files.revert');
    const binary = await run({ name: 'read_file', input: { path: `${DIR}/image.bin` } });
    assert.equal(binary.isError, true);
    assert.match(binary.content, /binary file/);
  });

  test('read_file reads files up to MAX_TOOL_FILE_BYTES (10 MB), the tools\' own limit (Add File to Chat has its own, 30 MB)', async () => {
    // Sparse: the size is what counts, the file is refused before a byte is read.
    fs.writeFileSync(abs('big.txt'), '');
    fs.truncateSync(abs('big.txt'), 10 * 1024 * 1024 + 1);
    try {
      const big = await run({ name: 'read_file', input: { path: `${DIR}/big.txt` } });
      assert.equal(big.isError, true);
      assert.match(big.content, /too big to read \(10 MB; the limit is 10 MB\)/);
    } finally {
      fs.rmSync(abs('big.txt'), { force: true });
    }
  });

  test('a Show Diff tab restored after a reload (a proposal this window never had) opens as a read-only note that the proposal is gone', async () => {
    // What VS Code asks for when it restores the tab: the proposed side of a tool call from before the reload.
    const restored = vscode.Uri.from({ scheme: 'fastrouter-proposed', path: '/proposed/toolu_before_reload/src/a.ts' });
    const document = await vscode.workspace.openTextDocument(restored);
    assert.match(document.getText(), /^This proposed change is no longer available/);
    await assert.rejects(Promise.resolve(vscode.workspace.fs.writeFile(restored, new TextEncoder().encode('x'))), 'it cannot be written');
    const stat = await vscode.workspace.fs.stat(restored);
    assert.equal(stat.permissions, vscode.FilePermission.Readonly);
  });

  test('paths outside the workspace are refused, also through .. and a symlink; secret-looking files are marked', async () => {
    await refused({ name: 'read_file', input: { path: '../outside.txt' } }, /outside the workspace folders/);
    await refused({ name: 'read_file', input: { path: '/etc/hostname' } }, /outside the workspace folders/);
    await refused({ name: 'read_file', input: { path: `${DIR}/escape/secret.txt` } }, /link to a place outside/);
    await refused({ name: 'list_directory', input: { path: `${DIR}/escape` } }, /link to a place outside/);
    await refused({ name: 'create_file', input: { path: `${DIR}/escape/new.txt`, content: 'x' } }, /link to a place outside/);
    const env = await call({ name: 'read_file', input: { path: `${DIR}/.env` } });
    assert.ok(!('error' in env) && env.secret === true, '.env asks first');
  });

  test('list_directory: folders end in /, files.exclude hides entries', async () => {
    const listed = await run({ name: 'list_directory', input: { path: DIR } });
    const lines = listed.content.split('\n');
    assert.equal(lines[0], `${DIR}/:`);
    assert.ok(lines.includes('src/') && lines.includes('build/') && lines.includes('.env'));
    assert.ok(!lines.includes('hidden/'), 'files.exclude hides it');
    assert.match(listed.content, /1 entry hidden by files\.exclude/);
  });

  test('find_files: matches with the user\'s excludes', async () => {
    const found = await run({ name: 'find_files', input: { glob: `${DIR}/**/*.ts` } });
    assert.deepEqual(found.content.split('\n'), [`${DIR}/src/a.ts`, `${DIR}/src/b.ts`]);
    assert.equal(found.summary, `Found 2 files for '${DIR}/**/*.ts'`);
  });

  test('search_text: path:line with context; .gitignore, files.exclude and secret files skipped', async () => {
    const found = await run({ name: 'search_text', input: { query: 'parseUrl', include: `${DIR}/**` } });
    assert.match(found.content, new RegExp(`^${DIR}/src/a\\.ts:1:  export function parseUrl`, 'm'));
    assert.match(found.content, new RegExp(`^${DIR}/src/b\\.ts-1-  import \\{ parseUrl \\}`, 'm'));
    assert.doesNotMatch(found.content, /compiled|hidden|secret/);
    assert.equal(found.summary, `Searched 'parseUrl' in ${DIR}/** — 3 matches`);
    const regexp = await run({ name: 'search_text', input: { query: 'new URL\\(\\w+\\)', is_regexp: true, include: `${DIR}/**` } });
    assert.match(regexp.content, /a\.ts:2:/);
  });

  test('get_diagnostics: the errors VS Code knows for a file', async () => {
    const collection = vscode.languages.createDiagnosticCollection('tools-e2e');
    try {
      collection.set(vscode.Uri.file(abs('src/a.ts')), [new vscode.Diagnostic(new vscode.Range(1, 2, 1, 8), 'Something is off', vscode.DiagnosticSeverity.Error)]);
      const result = await run({ name: 'get_diagnostics', input: { path: `${DIR}/src/a.ts` } });
      assert.equal(result.content, `${DIR}/src/a.ts:2:3 error: Something is off`);
      assert.equal(result.summary, `Got 1 error, 0 warnings of ${DIR}/src/a.ts`);
    } finally {
      collection.dispose();
    }
  });

  test('edit_file: old_text must occur once; the edit is one undo step and is saved when nothing was unsaved', async () => {
    write('edit/one.ts', 'const a = 1;\nconst b = 2;\nconst b = 2;\n');
    await refused({ name: 'edit_file', input: { path: `${DIR}/edit/one.ts`, old_text: 'const b = 2;', new_text: 'x' } }, /occurs 2 times/);
    await refused({ name: 'edit_file', input: { path: `${DIR}/edit/one.ts`, old_text: 'nope', new_text: 'x' } }, /was not found/);
    const prepared = await call({ name: 'edit_file', input: { path: `${DIR}/edit/one.ts`, old_text: 'const a = 1;', new_text: 'const a = 10;\nconst c = 3;' } });
    assert.ok(!('error' in prepared));
    assert.deepEqual(prepared.change, { path: `${DIR}/edit/one.ts`, added: 2, removed: 1 });
    const result = await prepared.run(signal);
    assert.match(result.content, /and saved/);
    assert.equal(fs.readFileSync(abs('edit/one.ts'), 'utf8'), 'const a = 10;\nconst c = 3;\nconst b = 2;\nconst b = 2;\n');
    // One undo step takes the whole edit back.
    const document = await vscode.workspace.openTextDocument(abs('edit/one.ts'));
    await vscode.window.showTextDocument(document);
    await vscode.commands.executeCommand('undo');
    assert.equal(document.getText(), 'const a = 1;\nconst b = 2;\nconst b = 2;\n');
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  test('edit_file on a document with unsaved changes: the edit goes into the buffer and stays unsaved', async () => {
    write('edit/two.ts', 'let x = 1;\nlet y = 2;\n');
    const document = await vscode.workspace.openTextDocument(abs('edit/two.ts'));
    const editor = await vscode.window.showTextDocument(document);
    await editor.edit((e) => e.insert(new vscode.Position(2, 0), 'let mine = 0;\n'));
    const result = await run({ name: 'edit_file', input: { path: `${DIR}/edit/two.ts`, old_text: 'let y = 2;', new_text: 'let y = 20;' } });
    assert.match(result.content, /not saved: the file had unsaved changes/);
    assert.equal(document.isDirty, true);
    assert.equal(document.getText(), 'let x = 1;\nlet y = 20;\nlet mine = 0;\n');
    assert.equal(fs.readFileSync(abs('edit/two.ts'), 'utf8'), 'let x = 1;\nlet y = 2;\n', 'disk unchanged');
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  test('create_file: writes a new file; refuses to overwrite', async () => {
    const result = await run({ name: 'create_file', input: { path: `${DIR}/made/new.ts`, content: 'export const made = true;\n' } });
    assert.equal(result.summary, `Created ${DIR}/made/new.ts`);
    await until('the new file on disk', () => fs.existsSync(abs('made/new.ts')));
    assert.equal(fs.readFileSync(abs('made/new.ts'), 'utf8'), 'export const made = true;\n');
    await refused({ name: 'create_file', input: { path: `${DIR}/src/a.ts`, content: 'x' } }, /already exists; create_file never overwrites/);
  });

  test('the chat: a read, then an edit → Apply → the file changed on disk, in one turn', async () => {
    write('flow/c.ts', 'export const value = 1;\n');
    await enqueue(
      { toolUse: { id: 'toolu_read', name: 'read_file', input: { path: `${DIR}/flow/c.ts` } } },
      { text: 'I will change it.', toolUse: { id: 'toolu_edit', name: 'edit_file', input: { path: `${DIR}/flow/c.ts`, old_text: 'value = 1', new_text: 'value = 2' } } },
      { text: 'Done.' },
    );
    const asked = api.chat.ask({ text: 'Set value to 2' });
    const card = await until('the approval card', () => waitingCard(api.chat.conversation.turns));
    assert.deepEqual(card.change, { path: `${DIR}/flow/c.ts`, added: 1, removed: 1 });
    assert.equal(fs.readFileSync(abs('flow/c.ts'), 'utf8'), 'export const value = 1;\n', 'nothing changes before Apply');
    const turnId = lastAnswer(api.chat.conversation.turns).id;
    await api.chat.receiveFromWebview({ type: 'toolDecision', turnId, toolUseId: 'toolu_edit', decision: 'apply' });
    await asked;
    assert.equal(fs.readFileSync(abs('flow/c.ts'), 'utf8'), 'export const value = 2;\n');
    const answer = lastAnswer(api.chat.conversation.turns);
    assert.deepEqual(toolRows(answer).map((b) => b.state), ['done', 'applied']);
    const requests = await simRequests<RecordedRequest>();
    assert.equal(requests.length, 3);
    assert.equal(requests[0].body.tools?.length, 8);
    assert.ok(requests.every((r) => r.status === 200));
  });

  test('the meta line of a tool-loop answer: the model\'s name and the whole loop\'s wall time (approval wait included)', async () => {
    write('flow/meta.ts', 'export const d = 1;\n');
    await enqueue(
      { toolUse: { id: 'toolu_read_meta', name: 'read_file', input: { path: `${DIR}/flow/meta.ts` } } },
      { toolUse: { id: 'toolu_edit_meta', name: 'edit_file', input: { path: `${DIR}/flow/meta.ts`, old_text: 'd = 1', new_text: 'd = 2' } } },
      { text: 'Done.' },
    );
    const askedAt = Date.now();
    const asked = api.chat.ask({ text: 'Set d to 2' });
    await until('the approval card', () => waitingCard(api.chat.conversation.turns), 60_000);
    // The user takes a while to decide: this is the time under test (the requests alone never contain it).
    const HOLD_MS = 2000;
    await new Promise((resolve) => setTimeout(resolve, HOLD_MS));
    await api.chat.receiveFromWebview({ type: 'toolDecision', turnId: lastAnswer(api.chat.conversation.turns).id, toolUseId: 'toolu_edit_meta', decision: 'apply' });
    await asked;
    const wall = Date.now() - askedAt;
    const meta = lastAnswer(api.chat.conversation.turns).meta;
    assert.ok(meta, 'the answer has its meta');
    // Before the fix: the requests' durations added up (≤ wall − HOLD_MS); now: the loop's wall time.
    assert.ok(meta.durationMs <= wall, `${meta.durationMs} ms ≤ the test's own ${wall} ms`);
    assert.ok(meta.durationMs >= wall - HOLD_MS / 2, `${meta.durationMs} ms covers the ${HOLD_MS} ms approval wait of ${wall} ms in all`);
    const name = api.models.displayName(meta.model);
    assert.notEqual(name, meta.model, 'the model has a name of its own');
    assert.equal(meta.modelName, name, 'a tool-loop answer shows the model\'s name, not its id');
  });

  test('the chat: Reject leaves the file unchanged and sends is_error; Stop while a card waits leaves a valid next request', async () => {
    write('flow/d.ts', 'export const keep = true;\n');
    const edit = { toolUse: { id: 'toolu_rej', name: 'edit_file', input: { path: `${DIR}/flow/d.ts`, old_text: 'true', new_text: 'false' } } };
    await enqueue(edit, { text: 'Left as is.' });
    const asked = api.chat.ask({ text: 'Flip it' });
    await until('the card', () => waitingCard(api.chat.conversation.turns));
    await api.chat.receiveFromWebview({ type: 'toolDecision', turnId: lastAnswer(api.chat.conversation.turns).id, toolUseId: 'toolu_rej', decision: 'reject' });
    await asked;
    assert.equal(fs.readFileSync(abs('flow/d.ts'), 'utf8'), 'export const keep = true;\n');
    const requests = await simRequests<RecordedRequest>();
    const results = requests[1].body.messages[requests[1].body.messages.length - 1].content as { type: string; is_error?: boolean; content?: string }[];
    assert.equal(results[0].type, 'tool_result');
    assert.equal(results[0].is_error, true);
    assert.match(results[0].content ?? '', /declined/);

    await enqueue({ toolUse: { id: 'toolu_stop', name: 'edit_file', input: { path: `${DIR}/flow/d.ts`, old_text: 'true', new_text: 'false' } } }, { text: 'Fine.' });
    const stopped = api.chat.ask({ text: 'Flip it again' });
    await until('the second card', () => waitingCard(api.chat.conversation.turns));
    await vscode.commands.executeCommand('fastrouter.stop');
    await stopped;
    assert.equal(lastAnswer(api.chat.conversation.turns).status, 'stopped');
    await api.chat.ask({ text: 'Never mind' });
    const after = await simRequests<RecordedRequest>();
    assert.equal(after[after.length - 1].status, 200, 'the next request is valid');
    assert.equal(fs.readFileSync(abs('flow/d.ts'), 'utf8'), 'export const keep = true;\n');
  });

  test('tools off (fastrouter.tools.enabled false): no tools are sent', async () => {
    await setSetting('tools.enabled', false);
    try {
      await vscode.commands.executeCommand('fastrouter.newChat');
      await enqueue({ text: 'No tools.' });
      await api.chat.ask({ text: 'Hello' });
      const requests = await simRequests<RecordedRequest>();
      assert.equal(requests[requests.length - 1].body.tools, undefined);
    } finally {
      await setSetting('tools.enabled', undefined);
    }
  });
});
