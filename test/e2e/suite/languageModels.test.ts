// In-host tests of the `fastrouter` language model provider (issue 11 §2) through VS Code's real `vscode.lm` API,
// against the local simulator: the models, streamed text, a tool round trip (with thinking signatures sent back),
// cancellation closing the HTTP request, errors as LanguageModelErrors, token counts, the cost in the ledger and
// the status bar.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ContentBlockParam, MessageParam, Tool } from '../../../src/api';
import { formatCredits } from '../../../src/common/credits';
import { estimateTextTokens } from '../../../src/common/tokenCount';
import type { ExtensionApi } from '../../../src/extension';
import { thinkingSignature } from '../../support/simulatorAnswer';
import { EXTENSION_ID, enqueue, resetSim, simRequests, until } from './simulator';

interface RecordedRequest {
  path: string;
  headers: Record<string, string>;
  body: { model: string; max_tokens: number; system?: unknown; messages: MessageParam[]; tools?: Tool[]; tool_choice?: unknown; thinking?: unknown };
  aborted?: boolean;
  completed?: boolean;
  bytesSent?: number;
}

const requests = () => simRequests<RecordedRequest>();
const SONNET = 'anthropic/claude-sonnet-4-20250514';
const SOURCE = `lm:${EXTENSION_ID}`;

async function sonnet(): Promise<vscode.LanguageModelChat> {
  const [model] = await vscode.lm.selectChatModels({ vendor: 'fastrouter', id: SONNET });
  assert.ok(model, 'the FastRouter Sonnet 4 model is available');
  return model;
}

/** Sends a request and collects the parts it streams; a failure is returned, not thrown. */
async function collect(
  model: vscode.LanguageModelChat,
  messages: vscode.LanguageModelChatMessage[],
  options: vscode.LanguageModelChatRequestOptions = {},
  token?: vscode.CancellationToken,
): Promise<{ parts: unknown[]; error?: unknown }> {
  const parts: unknown[] = [];
  try {
    const response = await model.sendRequest(messages, { justification: 'FastRouter Chat tests', ...options }, token);
    for await (const part of response.stream) parts.push(part);
    return { parts };
  } catch (error) {
    return { parts, error };
  }
}

const textOf = (parts: unknown[]) => parts.map((p) => (p instanceof vscode.LanguageModelTextPart ? p.value : '')).join('');

async function setSetting(key: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration('fastrouter').update(key, value, vscode.ConfigurationTarget.Global);
}

