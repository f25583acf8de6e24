// What one request used and cost (core/request/requestUsage.ts), the part of the one request pipeline that every caller
// shares (chat, tool loop, Explain Inline, vscode.lm), and the one cost phrase (common/credits.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Message } from '../../src/api';
import { costPhrase } from '../../src/common/credits';
import { StreamedOutput } from '../../src/core/cost/costEstimate';
import { BUILTIN_MODELS } from '../../src/core/models/modelCatalog';
import { requestUsage } from '../../src/core/request/requestUsage';

const MODEL = BUILTIN_MODELS[0].id;

function message(usage: Message['usage'], stop: Message['stop_reason'] = null): Message {
  return { id: 'msg_1', type: 'message', role: 'assistant', model: MODEL, content: [{ type: 'text', text: 'Partial answer' }], stop_reason: stop, stop_sequence: null, usage };
}

function streamedChars(n: number): StreamedOutput {
  const streamed = new StreamedOutput();
  streamed.observe({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'x'.repeat(n) } });
  return streamed;
}

test('a stopped request whose message_start carried a cost is an estimate from list prices, never billed at that cost', () => {
  const usage = requestUsage('stopped', message({ input_tokens: 1000, output_tokens: 1, cost: 0.05 }), { model: MODEL, streamed: streamedChars(350), durationMs: 5 });
  assert.equal(usage.record.cost, undefined);
  assert.ok(usage.record.estimatedCost !== undefined && usage.record.estimatedCost > 0 && usage.record.estimatedCost !== 0.05);
  assert.equal(usage.record.outputTokens, 100, 'output estimated from what streamed');
  assert.deepEqual(usage.meta.cost, { kind: 'estimate', credits: usage.record.estimatedCost });
});

test('a failed request is an estimate too; a finished one is billed at usage.cost; no price and no cost: unknown', () => {
  const failed = requestUsage('error', message({ input_tokens: 10, output_tokens: 0, cost: 0.01 }), { model: MODEL, streamed: streamedChars(7), durationMs: 5 });
  assert.equal(failed.meta.cost.kind, 'estimate');
  const done = requestUsage('done', message({ input_tokens: 10, output_tokens: 3, cache_read_input_tokens: 5, cost: 0.0123 }, 'end_turn'), { model: MODEL, streamed: streamedChars(7), durationMs: 5 });
  assert.deepEqual(done.meta.cost, { kind: 'billed', credits: 0.0123 });
  assert.deepEqual([done.record.cost, done.record.estimatedCost, done.meta.inputTokens, done.meta.cacheReadTokens, done.meta.stopReason], [0.0123, undefined, 15, 5, 'end_turn']);
  const unpriced = requestUsage('stopped', { ...message({ input_tokens: 10, output_tokens: 0 }), model: 'no-such-model' }, { model: 'no-such-model', streamed: streamedChars(7), durationMs: 5 });
  assert.deepEqual(unpriced.meta.cost, { kind: 'unknown' });
});

test('the cost phrase is written once: billed, "≈ … (estimate)", "cost unknown"', () => {
  assert.equal(costPhrase({ kind: 'billed', credits: 0.0123 }), '0.0123 credits');
  assert.equal(costPhrase({ kind: 'estimate', credits: 0.5 }), '≈ 0.50 credits (estimate)');
  assert.equal(costPhrase({ kind: 'unknown' }), 'cost unknown');
});
