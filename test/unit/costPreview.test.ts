// The cost preview's base (src/chat/costPreview.ts): the conversation still sent as context, the system prompt, the
// calibration from earlier answers' real input tokens, dropped context, and the draft added as the webview adds it.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ContentBlock } from '../../src/api';
import type { Exchange } from '../../src/chat/conversation';
import { buildRequest } from '../../src/chat/conversation';
import { calibrationSamples, previewWithDraft, requestEstimate } from '../../src/chat/costPreview';
import { buildUserContent, formatCodeBlock } from '../../src/chat/prompt';
import { estimateRequestTokens, estimateTextTokens, MAX_CALIBRATION, MESSAGE_OVERHEAD_TOKENS } from '../../src/chat/tokenEstimate';
import type { CodeContext } from '../../src/protocol';

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
});
