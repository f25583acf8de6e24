// In-host tests of the host services (issue 3 §2-5, 7, 8) inside code-server's real extension host, against the
// local simulator: commands and keybindings, SecretStorage, the request runner's outcomes and error mapping,
// settings fallback, the cost ledger and status bar, Ask About Selection into the chat, and inline explanations.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { formatCredits } from '../../../src/common/credits';
import type { ExtensionApi } from '../../../src/extension';
import { ApiKeyStore } from '../../../src/host/request/apiKey';
import { CostTracker } from '../../../src/host/cost/cost';
import type { RunOutcome } from '../../../src/host/request/requestRunner';
import type { StreamEvent } from '../../../src/api';
import { EXTENSION_ID, SIM, activate, enqueue, filesUnder, openModelPick, resetSim, setSetting, simRequests, until as untilTruthy, within, workspaceRoot } from './support';

const TEST_KEY = 'test-key';
const CANARY = 'sk-canary-7f3a9c21e4b84d0b';

interface RecordedRequest {
  path: string;
  headers: Record<string, string>;
  body: {
    model: string;
    max_tokens: number;
    system?: string | { type: string; text: string }[];
    temperature?: number;
    stream?: boolean;
    messages: { role: string; content: string | { type: string; text?: string }[] }[];
  };
}

const requests = () => simRequests<RecordedRequest>();

function textOf(outcome: RunOutcome): string {
  return (outcome.message?.content ?? []).map((block) => (block.type === 'text' ? block.text : '')).join('');
}

function userText(request: RecordedRequest): string {
  const last = request.body.messages[request.body.messages.length - 1];
  return typeof last.content === 'string' ? last.content : last.content.map((b) => b.text ?? '').join('');
}

const until = <T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 30_000) => untilTruthy(what, probe, timeoutMs, 50);

async function openSample(): Promise<vscode.TextEditor> {
  const document = await vscode.workspace.openTextDocument(vscode.Uri.file(path.join(workspaceRoot(), 'sample.ts')));
  return vscode.window.showTextDocument(document);
}

