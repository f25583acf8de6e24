// Compaction's model-written summary (issue 18 §3): the summary request's shape (the chat's own prefix, then the
// instruction), reading the answer into its four sections, the summary in place of the turns it stands for in what is
// sent (never on screen), Edit and Undo, saved with the conversation (reload, two windows), the Compact action, and a
// long session on the small-context model that ends with 0 context errors.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { MessageCreateParams, MessageParam } from '../../src/api';
import type { HostToWebview } from '../../src/common/protocol';
import { compactingRunner } from '../../src/core/context/compaction';
import { anchoredRunner, type ContextAnchor } from '../../src/core/context/contextMeter';
import { parseSummary, SUMMARY_REQUEST_MARK, summaryRequestMessages } from '../../src/core/context/summary';
import { activeCompaction, canUndo, framedSummary, sentSummary, type Compaction } from '../../src/core/conversation/compactions';
import { type Exchange } from '../../src/core/conversation/conversation';
import { buildRequest } from '../../src/core/conversation/conversationRequest';
import { ConversationController } from '../../src/core/conversation/conversationController';
import { mergeConversationData } from '../../src/core/conversation/conversationMerge';
import { ConversationStore } from '../../src/core/conversation/conversationStore';
import { buildUserContent } from '../../src/core/request/prompt';
import { toolDefinitions, type ParsedToolCall } from '../../src/core/tools/definitions';
import type { ChatTools, PreparedToolCall, ToolLimits } from '../../src/core/tools/types';
import { estimateTextTokens } from '../../src/common/tokenCount';
import { SMALL_CONTEXT_LENGTH, SMALL_CONTEXT_MODEL, startSimulator, type Simulator } from '../support/simulator';
import { simulatorRunner } from '../support/simulatorRunner';

let sim: Simulator;
let root: string;
before(async () => {
  sim = await startSimulator({ defaultDelayMs: 0 });
  root = await mkdtemp(join(tmpdir(), 'context-summary-'));
});
after(async () => {
  await sim.close();
  await rm(root, { recursive: true, force: true });
});

let dirs = 0;
const freshDir = () => join(root, `chats-${++dirs}`);

function exchange(n: number, answer = `Answer ${n}. It uses a map.`): Exchange {
  return {
    user: { id: `u${n}`, role: 'user', text: `Question ${n}`, context: [], images: [] },
    answer: { id: `a${n}`, status: 'done', messages: [{ content: [{ type: 'text', text: answer }], complete: true }] },
    askedAt: n,
    updatedAt: n,
  };
}

function toolExchange(n: number): Exchange {
  return {
    user: { id: `u${n}`, role: 'user', text: `Fix the bug in src/f${n}.ts`, context: [], images: [] },
    answer: {
      id: `a${n}`,
      status: 'done',
      messages: [
        {
          complete: true,
          stopReason: 'tool_use',
          content: [{ type: 'text', text: 'Editing.' }, { type: 'tool_use', id: `t${n}`, name: 'edit_file', input: { path: `src/f${n}.ts`, old_text: 'a', new_text: 'b' } }],
          toolResults: [{ toolUseId: `t${n}`, content: 'Applied.', state: 'applied', change: { path: `src/f${n}.ts`, added: 1, removed: 1 } }],
        },
        { complete: true, content: [{ type: 'text', text: 'Fixed.' }] },
      ],
    },
    askedAt: n,
    updatedAt: n,
  };
}

const compaction = (id: string, through: string, summary: string, extra: Partial<Compaction> = {}): Compaction => ({ id, throughAnswerId: through, summary, trigger: 'manual', createdAt: 100, updatedAt: 100, ...extra });

const textOf = (message: MessageParam): string => (typeof message.content === 'string' ? message.content : message.content.map((b) => (b.type === 'text' ? b.text : '')).join('\n'));
const allText = (messages: readonly MessageParam[]): string => JSON.stringify(messages);

