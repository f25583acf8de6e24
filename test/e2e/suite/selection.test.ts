// In-host tests of what a selection command sends (issue 7 §3): the code as the user sees it (whole first line when
// only indentation precedes the selection, no extra line when it ends at column 0), every selection of a multi-cursor
// edit with its own range, and sensible names and languages for untitled files and notebook cells.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../../src/extension';
import { activate, enqueue, resetSim, simRequests, until } from './support';

interface RecordedRequest {
  body: { messages: { role: string; content: string | { type: string; text?: string }[] }[] };
}

const SHAPES = [
  'export class Calculator {',
  '    add(a: number, b: number): number {',
  '        const sum = a + b;',
  '        return sum;',
  '    }',
  '',
  '    negate(n: number): number {',
  '        return -n;',
  '    }',
  '}',
  '',
].join('\n');

function lastUserText(request: RecordedRequest): string {
  const last = request.body.messages[request.body.messages.length - 1];
  return typeof last.content === 'string' ? last.content : last.content.map((b) => b.text ?? '').join('');
}

async function nextRequestText(): Promise<string> {
  const request = await until('the request', async () => (await simRequests<RecordedRequest>())[0], 10_000, 50);
  return lastUserText(request);
}

suite('selections: send what the user sees', () => {
  let api: ExtensionApi;
  let shapes: vscode.Uri;

  suiteSetup(async () => {
    api = await activate({ apiKey: 'test-key' });
    const workspace = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    assert.ok(workspace, 'a workspace folder');
    fs.writeFileSync(path.join(workspace, 'shapes.ts'), SHAPES);
    shapes = vscode.Uri.file(path.join(workspace, 'shapes.ts'));
  });

  setup(async () => {
    await resetSim();
    await api.chat.idle();
  });

  async function openShapes(): Promise<vscode.TextEditor> {
    return vscode.window.showTextDocument(await vscode.workspace.openTextDocument(shapes));
  }

  async function askAndGetText(question: string): Promise<string> {
    await enqueue({ text: ['ok'] });
    await vscode.commands.executeCommand('fastrouter.askAboutSelection', { question });
    const text = await nextRequestText();
    await api.chat.idle();
    return text;
  }

  test('a selection that starts after the indentation sends its first line from column 0', async () => {
    const editor = await openShapes();
    // From the `a` of `add` (column 4) to the end of the method's closing brace.
    editor.selection = new vscode.Selection(1, 4, 4, 5);
    const text = await askAndGetText('What does add do?');
    assert.match(text, /`shapes\.ts` \(lines 2-5, typescript\)/);
    assert.ok(
      text.includes('```typescript\n    add(a: number, b: number): number {\n        const sum = a + b;\n        return sum;\n    }\n```'),
      `the first line keeps its indentation like the others:\n${text}`,
    );
    const turn = api.chat.conversation.turns.at(-2);
    assert.ok(turn?.role === 'user');
    assert.ok(turn.context[0].text.startsWith('    add('), 'the chat shows the same code');
  });

  test('a selection inside a line keeps its start column (only leading whitespace widens it)', async () => {
    const editor = await openShapes();
    editor.selection = new vscode.Selection(2, 14, 2, 25); // `sum = a + b`
    const text = await askAndGetText('Name?');
    assert.ok(text.includes('```typescript\nsum = a + b\n```'), text);
    assert.match(text, /\(line 3, typescript\)/);
  });

  test('a selection that ends at column 0 of the next line does not count that line', async () => {
    const editor = await openShapes();
    editor.selection = new vscode.Selection(6, 0, 9, 0); // negate(), ends at the start of `}`
    const text = await askAndGetText('And negate?');
    assert.match(text, /`shapes\.ts` \(lines 7-9, typescript\)/);
    assert.ok(text.includes('```typescript\n    negate(n: number): number {\n        return -n;\n    }\n```'), text);
    assert.ok(!/\n}\n```/.test(text), 'the class\'s closing brace on line 10 is not sent');
  });

  test('several selections (multi-cursor) are all sent, each with its range, in document order', async () => {
    const editor = await openShapes();
    editor.selections = [new vscode.Selection(6, 4, 8, 5), new vscode.Selection(1, 4, 4, 5)];
    const text = await askAndGetText('Are these consistent?');
    const first = text.indexOf('`shapes.ts` (lines 2-5, typescript)');
    const second = text.indexOf('`shapes.ts` (lines 7-9, typescript)');
    assert.ok(first >= 0 && second > first, `both ranges, in order:\n${text}`);
    assert.ok(text.endsWith('Are these consistent?'));
    const turn = api.chat.conversation.turns.at(-2);
    assert.ok(turn?.role === 'user');
    assert.deepEqual(turn.context.map((c) => [c.startLine, c.endLine]), [[2, 5], [7, 9]]);
  });

  test('Explain Inline sends the first line from column 0 too', async () => {
    const editor = await openShapes();
    editor.selection = new vscode.Selection(1, 4, 4, 5);
    await enqueue({ text: ['Adds.'] });
    const result = await vscode.commands.executeCommand<{ status: string }>('fastrouter.explainInline');
    assert.equal(result.status, 'done');
    const text = await nextRequestText();
    assert.ok(text.includes('```typescript\n    add(a: number, b: number): number {'), text);
    for (const thread of [...api.inline.threads]) await vscode.commands.executeCommand('fastrouter.inline.dismiss', thread.thread);
  });

  test('an untitled file is named like its tab and keeps its language', async () => {
    const document = await vscode.workspace.openTextDocument({ language: 'python', content: 'def double(n):\n    return n * 2\n' });
    const editor = await vscode.window.showTextDocument(document);
    editor.selection = new vscode.Selection(0, 0, 1, 16);
    const text = await askAndGetText('Python?');
    assert.match(text, /`Untitled-\d+` \(lines 1-2, python\)/);
    assert.ok(text.includes('```python\ndef double(n):'));
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  test('a notebook cell is named after its notebook and cell number, with the cell\'s language', async function () {
    const data = new vscode.NotebookData([
      new vscode.NotebookCellData(vscode.NotebookCellKind.Markup, '# Title', 'markdown'),
      new vscode.NotebookCellData(vscode.NotebookCellKind.Code, 'total = sum(range(10))\nprint(total)', 'python'),
    ]);
    let notebook: vscode.NotebookDocument;
    try {
      notebook = await vscode.workspace.openNotebookDocument('jupyter-notebook', data);
    } catch (error) {
      assert.fail(`this VS Code has no jupyter-notebook serializer (built-in ipynb extension): ${String(error)}`);
    }
    await vscode.window.showNotebookDocument(notebook);
    const cell = notebook.cellAt(1);
    const editor = await vscode.window.showTextDocument(cell.document);
    assert.equal(editor.document.uri.scheme, 'vscode-notebook-cell');
    editor.selection = new vscode.Selection(0, 0, 1, 12);
    const text = await askAndGetText('What is printed?');
    assert.match(text, /`Untitled-\d+\.ipynb, cell 2` \(lines 1-2, python\)/);
    assert.ok(text.includes('```python\ntotal = sum(range(10))\nprint(total)\n```'));
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });
});
