// In-host tests of run_command and checkpoints (issue 17) on a real folder in a real extension host: exit codes,
// stderr, stdin at end-of-file, the timeout and Stop ending a child and a grandchild, cwd outside refused, a deny rule;
// in the chat against the simulator: Run → result sent, Reject → is_error; Restore after an edit, a new file and a
// command that creates/changes/deletes files, then Redo; a file the user changed since is kept.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { MessageParam } from '../../../src/api';
import type { AnswerBlock, Turn } from '../../../src/common/chatTypes';
import type { ParsedToolCall } from '../../../src/core/tools/definitions';
import type { PreparedToolCall, ToolRunResult } from '../../../src/core/tools/types';
import type { ExtensionApi } from '../../../src/extension';
import { WorkspaceTools } from '../../../src/host/tools';
import { activate, enqueue, lastAnswer, resetSim, setSetting, simRequests, until } from './support';

type ToolBlock = Extract<AnswerBlock, { kind: 'tool_use' }>;
interface RecordedRequest {
  body: { messages: MessageParam[]; tools?: { name: string }[] };
}

const ROOT = process.env.FASTROUTER_E2E_WORKSPACE ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '';
const DIR = 'commands-e2e';
const abs = (rel: string) => path.join(ROOT, DIR, rel);
const read = (rel: string) => fs.readFileSync(abs(rel), 'utf8');