suite('language model provider (vscode.lm)', () => {
  let api: ExtensionApi;

  suiteSetup(async () => {
    api = (await vscode.extensions.getExtension(EXTENSION_ID)!.activate()) as ExtensionApi;
    await api.apiKey.set('test-key');
  });

  setup(async () => {
    await resetSim();
    await api.apiKey.set('test-key');
  });

  suiteTeardown(async () => {
    await setSetting('thinkingBudgetTokens', undefined);
    await setSetting('maxTokens', undefined);
  });

  test('selectChatModels({vendor: "fastrouter"}) lists the Claude models with their limits and capabilities', async () => {
    // The endpoint's model list (the simulator's), once fetched; the built-in list before that.
    await api.models.refresh();
    assert.ok(api.models.fromList);
    const models = await vscode.lm.selectChatModels({ vendor: 'fastrouter' });
    assert.deepEqual(models.map((m) => m.id).sort(), api.models.models.map((m) => m.id).sort());
    assert.ok(models.some((m) => m.id === 'anthropic/claude-sonnet-4-5-sim'), "a model only the endpoint's list has");
    const model = models.find((m) => m.id === SONNET)!;
    assert.equal(model.vendor, 'fastrouter');
    assert.equal(model.name, 'Claude Sonnet 4');
    assert.equal(model.family, 'claude-sonnet-4');
    assert.equal(model.version, '20250514');
    assert.equal(model.maxInputTokens, 200_000 - api.settings.current.maxTokens);
    assert.equal((await vscode.lm.selectChatModels({ vendor: 'fastrouter', family: 'claude-opus-4-1' }))[0]?.name, 'Claude Opus 4.1');
  });

  test('sendRequest streams the answer as text parts and sends a valid Messages request', async () => {
    const deltas = ['Closures ', 'capture ', 'their ', 'scope.'];
    await enqueue({ text: deltas, deltaDelayMs: 5, cost: 0.002 });
    const model = await sonnet();
    const { parts, error } = await collect(model, [vscode.LanguageModelChatMessage.User('What is a closure?')]);
    assert.equal(error, undefined);
    assert.deepEqual(parts.map((p) => (p as vscode.LanguageModelTextPart).value), deltas, 'one part per delta, in order');
    const [request] = await requests();
    assert.equal(request.path, '/v1/messages');
    assert.equal(request.headers['x-api-key'], 'test-key');
    assert.equal(request.body.model, SONNET);
    assert.equal(request.body.max_tokens, api.settings.current.maxTokens);
    assert.equal(request.body.system, undefined, 'no FastRouter chat system prompt in other callers\' requests');
    assert.deepEqual(request.body.messages, [{ role: 'user', content: [{ type: 'text', text: 'What is a closure?', cache_control: { type: 'ephemeral' } }] }], 'prompt caching: the last user turn is a breakpoint');
  });

  test('text arrives while the HTTP response is still open (streamed, not buffered), and Stop closes it', async () => {
    await enqueue({ text: ['First words. '], holdUntilAborted: true, deltaDelayMs: 20 });
    const model = await sonnet();
    const cts = new vscode.CancellationTokenSource();
    const response = await model.sendRequest([vscode.LanguageModelChatMessage.User('Talk forever')], {}, cts.token);
    const seen: string[] = [];
    for await (const part of response.stream) {
      if (part instanceof vscode.LanguageModelTextPart) seen.push(part.value);
      if (seen.length === 1) {
        const [open] = await requests();
        assert.ok(open && !open.completed && !open.aborted, 'the first text part came while the response was still being written');
        // What a caller's Stop does: cancel the token it passed to sendRequest.
        cts.cancel();
        break;
      }
    }
    assert.equal(seen[0], 'First words. ');
    const aborted = await until('the simulator to see the connection closed', async () => (await requests())[0]?.aborted === true && (await requests())[0]);
    assert.equal(aborted.completed, undefined, 'the response never finished: the server stopped generating');
    const sent = aborted.bytesSent ?? 0;
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal((await requests())[0]?.bytesSent, sent, 'nothing more was written after the close');
    cts.dispose();
  });

  test('an image from a LanguageModelDataPart reaches the endpoint as a base64 image block', async () => {
    // LanguageModelDataPart is in VS Code 1.139's API object but not in the stable 1.104 types.
    const DataPart = (vscode as unknown as { LanguageModelDataPart?: new (data: Uint8Array, mimeType: string) => unknown }).LanguageModelDataPart;
    assert.ok(DataPart, 'this VS Code has LanguageModelDataPart');
    const png = new Uint8Array(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'images', 'canvas-37x23.png')));
    await enqueue({ text: 'A green box.' });
    const model = await sonnet();
    const message = vscode.LanguageModelChatMessage.User([new vscode.LanguageModelTextPart('What is this?'), new DataPart(png, 'image/png') as vscode.LanguageModelTextPart]);
    const { parts, error } = await collect(model, [message]);
    assert.equal(error, undefined);
    assert.equal(textOf(parts), 'A green box.');
    assert.deepEqual((await requests())[0].body.messages[0].content, [
      { type: 'text', text: 'What is this?' },
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: Buffer.from(png).toString('base64') }, cache_control: { type: 'ephemeral' } },
    ]);
  });

  test('a tool round trip: tools go out, a tool call comes back, and the result reaches the simulator as tool_result', async () => {
    const tools: vscode.LanguageModelChatTool[] = [
      { name: 'get_weather', description: 'The weather in a city', inputSchema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
    ];
    await enqueue({ text: 'Let me check.', toolUse: { name: 'get_weather', input: { city: 'Paris' }, id: 'toolu_e2e_1' } }, { text: 'It is sunny in Paris.' });
    const model = await sonnet();
    const question = vscode.LanguageModelChatMessage.User('What is the weather in Paris?');
    const first = await collect(model, [question], { tools });
    assert.equal(first.error, undefined);
    const calls = first.parts.filter((p): p is vscode.LanguageModelToolCallPart => p instanceof vscode.LanguageModelToolCallPart);
    assert.equal(calls.length, 1);
    assert.deepEqual([calls[0].callId, calls[0].name, calls[0].input], ['toolu_e2e_1', 'get_weather', { city: 'Paris' }]);
    assert.equal(textOf(first.parts), 'Let me check.');

    const second = await collect(
      model,
      [
        question,
        vscode.LanguageModelChatMessage.Assistant([new vscode.LanguageModelTextPart('Let me check.'), calls[0]]),
        vscode.LanguageModelChatMessage.User([new vscode.LanguageModelToolResultPart('toolu_e2e_1', [new vscode.LanguageModelTextPart('Sunny, 21 °C')])]),
      ],
      { tools },
    );
    assert.equal(second.error, undefined);
    assert.equal(textOf(second.parts), 'It is sunny in Paris.');
    const [one, two] = await requests();
    assert.deepEqual(one.body.tools, [{ name: 'get_weather', description: 'The weather in a city', input_schema: tools[0].inputSchema, cache_control: { type: 'ephemeral' } }], 'prompt caching: the last tool is a breakpoint');
    assert.equal(one.body.tool_choice, undefined, 'tool mode auto: the API default');
    assert.deepEqual(two.body.messages.slice(1), [
      { role: 'assistant', content: [{ type: 'text', text: 'Let me check.' }, { type: 'tool_use', id: 'toolu_e2e_1', name: 'get_weather', input: { city: 'Paris' } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_e2e_1', content: [{ type: 'text', text: 'Sunny, 21 °C' }], cache_control: { type: 'ephemeral' } }] },
    ]);
  });

  test('tool mode Required asks for a tool call (tool_choice)', async () => {
    await enqueue({ toolUse: { name: 'get_time', input: {} } });
    const model = await sonnet();
    const tools = [{ name: 'get_time', description: 'Now', inputSchema: { type: 'object' } }];
    const { error } = await collect(model, [vscode.LanguageModelChatMessage.User('time?')], { tools, toolMode: vscode.LanguageModelChatToolMode.Required });
    assert.equal(error, undefined);
    assert.deepEqual((await requests())[0].body.tool_choice, { type: 'tool', name: 'get_time' });
  });

  test('with thinking configured, the signed thinking before a tool call goes back in the next round, unseen by VS Code', async () => {
    await setSetting('thinkingBudgetTokens', 2048);
    await until('the thinking setting to apply', () => api.settings.current.thinkingBudgetTokens === 2048);
    const thought = 'The user wants the weather; I should call the tool.';
    await enqueue({ thinking: thought, toolUse: { name: 'get_weather', input: { city: 'Oslo' }, id: 'toolu_think_1' } }, { text: 'Cold.' });
    const model = await sonnet();
    const tools = [{ name: 'get_weather', description: 'Weather', inputSchema: { type: 'object', properties: { city: { type: 'string' } } } }];
    const question = vscode.LanguageModelChatMessage.User('Weather in Oslo?');
    const first = await collect(model, [question], { tools });
    assert.equal(first.error, undefined);
    assert.ok(!textOf(first.parts).includes(thought), 'thinking is not shown');
    const call = first.parts.find((p): p is vscode.LanguageModelToolCallPart => p instanceof vscode.LanguageModelToolCallPart)!;
    await collect(
      model,
      [question, vscode.LanguageModelChatMessage.Assistant([call]), vscode.LanguageModelChatMessage.User([new vscode.LanguageModelToolResultPart(call.callId, [new vscode.LanguageModelTextPart('-3 °C')])])],
      { tools },
    );
    const [one, two] = await requests();
    assert.deepEqual(one.body.thinking, { type: 'enabled', budget_tokens: 2048 });
    assert.deepEqual(two.body.thinking, { type: 'enabled', budget_tokens: 2048 });
    const assistantTurn = two.body.messages[1].content as ContentBlockParam[];
    assert.deepEqual(assistantTurn[0], { type: 'thinking', thinking: thought, signature: thinkingSignature(thought) });
    assert.equal(assistantTurn[1].type, 'tool_use');
    await setSetting('thinkingBudgetTokens', undefined);
    await until('thinking to be off again', () => api.settings.current.thinkingBudgetTokens === 0);
  });

  test('errors reach the caller as LanguageModelErrors: moderation → Blocked, rejected key → NoPermissions, rate limit → Unknown', async () => {
    const model = await sonnet();
    await enqueue({ status: 403 });
    const blocked = await collect(model, [vscode.LanguageModelChatMessage.User('something flagged')]);
    assert.ok(blocked.error instanceof vscode.LanguageModelError, `a LanguageModelError (${String(blocked.error)})`);
    assert.equal(blocked.error.code, vscode.LanguageModelError.Blocked.name);
    assert.match(blocked.error.message, /moderation/);

    await enqueue({ status: 429, shouldRetry: false });
    const limited = await collect(model, [vscode.LanguageModelChatMessage.User('again')]);
    assert.ok(limited.error instanceof vscode.LanguageModelError);
    assert.equal(limited.error.code, 'Unknown');
    assert.match(limited.error.message, /Rate limited/);

    await api.apiKey.set('wrong-key');
    const rejected = await collect(model, [vscode.LanguageModelChatMessage.User('hi')]);
    assert.ok(rejected.error instanceof vscode.LanguageModelError);
    assert.equal(rejected.error.code, vscode.LanguageModelError.NoPermissions.name);
    assert.match(rejected.error.message, /FastRouter: Set API Key/);
    assert.doesNotMatch(rejected.error.message, /wrong-key/);
  });

  test('no key: NoPermissions naming Set API Key, and nothing is sent; the model list still answers', async () => {
    await api.apiKey.clear();
    const models = await vscode.lm.selectChatModels({ vendor: 'fastrouter' });
    assert.equal(models.length, api.models.models.length, 'the models are listed without a key (and without a prompt)');
    const { error } = await collect(models.find((m) => m.id === SONNET)!, [vscode.LanguageModelChatMessage.User('hi')]);
    assert.ok(error instanceof vscode.LanguageModelError);
    assert.equal(error.code, vscode.LanguageModelError.NoPermissions.name);
    assert.match(error.message, /No FastRouter API key is set\. Run "FastRouter: Set API Key"/);
    assert.equal((await requests()).length, 0, 'no request without a key');
  });

  test('an invalid setting that shapes the request stops it, naming the setting; a bad fastrouter.model does not (VS Code picks the model)', async () => {
    const model = await sonnet();
    await setSetting('baseUrl', 'ftp://example.com');
    await until('the bad base URL to be seen', () => api.settings.problems.some((p) => p.key === 'baseUrl'));
    try {
      const { error } = await collect(model, [vscode.LanguageModelChatMessage.User('hi')]);
      assert.ok(error instanceof vscode.LanguageModelError, String(error));
      assert.match(error.message, /fastrouter\.baseUrl/);
      assert.equal((await requests()).length, 0, 'nothing sent to a URL the user did not choose');
    } finally {
      await setSetting('baseUrl', process.env.FASTROUTER_SIM_URL);
      await until('the simulator URL again', () => !api.settings.problems.some((p) => p.key === 'baseUrl'));
    }
    await setSetting('model', '');
    await until('the bad model id to be seen', () => api.settings.problems.some((p) => p.key === 'model'));
    try {
      await enqueue({ text: 'Still here.' });
      const { parts, error } = await collect(model, [vscode.LanguageModelChatMessage.User('hi')]);
      assert.equal(error, undefined);
      assert.equal(textOf(parts), 'Still here.');
    } finally {
      await setSetting('model', undefined);
    }
  });

  test('every request is billed in the ledger with its source, and the status bar shows it', async () => {
    const before = api.cost.totals.allTime.credits;
    await enqueue({ text: 'Billed answer.', cost: 0.0375 });
    const model = await sonnet();
    const { error } = await collect(model, [vscode.LanguageModelChatMessage.User('bill me')]);
    assert.equal(error, undefined);
    await until('the cost to be recorded', () => api.cost.totals.last?.cost === 0.0375);
    const totals = api.cost.totals;
    assert.ok(Math.abs(totals.allTime.credits - (before + 0.0375)) < 1e-9);
    assert.ok(api.cost.statusBarItem.text.includes(formatCredits(totals.allTime.credits)), api.cost.statusBarItem.text);
    const lines = fs.readFileSync(api.cost.ledger.filePath, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { src?: string; cost?: number; model?: string });
    const last = lines[lines.length - 1];
    assert.deepEqual([last.src, last.cost, last.model], [SOURCE, 0.0375, SONNET], 'tagged with the requesting extension');
  });

  test('a request stopped mid-stream is booked as an estimate (as the chat books it), not billed at the cost message_start carried', async () => {
    const ledgerLines = () => (fs.existsSync(api.cost.ledger.filePath) ? fs.readFileSync(api.cost.ledger.filePath, 'utf8') : '').split('\n').filter((line) => line.includes('"t":"req"'));
    const before = ledgerLines().length;
    const billedBefore = api.cost.totals.allTime.credits;
    await enqueue({ text: ['First words. '], holdUntilAborted: true, deltaDelayMs: 20, cost: 0.05, costIn: 'start' });
    const model = await sonnet();
    const cts = new vscode.CancellationTokenSource();
    const response = await model.sendRequest([vscode.LanguageModelChatMessage.User('Talk, then be stopped')], {}, cts.token);
    for await (const part of response.stream) {
      if (part instanceof vscode.LanguageModelTextPart) {
        cts.cancel();
        break;
      }
    }
    cts.dispose();
    await until('the stopped request to be recorded', () => ledgerLines().length > before);
    const entry = JSON.parse(ledgerLines().at(-1)!) as { src?: string; cost?: number; est?: number };
    assert.equal(entry.src, SOURCE);
    assert.equal(entry.cost, undefined, 'a stopped answer is never billed at the partial cost message_start carried');
    assert.ok(typeof entry.est === 'number' && entry.est > 0, `booked as an estimate from list prices (${JSON.stringify(entry)})`);
    assert.equal(api.cost.totals.last?.cost, undefined);
    assert.equal(api.cost.totals.allTime.credits, billedBefore, 'billed credits did not move');
  });

  test('a spending limit reached (all windows, the shared ledger) refuses the request with a LanguageModelError naming it; nothing is sent', async () => {
    await enqueue({ text: 'Spent.', cost: 0.05 });
    const model = await sonnet();
    assert.equal((await collect(model, [vscode.LanguageModelChatMessage.User('spend')])).error, undefined);
    await until('the cost to be recorded', () => api.cost.totals.last?.cost === 0.05);
    await setSetting('spendingLimit.dailyCredits', 0.01);
    await until('the limit to be in force', () => api.cost.spendingStatus().reached?.period === 'day');
    try {
      await resetSim();
      const { error } = await collect(model, [vscode.LanguageModelChatMessage.User('over the limit')]);
      assert.ok(error instanceof vscode.LanguageModelError, String(error));
      assert.match(error.message, /Daily spending limit reached: .* of 0\.01 credits (?:spent|billed) today/);
      assert.match(error.message, /fastrouter\.spendingLimit\.dailyCredits/);
      assert.equal((await requests()).length, 0, 'nothing sent past the limit');
    } finally {
      await setSetting('spendingLimit.dailyCredits', undefined);
    }
    await until('the limit to be lifted', () => api.cost.spendingStatus().reached === undefined);
    await enqueue({ text: 'Back again.' });
    const { parts, error } = await collect(model, [vscode.LanguageModelChatMessage.User('after')]);
    assert.equal(error, undefined);
    assert.equal(textOf(parts), 'Back again.');
  });

  test('countTokens gives the local estimate for text and for messages', async () => {
    const model = await sonnet();
    assert.equal(await model.countTokens('The quick brown fox jumps over the lazy dog.'), estimateTextTokens('The quick brown fox jumps over the lazy dog.'));
    const message = await model.countTokens(vscode.LanguageModelChatMessage.User('The quick brown fox jumps over the lazy dog.'));
    assert.ok(message > 10 && message < 20, `a message costs its text plus a little (${message})`);
  });

  test('changing fastrouter.maxTokens tells VS Code the models changed, and their input room follows', async () => {
    // vscode.lm.onDidChangeChatModels fires only when the set of ids changes; the provider's own event is what VS Code re-reads on.
    const changed = new Promise<void>((resolve) => {
      const sub = api.languageModels.onDidChangeLanguageModelChatInformation(() => {
        sub.dispose();
        resolve();
      });
    });
    await setSetting('maxTokens', 16_000);
    await changed;
    const model = await until('the new input room', async () => {
      const found = await sonnet();
      return found.maxInputTokens === 200_000 - 16_000 && found;
    });
    assert.equal(model.maxInputTokens, 184_000);
    await setSetting('maxTokens', undefined);
  });
});
