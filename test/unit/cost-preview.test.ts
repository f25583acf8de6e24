// The cost preview's base (src/core/cost/costPreview.ts): the conversation still sent as context, the system prompt, the
// calibration from earlier answers' real input tokens, dropped context, and the draft added as the webview adds it.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ContentBlock } from '../../src/api';
import type { Exchange } from '../../src/core/conversation/conversation';
import { buildRequest } from '../../src/core/conversation/conversationRequest';
import { previewWithDraft } from '../../src/common/tokenCount';
import { cachePrefixKey, calibrationSamples, requestEstimate } from '../../src/core/cost/costPreview';
import { toolDefinitions } from '../../src/core/tools/definitions';
import { buildUserContent, formatCodeBlock } from '../../src/core/request/prompt';
import { estimateTextTokens } from '../../src/common/tokenCount';
import { estimateRequestTokens, MAX_CALIBRATION, MESSAGE_OVERHEAD_TOKENS } from '../../src/core/request/tokenEstimate';
import type { CodeContext } from '../../src/common/chatTypes';

const SYSTEM = 'You are an expert software engineer helping a developer inside their code editor.';
const CODE = Array.from({ length: 200 }, (_, i) => `export const value${i} = compute(${i}, "label ${i}");`).join('\n');

let id = 0;
function exchange(text: string, answer: string | undefined, options: { inputTokens?: number; context?: CodeContext[]; continued?: boolean; status?: 'done' | 'error' } = {}): Exchange {
  id++;
  const content: ContentBlock[] = answer === undefined ? [] : [{ type: 'text', text: answer, citations: null } as ContentBlock];
  const messages = answer === undefined ? [] : options.continued ? [{ content, complete: false }, { content, complete: true }] : [{ content, complete: true }];
  return {
    user: { id: `u${id}`, role: 'user', text, context: options.context ?? [], images: [] },
    answer: {
      id: `a${id}`,
      status: options.status ?? (answer === undefined ? 'error' : 'done'),
      messages,
      ...(options.inputTokens !== undefined
        ? { meta: { model: 'm', inputTokens: options.inputTokens, outputTokens: 10, cost: { kind: 'unknown' as const }, durationMs: 1, stopReason: 'end_turn' } }
        : {}),
    },
  };
}

const selection = (text: string): CodeContext => ({ id: `c${++id}`, kind: 'selection', languageId: 'typescript', path: 'src/a.ts', startLine: 1, endLine: 200, text });

