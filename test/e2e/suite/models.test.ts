// In-host tests of cost control's model list and prompt caching (issue 10 §1-2) in code-server's real extension host,
// against the local simulator: Select Model from the endpoint's list, the model's name in the answer meta, the
// language model provider's models, the fallback to the built-in list, and a follow-up question read from the cache.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { BUILTIN_MODELS } from '../../../src/core/models/modelCatalog';
import type { ExtensionApi } from '../../../src/extension';
import { SIM, activate, enqueue, filesUnder, lastAnswer, openModelPick, resetSim, setSetting, simCall, simRequests, until } from './support';

const SIM_CLAUDE_NAMES = ['Claude Sonnet 4', 'Claude Opus 4.1', 'Claude Haiku 4.5', 'Claude Sonnet 4.5 (Simulated)'];
const EPHEMERAL = { type: 'ephemeral' };

interface Recorded {
  path: string;
  method: string;
  headers: Record<string, string>;
  body: { model: string; system?: unknown; messages: { role: string; content: unknown }[] };
}

const modelRequests = async () => (await simCall('/__sim/model-requests')) as Recorded[];
const setModelList = (answer: unknown) => simCall('/__sim/models', answer ?? {});

suite('model list and prompt caching', () => {
  let api: ExtensionApi;

  suiteSetup(async () => {
    api = await activate({ apiKey: 'test-key' });
  });

  setup(async () => {
    await resetSim();
    // A new chat without New Chat's reveal: its focus request reaches the chat page whenever the page is ready, and a
    // page that is slow to load (CI under load) would take the focus from Select Model's pick and close it.
    api.chat.newChat();
    await until('a new chat', () => api.chat.conversation.turns.length === 0);
  });

  teardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    await setSetting('model', undefined);
    await setSetting('promptCaching', undefined);
    await setSetting('baseUrl', SIM);
  });

  test("Select Model offers the Claude models of the endpoint's list; the pick names the answers and the provider's models", async () => {
    await api.models.refresh();
    assert.equal(api.models.fromList, true, 'the list was fetched');
    assert.deepEqual(api.models.models.map((m) => m.name), SIM_CLAUDE_NAMES, 'Claude models only, with their names');
    const [listRequest] = await modelRequests();
    assert.equal(listRequest.method, 'GET');
    assert.equal(listRequest.path, '/v1/models');

    const before = (await modelRequests()).length;
    const { result: pending } = await openModelPick(api, () => vscode.commands.executeCommand<string | undefined>('fastrouter.selectModel'));
    // Opening it fetches the list again; the entry moved to is kept when the fresh list replaces the items.
    await until('Select Model to fetch the list', async () => (await modelRequests()).length > before, 30_000);
    // The current model (Claude Sonnet 4, the first) is active: three down is the simulated Sonnet 4.5.
    for (let i = 0; i < 3; i++) await vscode.commands.executeCommand('workbench.action.quickOpenSelectNext');
    await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    const chosen = await pending;
    assert.equal(chosen, 'anthropic/claude-sonnet-4-5-sim');
    await until('the settings service to follow', () => api.settings.current.model === chosen, 30_000);

    await enqueue({ text: 'ok' });
    await api.chat.ask({ text: 'Which model are you?' });
    const meta = lastAnswer(api).meta;
    assert.equal(meta?.model, 'anthropic/claude-sonnet-4-5-sim');
    assert.equal(meta?.modelName, 'Claude Sonnet 4.5 (Simulated)', 'the answer meta names the model');
    assert.equal((await simRequests<Recorded>())[0].body.model, chosen, 'the request uses the picked model');

    const lm = await vscode.lm.selectChatModels({ vendor: 'fastrouter' });
    assert.deepEqual(lm.map((m) => m.name), SIM_CLAUDE_NAMES, "the language model provider lists the endpoint's models");
    assert.equal(lm.find((m) => m.id === 'anthropic/claude-sonnet-4-5-sim')?.maxInputTokens, 1_000_000 - api.settings.current.maxTokens);
  });

  test('a model list that cannot be had falls back to the built-in list, says so in the log, and Select Model still opens', async () => {
    await setModelList({ status: 500 });
    // Another base URL of the same endpoint: a list not fetched yet, so the built-in one until it is.
    await setSetting('baseUrl', `${SIM}/api`);
    assert.equal(api.models.fromList, false);
    await api.models.refresh();
    assert.equal((await modelRequests()).at(-1)?.path, '/api/v1/models');
    assert.equal(api.models.fromList, false);
    assert.deepEqual(api.models.models.map((m) => m.id), BUILTIN_MODELS.map((m) => m.id));
    const logsRoot = path.resolve(api.logUri.fsPath, '..', '..');
    await until('the log line', () => filesUnder(logsRoot).some((f) => /Model list: .*HTTP 500.* using the built-in model list/.test(fs.readFileSync(f, 'utf8'))), 30_000);

    const { result: pending } = await openModelPick(api, () => vscode.commands.executeCommand<string | undefined>('fastrouter.selectModel'));
    await until('Select Model to try the list again', async () => (await modelRequests()).length >= 2, 30_000);
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    assert.equal(await pending, undefined, 'closed without a choice, no error');
    // A model picked by id still works while the list is missing.
    await vscode.commands.executeCommand('fastrouter.selectModel', 'anthropic/claude-3-5-haiku-20241022');
    await until('the argument model', () => api.settings.current.model === 'anthropic/claude-3-5-haiku-20241022', 30_000);
  });

  test('a follow-up question reads the conversation from the cache: request shape, answer meta, ledger and tooltip', async () => {
    const ledgerBefore = api.cost.totals.allTime;
    const code = 'export const add = (a: number, b: number): number => a + b;\n'.repeat(80);
    await enqueue({ text: 'Looks fine.' }, { text: 'None.' }, { text: 'Yes.' });
    await api.chat.ask({ text: `Review this:\n\`\`\`ts\n${code}\`\`\`` });
    const first = lastAnswer(api).meta!;
    assert.equal(first.cacheReadTokens, undefined, 'nothing cached yet');
    assert.ok((first.cacheWriteTokens ?? 0) > 1024, 'system + question written to the cache');

    await api.chat.ask({ text: 'And the edge cases?' });
    const second = lastAnswer(api).meta!;
    assert.equal(second.cacheReadTokens, first.cacheWriteTokens, 'the follow-up reads all the first request wrote');
    assert.ok(second.inputTokens > second.cacheReadTokens!, 'in counts the cached tokens too');

    const [one, two] = await simRequests<Recorded>();
    assert.deepEqual((one.body.system as { cache_control?: unknown }[])[0].cache_control, EPHEMERAL, 'system prompt as a marked text block');
    assert.deepEqual(two.body.messages.map((m) => (Array.isArray(m.content) ? ((m.content.at(-1) as { cache_control?: unknown }).cache_control ?? null) : null)), [EPHEMERAL, null, EPHEMERAL], 'the last user turn is marked, and the one before it (the 4th breakpoint keeps a wide tool round cached)');

    const ledger = api.cost.totals.allTime;
    assert.equal(ledger.cacheReadTokens - ledgerBefore.cacheReadTokens, second.cacheReadTokens);
    assert.equal(ledger.cacheWriteTokens - ledgerBefore.cacheWriteTokens, (first.cacheWriteTokens ?? 0) + (second.cacheWriteTokens ?? 0));
    const tooltip = api.cost.statusBarItem.tooltip;
    const text = (typeof tooltip === 'string' ? tooltip : (tooltip?.value ?? '')).replace(/&nbsp;/g, ' ').replace(/\\(.)/g, '$1');
    assert.match(text, /Prompt caching (saved|cost) ≈ [\d.]+ credits.*\(estimate from list prices: [\d,]+ tokens read from the cache at 0\.1×/);

    // Off: no breakpoints, nothing cached.
    await setSetting('promptCaching', false);
    await api.chat.ask({ text: 'One more?' });
    const third = lastAnswer(api).meta!;
    assert.equal(third.cacheReadTokens, undefined);
    assert.equal(third.cacheWriteTokens, undefined);
    assert.ok(!JSON.stringify((await simRequests<Recorded>())[2].body).includes('cache_control'));
  });
});