function write(rel: string, content: string): void {
  fs.mkdirSync(path.dirname(abs(rel)), { recursive: true });
  fs.writeFileSync(abs(rel), content);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const toolRows = (turn: Turn | undefined): ToolBlock[] => (turn?.role === 'assistant' ? turn.blocks.filter((b): b is ToolBlock => b.kind === 'tool_use') : []);

function lastToolResult(request: RecordedRequest): { type: string; is_error?: boolean; content?: string } {
  const content = request.body.messages[request.body.messages.length - 1].content as { type: string; is_error?: boolean; content?: string }[];
  return content[0];
}

suite('run_command and checkpoints (real VS Code)', () => {
  let api: ExtensionApi;
  let tools: WorkspaceTools;

  async function prepare(input: ParsedToolCall['input'] & { command: string }): Promise<PreparedToolCall | { error: string }> {
    return tools.prepare({ name: 'run_command', input } as ParsedToolCall, { toolUseId: `toolu_${Math.random().toString(36).slice(2)}` });
  }

  async function runCommand(input: { command: string; cwd?: string; timeout_seconds?: number }, signal = new AbortController().signal): Promise<ToolRunResult> {
    const prepared = await prepare(input);
    assert.ok(!('error' in prepared), 'error' in prepared ? prepared.error : '');
    return prepared.run(signal);
  }

  /** Asks, and presses the card's button (Run / Apply, or Reject) on every card until the answer ends. */
  async function askAndDecide(text: string, decision: 'apply' | 'reject' = 'apply'): Promise<void> {
    let done = false;
    const asked = api.chat.ask({ text }).finally(() => (done = true));
    const decided = new Set<string>();
    while (!done) {
      const card = await until('a card or the end', () => {
        if (done) return 'end';
        return toolRows(api.chat.conversation.turns.at(-1)).find((b) => b.state === 'approval' && b.id && !decided.has(b.id));
      }, 30_000);
      if (card === 'end') break;
      decided.add(card.id!);
      await api.chat.receiveFromWebview({ type: 'toolDecision', turnId: lastAnswer(api.chat.conversation.turns).id, toolUseId: card.id!, decision });
    }
    await asked;
  }

  suiteSetup(async () => {
    api = await activate({ apiKey: 'test-key' });
    tools = new WorkspaceTools(api.settings);
    assert.ok(ROOT, 'a workspace folder');
    fs.rmSync(path.join(ROOT, DIR), { recursive: true, force: true });
    write('sub/keep.txt', 'keep\n');
  });

  suiteTeardown(async () => {
    tools?.dispose();
    await setSetting('tools.commandRules', undefined);
  });

  setup(async () => {
    api.chat.stop();
    await api.chat.idle();
    await resetSim();
  });

  test('exit codes, stderr interleaved, stdin at end-of-file, the folder it ran in', async () => {
    const failed = await runCommand({ command: 'echo out; echo err >&2; exit 3' });
    assert.match(failed.content, /Result: Exit code 3 after/);
    assert.match(failed.content, /out\nerr/);
    assert.equal(failed.isError, true);
    const stdin = await runCommand({ command: 'read line; echo "read:$?"; cat; echo done' });
    assert.match(stdin.content, /read:1\ndone/);
    assert.equal(stdin.isError, undefined);
    const cwd = await runCommand({ command: 'pwd; ls', cwd: `${DIR}/sub` });
    assert.match(cwd.content, /commands-e2e\/sub\nkeep\.txt/);
  });

  test('cwd outside the workspace is refused; a deny rule refuses without running', async () => {
    for (const cwd of ['..', '/tmp', `${DIR}/../..`]) {
      const refused = await prepare({ command: 'ls', cwd });
      assert.ok('error' in refused, `cwd ${cwd} refused`);
      assert.match(refused.error, /outside the workspace/);
    }
    await setSetting('tools.commandRules', { echo: true, touch: false });
    try {
      const denied = await prepare({ command: `echo hi && touch ${DIR}/denied.txt` });
      assert.ok('error' in denied);
      assert.match(denied.error, /rule "touch"/);
      assert.equal(fs.existsSync(abs('denied.txt')), false);
      const allowed = await prepare({ command: 'echo hi' });
      assert.ok(!('error' in allowed) && allowed.runsUnasked === true);
      const asks = await prepare({ command: 'echo $(whoami)' });
      assert.ok(!('error' in asks) && asks.runsUnasked === false);
    } finally {
      await setSetting('tools.commandRules', undefined);
    }
  });

  test('the timeout ends the command, its child and its grandchild', async function () {
    this.timeout(120_000);
    const result = await runCommand({ command: 'sh -c \'sleep 60 & echo grandchild:$!; wait\' & echo child:$!; wait', timeout_seconds: 1 });
    assert.match(result.content, /Timed out after 1 s/);
    const pids = [...result.content.matchAll(/(?:child|grandchild):(\d+)/g)].map((m) => Number(m[1]));
    assert.equal(pids.length, 2);
    await until('the processes gone', () => pids.every((pid) => !alive(pid)), 30_000);
  });

  test('the chat: Run → output in the row while it runs, the result sent; Stop ends child and grandchild', async function () {
    this.timeout(120_000);
    await enqueue(
      { toolUse: { id: 'toolu_run', name: 'run_command', input: { command: 'echo hello-from-run; echo oops >&2' } } },
      { text: 'It printed hello.' },
    );
    await askAndDecide('Run it');
    const rows = toolRows(lastAnswer(api.chat.conversation.turns));
    assert.equal(rows[0].state, 'done');
    const requests = await simRequests<RecordedRequest>();
    assert.equal(requests[0].body.tools?.some((t) => t.name === 'run_command'), true);
    const result = lastToolResult(requests[1]);
    assert.match(result.content ?? '', /Exit code 0[\s\S]*hello-from-run\noops/);

    await enqueue(
      { toolUse: { id: 'toolu_long', name: 'run_command', input: { command: 'sh -c \'sleep 60 & echo grandchild:$!; wait\' & echo child:$!; wait' } } },
      { text: 'Stopped.' },
    );
    const asked = api.chat.ask({ text: 'Run something long' });
    const card = await until('the card', () => toolRows(api.chat.conversation.turns.at(-1)).find((b) => b.state === 'approval'));
    assert.equal(card.command?.command.includes('sleep 60'), true);
    assert.ok((card.command?.parts.length ?? 0) >= 2, 'the card lists the parts');
    await api.chat.receiveFromWebview({ type: 'toolDecision', turnId: lastAnswer(api.chat.conversation.turns).id, toolUseId: 'toolu_long', decision: 'apply' });
    const live = await until('live output in the row', () => toolRows(api.chat.conversation.turns.at(-1)).find((b) => /grandchild:\d+/.test(b.output ?? '')), 30_000);
    const pids = [...(live.output ?? '').matchAll(/(?:child|grandchild):(\d+)/g)].map((m) => Number(m[1]));
    assert.equal(pids.length, 2);
    await vscode.commands.executeCommand('fastrouter.stop');
    await asked;
    await until('child and grandchild gone', () => pids.every((pid) => !alive(pid)), 30_000);
  });

  test('the chat: Reject sends is_error saying the user declined; nothing runs', async () => {
    await enqueue({ toolUse: { id: 'toolu_no', name: 'run_command', input: { command: `touch ${DIR}/rejected.txt` } } }, { text: 'OK.' });
    await askAndDecide('Touch it', 'reject');
    assert.equal(fs.existsSync(abs('rejected.txt')), false);
    const requests = await simRequests<RecordedRequest>();
    const result = lastToolResult(requests[1]);
    assert.equal(result.is_error, true);
    assert.match(result.content ?? '', /declined to run this command/);
  });

  test('Restore after an edit, a new file and a command that creates, changes and deletes files; then Redo', async function () {
    this.timeout(120_000);
    await vscode.commands.executeCommand('fastrouter.newChat');
    write('r/a.txt', 'a1\n');
    write('r/b.txt', 'b1\n');
    write('r/gone.txt', 'gone\n');
    await enqueue({ text: 'An earlier answer.' });
    await api.chat.ask({ text: 'Earlier question' });
    await enqueue(
      { toolUse: { id: 'toolu_e', name: 'edit_file', input: { path: `${DIR}/r/a.txt`, old_text: 'a1', new_text: 'a2' } } },
      { toolUse: { id: 'toolu_c', name: 'create_file', input: { path: `${DIR}/r/new.txt`, content: 'new\n' } } },
      { toolUse: { id: 'toolu_cmd', name: 'run_command', input: { command: 'echo made > made.txt; echo b2 > b.txt; rm gone.txt', cwd: `${DIR}/r` } } },
      { text: 'All done.' },
    );
    await askAndDecide('Change things');
    assert.equal(read('r/a.txt'), 'a2\n');
    assert.equal(read('r/new.txt'), 'new\n');
    assert.equal(read('r/made.txt'), 'made\n');
    assert.equal(read('r/b.txt'), 'b2\n');
    assert.equal(fs.existsSync(abs('r/gone.txt')), false);
    const turns = api.chat.conversation.turns;
    assert.equal(turns.length, 4);
    const question = turns[2];

    await api.chat.receiveFromWebview({ type: 'restoreQuestion', turnId: question.id });
    assert.equal(read('r/a.txt'), 'a1\n');
    assert.equal(read('r/b.txt'), 'b1\n');
    assert.equal(read('r/gone.txt'), 'gone\n');
    assert.equal(fs.existsSync(abs('r/new.txt')), false);
    assert.equal(fs.existsSync(abs('r/made.txt')), false);
    assert.deepEqual(api.chat.conversation.turns.map((t) => t.id), turns.slice(0, 2).map((t) => t.id), 'rewound to before the question');

    await api.chat.redoRestore();
    assert.equal(read('r/a.txt'), 'a2\n');
    assert.equal(read('r/made.txt'), 'made\n');
    assert.equal(fs.existsSync(abs('r/gone.txt')), false);
    assert.equal(api.chat.conversation.turns.length, 4, 'the question and its answer are back');
  });

  test('Restore keeps a file the user changed since (after asking), and restores the others', async function () {
    this.timeout(120_000);
    await vscode.commands.executeCommand('fastrouter.newChat');
    write('k/mine.txt', 'm1\n');
    write('k/other.txt', 'o1\n');
    await enqueue(
      { toolUse: { id: 'toolu_k', name: 'run_command', input: { command: 'echo m2 > mine.txt; echo o2 > other.txt', cwd: `${DIR}/k` } } },
      { text: 'Changed.' },
    );
    await askAndDecide('Change both');
    write('k/mine.txt', 'm2 plus my own edit\n');
    const checkpoints = api.chat.checkpoints!;
    const original = checkpoints.decideConflicts;
    const asked: string[][] = [];
    checkpoints.decideConflicts = async (conflicts) => {
      asked.push(conflicts.map((c) => path.basename(c.path)));
      return new Set();
    };
    try {
      await api.chat.receiveFromWebview({ type: 'restoreQuestion', turnId: api.chat.conversation.turns[0].id });
    } finally {
      checkpoints.decideConflicts = original;
    }
    assert.deepEqual(asked, [['mine.txt']]);
    assert.equal(read('k/mine.txt'), 'm2 plus my own edit\n');
    assert.equal(read('k/other.txt'), 'o1\n');
  });
  test('the answer lists the files its tools and commands changed (+/−), and each opens its diff: before the question ↔ now', async function () {
    this.timeout(120_000);
    await vscode.commands.executeCommand('fastrouter.newChat');
    write('c/a.txt', 'a1\nsame\n');
    write('c/gone.txt', 'g1\ng2\n');
    await enqueue(
      { toolUse: { id: 'toolu_ce', name: 'edit_file', input: { path: `${DIR}/c/a.txt`, old_text: 'a1', new_text: 'a2\nadded' } } },
      { toolUse: { id: 'toolu_cc', name: 'run_command', input: { command: 'printf "m1\\nm2\\nm3\\n" > made.txt; rm gone.txt', cwd: `${DIR}/c` } } },
      { text: 'Done.' },
    );
    await askAndDecide('Change things');
    const answer = lastAnswer(api.chat.conversation.turns);
    assert.deepEqual(answer.changes, [
      { path: `${DIR}/c/a.txt`, added: 2, removed: 1 },
      { path: `${DIR}/c/gone.txt`, added: 0, removed: 2, deleted: true },
      { path: `${DIR}/c/made.txt`, added: 3, removed: 0, created: true },
    ]);
    // An answer without tools has no list.
    await enqueue({ text: 'Just words.' });
    await api.chat.ask({ text: 'Explain' });
    assert.equal(lastAnswer(api.chat.conversation.turns).changes, undefined);

    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await api.chat.receiveFromWebview({ type: 'openFileChange', turnId: answer.id, index: 0 });
    const diff = await until('the diff editor', () => {
      const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
      return input instanceof vscode.TabInputTextDiff ? input : undefined;
    }, 30_000);
    assert.equal(diff.original.scheme, 'fastrouter-checkpoint');
    assert.equal(diff.modified.fsPath, abs('c/a.txt'));
    assert.equal((await vscode.workspace.openTextDocument(diff.original)).getText(), 'a1\nsame\n', 'the left side is the file before the question');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('edit_file into a document with unsaved changes: Restore gives back the file as saved and the unsaved text; Redo the edit', async function () {
    this.timeout(120_000);
    await vscode.commands.executeCommand('fastrouter.newChat');
    write('u/doc.txt', 'line1\nline2\n');
    const document = await vscode.workspace.openTextDocument(abs('u/doc.txt'));
    await vscode.window.showTextDocument(document);
    const mine = new vscode.WorkspaceEdit();
    mine.insert(document.uri, new vscode.Position(2, 0), 'my unsaved line\n');
    assert.ok(await vscode.workspace.applyEdit(mine));
    assert.equal(document.isDirty, true);
    try {
      await enqueue(
        { toolUse: { id: 'toolu_u', name: 'edit_file', input: { path: `${DIR}/u/doc.txt`, old_text: 'line1', new_text: 'LINE1' } } },
        { text: 'Edited.' },
      );
      await askAndDecide('Edit the open file');
      assert.equal(document.getText(), 'LINE1\nline2\nmy unsaved line\n');
      assert.equal(read('u/doc.txt'), 'line1\nline2\n', 'the edit went into the editor, not the file');
      assert.deepEqual(lastAnswer(api.chat.conversation.turns).changes, [{ path: `${DIR}/u/doc.txt`, added: 1, removed: 1 }]);

      await api.chat.receiveFromWebview({ type: 'restoreQuestion', turnId: api.chat.conversation.turns[0].id });
      await until('the unsaved text back', () => document.getText() === 'line1\nline2\nmy unsaved line\n', 30_000);
      assert.equal(document.isDirty, true, 'still unsaved, as the user had it');
      assert.equal(read('u/doc.txt'), 'line1\nline2\n', 'the file as saved');
      assert.equal(api.chat.conversation.turns.length, 0);

      await api.chat.redoRestore();
      await until('the edit back', () => document.getText() === 'LINE1\nline2\nmy unsaved line\n', 30_000);
      assert.equal(document.isDirty, true);
      assert.equal(read('u/doc.txt'), 'line1\nline2\n');
      assert.equal(api.chat.conversation.turns.length, 2, 'the question and its answer are back');
    } finally {
      await vscode.window.showTextDocument(document);
      await vscode.commands.executeCommand('workbench.action.files.revert');
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    }
  });
});
