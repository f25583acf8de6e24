// In-host tests of the cost features inside code-server's real extension host, against the local simulator: a
// stopped answer recorded as an estimate (never the message_start cost), the spending limits holding a chat request
// back until Send Anyway (which sends exactly one), the status bar's warning colour, and Show Cost (the cost view,
// Export CSV) / Reset Cost whose default choice never resets.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as vscode from 'vscode';
import { localDayKey, localMonthKey, parseEntry, type LedgerRequest } from '../../../src/core/cost/costTotals';
import type { ExtensionApi } from '../../../src/extension';
import { COST_VIEW_TYPE } from '../../../src/host/cost/costView';
import type { AssistantTurn } from '../../../src/common/chatTypes';
import { EVENT_DEADLINE_MS, activate, enqueue, resetSim, setSetting, simRequests, until } from './support';

function ledgerLines(api: ExtensionApi): string[] {
  return fs.readFileSync(api.cost.ledger.filePath, 'utf8').trim().split('\n');
}

function lastRequestLine(api: ExtensionApi): LedgerRequest {
  const entry = parseEntry(ledgerLines(api).at(-1)!);
  assert.ok(entry && entry.t === 'req', 'the last ledger line is a request');
  return entry;
}

/** The tooltip as read: Markdown escapes and the non-breaking spaces of appendText undone. */
function tooltipText(api: ExtensionApi): string {
  const tooltip = api.cost.statusBarItem.tooltip;
  const markdown = typeof tooltip === 'string' ? tooltip : (tooltip?.value ?? '');
  return markdown.replace(/&nbsp;/g, ' ').replace(/\\(.)/g, '$1');
}

function backgroundId(api: ExtensionApi): string | undefined {
  // ThemeColor keeps its id at run time; the 1.90 typings do not declare it.
  return (api.cost.statusBarItem.backgroundColor as unknown as { id: string } | undefined)?.id;
}

/** Runs a command that opens a Quick Pick and accepts its default (first) item once the pick is up. */
function acceptDefault<T>(command: string, moveDown = 0): Promise<T> {
  return acceptDefaultOf(() => vscode.commands.executeCommand<T>(command), moveDown);
}

/**
 * Runs `open` (which shows a Quick Pick) and accepts its default item, or the one `moveDown` below it. Polled with a
 * deadline, never a fixed wait: showQuickPick sends its items apart from the show, and an accept that reaches the
 * workbench before them is a no-op, so select and accept again until the pick has closed. A select that comes
 * before the items settle is lost (Enter then takes the default): a caller that moves down checks what was picked
 * and tries again, each try giving the pick `backoffMs` more before the first select.
 */
async function acceptDefaultOf<T>(open: () => Thenable<T> | Promise<T>, moveDown = 0, backoffMs = 0): Promise<T> {
  let settled = false;
  const pending = Promise.resolve(open()).finally(() => (settled = true));
  if (backoffMs > 0) await new Promise((r) => setTimeout(r, backoffMs));
  await until('the Quick Pick to take the choice', async () => {
    if (settled) return true;
    for (let n = 0; n < moveDown; n++) await vscode.commands.executeCommand('workbench.action.quickOpenSelectNext');
    await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    return settled;
  }, EVENT_DEADLINE_MS, 250);
  return pending;
}

