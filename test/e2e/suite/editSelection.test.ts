// In-host tests of Edit Selection (issue 19): the replacement streamed from the simulator into a real editor as an
// inline diff, Accept / Reject per hunk and for all, Stop half way, the user typing during the stream, Fix with
// FastRouter and Explain with FastRouter on a real diagnostic, and keybindings that do not clash with VS Code's.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../../src/extension';
import type { EditSession } from '../../../src/host/inline/editSession';
import { OPEN_REVIEWS_KEY, REVIEW_BEFORE_SCHEME } from '../../../src/host/inline/reviewSafety';
import { WorkspaceTools } from '../../../src/host/tools';
import { EXTENSION_ID, activate, enqueue, resetSim, simRequests, until } from './support';

interface RecordedRequest {
  body: { system?: string | { type: string; text: string }[]; messages: { role: string; content: string | { type: string; text?: string }[] }[] };
}

const ORIGINAL = [
  'export function total(items: Item[]): number {',
  '  let sum = 0;',
  '  for (const item of items) {',
  '    sum += item.price;',
  '  }',
  '  return sum;',
  '}',
  '',
  'export function count(items: Item[]): number {',
  '  return items.length;',
  '}',
  '',
].join('\n');

/** The model's reply for total(): two hunks (a changed line inside the loop, a line added before the return). */
const REPLY_LINES = [
  'export function total(items: Item[]): number {',
  '  let sum = 0;',
  '  for (const item of items) {',
  '    sum += item.price * item.quantity;',
  '  }',
  '  sum = Math.round(sum * 100) / 100;',
  '  return sum;',
  '}',
];

function lastUserText(request: RecordedRequest): string {
  const last = request.body.messages[request.body.messages.length - 1];
  return typeof last.content === 'string' ? last.content : last.content.map((b) => b.text ?? '').join('');
}

/** The reply as one delta per line, fenced as models often do. */
function fencedDeltas(lines: readonly string[]): string[] {
  return ['```typescript\n', ...lines.map((l) => `${l}\n`), '```'];
}

