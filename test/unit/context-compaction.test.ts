// Compaction (issue 18 §3): old tool results are stubbed when a request would pass compactAt of the window, the
// tool_use / tool_result pairs stay valid, and the compacting runner retries once on "prompt is too long".
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { MessageParam } from '../../src/api';
import { compactForRequest, compactingRunner, isContextOverflow, toolResultStub } from '../../src/core/context/compaction';
import type { AnswerOutcome, AnswerRunner } from '../../src/core/conversation/answerRun';
import { estimateRequestTokens } from '../../src/core/request/tokenEstimate';
import { parseSettings } from '../../src/core/request/settings';
import { SMALL_CONTEXT_LENGTH, SMALL_CONTEXT_MODEL, startSimulator, type Simulator } from '../support/simulator';
import { simulatorRunner } from '../support/simulatorRunner';

const fileText = (n: number) => `line ${n} of a long file with some code in it;\n`.repeat(60);

/** A question answered by `rounds` rounds of read_file, each result `fileText` long. */
function session(rounds: number, start = 0): MessageParam[] {
  const messages: MessageParam[] = [{ role: 'user', content: 'Look through the project.' }];
  for (let i = start; i < start + rounds; i++) {
    messages.push({ role: 'assistant', content: [{ type: 'text', text: `Reading file ${i}.` }, { type: 'tool_use', id: `tu_${i}`, name: 'read_file', input: { path: `src/f${i}.ts` } }] });
    messages.push({ role: 'user', content: [{ type: 'tool_result', tool_use_id: `tu_${i}`, content: fileText(i) }] });
  }
  return messages;
}

/** Every tool_result answers the tool_use of the message just before it, and every tool_use is answered. */
function assertPaired(messages: readonly MessageParam[]): void {
  for (let i = 0; i < messages.length; i++) {
    const content = messages[i].content;
    if (typeof content === 'string') continue;
    for (const block of content) {
      if (block.type === 'tool_result') {
        const previous = messages[i - 1].content;
        assert.ok(typeof previous !== 'string' && previous.some((b) => b.type === 'tool_use' && b.id === block.tool_use_id), `result ${block.tool_use_id} has its call`);
      }
      if (block.type === 'tool_use') {
        const next = messages[i + 1]?.content;
        assert.ok(next && typeof next !== 'string' && next.some((b) => b.type === 'tool_result' && b.tool_use_id === block.id), `call ${block.id} has its result`);
      }
    }
  }
}

const resultText = (message: MessageParam): string => {
  const block = typeof message.content === 'string' ? undefined : message.content[0];
  return block?.type === 'tool_result' && typeof block.content === 'string' ? block.content : '';
};

test('a request under the budget is sent as it is (the same array)', () => {
  const messages = session(3);
  const result = compactForRequest(messages, { maxTokens: 1_000_000 });
  assert.equal(result.messages, messages);
  assert.equal(result.stubbed, 0);
});

test('over the budget, the oldest tool results become stubs naming the call until it fits; the latest round stays whole', () => {
  const messages = session(10);
  const full = estimateRequestTokens({ messages }).total;
  const result = compactForRequest(messages, { maxTokens: Math.floor(full / 2) });
  assert.ok(result.stubbed > 0 && result.stubbed < 10, `stubbed ${result.stubbed}`);
  assert.ok(result.after <= full / 2, `${result.after} ≤ ${full / 2}`);
  assert.equal(resultText(result.messages[2]), toolResultStub('read_file', { path: 'src/f0.ts' }));
  assert.match(resultText(result.messages[2]), /^\[result of read_file \{path: src\/f0\.ts\} removed to save context — run it again if needed\]$/);
  // The newest results are untouched, the originals are not changed (the conversation on screen keeps everything).
  assert.equal(resultText(result.messages[20]), fileText(9));
  assert.equal(resultText(messages[2]), fileText(0));
  assert.equal(result.messages.length, messages.length);
  assertPaired(result.messages);
});

test('even a budget nothing can meet keeps the latest round whole and the pairs valid', () => {
  const messages = session(5);
  const result = compactForRequest(messages, { maxTokens: 10 });
  assert.equal(result.stubbed, 4);
  assert.equal(resultText(result.messages[10]), fileText(4));
  assertPaired(result.messages);
  // Compacting again stubs nothing more.
  assert.equal(compactForRequest(result.messages, { maxTokens: 10 }).stubbed, 0);
});

test('the endpoint\'s "prompt is too long" is recognised, with its counts', () => {
  assert.deepEqual(isContextOverflow('prompt is too long: 20512 tokens > 20000 maximum'), { tokens: 20512, maximum: 20000 });
  assert.deepEqual(isContextOverflow('input length and max_tokens exceed context limit; the context window exceeded'), {});
  assert.equal(isContextOverflow('overloaded'), undefined);
});

test('fastrouter.context.compactAt defaults to 0.8 and is kept within 0.5–0.95', () => {
  assert.equal(parseSettings({}).settings['context.compactAt'], 0.8);
  assert.equal(parseSettings({ 'context.compactAt': 0.6 }).settings['context.compactAt'], 0.6);
  const bad = parseSettings({ 'context.compactAt': 0.99 });
  assert.equal(bad.settings['context.compactAt'], 0.8);
  assert.ok(bad.problems.some((p) => p.key === 'context.compactAt'));
});

let sim: Simulator;
before(async () => { sim = await startSimulator({ defaultDelayMs: 0 }); });
after(async () => { await sim.close(); });

const ask = (runner: AnswerRunner, messages: MessageParam[]): Promise<AnswerOutcome> => runner.run({ messages }, new AbortController().signal, () => undefined);

test('on the simulator\'s small-context model, a request that is refused as too long is compacted and sent again, once', async () => {
  // The runner believes the window is 10× larger: nothing is compacted up front, the endpoint refuses, the retry fits.
  const runner = compactingRunner(simulatorRunner(sim.url, {}, SMALL_CONTEXT_MODEL), () => ({ contextLength: SMALL_CONTEXT_LENGTH * 10, compactAt: 0.8 }));
  const messages = session(60);
  sim.enqueue({ text: 'Done.' });
  const before = sim.requests.length;
  const outcome = await ask(runner, messages);
  assert.equal(outcome.status, 'done', JSON.stringify(outcome.error));
  assert.equal(sim.requests.length - before, 2);
  assert.equal(sim.requests[before].status, 400);
});

test('a scripted 300-round tool session on the small-context model ends with 0 context errors', async () => {
  const runner = compactingRunner(simulatorRunner(sim.url, {}, SMALL_CONTEXT_MODEL), () => ({ contextLength: SMALL_CONTEXT_LENGTH, compactAt: 0.8 }));
  const messages: MessageParam[] = [{ role: 'user', content: 'Look through the project.' }];
  let errors = 0;
  const before = sim.requests.length;
  for (let i = 0; i < 300; i++) {
    sim.enqueue({ text: 'Next.' });
    const outcome = await ask(runner, messages);
    if (outcome.status !== 'done') errors++;
    messages.push(...session(1, i).slice(1));
  }
  const refused = sim.requests.slice(before).filter((r) => r.status === 400).length;
  assert.equal(errors, 0);
  assert.equal(refused, 0);
});