suite('cost: estimates, spending limits, Show Cost', () => {
  let api: ExtensionApi;

  suiteSetup(async () => {
    api = await activate({ apiKey: 'test-key' });
  });

  setup(async () => {
    api.chat.stop();
    await api.chat.idle();
    await resetSim();
  });

  teardown(async () => {
    await setSetting('spendingLimit.dailyCredits', undefined);
    await setSetting('spendingLimit.monthlyCredits', undefined);
  });

  test('Stop: the streamed output is counted and priced as an estimate, never as the message_start cost', async () => {
    // The simulator puts a cost in message_start (input + 1 output token): it is not the answer's cost.
    await enqueue({ text: ['partial '], holdUntilAborted: true, deltaDelayMs: 20, usage: { input_tokens: 48_474 }, cost: 0.5, costIn: 'both' });
    const before = api.cost.totals.allTime;
    const controller = new AbortController();
    let chars = 0;
    const outcome = await api.runner.run({ messages: [{ role: 'user', content: 'hi' }] }, controller.signal, (e) => {
      if (e.type === 'content_block_delta' && e.delta.type === 'text_delta') chars += e.delta.text.length;
      if (chars > 200) controller.abort();
    });
    assert.equal(outcome.status, 'stopped');
    const meta = outcome.meta!;
    assert.equal(meta.cost.kind, 'estimate');
    assert.ok(meta.outputTokens >= Math.ceil(chars / 3.5) && meta.outputTokens > 1, `output tokens ${meta.outputTokens} for ${chars} characters`);
    assert.equal(meta.inputTokens, 48_474);
    const line = lastRequestLine(api);
    assert.equal(line.cost, undefined, 'no billed cost in the ledger');
    assert.ok(line.est !== undefined && line.est > 48_474 * 3e-6, `estimate ${line.est} prices the input from message_start`);
    assert.equal(line.out, meta.outputTokens);
    assert.equal(line.src, 'chat');
    const after = api.cost.totals.allTime;
    assert.equal(after.credits, before.credits, 'billed credits unchanged');
    assert.ok(Math.abs(after.estimatedCredits - before.estimatedCredits - line.est!) < 1e-9);
    assert.match(tooltipText(api), /Estimated, not billed/);
  });

  test('at the daily limit a chat question is not sent; Send Anyway sends it exactly once', async () => {
    // Spend something today (another window's request, through the shared ledger), then set a limit below it.
    api.cost.record({ model: 'anthropic/claude-sonnet-4-20250514', inputTokens: 10, outputTokens: 10, cost: 0.75, source: 'chat' });
    const spentToday = api.cost.totals.days[localDayKey(Date.now())];
    const spent = spentToday.credits + spentToday.estimatedCredits;
    await setSetting('spendingLimit.dailyCredits', Math.max(0.01, spent / 2));
    await until('the status bar to show the limit reached', () => backgroundId(api) === 'statusBarItem.errorBackground', 30_000);

    await vscode.commands.executeCommand('fastrouter.newChat');
    await api.chat.ask({ text: 'Over the limit?' });
    assert.equal((await simRequests()).length, 0, 'nothing was sent');
    const answer = api.chat.conversation.turns.at(-1) as AssistantTurn;
    assert.equal(answer.status, 'error');
    assert.equal(answer.error?.code, 'spending_limit');
    assert.deepEqual(answer.error?.actions, ['sendAnyway', 'openSettings']);
    assert.match(answer.error!.message, /Daily spending limit reached: [\d.]+ of [\d.]+ credits (?:spent|billed) today/);

    await enqueue({ text: ['Sent ', 'anyway.'], cost: 0.001 });
    await api.chat.receiveFromWebview({ type: 'errorAction', turnId: answer.id, action: 'sendAnyway' });
    await api.chat.idle();
    assert.equal((await simRequests()).length, 1, 'Send Anyway sent exactly one request');
    const sent = api.chat.conversation.turns.at(-1) as AssistantTurn;
    assert.equal(sent.id, answer.id, 'the same turn, answered');
    assert.equal(sent.status, 'done');
    assert.deepEqual(sent.meta?.cost, { kind: 'billed', credits: 0.001 });

    // The limit still holds for the next question.
    await api.chat.ask({ text: 'And again?' });
    assert.equal((await simRequests()).length, 1, 'the next question is held back again');
    assert.equal((api.chat.conversation.turns.at(-1) as AssistantTurn).error?.code, 'spending_limit');
  });

  test('from 80 % of a limit the status bar warns and its tooltip says how much is left', async () => {
    api.cost.record({ model: 'anthropic/claude-sonnet-4-20250514', inputTokens: 1, outputTokens: 1, cost: 0.05, source: 'inline' });
    const month = api.cost.totals.months[localMonthKey(Date.now())];
    const spent = month.credits + month.estimatedCredits;
    await setSetting('spendingLimit.monthlyCredits', spent / 0.9);
    await until('the warning colour', () => backgroundId(api) === 'statusBarItem.warningBackground', 30_000);
    assert.match(tooltipText(api), /Monthly limit: [\d.]+ of [\d.]+ credits spent this month.*, [\d.]+ left/);
    await setSetting('spendingLimit.monthlyCredits', spent * 10);
    await until('the normal colour again', () => api.cost.statusBarItem.backgroundColor === undefined, 30_000);
  });

  test('Show Cost opens the cost view in the editor area with the ledger\'s figures, once', async () => {
    api.cost.record({ model: 'anthropic/claude-sonnet-4-20250514', inputTokens: 3400, cacheReadTokens: 2900, outputTokens: 120, cost: 0.0123, source: 'chat' });
    const ready = new Promise<void>((resolve) => api.costView.onDidBecomeReady(() => resolve()));
    await vscode.commands.executeCommand('fastrouter.showCost');
    await ready;
    assert.ok(api.costView.isOpen && api.costView.isReady, 'the page said ready and got its data');
    const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith(COST_VIEW_TYPE));
    assert.equal(tabs.length, 1, 'one editor tab for the cost view');
    assert.equal(tabs[0].label, 'FastRouter Cost');
    const data = api.costView.data();
    assert.equal(data.days.length, 30);
    assert.equal(data.recent[0].cacheReadTokens, 2900, 'the newest request first');
    assert.equal(data.recent[0].sourceLabel, 'chat');
    // Again: the same panel comes to the front, no second one.
    await vscode.commands.executeCommand('fastrouter.showCost');
    assert.equal(vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith(COST_VIEW_TYPE)).length, 1);
  });

  test('the cost view\'s Export CSV writes the recent requests; its Reset Cost… never resets on the default choice', async () => {
    api.cost.record({ model: 'm', inputTokens: 1, outputTokens: 1, cost: 0.01 });
    const file = vscode.Uri.file(`${process.env.FASTROUTER_E2E_WORKSPACE ?? os.tmpdir()}/cost-export.csv`);
    await api.costView.exportCsv(file);
    const csv = Buffer.from(await vscode.workspace.fs.readFile(file)).toString('utf8').split('\r\n');
    assert.equal(csv[0], 'time,model,source,input_tokens,cache_read_tokens,cache_write_tokens,output_tokens,billed_credits,estimated_credits');
    assert.match(csv.at(-2)!, /^\d{4}-\d\d-\d\dT[\d:.]+Z,m,,1,0,0,1,0\.01,$/, 'the newest request is the last line');

    const lines = ledgerLines(api).length;
    const credits = api.cost.totals.allTime.credits;
    assert.ok(credits > 0);
    const fromView = (moveDown: number, backoffMs = 0) => acceptDefaultOf(() => api.costView.receive({ type: 'resetCost' }), moveDown, backoffMs);
    await fromView(0);
    assert.equal(api.cost.totals.allTime.credits, credits, 'Reset Cost… + Enter kept the totals');
    assert.equal(ledgerLines(api).length, lines, 'and wrote nothing');
    assert.equal(await acceptDefault<boolean>('fastrouter.resetCost'), false, 'the confirmation\'s default is Cancel');
    // The second entry: a select that reaches the pick before its items is lost and Enter takes Cancel (which changes
    // nothing, as asserted above), so pick again until Reset Cost is what was picked; a reset that never happens fails.
    let tries = 0;
    await until('picking Reset Cost to reset', async () => (await fromView(1, 250 * tries++), api.cost.totals.allTime.credits === 0), EVENT_DEADLINE_MS);
    assert.equal(JSON.parse(ledgerLines(api).at(-1)!).t, 'reset');
    assert.equal(api.costView.data().total.credits.value, 0, 'the view\'s data follows');
  });
});
