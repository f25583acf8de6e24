// In-host tests of Add File to Chat and Add Problems to Chat (issue 9 §5) in code-server's real extension host, on the
// test workspace: files from disk and from an unsaved buffer, refused folders and binary files, one chip per file,
// the Explorer's drop, the Problems panel's errors and warnings, and what the request then carries.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { MessageParam } from '../../../src/api';
import type { ExtensionApi } from '../../../src/extension';
import { activate, enqueue, resetSim, simRequests } from './support';

interface RecordedRequest {
  body: { messages: MessageParam[] };
}

const lastUserText = async (): Promise<string> => {
  const requests = await simRequests<RecordedRequest>();
  const messages = requests[requests.length - 1]!.body.messages;
  const content = messages[messages.length - 1]!.content;
  return typeof content === 'string' ? content : content.map((block) => (block.type === 'text' ? block.text : '')).join('');
};

suite('Add File to Chat, Add Problems to Chat', () => {
  let api: ExtensionApi;
  let workspace: string;
  const clearPending = async () => {
    for (const item of api.chat.pendingContext) await api.chat.receiveFromWebview({ type: 'removeContext', id: item.id });
  };

  suiteSetup(async () => {
    api = await activate({ apiKey: 'test-key' });
    workspace = process.env.FASTROUTER_E2E_WORKSPACE ?? vscode.workspace.workspaceFolders![0]!.uri.fsPath;
    fs.mkdirSync(path.join(workspace, 'ctx'), { recursive: true });
    fs.writeFileSync(path.join(workspace, 'ctx', 'data.py'), 'def total(xs):\n    return sum(xs)\n');
    fs.writeFileSync(path.join(workspace, 'ctx', 'logo.bin'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 13, 1, 2, 3]));
  });

  setup(async () => {
    api.chat.stop();
    await api.chat.idle();
    await vscode.commands.executeCommand('fastrouter.newChat');
    await clearPending();
    await resetSim();
  });

  test('files from disk and from an unsaved editor go with the next message as fenced blocks with their paths, then the chips clear', async () => {
    const sample = await vscode.workspace.openTextDocument(vscode.Uri.file(path.join(workspace, 'sample.ts')));
    const editor = await vscode.window.showTextDocument(sample);
    await editor.edit((edit) => edit.insert(new vscode.Position(0, 0), '// unsaved change\n'));
    try {
      await vscode.commands.executeCommand('fastrouter.addFileToChat', vscode.Uri.file(path.join(workspace, 'ctx', 'data.py')));
      await vscode.commands.executeCommand('fastrouter.addFileToChat', sample.uri);
      // Added again (it may have changed): still one chip.
      await vscode.commands.executeCommand('fastrouter.addFileToChat', sample.uri);
      assert.deepEqual(api.chat.pendingContext.map((c) => [c.kind, c.label, c.chars]), [
        ['file', 'ctx/data.py', 'def total(xs):\n    return sum(xs)\n'.length],
        ['file', 'sample.ts', sample.getText().length],
      ]);

      await enqueue({ text: 'Two files.' });
      await api.chat.receiveFromWebview({ type: 'send', text: 'What do these do?', images: [] });
      const sent = await lastUserText();
      assert.ok(sent.includes('File `ctx/data.py` (python):\n\n```python\ndef total(xs):\n    return sum(xs)\n```'), sent);
      assert.ok(sent.includes('File `sample.ts` (typescript):\n\n```typescript\n// unsaved change\nexport function add'), 'the buffer, unsaved change included');
      assert.ok(sent.trimEnd().endsWith('What do these do?'), 'the question after the files');
      assert.deepEqual(api.chat.pendingContext, [], 'sent once, then gone from the composer');
      const user = api.chat.conversation.turns.find((t) => t.role === 'user');
      assert.deepEqual(user?.role === 'user' ? user.context.map((c) => c.path) : [], ['ctx/data.py', 'sample.ts'], 'the question keeps them');

      // A follow-up still sends them (they are part of the conversation), without adding them again.
      await enqueue({ text: 'Again.' });
      await api.chat.receiveFromWebview({ type: 'send', text: 'And now?', images: [] });
      const requests = await simRequests<RecordedRequest>();
      assert.match(JSON.stringify(requests[requests.length - 1]!.body.messages[0]), /def total\(xs\)/);
    } finally {
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    }
  });

  test('a folder and a binary file are refused with a reason; nothing is added', async () => {
    await api.chat.addFiles([vscode.Uri.file(path.join(workspace, 'ctx')), vscode.Uri.file(path.join(workspace, 'ctx', 'logo.bin'))]);
    assert.deepEqual(api.chat.pendingContext, []);
  });

  test('files dropped from the Explorer arrive as URIs; other schemes are ignored; ✕ removes a chip', async () => {
    const uri = vscode.Uri.file(path.join(workspace, 'notes.md')).toString();
    await api.chat.receiveFromWebview({ type: 'dropUris', uris: [uri, 'https://example.com/x.ts', 'not a uri'] });
    assert.deepEqual(api.chat.pendingContext.map((c) => c.label), ['notes.md']);
    await api.chat.receiveFromWebview({ type: 'removeContext', id: api.chat.pendingContext[0]!.id });
    assert.deepEqual(api.chat.pendingContext, []);
  });

  test('Add Problems to Chat sends the errors and warnings VS Code knows, one line each, errors first', async () => {
    const diagnostics = vscode.languages.createDiagnosticCollection('fastrouter-test');
    try {
      const sample = vscode.Uri.file(path.join(workspace, 'sample.ts'));
      const warning = new vscode.Diagnostic(new vscode.Range(4, 13, 4, 18), "'twice' is never read.", vscode.DiagnosticSeverity.Warning);
      const error = new vscode.Diagnostic(new vscode.Range(1, 2, 1, 8), 'Type "string" is not assignable to type "number".', vscode.DiagnosticSeverity.Error);
      error.source = 'ts';
      error.code = 2322;
      const hint = new vscode.Diagnostic(new vscode.Range(0, 0, 0, 1), 'A hint.', vscode.DiagnosticSeverity.Hint);
      diagnostics.set(sample, [warning, error, hint]);
      await vscode.commands.executeCommand('fastrouter.addProblemsToChat');
      const [chip] = api.chat.pendingContext;
      assert.deepEqual([chip?.kind, chip?.label, chip?.count], ['problems', 'Problems', 2]);
      await enqueue({ text: 'Fixed.' });
      await api.chat.receiveFromWebview({ type: 'send', text: 'Fix these', images: [] });
      const sent = await lastUserText();
      assert.ok(sent.includes([
        'sample.ts:2:3 error Type "string" is not assignable to type "number". (ts 2322)',
        "sample.ts:5:14 warning 'twice' is never read.",
      ].join('\n')), sent);
      assert.doesNotMatch(sent, /A hint\./);
    } finally {
      diagnostics.dispose();
    }
  });
});