suite('edit selection: inline diff in the editor', () => {
  let api: ExtensionApi;
  let workspace: string;
  let counter = 0;

  suiteSetup(async () => {
    api = await activate({ apiKey: 'test-key' });
    workspace = vscode.workspace.workspaceFolders![0].uri.fsPath;
  });

  setup(async () => {
    await resetSim();
  });

  teardown(async () => {
    for (const session of api.edit.reviews.all()) await session.rejectAll();
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  async function openFile(text: string, name = `edit-${++counter}.ts`): Promise<vscode.TextEditor> {
    const file = path.join(workspace, name);
    fs.writeFileSync(file, text);
    return vscode.window.showTextDocument(await vscode.workspace.openTextDocument(file));
  }

  /** Starts Edit Selection on lines [start, end] (0-based) and returns its live session as soon as it exists. */
  async function startEdit(editor: vscode.TextEditor, start: number, end: number, instruction = 'Multiply by quantity and round'): Promise<{ session: EditSession; done: Promise<unknown> }> {
    editor.selection = new vscode.Selection(start, 0, end, editor.document.lineAt(end).text.length);
    const done = Promise.resolve(vscode.commands.executeCommand('fastrouter.editSelection', { instruction }));
    const session = await until('the edit session', () => api.edit.reviews.all().find((s) => s.document === editor.document));
    return { session, done };
  }

  test('the replacement streams into the editor as an inline diff; the request names the file, language and asks for code only', async () => {
    const editor = await openFile(ORIGINAL);
    const onDisk = fs.readFileSync(editor.document.uri.fsPath, 'utf8');
    await enqueue({ text: fencedDeltas(REPLY_LINES), deltaDelayMs: 60 });
    const { session, done } = await startEdit(editor, 0, 6);
    // While it streams: an added line is in the document before the reply has ended.
    await until('an added line while streaming', () => session.state === 'streaming' && editor.document.getText().includes('item.price * item.quantity'));
    assert.ok(session.ranges('added').length > 0, 'added lines are decorated');
    await done;
    assert.equal(session.state, 'review');
    const text = editor.document.getText();
    assert.ok(text.includes('    sum += item.price;\n    sum += item.price * item.quantity;\n'), `removed line above its replacement:\n${text}`);
    assert.equal(session.hunks().length, 2, 'two hunks');
    assert.equal(session.ranges('removed').length, 1);
    assert.equal(session.ranges('added').length, 2);
    assert.ok(!text.includes('```'), 'the fence is not in the document');
    assert.equal(fs.readFileSync(editor.document.uri.fsPath, 'utf8'), onDisk, 'nothing saved');
    assert.ok(editor.document.isDirty);

    const request = (await simRequests<RecordedRequest>())[0];
    const user = lastUserText(request);
    assert.match(user, /File `edit-\d+\.ts` \(typescript\)/);
    assert.match(user, /The code to rewrite \(lines 1-7\)/);
    assert.match(user, /Lines after the code \(context only/);
    assert.match(user, /Instruction: Multiply by quantity and round/);
    const system = typeof request.body.system === 'string' ? request.body.system : (request.body.system ?? []).map((b) => b.text).join('');
    assert.match(system, /replacement .*and nothing else/);
    assert.ok(session.meta && session.meta.outputTokens > 0, 'tokens and cost known');
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', editor.document.uri);
    const titles = lenses.map((l) => l.command?.title);
    for (const title of ['Accept All', 'Reject All', 'Accept', 'Reject']) assert.ok(titles.includes(title), `a lens "${title}": ${titles.join(', ')}`);
  });

  test('Accept All leaves the reply, and one Undo gives the code as it was', async () => {
    const editor = await openFile(ORIGINAL);
    await enqueue({ text: fencedDeltas(REPLY_LINES) });
    const { session, done } = await startEdit(editor, 0, 6);
    await done;
    await vscode.commands.executeCommand('fastrouter.editSelection.acceptAll');
    await session.idle();
    assert.equal(editor.document.getText(), REPLY_LINES.join('\n') + '\n' + ORIGINAL.split('\n').slice(7).join('\n'));
    assert.equal(session.state, 'ended');
    assert.equal(session.diff.acceptedText() + ORIGINAL.split('\n').slice(7).join('\n'), editor.document.getText(), 'the engine agrees');
    await vscode.commands.executeCommand('undo');
    await until('undone', () => editor.document.getText() === ORIGINAL);
  });

  test('Reject All puts a CRLF file with tabs and no final newline back byte for byte', async () => {
    const original = 'function f() {\r\n\tconst a = 1;\r\n\treturn a;\r\n}';
    const editor = await openFile(original);
    await enqueue({ text: ['function f() {\n', '\tconst a = 2;\n', '\tconst b = 3;\n', '\treturn a + b;\n', '}\n'] });
    const { session, done } = await startEdit(editor, 0, 3);
    await done;
    assert.ok(session.hunks().length > 0);
    assert.ok(editor.document.getText().includes('\tconst b = 3;\r\n'), 'new lines use the file\'s CRLF');
    await vscode.commands.executeCommand('fastrouter.editSelection.rejectAll');
    await session.idle();
    assert.equal(editor.document.getText(), original);
  });

  test('per hunk: accept the first, reject the second gives exactly the engine\'s text', async () => {
    const editor = await openFile(ORIGINAL);
    await enqueue({ text: fencedDeltas(REPLY_LINES) });
    const { session, done } = await startEdit(editor, 0, 6);
    await done;
    const [first, second] = session.hunks();
    await vscode.commands.executeCommand('fastrouter.editSelection.accept', editor.document.uri.toString(), first.hunk);
    await session.idle();
    assert.equal(session.hunks().length, 1, 'one hunk left');
    // The keyboard form: the hunk at the cursor.
    editor.selection = new vscode.Selection(session.hunks()[0].line, 0, session.hunks()[0].line, 0);
    await vscode.commands.executeCommand('fastrouter.editSelection.reject');
    await session.idle();
    assert.equal(session.state, 'ended');
    const expected = session.diff.textWith((h) => h === first.hunk) + ORIGINAL.split('\n').slice(7).join('\n');
    assert.equal(editor.document.getText(), expected);
    assert.ok(expected.includes('item.price * item.quantity') && !expected.includes('Math.round'));
    void second;
  });

  test('Stop half way: what arrived can be reviewed, the code not reached stays as it was', async () => {
    const editor = await openFile(ORIGINAL);
    // Slow enough that Stop lands long before the next line, even on a loaded machine.
    await enqueue({ text: fencedDeltas(REPLY_LINES), deltaDelayMs: 1500 });
    const { session, done } = await startEdit(editor, 0, 6);
    await until('the changed line arrived', () => editor.document.getText().includes('item.price * item.quantity'), 30_000);
    await vscode.commands.executeCommand('fastrouter.editSelection.stop');
    await done;
    assert.equal(session.state, 'review');
    assert.ok(!editor.document.getText().includes('Math.round'), 'the rest never arrived');
    assert.ok(editor.document.getText().includes('  return sum;\n}\n'), 'the lines not reached are still there');
    await vscode.commands.executeCommand('fastrouter.editSelection.rejectAll');
    await session.idle();
    assert.equal(editor.document.getText(), ORIGINAL);
  });

  test('the user types above and below the code while it streams: nothing they typed is lost', async () => {
    const editor = await openFile(ORIGINAL);
    await enqueue({ text: fencedDeltas(REPLY_LINES), deltaDelayMs: 80 });
    const { session, done } = await startEdit(editor, 0, 6);
    await until('the first lines arrived', () => session.updates > 0);
    // Typing above the code and at the end of the file, one keystroke per edit, while lines arrive.
    const typeAt = async (where: () => vscode.Position, text: string) => {
      for (const ch of text) assert.ok(await editor.edit((b) => b.insert(where(), ch)), 'typed');
    };
    let typed = 0;
    for (const ch of '// header\n') {
      await typeAt(() => new vscode.Position(0, typed), ch);
      typed = ch === '\n' ? 0 : typed + 1;
    }
    await typeAt(() => editor.document.lineAt(editor.document.lineCount - 1).range.end, '// footer typed while streaming');
    assert.equal(session.state, 'streaming', 'typed while it streamed');
    await done;
    assert.equal(session.state, 'review');
    await vscode.commands.executeCommand('fastrouter.editSelection.acceptAll');
    await session.idle();
    const rest = ORIGINAL.split('\n').slice(7).join('\n');
    assert.equal(editor.document.getText(), '// header\n' + REPLY_LINES.join('\n') + '\n' + rest + '// footer typed while streaming');
  });

  test('a line the user edits inside the diff is theirs: Reject All keeps it', async () => {
    const editor = await openFile(ORIGINAL);
    await enqueue({ text: fencedDeltas(REPLY_LINES) });
    const { session, done } = await startEdit(editor, 0, 6);
    await done;
    const line = editor.document.getText().split('\n').indexOf('  sum = Math.round(sum * 100) / 100;');
    assert.ok(line > 0);
    await editor.edit((b) => b.insert(new vscode.Position(line, editor.document.lineAt(line).text.length), ' // mine'));
    await vscode.commands.executeCommand('fastrouter.editSelection.rejectAll');
    await session.idle();
    assert.ok(editor.document.getText().includes('  sum = Math.round(sum * 100) / 100; // mine\n'), 'the edited line stays');
    assert.equal(editor.document.getText().replace('  sum = Math.round(sum * 100) / 100; // mine\n', ''), ORIGINAL, 'everything else as it was');
  });

  test('Fix with FastRouter on a real diagnostic: offered as a quick fix with nothing sent, then edits the enclosing block', async () => {
    const editor = await openFile(ORIGINAL);
    const diagnostics = vscode.languages.createDiagnosticCollection('edit-test');
    try {
      const range = new vscode.Range(3, 4, 3, 22);
      diagnostics.set(editor.document.uri, [
        new vscode.Diagnostic(range, "Property 'price' does not exist on type 'Item'.", vscode.DiagnosticSeverity.Error),
        new vscode.Diagnostic(new vscode.Range(9, 2, 9, 8), 'Unused return', vscode.DiagnosticSeverity.Warning),
      ]);
      const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', editor.document.uri, range, vscode.CodeActionKind.QuickFix.value);
      const fix = actions.find((a) => a.title === 'Fix with FastRouter');
      const explain = actions.find((a) => a.title === 'Explain with FastRouter');
      assert.ok(fix && explain, `both actions offered: ${actions.map((a) => a.title).join(', ')}`);
      assert.equal(fix.kind?.value, vscode.CodeActionKind.QuickFix.value);
      assert.equal((await simRequests()).length, 0, 'offering the actions sent nothing');

      await enqueue({ text: fencedDeltas(REPLY_LINES) });
      await vscode.commands.executeCommand(fix.command!.command, ...(fix.command!.arguments ?? []));
      const request = await until('the fix request', async () => (await simRequests<RecordedRequest>())[0]);
      const user = lastUserText(request);
      assert.match(user, /Instruction: Fix: Property 'price' does not exist on type 'Item'\./);
      assert.match(user, /Problems reported on this code:\n(- .*\n)*- error \(line 4\): Property 'price'/);
      assert.ok(!user.includes('Unused return'), 'only the problems of the edited lines');
      const session = api.edit.reviews.all().find((s) => s.document === editor.document)!;
      assert.equal(session.start, 0, 'widened to the enclosing function');
      assert.match(user, /The code to rewrite \(lines 1-7\)/);

      await resetSim();
      await session.rejectAll();
      await enqueue({ text: 'The item type has no price field.' });
      const before = api.inline.threads.length;
      await vscode.commands.executeCommand(explain.command!.command, ...(explain.command!.arguments ?? []));
      const thread = await until('the explanation', () => api.inline.threads.length > before && api.inline.threads.at(-1)!.status !== 'streaming' && api.inline.threads.at(-1));
      assert.match(thread.text, /no price field/);
      const explainRequest = lastUserText((await simRequests<RecordedRequest>())[0]);
      assert.match(explainRequest, /Explain this problem and how to fix it:\n(- .*\n)*- error \(line 4\): Property 'price'/);
      await vscode.commands.executeCommand('fastrouter.inline.dismiss', thread.thread);
    } finally {
      diagnostics.dispose();
    }
  });

  test('keybindings of Edit Selection and its review do not clash with VS Code\'s defaults', async () => {
    const manifest = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as { contributes: { keybindings: { command: string; key: string }[] } };
    const ours = manifest.contributes.keybindings.filter((k) => k.command.startsWith('fastrouter.editSelection'));
    assert.equal(ours.length, 5);
    await vscode.commands.executeCommand('workbench.action.openDefaultKeybindingsFile');
    const defaults = await until('the default keybindings', () => {
      const doc = vscode.window.activeTextEditor?.document;
      return doc && doc.getText().includes('"key"') ? doc.getText() : undefined;
    });
    // The file lists every contributed binding, ours too: only the others count.
    const taken = new Map<string, string[]>();
    for (const match of defaults.matchAll(/\{\s*"key":\s*"([^"]+)",\s*"command":\s*"([^"]+)"/g)) {
      if (!match[2].startsWith('fastrouter.')) taken.set(match[1], [...(taken.get(match[1]) ?? []), match[2]]);
    }
    for (const binding of ours) assert.ok(!taken.has(binding.key), `${binding.key} (${binding.command}) is VS Code's ${taken.get(binding.key)?.join(', ')}`);
    assert.ok(taken.get('ctrl+shift+k')?.includes('editor.action.deleteLines'), 'the defaults were read');
  });

  test('the edit card\'s Show Diff is editable: Apply writes what the user left there and tells the model what they changed', async () => {
    const file = path.join(workspace, 'reviewed.ts');
    fs.writeFileSync(file, 'export const a = 1;\nexport const b = 2;\n');
    const tools = new WorkspaceTools(api.settings);
    try {
      const prepared = await tools.prepare({ name: 'edit_file', input: { path: 'reviewed.ts', old_text: 'export const b = 2;', new_text: 'export const b = 3;' } }, { toolUseId: 'toolu_review' });
      assert.ok(!('error' in prepared), 'error' in prepared ? prepared.error : '');
      assert.ok(await tools.showDiff('toolu_review'));
      const proposed = await until('the proposed side in the diff editor', () => {
        const editor = vscode.window.activeTextEditor;
        return editor?.document.uri.scheme.startsWith('fastrouter-proposed') ? editor : undefined;
      });
      assert.equal(proposed.document.getText(), 'export const a = 1;\nexport const b = 3;\n');
      // The user fixes the proposal in place (and does not save it).
      assert.ok(await proposed.edit((e) => e.insert(new vscode.Position(2, 0), 'export const c = 4; // mine\n')), 'the proposed side takes typing');
      const result = await prepared.run(new AbortController().signal);
      assert.equal(fs.readFileSync(file, 'utf8'), 'export const a = 1;\nexport const b = 3;\nexport const c = 4; // mine\n', 'exactly what the user left');
      assert.match(result.content, /the user edited your proposed version/);
      assert.match(result.content, /```diff\n@@ -1,3 \+1,4 @@\n export const a = 1;\n export const b = 3;\n\+export const c = 4; \/\/ mine\n/);
      assert.equal(proposed.document.isDirty, false, 'the proposed side is settled, closing it asks nothing');
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
      tools.dispose();
    }
  });

  test('measures: a 500-line replacement streamed fast (editor updates per second, longest extension-host task)', async () => {
    // Short lines: 500 of them stay under fastrouter.maxSelectionChars (a longer selection asks first).
    const original = Array.from({ length: 500 }, (_, i) => `  v${i} = f(x${i});`).join('\n') + '\n';
    const replyLines = original.split('\n').slice(0, 500).map((line, i) => (i % 5 === 0 ? line.replace(' f(', ' g(') : line));
    // Plain text: no language extension works on each change in the same extension host, so the delay is ours.
    const editor = await openFile(original, 'bench-500.txt');
    // One delta per ~12 characters, as models stream.
    const reply = replyLines.join('\n') + '\n';
    const deltas: string[] = [];
    for (let i = 0; i < reply.length; i += 12) deltas.push(reply.slice(i, i + 12));
    // A fast model: a delta every 2 ms (the simulator's delay), about 6,000 characters a second.
    await enqueue({ text: deltas, deltaDelayMs: 2 });
    const lag = monitorEventLoopDelay({ resolution: 5 });
    lag.enable();
    const started = performance.now();
    const { session, done } = await startEdit(editor, 0, 499, 'Use g for every fifth value');
    await done;
    await session.idle();
    const seconds = (performance.now() - started) / 1000;
    lag.disable();
    assert.equal(session.hunks().length, 100);
    await vscode.commands.executeCommand('fastrouter.editSelection.acceptAll');
    await session.idle();
    assert.equal(editor.document.getText(), reply);
    console.log(`[measure] 500-line replacement, ${deltas.length} deltas: ${session.updates} editor updates in ${seconds.toFixed(2)} s = ${(session.updates / seconds).toFixed(0)} updates/s; longest plan of an update (ours) ${session.longestPlanMs.toFixed(1)} ms; longest extension-host event-loop delay (all extensions) ${(lag.max / 1e6).toFixed(1)} ms (p99 ${(lag.percentile(99) / 1e6).toFixed(1)} ms)`);
  });
  test('a save during a review says once that both sides were saved; the open review is recorded until decided, then Reject All from the warning', async () => {
    const safety = api.edit.safety!;
    const editor = await openFile(ORIGINAL);
    await enqueue({ text: fencedDeltas(REPLY_LINES) });
    const warnings: string[] = [];
    const warn = safety.warn;
    let choose: string | undefined;
    safety.warn = async (text, ...items) => {
      warnings.push(text);
      assert.deepEqual(items, ['Accept All', 'Reject All']);
      return choose;
    };
    try {
      const { session, done } = await startEdit(editor, 0, 6);
      await done;
      const uri = editor.document.uri.toString();
      const record = await until('the open review recorded', () => safety.read().find((r) => r.uri === uri));
      assert.equal(record.before, ORIGINAL, 'the document before the review is kept with the record');
      assert.ok(editor.document.getText().includes('item.price * item.quantity') && editor.document.getText().includes('sum += item.price;'), 'both sides are in the document');
      await editor.document.save();
      await until('the warning', () => warnings.length === 1);
      assert.match(warnings[0]!, /was saved with both sides of its open Edit Selection review/);
      await editor.document.save();
      assert.equal(warnings.length, 1, 'said once per review');
      // Next review: its first save's warning, answered with Reject All, ends the review with the code as it was.
      await session.rejectAll();
      await session.idle();
      await until('the record goes when the review ends', () => !safety.read().some((r) => r.uri === uri));
      await enqueue({ text: fencedDeltas(REPLY_LINES) });
      choose = 'Reject All';
      const second = await startEdit(editor, 0, 6);
      await second.done;
      await editor.document.save();
      await until('Reject All from the warning', () => second.session.state === 'ended' && editor.document.getText() === ORIGINAL);
      assert.equal(warnings.length, 2);
      await until('no record left', () => !safety.read().some((r) => r.uri === uri));
    } finally {
      safety.warn = warn;
    }
  });

  test('a review a closed window left open is named by the next one, with the diff against the text before it', async () => {
    const safety = api.edit.safety!;
    const editor = await openFile('const answer = 41;\nconst answer = 42;\n');
    const uri = editor.document.uri.toString();
    // What a window that closed mid-review leaves in the workspace state (its sessions are gone with it).
    await safety.state.update(OPEN_REVIEWS_KEY, [...safety.read(), { id: 'closed-window-1', uri, name: path.basename(editor.document.uri.fsPath), startedAt: Date.now(), before: 'const answer = 41;\n' }]);
    const warnings: { text: string; items: string[] }[] = [];
    const warn = safety.warn;
    safety.warn = async (text, ...items) => {
      warnings.push({ text, items });
      return 'Compare with Before the Edit';
    };
    try {
      await safety.reportCutShort();
      assert.equal(warnings.length, 1);
      assert.match(warnings[0]!.text, /An Edit Selection review of edit-\d+\.ts was cut short when the window closed/);
      assert.deepEqual(warnings[0]!.items, ['Compare with Before the Edit']);
      assert.ok(!safety.read().some((r) => r.id === 'closed-window-1'), 'reported once: the record goes');
      const tab = await until('the diff tab', () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputTextDiff && t.input.modified.toString() === uri));
      const input = tab.input as vscode.TabInputTextDiff;
      assert.equal(input.original.scheme, REVIEW_BEFORE_SCHEME);
      assert.equal((await vscode.workspace.openTextDocument(input.original)).getText(), 'const answer = 41;\n');
      await safety.reportCutShort();
      assert.equal(warnings.length, 1, 'nothing left to report');
    } finally {
      safety.warn = warn;
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    }
  });
});