test('the summary request is the next question\'s request with the instruction in the question\'s place: same prefix, tool pairs whole', () => {
  const exchanges = [exchange(1), toolExchange(2), exchange(3)];
  const next: Exchange = { user: { id: 'n', role: 'user', text: 'Next question', context: [], images: [] }, answer: { id: 'na', status: 'streaming', messages: [] } };
  const question = buildRequest([...exchanges, next], 3, 'answer', buildUserContent).messages;
  const request = summaryRequestMessages(exchanges, [], 2, buildUserContent);
  assert.equal(request.length, question.length);
  // Everything before the last message is the same (the prompt cache's prefix); the last is the instruction.
  assert.deepEqual(request.slice(0, -1), question.slice(0, -1));
  const last = request[request.length - 1];
  assert.equal(last.role, 'user');
  const instruction = textOf(last);
  assert.ok(instruction.startsWith(SUMMARY_REQUEST_MARK));
  for (const heading of ['## Goals', '## Decisions', '## Files changed', '## Open tasks']) assert.ok(instruction.includes(`\n${heading}\n`), heading);
  assert.match(instruction, /Do not call any tools/);
  // What the tools changed is given as a fact, not left to the model's memory.
  assert.match(instruction, /Files the tools changed in these turns: src\/f2\.ts\./);
});

test('a summary request over an earlier summary sends that summary, then only the turns after it', () => {
  const exchanges = [exchange(1), exchange(2), exchange(3), exchange(4)];
  const earlier = compaction('c1', 'a2', '## Goals\n- Make it fast');
  const request = summaryRequestMessages(exchanges, [earlier], 3, buildUserContent);
  assert.ok(textOf(request[0]).startsWith(framedSummary('## Goals\n- Make it fast').split('\n')[0]));
  assert.ok(!allText(request).includes('Question 1') && !allText(request).includes('Question 2'));
  assert.ok(allText(request).includes('Question 3') && allText(request).includes('Question 4'));
});

test('the summary replaces the turns it stands for in what is sent, from the exchange after it on; the turns stay for the screen', () => {
  const exchanges = [exchange(1), toolExchange(2), exchange(3), exchange(4)];
  const compactions = [compaction('c1', 'a2', '## Goals\n- Fix the bugs')];
  const summary = sentSummary(exchanges, compactions, 3);
  assert.deepEqual(summary?.throughIndex, 1);
  const sent = buildRequest(exchanges, 3, 'answer', buildUserContent, { prefill: true, summary }).messages;
  assert.equal(sent[0].role, 'user');
  assert.ok(textOf(sent[0]).includes('<conversation-summary>\n## Goals\n- Fix the bugs\n</conversation-summary>'));
  // The first kept question joins the summary's user message (roles alternate).
  assert.ok(textOf(sent[0]).includes('Question 3'));
  assert.ok(!allText(sent).includes('Question 1') && !allText(sent).includes('edit_file'), 'the compacted turns and their tool calls are not sent');
  assert.deepEqual(sent.map((m) => m.role), ['user', 'assistant', 'user']);
  // A request for an exchange the summary covers (Retry of the last, after Compact) is sent without it.
  assert.equal(sentSummary(exchanges, [compaction('c2', 'a4', 'x')], 3), undefined);
  // Undone: the full turns again; an earlier compaction is in effect again.
  const two = [compaction('c1', 'a1', 'first', { createdAt: 1 }), compaction('c2', 'a2', 'second', { createdAt: 2, undone: true })];
  assert.equal(activeCompaction(exchanges, two)?.compaction.id, 'c1');
});