suite('host services', () => {
  let api: ExtensionApi;
  const run = (text: string, onEvent: (e: StreamEvent) => void = () => {}) =>
    api.runner.run({ messages: [{ role: 'user', content: text }] }, new AbortController().signal, onEvent);

  suiteSetup(async () => {
    api = await activate({ apiKey: TEST_KEY });
  });

  setup(async () => {
    await resetSim();
    await api.apiKey.set(TEST_KEY);
  });

  test('registers every host command, the inline thread actions and Ask About Image', async () => {
    const registered = new Set(await vscode.commands.getCommands(true));
    const expected = [
      'fastrouter.askAboutSelection', 'fastrouter.explainInline', 'fastrouter.setApiKey', 'fastrouter.clearApiKey',
      'fastrouter.showCost', 'fastrouter.resetCost', 'fastrouter.selectModel', 'fastrouter.askAboutImage',
      'fastrouter.inline.stop', 'fastrouter.inline.dismiss', 'fastrouter.inline.continueInChat', 'fastrouter.showLog',
      'fastrouter.openChat', 'fastrouter.newChat', 'fastrouter.stop', 'fastrouter.exportChat',
    ];
    assert.deepEqual(expected.filter((id) => !registered.has(id)), []);
    const pkg = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as { contributes: { commands: { command: string; category: string }[] } };
    for (const c of pkg.contributes.commands) assert.equal(c.category, 'FastRouter', c.command);
  });

  test('our keybindings clash with no default keybinding of this VS Code', async () => {
    await vscode.commands.executeCommand('workbench.action.openDefaultKeybindingsFile');
    const editor = await until('the default keybindings file', () => {
      const e = vscode.window.activeTextEditor;
      return e && e.document.getText().includes('"command"') ? e : undefined;
    });
    const defaults = [...editor.document.getText().matchAll(/"key":\s*"([^"]+)",\s*"command":\s*"([^"]+)"/g)]
      .filter((m) => !m[2].replace(/^-/, '').startsWith('fastrouter.'))
      .map((m) => m[1].toLowerCase());
    assert.ok(defaults.length > 300, `read the defaults (${defaults.length} bindings)`);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    const pkg = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as { contributes: { keybindings: { key: string; when?: string }[] } };
    // Escape stops an inline explanation only while one streams (as it stops a chat answer): it shares the key on purpose.
    const ours = pkg.contributes.keybindings.filter((k) => !k.when?.startsWith('fastrouter.inlineStreaming')).map((k) => k.key.toLowerCase());
    assert.ok(ours.includes('ctrl+alt+;'), 'the keybinding that focuses the chat is checked too');
    assert.ok(ours.length >= 2);
    for (const key of ours) {
      // A clash is the same key, or a chord whose first part is our key.
      const clash = defaults.filter((d) => d === key || d.startsWith(`${key} `));
      assert.deepEqual(clash, [], `${key} is unused by default`);
    }
  });

  test('the key lives in SecretStorage: set, read, clear, change event', async () => {
    let changes = 0;
    const sub = api.apiKey.onDidChange(() => changes++);
    try {
      await api.apiKey.set('another-key-123');
      assert.equal(await api.apiKey.get(), 'another-key-123');
      await api.apiKey.clear();
      assert.equal(await api.apiKey.get(), undefined);
      await api.apiKey.set(TEST_KEY);
      assert.equal(await api.apiKey.get(), TEST_KEY);
      await until('secrets.onDidChange', () => changes >= 3, 30_000);
      const config = JSON.stringify(vscode.workspace.getConfiguration('fastrouter'));
      assert.ok(!config.includes('another-key-123') && !config.includes(TEST_KEY), 'the key is not in the settings');
    } finally {
      sub.dispose();
    }
  });

  test('Clear wins over a read that was already under way: the old key is never cached again', async () => {
    // A small hand-written SecretStorage whose reads answer only when released, to order the race exactly.
    const values = new Map<string, string>([['fastrouter.apiKey', 'old-key-123']]);
    const pendingReads: (() => void)[] = [];
    const changed = new vscode.EventEmitter<vscode.SecretStorageChangeEvent>();
    const secrets: vscode.SecretStorage = {
      get: (key) => new Promise((resolve) => { const value = values.get(key); pendingReads.push(() => resolve(value)); }),
      store: async (key, value) => { values.set(key, value); changed.fire({ key }); },
      delete: async (key) => { values.delete(key); changed.fire({ key }); },
      onDidChange: changed.event,
    } as vscode.SecretStorage;
    const store = new ApiKeyStore(secrets);
    try {
      const staleRead = store.get(); // reads 'old-key-123' but is answered only after Clear
      await until('the read to start', () => pendingReads.length === 1, 30_000);
      await store.clear();
      pendingReads.shift()!();
      assert.equal(await staleRead, undefined, 'the in-flight read gives the current (cleared) state');
      assert.equal(await store.get(), undefined, 'nothing stale was cached');
    } finally {
      store.dispose();
      changed.dispose();
    }
  });

  test('a missing key asks for it (password box); cancelling gives a no_key error with Set API Key', async () => {
    await api.apiKey.clear();
    let settled = false;
    const pending = run('hello').finally(() => (settled = true));
    // Cancel the key prompt once it is up: closing before it appears is a no-op, so close again until the run ends.
    await until('Esc to cancel the key prompt', async () => settled || (await vscode.commands.executeCommand('workbench.action.closeQuickOpen'), settled), 30_000);
    const outcome = await within(pending, 30_000, 'the cancelled key prompt');
    assert.equal(outcome.status, 'error');
    assert.equal(outcome.error?.code, 'no_key');
    assert.ok(outcome.error?.actions.includes('setApiKey'));
    assert.equal((await requests()).length, 0, 'nothing was sent without a key');
  });

  test('success: streams every event, applies the settings, records the billed cost in the status bar', async () => {
    await enqueue({ text: ['Hello ', 'from ', 'the simulator.'], cost: 0.0123 });
    const before = api.cost.totals.allTime;
    const events: StreamEvent[] = [];
    const outcome = await run('Say hello', (e) => events.push(e));
    assert.equal(outcome.status, 'done', JSON.stringify(outcome.error));
    assert.equal(textOf(outcome), 'Hello from the simulator.');
    assert.equal(events.filter((e) => e.type === 'content_block_delta').length, 3);
    assert.equal(events[0].type, 'message_start');
    assert.deepEqual(outcome.meta?.cost, { kind: 'billed', credits: 0.0123 });
    assert.equal(outcome.meta?.stopReason, 'end_turn');

    const [request] = await requests();
    assert.equal(request.headers['x-api-key'], TEST_KEY);
    assert.equal(request.body.model, api.settings.current.model);
    assert.equal(request.body.max_tokens, api.settings.current.maxTokens);
    // Prompt caching (on by default): the system prompt goes as a text block marked as a cache breakpoint.
    assert.deepEqual(request.body.system, [{ type: 'text', text: api.settings.current.systemPrompt, cache_control: { type: 'ephemeral' } }]);
    assert.equal(request.body.stream, true);

    const after = api.cost.totals.allTime;
    assert.equal(after.requests, before.requests + 1);
    assert.ok(Math.abs(after.credits - before.credits - 0.0123) < 1e-9);
    assert.ok(api.cost.statusBarItem.text.includes(formatCredits(after.credits)), api.cost.statusBarItem.text);
    assert.equal(api.cost.totals.last?.cost, 0.0123);
  });

  test('no cost from the endpoint → unknown, not added to billed credits', async () => {
    await enqueue({ text: ['ok'], cost: null });
    const before = api.cost.totals.allTime;
    const outcome = await run('hi');
    assert.equal(outcome.status, 'done');
    assert.deepEqual(outcome.meta?.cost, { kind: 'unknown' });
    const after = api.cost.totals.allTime;
    assert.equal(after.credits, before.credits);
    assert.equal(after.unknownRequests, before.unknownRequests + 1);
    assert.match(api.cost.statusBarItem.text, /\+\?/);
  });

  test('401 → auth error with Set API Key; the key never reaches the log files', async () => {
    await api.apiKey.set(CANARY);
    const outcome = await run('hi');
    assert.equal(outcome.status, 'error');
    assert.equal(outcome.error?.code, 'auth');
    assert.ok(outcome.error?.actions.includes('setApiKey'));
    assert.ok(!JSON.stringify(outcome).includes(CANARY), 'not in the outcome');
    // The LogOutputChannel writes files under the window's log folder; wait for this failure's line to land.
    const logsRoot = path.resolve(api.logUri.fsPath, '..', '..');
    const logFiles = await until(
      'the FastRouter log line for the 401',
      () => {
        const files = filesUnder(logsRoot);
        return files.some((f) => /auth status=401/.test(fs.readFileSync(f, 'utf8'))) ? files : undefined;
      },
      30_000,
    );
    for (const file of logFiles) assert.ok(!fs.readFileSync(file, 'utf8').includes(CANARY), `canary in ${file}`);
    const storage = path.dirname(api.cost.ledger.filePath);
    for (const file of filesUnder(storage)) assert.ok(!fs.readFileSync(file, 'utf8').includes(CANARY), `canary in ${file}`);
  });

  test('the FastRouter log has one line per request with id, model, duration, tokens and cost, and none of the user\'s code', async () => {
    const codeCanary = 'const codeCanary_5e1d = 42;';
    await enqueue({ text: ['Noted.'], cost: 0.0321 });
    const outcome = await run(`What is this?\n\n\`\`\`ts\n${codeCanary}\n\`\`\``);
    assert.equal(outcome.status, 'done');
    const logsRoot = path.resolve(api.logUri.fsPath, '..', '..');
    const line = await until(
      'the log line of the request',
      () => {
        for (const file of filesUnder(logsRoot)) {
          const found = /#\d+ request (\S+) done model=(\S+) (\d+) ms tokens in=(\d+) out=(\d+) cost=0\.0321 credits/.exec(fs.readFileSync(file, 'utf8'));
          if (found) return found;
        }
        return undefined;
      },
      30_000,
    );
    const [, requestId, model, , tokensIn, tokensOut] = line;
    assert.notEqual(requestId, '(no id)', 'the request id the endpoint sent');
    assert.equal(model, outcome.meta?.model);
    assert.equal(Number(tokensIn), outcome.meta?.inputTokens);
    assert.equal(Number(tokensOut), outcome.meta?.outputTokens);
    for (const file of filesUnder(logsRoot)) assert.ok(!fs.readFileSync(file, 'utf8').includes('codeCanary_5e1d'), `user code in ${file}`);
  });

  test('402 → billing error with Add Credits', async () => {
    await enqueue({ status: 402, errorType: 'billing_error', errorMessage: 'Insufficient credits' });
    const outcome = await run('hi');
    assert.equal(outcome.error?.code, 'billing');
    assert.ok(outcome.error?.actions.includes('openBilling'));
    assert.match(outcome.error!.message, /Insufficient credits/);
  });

  test('403 → moderation error', async () => {
    await enqueue({ status: 403, errorType: 'permission_error', errorMessage: 'Request blocked by moderation' });
    const outcome = await run('hi');
    assert.equal(outcome.error?.code, 'moderation');
  });

  test('429 is retried twice, then reported as rate limited', async () => {
    const limited = { status: 429, errorType: 'rate_limit_error', errorMessage: 'Too many requests', retryAfterMs: 20 };
    await enqueue(limited, limited, limited);
    const outcome = await run('hi');
    assert.equal(outcome.error?.code, 'rate_limit');
    assert.match(outcome.error!.message, /2 retries/);
    assert.equal((await requests()).length, 3, 'one request and two retries');
  });

  test('overloaded mid-stream keeps the partial answer', async () => {
    await enqueue({ text: ['one ', 'two ', 'three'], errorAfterDeltas: 2, errorType: 'overloaded_error' });
    const outcome = await run('hi');
    assert.equal(outcome.status, 'error');
    assert.equal(outcome.error?.code, 'overloaded');
    assert.equal(textOf(outcome), 'one two ');
  });

  test('a malformed stream and a proxy\'s HTML error page give clear errors', async () => {
    await enqueue({ status: 200, contentType: 'text/event-stream', rawBody: 'event: message_start\ndata: {not json\n\n' });
    const malformed = await run('hi');
    assert.equal(malformed.error?.code, 'malformed');
    await enqueue({ status: 502, contentType: 'text/html', rawBody: '<html><body>Bad gateway</body></html>', shouldRetry: false });
    const html = await run('hi');
    assert.equal(html.status, 'error');
    assert.match(html.error!.message, /502/);
  });

  test('extended thinking: thinking sent, temperature left out, max_tokens above the budget', async () => {
    await setSetting('temperature', 0.5);
    await setSetting('maxTokens', 1000);
    await setSetting('thinkingBudgetTokens', 2048);
    try {
      await enqueue({ thinking: 'Let me think.', text: ['Answer.'] });
      const outcome = await run('hi');
      assert.equal(outcome.status, 'done', JSON.stringify(outcome.error));
      const body = (await requests())[0].body as RecordedRequest['body'] & { thinking?: unknown };
      assert.deepEqual(body.thinking, { type: 'enabled', budget_tokens: 2048 });
      assert.equal(body.temperature, undefined);
      assert.equal(body.max_tokens, 3048);
    } finally {
      await setSetting('thinkingBudgetTokens', undefined);
      await setSetting('maxTokens', undefined);
      await setSetting('temperature', undefined);
    }
  });

  test('network down → network error with Retry', async () => {
    await setSetting('baseUrl', 'http://127.0.0.1:9');
    try {
      const outcome = await run('hi');
      assert.equal(outcome.error?.code, 'network');
      assert.ok(outcome.error?.actions.includes('retry'));
    } finally {
      await setSetting('baseUrl', SIM);
    }
  });

  test('a stalled stream ends with a stalled error after idleTimeoutSeconds, partial kept', async () => {
    await setSetting('idleTimeoutSeconds', 5);
    try {
      await enqueue({ text: ['a', 'b', 'c', 'd'], stallAfterDeltas: 2 });
      const started = Date.now();
      const outcome = await run('hi');
      assert.equal(outcome.error?.code, 'stalled');
      assert.equal(textOf(outcome), 'ab');
      assert.ok(Date.now() - started >= 4500, 'waited for the idle timeout');
    } finally {
      await setSetting('idleTimeoutSeconds', undefined);
    }
  });

  test('Stop aborts the request: status stopped, partial kept', async () => {
    await enqueue({ text: ['partial '], holdUntilAborted: true, deltaDelayMs: 30 });
    const controller = new AbortController();
    let deltas = 0;
    const pending = api.runner.run({ messages: [{ role: 'user', content: 'hi' }] }, controller.signal, (e) => {
      if (e.type === 'content_block_delta' && ++deltas === 3) controller.abort();
    });
    const outcome = await pending;
    assert.equal(outcome.status, 'stopped');
    assert.ok(textOf(outcome).startsWith('partial '));
  });

  test('a bad setting that shapes the request stops requests with an error naming it; changes apply without reload', async () => {
    await setSetting('temperature', 5);
    try {
      const problem = api.settings.problems.find((p) => p.key === 'temperature');
      assert.ok(problem, 'the problem is reported');
      assert.match(problem.message, /fastrouter\.temperature/);
      await enqueue({ text: ['ok'] });
      const stopped = await run('hi');
      assert.equal(stopped.status, 'error');
      assert.equal(stopped.error?.code, 'bad_setting');
      assert.equal(stopped.error?.setting, 'fastrouter.temperature');
      assert.match(stopped.error?.message ?? '', /^Not sent: the setting "fastrouter\.temperature" is 5 /);
      assert.equal((await requests()).length, 0, 'nothing was sent');
      await setSetting('temperature', 0.25);
      assert.equal(api.settings.current.temperature, 0.25);
      await enqueue({ text: ['ok'] });
      await run('hi');
      assert.equal((await requests())[0].body.temperature, 0.25, 'the new value applies at once');
    } finally {
      await setSetting('temperature', undefined);
    }
    await setSetting('baseUrl', 'http://example.com');
    try {
      assert.match(api.settings.problems.find((p) => p.key === 'baseUrl')!.message, /fastrouter\.baseUrl/);
      const outcome = await run('my secret code');
      assert.equal(outcome.error?.code, 'bad_setting', 'plain http off this machine is refused: nothing goes to the default endpoint either');
    } finally {
      await setSetting('baseUrl', SIM);
    }
    assert.equal(api.settings.current.baseUrl, SIM);
  });

  test('the cost ledger survives a reload and picks up another window\'s spending', async () => {
    await enqueue({ text: ['x'], cost: 0.5 });
    await run('hi');
    const storage = path.dirname(api.cost.ledger.filePath);
    const reloaded = new CostTracker(storage, 'simulated-reload');
    try {
      assert.deepEqual(reloaded.totals.allTime, api.cost.totals.allTime, 'a new tracker over the same file sees the same totals');
      const before = api.cost.totals.allTime.credits;
      reloaded.record({ model: 'm', inputTokens: 1, outputTokens: 1, cost: 0.25 });
      // The other "window" appended; ours sees it through the file watcher.
      await until('the other window\'s cost', () => Math.abs(api.cost.totals.allTime.credits - before - 0.25) < 1e-9, 30_000);
      assert.ok(api.cost.statusBarItem.text.includes(formatCredits(api.cost.totals.allTime.credits)));
      assert.ok(api.cost.totals.session.requests < api.cost.totals.allTime.requests, 'the session counts only this window');
    } finally {
      reloaded.dispose();
    }
    const lines = fs.readFileSync(api.cost.ledger.filePath, 'utf8').trim().split('\n');
    api.cost.reset();
    assert.equal(api.cost.totals.allTime.credits, 0);
    assert.equal(fs.readFileSync(api.cost.ledger.filePath, 'utf8').trim().split('\n').length, lines.length + 1, 'reset appends a marker');
  });

  test('Ask About Selection sends the code as a fenced block with path and lines, and the chat answers', async () => {
    const editor = await openSample();
    editor.selection = new vscode.Selection(0, 0, 2, 1);
    await enqueue({ text: ['It ', 'adds ', 'two numbers.'], cost: 0.002 });
    await vscode.commands.executeCommand('fastrouter.askAboutSelection', { question: 'What does add do?' });
    const request = await until('the chat request', async () => (await requests())[0]);
    const text = userText(request);
    assert.match(text, /`sample\.ts` \(lines 1-3, typescript\)/);
    assert.match(text, /```typescript\nexport function add\(a: number, b: number\): number \{\n {2}return a \+ b;\n\}\n```/);
    assert.ok(text.endsWith('What does add do?'));
    assert.deepEqual(request.body.system, [{ type: 'text', text: api.settings.current.systemPrompt, cache_control: { type: 'ephemeral' } }]);
    const turns = await until('the answered turn', () => {
      const t = api.chat.conversation.turns;
      const last = t[t.length - 1];
      return last?.role === 'assistant' && last.status === 'done' ? t : undefined;
    });
    const user = turns[turns.length - 2];
    assert.equal(user.role, 'user');
    assert.equal(user.role === 'user' && user.context.length, 1);
    const code = user.role === 'user' ? user.context[0] : undefined;
    assert.deepEqual(code && { kind: code.kind, path: code.path, start: code.startLine, end: code.endLine, lang: code.languageId }, {
      kind: 'selection', path: 'sample.ts', start: 1, end: 3, lang: 'typescript',
    });
  });

  test('Ask About Selection with nothing selected takes the enclosing block', async () => {
    const editor = await openSample();
    editor.selection = new vscode.Selection(1, 4, 1, 4);
    await enqueue({ text: ['ok'] });
    await vscode.commands.executeCommand('fastrouter.askAboutSelection', { question: '' });
    const request = await until('the chat request', async () => (await requests())[0]);
    const text = userText(request);
    assert.match(text, /lines 1-3/);
    assert.ok(text.endsWith('Explain this code'), 'an empty question becomes "Explain this code"');
  });

  test('Select Model offers the known models and writes fastrouter.model', async () => {
    // The simulator's model list, fetched before the pick opens (it fetches again, and the items are the same).
    await api.models.refresh();
    // Wait for the pick itself (not for time): the show and the commands below reach the workbench in this order.
    const { result: pending } = await openModelPick(api, () => vscode.commands.executeCommand<string | undefined>('fastrouter.selectModel'));
    // Move to the second entry and accept; the fetched list arriving in between keeps the entry moved to.
    await vscode.commands.executeCommand('workbench.action.quickOpenSelectNext');
    await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    const chosen = await pending;
    try {
      assert.equal(chosen, 'anthropic/claude-opus-4-1-20250805');
      await until('the settings service to follow', () => api.settings.current.model === chosen, 30_000);
      await enqueue({ text: ['ok'] });
      await run('hi');
      assert.equal((await requests())[0].body.model, chosen, 'the next request uses the picked model');
      // A model id as the argument (a keybinding's `args`) switches without asking.
      await vscode.commands.executeCommand('fastrouter.selectModel', 'anthropic/claude-3-5-haiku-20241022');
      await until('the argument model', () => api.settings.current.model === 'anthropic/claude-3-5-haiku-20241022', 30_000);
    } finally {
      await setSetting('model', undefined);
    }
  });

  test('Ask About Image reads image files as base64 attachments and refuses other files', async () => {
    const workspace = process.env.FASTROUTER_E2E_WORKSPACE ?? vscode.workspace.workspaceFolders![0].uri.fsPath;
    // A 1x1 PNG.
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
    const image = vscode.Uri.file(path.join(workspace, 'pixel.png'));
    const text = vscode.Uri.file(path.join(workspace, 'notes.md'));
    fs.writeFileSync(image.fsPath, png);
    const attached = await vscode.commands.executeCommand<{ name: string; mediaType: string; data: string }[]>('fastrouter.askAboutImage', image, [image, text]);
    assert.equal(attached.length, 1);
    assert.equal(attached[0].name, 'pixel.png');
    assert.equal(attached[0].mediaType, 'image/png');
    assert.equal(attached[0].data, png.toString('base64'));
    // The type comes from the bytes, not the name: a PNG saved as .jpg is attached as the PNG it is.
    const misnamed = vscode.Uri.file(path.join(workspace, 'photo.jpg'));
    fs.writeFileSync(misnamed.fsPath, png);
    const [photo] = await vscode.commands.executeCommand<{ name: string; mediaType: string }[]>('fastrouter.askAboutImage', misnamed);
    assert.equal(photo?.name, 'photo.jpg');
    assert.equal(photo?.mediaType, 'image/png');
    // The 4,500,000-byte PNG of the field report: taken in for the chat to resize, not refused and not sent as it is.
    const big = vscode.Uri.file(path.join(workspace, 'big.png'));
    fs.writeFileSync(big.fsPath, Buffer.concat([png, Buffer.alloc(4_500_000 - png.length)]));
    const [taken] = await vscode.commands.executeCommand<{ name: string; data: string }[]>('fastrouter.askAboutImage', big);
    assert.equal(taken?.name, 'big.png');
    // Over 30 MB cannot even be resized: refused before it is read.
    const huge = vscode.Uri.file(path.join(workspace, 'huge.png'));
    fs.writeFileSync(huge.fsPath, Buffer.concat([png, Buffer.alloc(31 * 1024 * 1024)]));
    assert.deepEqual(await vscode.commands.executeCommand('fastrouter.askAboutImage', huge), []);
  });

  test('Explain Selection Inline streams into a comment thread under the selection', async () => {
    const editor = await openSample();
    editor.selection = new vscode.Selection(0, 0, 2, 1);
    const words = ['The ', 'function ', 'returns ', 'the ', 'sum ', 'of ', 'a ', 'and ', 'b.'];
    await enqueue({ text: words, deltaDelayMs: 120, cost: 0.001 });
    const existing = new Set(api.inline.threads.map((t) => t.thread));
    const pending = vscode.commands.executeCommand<{ status: string; text: string }>('fastrouter.explainInline');
    // While streaming, the new thread shows part of the answer.
    const partial = await until('a partly streamed comment', () => {
      const t = api.inline.threads.find((x) => !existing.has(x.thread));
      return t && t.status === 'streaming' && t.body.includes('The ') && !t.body.includes('b.') ? t : undefined;
    });
    assert.equal(partial.thread.range?.start.line, 0);
    assert.equal(partial.thread.range?.end.line, 2);
    const result = await pending;
    assert.equal(result.status, 'done');
    assert.equal(result.text, words.join(''));
    const thread = api.inline.threads.find((x) => x.thread === partial.thread)!;
    assert.ok(thread.body.includes(words.join('')), thread.body);
    assert.match(thread.body, /0\.001 credits/);
    assert.equal(thread.thread.contextValue, 'finished');
    const [request] = await requests();
    assert.match(userText(request), /```typescript/);
    await vscode.commands.executeCommand('fastrouter.inline.dismiss', thread.thread);
    assert.ok(!api.inline.threads.some((t) => t.thread === thread.thread), 'dismissed');
  });

  test('an inline explanation can be stopped', async () => {
    const editor = await openSample();
    editor.selection = new vscode.Selection(0, 0, 2, 1);
    await enqueue({ text: ['Working '], holdUntilAborted: true, deltaDelayMs: 30 });
    const existing = new Set(api.inline.threads.map((t) => t.thread));
    const pending = vscode.commands.executeCommand<{ status: string; text: string }>('fastrouter.explainInline');
    const live = await until('streaming text', () => {
      const t = api.inline.threads.find((x) => !existing.has(x.thread));
      return t && t.status === 'streaming' && t.text.length > 20 ? t : undefined;
    });
    await within(Promise.resolve(vscode.commands.executeCommand('fastrouter.inline.stop', live.thread)), 30_000, 'the stop command');
    const result = await within(Promise.resolve(pending), 30_000, 'the stopped explanation to end');
    assert.equal(result.status, 'stopped');
    assert.ok(result.text.startsWith('Working '));
    await vscode.commands.executeCommand('fastrouter.inline.dismiss', live.thread);
  });

  test('Dismiss on a thread that is already gone leaves the other explanations alone', async () => {
    const editor = await openSample();
    const explainLines = async (start: number, end: number, text: string) => {
      editor.selection = new vscode.Selection(start, 0, end, 1);
      await enqueue({ text: [text] });
      const existing = new Set(api.inline.threads.map((t) => t.thread));
      await vscode.commands.executeCommand('fastrouter.explainInline');
      return api.inline.threads.find((x) => !existing.has(x.thread))!.thread;
    };
    const first = await explainLines(0, 2, 'First.');
    const second = await explainLines(4, 4, 'Second.');
    await vscode.commands.executeCommand('fastrouter.inline.dismiss', first);
    // A double click: the second Dismiss (or Continue in Chat) names a thread that no longer exists.
    await vscode.commands.executeCommand('fastrouter.inline.dismiss', first);
    await vscode.commands.executeCommand('fastrouter.inline.continueInChat', first);
    assert.ok(api.inline.threads.some((t) => t.thread === second), 'the other explanation is still there');
    await vscode.commands.executeCommand('fastrouter.inline.dismiss', second);
  });

  test('Continue in Chat moves the inline question and explanation into the chat without a second request', async () => {
    const editor = await openSample();
    editor.selection = new vscode.Selection(0, 0, 2, 1);
    await enqueue({ text: ['Adds ', 'two numbers.'], cost: 0.003 });
    const existing = new Set(api.inline.threads.map((t) => t.thread));
    const result = await vscode.commands.executeCommand<{ status: string; text: string }>('fastrouter.explainInline');
    assert.equal(result.status, 'done');
    const thread = api.inline.threads.find((x) => !existing.has(x.thread))!;
    const before = api.chat.conversation.turns.length;
    await vscode.commands.executeCommand('fastrouter.inline.continueInChat', thread.thread);
    assert.ok(!api.inline.threads.some((t) => t.thread === thread.thread), 'the thread is gone');
    assert.equal((await requests()).length, 1, 'only the inline request was made');
    const [user, answer] = api.chat.conversation.turns.slice(before);
    assert.ok(user?.role === 'user' && user.context.length === 1, 'the user turn carries the code');
    assert.equal(user.context[0].startLine, 1);
    assert.equal(user.context[0].endLine, 3);
    assert.ok(answer?.role === 'assistant');
    assert.equal(answer.status, 'done');
    assert.deepEqual(answer.blocks, [{ kind: 'text', text: 'Adds two numbers.' }]);
    assert.deepEqual(answer.meta?.cost, { kind: 'billed', credits: 0.003 });
  });
});
