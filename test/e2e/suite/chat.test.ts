// In-host tests of the chat panel's host side (issue 3 §6, issue 4 §3-6) in code-server's real extension host,
// against the local simulator: streaming into the conversation, history, Stop aborting the HTTP request,
// errors keeping the partial answer, thinking signatures round trip, persistence on disk, code actions in the editor.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ContentBlock, MessageParam } from '../../../src/api';
import { ConversationController } from '../../../src/core/conversation/conversationController';
import { ConversationStore } from '../../../src/core/conversation/conversationStore';
import { buildUserContent } from '../../../src/core/request/prompt';
import type { ExtensionApi } from '../../../src/extension';
import type { AssistantTurn } from '../../../src/common/chatTypes';
import { thinkingSignature } from '../../support/simulatorAnswer';
import { activate, enqueue, lastAnswer, resetSim, simRequests, until } from './support';


interface RecordedRequest {
  path: string;
  body: { messages: MessageParam[] };
  aborted?: boolean;
  completed?: boolean;
}

const requests = () => simRequests<RecordedRequest>();

function textOf(turn: AssistantTurn): string {
  return turn.blocks.map((b) => (b.kind === 'text' ? b.text : '')).join('');
}

suite('chat panel (host side)', () => {
  let api: ExtensionApi;

  suiteSetup(async () => {
    api = await activate({ apiKey: 'test-key' });
  });

  setup(async () => {
    // A test that failed mid-stream must not leave an answer running into the next one.
    api.chat.stop();
    await api.chat.idle();
    await vscode.commands.executeCommand('fastrouter.newChat');
    await resetSim();
  });

  test('the chat view loads its page, which says ready under the strict CSP', async () => {
    await vscode.commands.executeCommand('fastrouter.openChat');
    await until('the chat page to post ready', () => api.chat.provider.isReady, 30_000);
  });

  test('ask() streams the simulator answer into the conversation', async () => {
    const deltas = ['Closures ', 'capture ', 'the ', 'variables ', 'of ', 'their ', 'scope.'];
    await enqueue({ text: deltas, deltaDelayMs: 5, cost: 0.002 });
    await api.chat.ask({ text: 'What is a closure?' });
    const turns = api.chat.conversation.turns;
    assert.equal(turns.length, 2);
    assert.equal(turns[0].role === 'user' && turns[0].text, 'What is a closure?');
    const answer = lastAnswer(turns);
    assert.equal(answer.status, 'done');
    assert.equal(textOf(answer), deltas.join(''));
    assert.deepEqual(answer.meta?.cost, { kind: 'billed', credits: 0.002 });
    const [request] = await requests();
    // Prompt caching (on by default): the question is the rolling cache breakpoint.
    assert.deepEqual(request.body.messages, [{ role: 'user', content: [{ type: 'text', text: 'What is a closure?', cache_control: { type: 'ephemeral' } }] }]);
  });

  test('a second question sends the history', async () => {
    await enqueue({ text: 'First answer.' }, { text: 'Second answer.' });
    await api.chat.ask({ text: 'First?' });
    await api.chat.ask({ text: 'Second?' });
    const recorded = await requests();
    assert.equal(recorded.length, 2);
    assert.deepEqual(recorded[1].body.messages, [
      { role: 'user', content: [{ type: 'text', text: 'First?', cache_control: { type: 'ephemeral' } }] },
      { role: 'assistant', content: [{ type: 'text', text: 'First answer.' }] },
      { role: 'user', content: [{ type: 'text', text: 'Second?', cache_control: { type: 'ephemeral' } }] },
    ], 'the rolling breakpoint on the new question, and one on the question before, where the first request wrote (issue 14 §4)');
  });

  test('New Chat, then a question sent while the view is still coming up: the question is the new chat\'s, and its answer is not stopped', async () => {
    await enqueue({ text: 'Old answer.' });
    await api.chat.ask({ text: 'A question in the old chat' });
    const oldId = api.chat.conversation.id;
    // The view closed, so New Chat has to bring it up; the page's question arrives meanwhile (as it does when the
    // user types at once, or on a loaded machine).
    await vscode.commands.executeCommand('workbench.action.closeSidebar');
    await enqueue({ text: 'New answer.' });
    const cleared = api.chat.newChatAndReveal();
    const sent = api.chat.receiveFromWebview({ type: 'send', text: 'The new chat\'s first question', images: [] });
    await Promise.all([cleared, sent]);
    await api.chat.idle();
    assert.notEqual(api.chat.conversation.id, oldId);
    const turns = api.chat.conversation.turns;
    assert.deepEqual(turns.filter((t) => t.role === 'user').map((t) => t.role === 'user' && t.text), ['The new chat\'s first question']);
    const answer = lastAnswer(turns);
    assert.equal(answer.status, 'done');
    assert.equal(textOf(answer), 'New answer.');
  });

  test('Stop aborts the HTTP request and keeps what streamed, marked stopped', async () => {
    await enqueue({ holdUntilAborted: true, deltaDelayMs: 10 });
    const asked = api.chat.ask({ text: 'Talk forever' });
    await until('some streamed text', () => {
      const last = api.chat.conversation.turns.at(-1);
      return last?.role === 'assistant' && textOf(last).length > 20;
    });
    await vscode.commands.executeCommand('fastrouter.stop');
    await asked;
    const answer = lastAnswer(api.chat.conversation.turns);
    assert.equal(answer.status, 'stopped');
    assert.ok(textOf(answer).length > 20, 'the partial answer stays');
    const [request] = await until('the simulator to record the abort', async () => {
      const recorded = await requests();
      return recorded[0]?.aborted ? recorded : undefined;
    });
    assert.notEqual(request.completed, true, 'the response was never written to the end');
  });

  test('an error mid-stream keeps the partial text and offers Retry', async () => {
    await enqueue({ text: ['Partial ', 'answer ', 'then ', 'boom'], errorAfterDeltas: 2, errorType: 'overloaded_error', errorMessage: 'Overloaded' });
    await api.chat.ask({ text: 'Fail halfway' });
    const answer = lastAnswer(api.chat.conversation.turns);
    assert.equal(answer.status, 'error');
    assert.equal(textOf(answer), 'Partial answer ');
    assert.ok(answer.error, 'the error is on the turn');
    assert.ok(answer.error.actions.includes('retry'));

    await enqueue({ text: 'Whole answer.' });
    await api.chat.receiveFromWebview({ type: 'errorAction', turnId: answer.id, action: 'retry' });
    await api.chat.idle();
    const retried = lastAnswer(api.chat.conversation.turns);
    assert.equal(retried.id, answer.id);
    assert.equal(retried.status, 'done');
    assert.equal(textOf(retried), 'Whole answer.');
  });

  test('thinking blocks and their signature are sent back unchanged in the next request', async () => {
    const thinking = 'They want the gist first, then an example.';
    await enqueue({ thinking, text: 'Gist, then example.' }, { text: 'More.' });
    await api.chat.ask({ text: 'Explain generators' });
    assert.deepEqual(lastAnswer(api.chat.conversation.turns).blocks[0], { kind: 'thinking', text: thinking });
    await api.chat.ask({ text: 'More please' });
    const recorded = await requests();
    const assistant = recorded[1].body.messages[1];
    assert.equal(assistant.role, 'assistant');
    assert.deepEqual(assistant.content as ContentBlock[], [
      { type: 'thinking', thinking, signature: thinkingSignature(thinking) },
      { type: 'text', text: 'Gist, then example.' },
    ]);
  });

  test('the conversation is on disk and a new controller over the same folder restores it', async () => {
    await enqueue({ text: 'Persisted answer.' });
    await api.chat.ask({ text: 'Remember me' });
    await api.chat.idle();
    const id = api.chat.conversation.id;
    assert.ok(fs.existsSync(path.join(api.chat.storageDir, `${id}.json`)), 'one JSON file per conversation');
    const index = JSON.parse(fs.readFileSync(path.join(api.chat.storageDir, 'index.json'), 'utf8')) as { conversations: { id: string; title: string }[] };
    assert.ok(index.conversations.some((c) => c.id === id && c.title === 'Remember me'));

    const fresh = new ConversationController({
      runner: { run: () => Promise.reject(new Error('a restored conversation must not send anything')) },
      store: new ConversationStore(api.chat.storageDir),
      userContent: buildUserContent,
      post: () => {},
      model: () => 'm',
      prefillAllowed: () => true,
      log: () => {},
    });
    try {
      await fresh.ready;
      await fresh.switchChat(id);
      assert.equal(fresh.conversation.id, id);
      assert.deepEqual(fresh.turns(), api.chat.conversation.turns);
    } finally {
      fresh.dispose();
    }
  });

  test('images sent from the composer go out as base64 image blocks; one that lies about its type is refused', async () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex').toString('base64');
    const jpegCalledPng = Buffer.from('ffd8ffe000104a46494600010100000100010000', 'hex').toString('base64');
    await enqueue({ text: 'A tiny image.' });
    await api.chat.receiveFromWebview({
      type: 'send',
      text: 'What is in these?',
      images: [
        { id: 'i1', name: 'dot.png', mediaType: 'image/png', data: png },
        { id: 'i2', name: 'fake.png', mediaType: 'image/png', data: jpegCalledPng },
      ],
    });
    await api.chat.idle();
    const [request] = await requests();
    assert.deepEqual(request.body.messages[0].content, [
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: png } },
      { type: 'text', text: 'What is in these?', cache_control: { type: 'ephemeral' } },
    ]);
    const user = api.chat.conversation.turns[0];
    assert.ok(user.role === 'user');
    assert.deepEqual(user.images.map((i) => i.name), ['dot.png'], 'the image is kept with the turn (and so persisted)');
  });

  test('an image over the API limit that reaches the host anyway is refused there, naming 3.75 MB; nothing over it is sent', async () => {
    const head = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
    const big = Buffer.concat([head, Buffer.alloc(4_500_000 - head.length)]).toString('base64');
    await enqueue({ text: 'Text only.' });
    await api.chat.receiveFromWebview({ type: 'send', text: 'And this one?', images: [{ id: 'b1', name: 'big.png', mediaType: 'image/png', data: big }] });
    await api.chat.idle();
    const sent = await requests();
    assert.equal(sent.length, 1);
    assert.deepEqual(sent[0].body.messages.at(-1)?.content, [{ type: 'text', text: 'And this one?', cache_control: { type: 'ephemeral' } }], 'the question went without the image');
  });

  test('Insert at Cursor inserts into the active editor as one undoable edit; an invalid message is dropped', async () => {
    const document = await vscode.workspace.openTextDocument({ language: 'typescript', content: 'const a = 1;\n' });
    const editor = await vscode.window.showTextDocument(document);
    editor.selection = new vscode.Selection(1, 0, 1, 0);
    await api.chat.receiveFromWebview({ type: 'insertCode', code: 'const b = 2;\n' });
    assert.equal(document.getText(), 'const a = 1;\nconst b = 2;\n');

    await api.chat.receiveFromWebview({ type: 'insertCode', code: 42 });
    await api.chat.receiveFromWebview({ type: 'insertCode' });
    await api.chat.receiveFromWebview({ type: 'runShell', code: 'x' });
    assert.equal(document.getText(), 'const a = 1;\nconst b = 2;\n', 'invalid messages change nothing');

    await vscode.window.showTextDocument(document);
    await vscode.commands.executeCommand('undo');
    assert.equal(document.getText(), 'const a = 1;\n');
  });

  test('Replace Selection replaces the selected code', async () => {
    const document = await vscode.workspace.openTextDocument({ language: 'javascript', content: 'let x = old();\n' });
    const editor = await vscode.window.showTextDocument(document);
    editor.selection = new vscode.Selection(0, 8, 0, 13);
    await api.chat.receiveFromWebview({ type: 'replaceSelection', code: 'fresh()' });
    assert.equal(document.getText(), 'let x = fresh();\n');
  });

  test('New File opens an untitled document with the code and its language', async () => {
    await api.chat.receiveFromWebview({ type: 'newFile', code: 'print("hi")\n', language: 'py' });
    const editor = await until('the new editor', () => {
      const active = vscode.window.activeTextEditor;
      return active?.document.isUntitled && active.document.getText() === 'print("hi")\n' ? active : undefined;
    });
    assert.equal(editor.document.languageId, 'python');
  });

  test('Copy puts the code on the clipboard', async () => {
    await api.chat.receiveFromWebview({ type: 'copyCode', code: 'copied text 123' });
    assert.equal(await vscode.env.clipboard.readText(), 'copied text 123');
  });

  test('Export Chat asks where to save (a .md named from the chat in the workspace folder) and writes it; Cancel writes nothing; a failed write is said', async () => {
    await enqueue({ text: 'Exported answer.' });
    await api.chat.ask({ text: 'Export this: résumé & notes' });
    const folder = vscode.workspace.workspaceFolders![0].uri;
    const asked: vscode.SaveDialogOptions[] = [];
    const exporter = api.chat.exporter;
    const real = exporter.showSaveDialog;
    let answer: vscode.Uri | undefined;
    exporter.showSaveDialog = async (options) => (asked.push(options), answer);
    try {
      const untitledBefore = vscode.workspace.textDocuments.filter((d) => d.isUntitled).length;
      // Cancel: nothing written, no editor left behind.
      assert.equal(await api.chat.exportMarkdown(), undefined);
      assert.equal(asked.length, 1);
      const proposed = asked[0].defaultUri!;
      assert.equal(path.dirname(proposed.fsPath), folder.fsPath, 'proposed in the workspace folder');
      assert.match(path.basename(proposed.fsPath), /^[a-z0-9-]+\.md$/);
      assert.match(path.basename(proposed.fsPath), /^export-this-resume-notes/, 'named from the chat\'s title');
      assert.deepEqual(Object.values(asked[0].filters ?? {}), [['md']]);
      assert.equal(fs.existsSync(proposed.fsPath), false);

      // Saved: the file has the conversation; no dirty Untitled buffer is opened.
      answer = vscode.Uri.joinPath(folder, 'exports', 'chat-export.md');
      await vscode.commands.executeCommand('fastrouter.exportChat');
      await until('the export on disk', () => fs.existsSync(answer!.fsPath));
      const text = fs.readFileSync(answer.fsPath, 'utf8');
      assert.match(text, /^# Export this: résumé & notes/);
      assert.ok(text.includes('Exported answer.'));
      assert.equal(vscode.workspace.textDocuments.filter((d) => d.isUntitled).length, untitledBefore, 'no Untitled buffer');

      // A write that fails (a file where a folder should be) is said, and nothing is written.
      answer = vscode.Uri.joinPath(folder, 'exports', 'chat-export.md', 'inside.md');
      const failed = await api.chat.exportMarkdown();
      assert.ok(failed && 'error' in failed, 'the failure is reported');
      assert.match(failed.error, /could not be exported to .*inside\.md/);
      fs.rmSync(path.join(folder.fsPath, 'exports'), { recursive: true, force: true });
    } finally {
      exporter.showSaveDialog = real;
    }
  });

  test('the cost preview: Ask About Selection\'s estimate grows with the code; a dropped selection is not resent', async () => {
    const code = Array.from({ length: 300 }, (_, i) => `export const entry${i} = lookup("key-${i}");`).join('\n');
    const context = [{ id: 'big1', kind: 'selection' as const, languageId: 'typescript', path: 'src/big.ts', startLine: 1, endLine: 300, text: code }];
    const small = api.chat.previewAsk([{ ...context[0], text: 'x;' }]);
    const large = api.chat.previewAsk(context);
    assert.ok(small && large && large.tokens > small.tokens + 2000, `${small?.tokens} → ${large?.tokens} tokens`);
    assert.ok(large.credits !== undefined && large.credits > 0, 'priced at the default model\'s input price');

    await enqueue({ text: 'Seen it.' }, { text: 'Without it.' });
    await api.chat.ask({ text: 'Review this', context });
    const userId = api.chat.conversation.turns[0].id;
    const withCode = api.chat.previewAsk([])!.tokens;
    await api.chat.receiveFromWebview({ type: 'setOmitted', turnId: userId, itemId: 'big1', omitted: true });
    const turn = api.chat.conversation.turns[0];
    assert.ok(turn.role === 'user' && turn.context[0].omitted === true, 'marked in the conversation');
    const without = api.chat.previewAsk([])!.tokens;
    assert.ok(without < withCode - 2000, `the preview drops it: ${withCode} → ${without} tokens`);
    await api.chat.ask({ text: 'Anything else?' });
    const sent = JSON.stringify((await requests())[1].body.messages);
    assert.doesNotMatch(sent, /entry150/, 'the dropped code is not sent again');
    assert.match(sent, /the user removed it from the conversation/);
  });
});