test('the answer is read into the four sections, in order; headings may be bold or any case; an answer with none is not a summary', () => {
  const parsed = parseSummary('Sure, here it is.\n\n**Open tasks:**\n- Add tests\n\n## goals\n- Faster start\n\n### Decisions made\n- Use a map (O(1))');
  assert.ok(parsed);
  assert.deepEqual(parsed.found, ['Open tasks', 'Goals', 'Decisions']);
  assert.equal(parsed.text, '## Goals\n- Faster start\n\n## Decisions\n- Use a map (O(1))\n\n## Files changed\nNone.\n\n## Open tasks\n- Add tests');
  assert.equal(parseSummary('I cannot summarise that.'), undefined);
});

test('Undo lasts until the next question; an automatic compaction keeps it through the question it was made for', () => {
  const exchanges = [exchange(1), exchange(2)];
  const manual = compaction('c1', 'a2', 's');
  assert.equal(canUndo(exchanges, [manual], manual), true);
  assert.equal(canUndo([...exchanges, exchange(3)], [manual], manual), false);
  const auto = compaction('c2', 'a1', 's', { trigger: 'auto', duringAnswerId: 'a2' });
  assert.equal(canUndo(exchanges, [auto], auto), true);
  assert.equal(canUndo([...exchanges, exchange(3)], [auto], auto), false);
});

test('two windows: compactions merge by id, the copy changed last wins (an edit, an Undo), and changes are flagged', () => {
  const data = (compactions: Compaction[]) => ({ version: 1 as const, id: 'c', title: 't', createdAt: 1, updatedAt: 1, exchanges: [exchange(1), exchange(2)], compactions });
  const mine = compaction('c1', 'a1', 'mine', { updatedAt: 100 });
  const theirsEdited = compaction('c1', 'a1', 'edited elsewhere', { updatedAt: 200, edited: true });
  const theirsNew = compaction('c2', 'a2', 'new elsewhere', { createdAt: 150, updatedAt: 150 });
  const merged = mergeConversationData(data([mine]), data([theirsEdited, theirsNew]));
  assert.equal(merged.changed, true);
  assert.deepEqual(merged.data.compactions?.map((c) => [c.id, c.summary]), [['c1', 'edited elsewhere'], ['c2', 'new elsewhere']]);
  const same = mergeConversationData(data([theirsEdited]), data([mine]));
  assert.equal(same.changed, false, 'an older copy changes nothing');
  assert.equal(same.data.compactions?.[0].summary, 'edited elsewhere');
});

/** read_file over generated files: big results, as a real session's tool rounds have. */
class GeneratedFiles implements ChatTools {
  enabled(): boolean {
    return true;
  }
  limits(): ToolLimits {
    return { autoApproveReadOnly: true, maxRounds: 25, maxCreditsPerQuestion: 0 };
  }
  async prepare(call: ParsedToolCall): Promise<PreparedToolCall | { error: string }> {
    if (call.name !== 'read_file') return { error: 'only read_file here' };
    const path = call.input.path;
    const text = Array.from({ length: 40 }, (_, i) => `${i + 1}: export const ${path.replace(/\W/g, '_')}_${i} = ${i};`).join('\n');
    return { summary: `Read ${path}`, run: async () => ({ content: text, summary: `Read ${path}` }) };
  }
}

const SYSTEM = 'You are an expert software engineer helping a developer inside their code editor.';

interface Harness {
  controller: ConversationController;
  posted: HostToWebview[];
  sent: Array<{ params: MessageCreateParams; source: string }>;
  counted: Array<{ source: string; inputTokens: number; cacheRead: number; status: string }>;
}