describe('cost preview base', () => {
  test('a new chat: the system prompt and the new message\'s overhead, uncalibrated, no conversation', () => {
    const estimate = requestEstimate([], buildUserContent, { system: SYSTEM, inputCreditsPerToken: 3e-6 });
    assert.deepEqual(estimate, { baseTokens: estimateTextTokens(SYSTEM) + MESSAGE_OVERHEAD_TOKENS, conversationTokens: 0, calibration: 1, inputCreditsPerToken: 3e-6 });
  });

  test('the conversation is what the next request sends: the same count as estimating that request', () => {
    const exchanges = [exchange('What does this do?', 'It computes values.', { context: [selection(CODE)] }), exchange('And then?', 'Then it labels them.')];
    const estimate = requestEstimate(exchanges, buildUserContent, { system: SYSTEM });
    // The next request as the chat builds it, with an empty question at the end.
    const next = buildRequest([...exchanges, exchange('', undefined)], 2, 'answer', buildUserContent).messages;
    const direct = estimateRequestTokens({ messages: next, system: SYSTEM }).total;
    assert.ok(Math.abs(estimate.baseTokens - direct) <= 3, `base ${estimate.baseTokens} vs the request's estimate ${direct}`);
    assert.ok(estimate.conversationTokens > 2000, `the selection counts (${estimate.conversationTokens})`);
  });

  test('calibrated by earlier answers: real input tokens 1.5 × the estimate scale the base by 1.5', () => {
    const first = exchange('Explain this.', 'Sure.', { context: [selection(CODE)], inputTokens: 1 });
    const [sample] = calibrationSamples([first], buildUserContent, { system: SYSTEM });
    assert.ok(sample.estimated > 2000);
    first.answer.meta!.inputTokens = Math.round(sample.estimated * 1.5);
    const uncalibrated = requestEstimate([{ ...first, answer: { ...first.answer, meta: undefined } }], buildUserContent, { system: SYSTEM });
    const calibrated = requestEstimate([first], buildUserContent, { system: SYSTEM });
    assert.ok(Math.abs(calibrated.calibration - 1.5) < 0.001, `calibration ${calibrated.calibration}`);
    assert.ok(Math.abs(calibrated.baseTokens / uncalibrated.baseTokens - 1.5) < 0.01, `${calibrated.baseTokens} vs ${uncalibrated.baseTokens}`);
  });

  test('dropping a selection does not skew the calibration: the answer counted with it no longer calibrates', () => {
    const first = exchange('Explain this.', 'Sure.', { context: [selection(CODE)], inputTokens: 1 });
    const [sample] = calibrationSamples([first], buildUserContent, { system: SYSTEM });
    first.answer.meta!.inputTokens = sample.estimated;
    assert.equal(requestEstimate([first], buildUserContent, { system: SYSTEM }).calibration, 1);
    const withCode = requestEstimate([first], buildUserContent, { system: SYSTEM }).baseTokens;
    first.user.context[0].omitted = true;
    assert.deepEqual(calibrationSamples([first], buildUserContent, { system: SYSTEM }), [], 'its count included the code');
    const without = requestEstimate([first], buildUserContent, { system: SYSTEM });
    assert.equal(without.calibration, 1, 'not doubled by comparing the count with the code to an estimate without it');
    assert.ok(withCode - without.baseTokens > 0.9 * estimateTextTokens(CODE), `${withCode} → ${without.baseTokens}`);
  });

  test('the calibration is clamped, and continued answers (several requests behind one meta) are no sample', () => {
    const wild = exchange('Hi', 'Hello', { inputTokens: 1_000_000 });
    assert.equal(requestEstimate([wild], buildUserContent).calibration, MAX_CALIBRATION);
    const continued = exchange('Hi', 'Hello', { inputTokens: 1_000_000, continued: true });
    assert.deepEqual(calibrationSamples([continued], buildUserContent), []);
    assert.equal(requestEstimate([continued], buildUserContent).calibration, 1);
  });

  test('a question that got no answer is not context, so it does not count', () => {
    const answered = exchange('Explain', 'Done.');
    const failed = exchange('402 test', undefined, { context: [selection(CODE)] });
    assert.equal(requestEstimate([answered, failed], buildUserContent).conversationTokens, requestEstimate([answered], buildUserContent).conversationTokens);
  });

  test('dropping an attached selection from the context shrinks the conversation to a short note', () => {
    const withCode = exchange('Explain', 'Done.', { context: [selection(CODE)] });
    const before = requestEstimate([withCode], buildUserContent).conversationTokens;
    withCode.user.context = withCode.user.context.map((c) => ({ ...c, omitted: true }));
    const after = requestEstimate([withCode], buildUserContent).conversationTokens;
    assert.ok(before > 2000 && after < 60, `${before} → ${after}`);
  });

  test('the draft adds its calibrated tokens and its images; credits at the input price; an empty draft adds nothing', () => {
    const base = { baseTokens: 1000, conversationTokens: 900, calibration: 1.5, inputCreditsPerToken: 3e-6 };
    const draft = 'How do I make this faster without breaking the API?';
    const preview = previewWithDraft(base, draft, 400);
    assert.equal(preview.tokens, 1000 + Math.ceil(estimateTextTokens(draft) * 1.5) + 400);
    assert.ok(Math.abs(preview.credits! - preview.tokens * 3e-6) < 1e-12);
    assert.deepEqual(previewWithDraft(base, '   '), { tokens: 1000, credits: 1000 * 3e-6 });
    assert.deepEqual(previewWithDraft({ baseTokens: 5, calibration: 1 }, ''), { tokens: 5 });
  });

  test('files and problems waiting to go with the next message count in its base', () => {
    const without = requestEstimate([], buildUserContent, { system: SYSTEM });
    const file = { id: 'f1', kind: 'file' as const, languageId: 'typescript', path: 'src/a.ts', text: CODE };
    const withFile = requestEstimate([], buildUserContent, { system: SYSTEM, nextContext: [file] });
    assert.equal(withFile.baseTokens - without.baseTokens, estimateTextTokens(formatCodeBlock(file)));
    assert.equal(withFile.conversationTokens, 0, 'not conversation yet');
  });

  test('prompt caching: a warm cache prices what the last request sent as reads, the rest as writes; cold or off, not', () => {
    const caching = { readCreditsPerToken: 0.3e-6, writeCreditsPerToken: 3.75e-6 };
    const answered = exchange('Explain this.', 'Sure.', { context: [selection(CODE)], inputTokens: 3000 });
    answered.answer.meta = { ...answered.answer.meta!, cacheWriteTokens: 2900 };
    answered.updatedAt = 1_000_000;
    const warm = requestEstimate([answered], buildUserContent, { system: SYSTEM, inputCreditsPerToken: 3e-6, caching, now: 1_000_000 + 60_000 });
    assert.deepEqual(warm.cache, { readTokens: 3000, ...caching }, 'the whole last request is read back');
    const draft = 'And what about the labels?';
    const preview = previewWithDraft(warm, draft);
    const expected = 3000 * 0.3e-6 + (preview.tokens - 3000) * 3.75e-6;
    assert.ok(Math.abs(preview.credits! - expected) < 1e-12, `${preview.credits} vs ${expected}`);
    assert.ok(preview.credits! < preview.tokens * 3e-6 / 2, 'much cheaper than uncached');

    const cold = requestEstimate([answered], buildUserContent, { system: SYSTEM, inputCreditsPerToken: 3e-6, caching, now: 1_000_000 + 6 * 60_000 });
    assert.equal(cold.cache!.readTokens, 0, 'after 5 minutes the cache is gone');
    assert.ok(Math.abs(previewWithDraft(cold, draft).credits! - previewWithDraft(cold, draft).tokens * 3.75e-6) < 1e-12, 'everything is written (1.25 ×)');

    const noCacheUse = exchange('Hi', 'Hello', { inputTokens: 3000 });
    noCacheUse.updatedAt = 1_000_000;
    assert.equal(requestEstimate([noCacheUse], buildUserContent, { inputCreditsPerToken: 3e-6, caching, now: 1_000_001 }).cache!.readTokens, 0, 'a request that used no cache leaves nothing to read');
    const off = requestEstimate([answered], buildUserContent, { system: SYSTEM, inputCreditsPerToken: 3e-6, now: 1_000_001 });
    assert.equal(off.cache, undefined);
    assert.ok(Math.abs(previewWithDraft(off, draft).credits! - previewWithDraft(off, draft).tokens * 3e-6) < 1e-12, 'caching off: the input price');
    // Below the API's minimum a request is not cached at all.
    assert.deepEqual(previewWithDraft({ baseTokens: 500, calibration: 1, inputCreditsPerToken: 3e-6, cache: { readTokens: 0, ...caching } }, ''), { tokens: 500, credits: 500 * 3e-6 });
  });

  test('another model, system prompt or tool set starts a cold cache: the preview prices no reads (issue 14)', () => {
    const caching = { readCreditsPerToken: 0.3e-6, writeCreditsPerToken: 3.75e-6 };
    const tools = toolDefinitions();
    const key = cachePrefixKey('anthropic/claude-sonnet-4', SYSTEM, tools);
    const answered = exchange('Explain this.', 'Sure.', { context: [selection(CODE)], inputTokens: 3000 });
    answered.answer.meta = { ...answered.answer.meta!, model: 'anthropic/claude-sonnet-4', cacheWriteTokens: 2900, cacheKey: key };
    answered.updatedAt = 1_000_000;
    const base = { system: SYSTEM, tools, inputCreditsPerToken: 3e-6, caching, now: 1_000_000 + 60_000 };
    const read = (settings: { model: string; system: string; tools?: typeof tools }) =>
      requestEstimate([answered], buildUserContent, { ...base, ...settings, cacheKey: cachePrefixKey(settings.model, settings.system, settings.tools) }).cache!.readTokens;
    assert.equal(read({ model: 'anthropic/claude-sonnet-4', system: SYSTEM, tools }), 3000, 'the same model, system prompt and tools: warm');
    assert.equal(read({ model: 'anthropic/claude-opus-4-1', system: SYSTEM, tools }), 0, 'another model');
    assert.equal(read({ model: 'anthropic/claude-sonnet-4', system: `${SYSTEM} Be brief.`, tools }), 0, 'another system prompt');
    assert.equal(read({ model: 'anthropic/claude-sonnet-4', system: SYSTEM, tools: undefined }), 0, 'tools turned off');
    // An answer saved before the key existed: another model is still a cold cache.
    delete answered.answer.meta!.cacheKey;
    assert.equal(requestEstimate([answered], buildUserContent, { ...base, model: 'anthropic/claude-opus-4-1' }).cache!.readTokens, 0);
    assert.equal(requestEstimate([answered], buildUserContent, { ...base, model: 'anthropic/claude-sonnet-4' }).cache!.readTokens, 3000);
  });
});