function harness(dir: string, options: { model?: string; contextLength?: number; tools?: boolean; caching?: boolean } = {}): Harness {
  const sent: Harness['sent'] = [];
  const counted: Harness['counted'] = [];
  const posted: HostToWebview[] = [];
  const anchors = new Map<string, ContextAnchor>();
  const simulator = simulatorRunner(sim.url, {}, options.model, { promptCaching: options.caching, onRequest: (params, source) => sent.push({ params, source }) });
  const counting: typeof simulator = {
    run: async (input, signal, onEvent, runOptions) => {
      const outcome = await simulator.run(input, signal, onEvent, runOptions);
      counted.push({ source: input.source ?? 'chat', inputTokens: outcome.meta?.inputTokens ?? 0, cacheRead: outcome.meta?.cacheReadTokens ?? 0, status: outcome.status });
      return outcome;
    },
  };
  const contextLength = options.contextLength ?? 200_000;
  const anchored = anchoredRunner(counting, (id, anchor) => anchors.set(id, anchor), () => controller.conversation.id);
  const compacting = compactingRunner(anchored, () => ({ contextLength, compactAt: 0.8 }));
  const controller: ConversationController = new ConversationController({
    runner: { run: (input, signal, onEvent, runOptions) => compacting.run({ ...input, system: SYSTEM }, signal, onEvent, runOptions) },
    store: new ConversationStore(dir),
    userContent: buildUserContent,
    post: (message) => posted.push(message),
    model: () => options.model ?? 'sim-model',
    prefillAllowed: () => true,
    log: () => {},
    ...(options.tools ? { tools: new GeneratedFiles() } : {}),
    saveDelayMs: 10,
    previewSettings: () => ({ system: SYSTEM, ...(options.tools ? { tools: toolDefinitions() } : {}), contextLength, compactAt: 0.8, anchor: anchors.get(controller.conversation.id) }),
  });
  return { controller, posted, sent, counted };
}

test('Compact: one summary request through the runner (source "compaction"), read from the prompt cache; the next question sends the summary, the screen keeps every turn', async () => {
  const dir = freshDir();
  const h = harness(dir, { caching: true });
  await h.controller.ready;
  const long = 'The parser keeps a map of names to nodes, so lookups are constant time. '.repeat(80);
  sim.enqueue({ text: `We will use a map. ${long}` }, { text: `The map lives in src/parser.ts. ${long}` });
  await h.controller.ask({ text: 'How should the parser look names up quickly?' });
  await h.controller.ask({ text: 'Where should the map live?' });
  const before = h.sent.length;
  assert.equal(await h.controller.compact(), true);
  const summaryRequest = h.sent[before];
  assert.equal(h.sent.length - before, 1, 'one request');
  assert.equal(summaryRequest.source, 'compaction');
  // The same system prompt and history as the chat's last request: its cached prefix is read.
  assert.deepEqual(summaryRequest.params.system, h.sent[before - 1].params.system);
  const summaryCount = h.counted[h.counted.length - 1];
  assert.ok(summaryCount.cacheRead > 1000, `read from the cache: ${summaryCount.cacheRead} tokens`);
  const stored = h.controller.conversation.compactions[0];
  assert.equal(stored.trigger, 'manual');
  assert.equal(stored.throughAnswerId, h.controller.conversation.exchanges[1].answer.id);
  // The simulated model's summary, read from the conversation: the questions as goals, in four sections.
  assert.match(stored.summary, /^## Goals\n- How should the parser look names up quickly\?\n- Where should the map live\?/);
  assert.match(stored.summary, /## Decisions\n- We will use a map\./);
  assert.ok(stored.meta && stored.meta.cost.kind === 'billed', 'its cost is counted');
  assert.ok(stored.tokensAfter! < stored.tokensBefore!, `${stored.tokensBefore} → ${stored.tokensAfter}`);
  // The row: posted running, then done, on the last answer; the turns are all still there.
  const rows = h.posted.filter((m): m is Extract<HostToWebview, { type: 'compaction' }> => m.type === 'compaction');
  assert.deepEqual(rows.map((m) => m.compaction?.state), ['running', 'done']);
  const turns = h.controller.turns();
  assert.equal(turns.length, 4);
  assert.equal(turns[3].role === 'assistant' && turns[3].compaction?.summary, stored.summary);
  // The next question sends the summary in place of the two turns.
  sim.enqueue({ text: 'Yes.' });
  await h.controller.ask({ text: 'Shall we start?' });
  const next = h.sent[h.sent.length - 1].params;
  assert.ok(textOf(next.messages[0]).includes(stored.summary));
  assert.ok(!allText(next.messages).includes('lookups are constant time'), 'the old answers are not sent');
  assert.equal(next.messages.length, 1);
  // The export keeps everything, and says where it was compacted.
  const markdown = h.controller.exportMarkdown();
  assert.ok(markdown.includes('Where should the map live?') && markdown.includes('The map lives in src/parser.ts') && markdown.includes('Compacted here'));
  h.controller.dispose();
});

test('Edit: the edited summary is what is sent; Undo until the next question sends the full turns again; both survive a reload', async () => {
  const dir = freshDir();
  const h = harness(dir);
  await h.controller.ready;
  sim.enqueue({ text: 'First answer.' }, { text: 'Second answer.' });
  await h.controller.ask({ text: 'First question' });
  await h.controller.ask({ text: 'Second question' });
  assert.equal(await h.controller.compact(), true);
  const id = h.controller.conversation.compactions[0].id;
  assert.equal(await h.controller.editCompaction(id, '## Goals\n- Edited by the user'), true);
  // Reload: a new window on the same store sends the edited summary.
  h.controller.dispose();
  await h.controller.idle();
  const again = harness(dir);
  await again.controller.ready;
  await again.controller.switchChat(h.controller.conversation.id);
  const loaded = again.controller.conversation.compactions[0];
  assert.equal(loaded.summary, '## Goals\n- Edited by the user');
  assert.equal(loaded.edited, true);
  const row = again.controller.turns()[3];
  assert.equal(row.role === 'assistant' && row.compaction?.canUndo, true);
  // Undo: the full turns go again.
  assert.equal(await again.controller.undoCompaction(id), true);
  sim.enqueue({ text: 'Third answer.' });
  await again.controller.ask({ text: 'Third question' });
  const sent = again.sent[again.sent.length - 1].params.messages;
  assert.ok(allText(sent).includes('First question') && !allText(sent).includes('Edited by the user'));
  // Compact again, ask: Undo is gone with the next question.
  assert.equal(await again.controller.compact(), true);
  const second = again.controller.conversation.compactions.find((c) => !c.undone)!;
  sim.enqueue({ text: 'Fourth answer.' });
  await again.controller.ask({ text: 'Fourth question' });
  assert.equal(await again.controller.undoCompaction(second.id), false);
  const posted = again.posted.filter((m): m is Extract<HostToWebview, { type: 'compaction' }> => m.type === 'compaction' && m.compaction?.id === second.id);
  assert.equal(posted[posted.length - 1].compaction?.canUndo, false, 'the row lost its Undo when the question was asked');
  again.controller.dispose();
});

test('nothing to compact says so; a failed summary request leaves the conversation as it was and says why', async () => {
  const h = harness(freshDir());
  await h.controller.ready;
  assert.equal(await h.controller.compact(), false);
  assert.ok(h.posted.some((m) => m.type === 'notice' && /Nothing to compact/.test(m.message)));
  sim.enqueue({ text: 'An answer.' });
  await h.controller.ask({ text: 'A question' });
  sim.enqueue({ summary: true, status: 529 });
  assert.equal(await h.controller.compact(), false);
  assert.equal(h.controller.conversation.compactions.length, 0);
  assert.ok(h.posted.some((m) => m.type === 'notice' && m.level === 'error' && /could not be compacted/.test(m.message)));
  // An answer without the sections is not taken as a summary (the turns would be forgotten silently).
  sim.enqueue({ summary: true, text: 'I would rather not.' });
  assert.equal(await h.controller.compact(), false);
  assert.equal(h.controller.conversation.compactions.length, 0);
  h.controller.dispose();
});

test('a 120-question session with tool rounds on the small-context model: summaries made automatically, 0 context errors, the meter follows what is sent', async () => {
  const h = harness(freshDir(), { model: SMALL_CONTEXT_MODEL, contextLength: SMALL_CONTEXT_LENGTH, tools: true });
  await h.controller.ready;
  let errors = 0;
  const meterErrors: number[] = [];
  for (let turn = 0; turn < 120; turn++) {
    const question = `Question ${turn}: what does src/file${turn}.ts do?`;
    if (turn % 4 === 0) sim.enqueue({ toolUse: { name: 'read_file', input: { path: `src/file${turn}.ts` } } }, { text: `It exports constants. ${'More detail about the file. '.repeat(20)}` });
    else sim.enqueue({ text: `Answer ${turn}. ${'An explanation with identifiers like parseNode and numbers 12345. '.repeat(15 + (turn % 5) * 6)}` });
    const base = h.controller.estimate()!.context!;
    const predicted = base.tokens + Math.ceil(estimateTextTokens(question) * base.calibration);
    const before = h.counted.length;
    await h.controller.ask({ text: question });
    const turnRequests = h.counted.slice(before);
    const last = h.controller.conversation.exchanges[h.controller.conversation.exchanges.length - 1];
    if (last.answer.status !== 'done') errors++;
    // The meter against the endpoint's count of the question's first request, when no compaction ran before it.
    const first = turnRequests[0];
    if (turn > 0 && first.source === 'chat' && first.status === 'done') meterErrors.push((predicted - first.inputTokens) / first.inputTokens);
  }
  const refused = sim.requests.filter((r) => (r.body as { model?: string } | undefined)?.model === SMALL_CONTEXT_MODEL && r.status === 400).length;
  const summaries = h.counted.filter((c) => c.source === 'compaction').length;
  const worst = Math.max(...meterErrors.map(Math.abs));
  console.log(`120 questions on a ${SMALL_CONTEXT_LENGTH}-token window: ${summaries} summaries, ${refused} refused, meter worst error ${(worst * 100).toFixed(2)}%`);
  assert.equal(errors, 0);
  assert.equal(refused, 0);
  assert.ok(summaries >= 3, `summaries made: ${summaries}`);
  assert.ok(h.controller.conversation.compactions.every((c) => c.trigger === 'auto' && /## Goals/.test(c.summary)));
  assert.equal(h.controller.turns().length, 240, 'every turn stays on screen');
  assert.ok(worst <= 0.02, `meter within ±2% (worst ${(worst * 100).toFixed(2)}%)`);
  h.controller.dispose();
});

test('"prompt is too long" from the endpoint (the window was believed larger): the earlier turns are summarised within the maximum it named, and the request is sent again, once', async () => {
  const h = harness(freshDir(), { model: SMALL_CONTEXT_MODEL, contextLength: SMALL_CONTEXT_LENGTH * 10 });
  await h.controller.ready;
  for (let turn = 0; turn < 6; turn++) {
    sim.enqueue({ text: `Answer ${turn}. ${'A long explanation without any tool calls to stub. '.repeat(300)}` });
    await h.controller.ask({ text: `Question ${turn}` });
  }
  const before = sim.requests.length;
  sim.enqueue({ text: 'It fits now.' });
  await h.controller.ask({ text: 'Question 6' });
  const requests = sim.requests.slice(before);
  const last = h.controller.conversation.exchanges[6];
  assert.equal(last.answer.status, 'done', JSON.stringify(last.answer.error));
  assert.equal(requests[0].status, 400, 'refused first');
  assert.equal(h.controller.conversation.compactions.length, 1);
  assert.equal(h.controller.conversation.compactions[0].trigger, 'auto');
  assert.equal(requests.at(-1)?.status, 200);
  assert.ok(requests.filter((r) => r.status === 400).length <= 2, `refused ${requests.filter((r) => r.status === 400).length}`);
  h.controller.dispose();
});
