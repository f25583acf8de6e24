// The context meter under the composer in Chromium: "≈ 38% of 200k" next to the cost preview, following the draft as
// it is typed without asking the host, its breakdown in the tooltip, and the warning colour from 80%.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RequestEstimate } from '../../src/common/chatTypes';
import { emptySnapshot, useHarness } from './harness';

const estimate = (tokens: number, exact = true): RequestEstimate => ({
  baseTokens: tokens,
  conversationTokens: Math.max(0, tokens - 3000),
  calibration: 1,
  context: { tokens, contextLength: 200_000, calibration: 1, exact, breakdown: { system: 1200, tools: 1800, conversation: tokens - 3000 - 500, attachments: 300, toolResults: 200 } },
});

describe('chat webview: context meter', () => {
  const harness = useHarness();

  test('"≈ 38% of 200k", the breakdown in its tooltip, the draft counted as typed, the warning colour from 80%', async () => {
    const chat = await harness.open(emptySnapshot({ estimate: estimate(76_000) }));
    const meter = chat.page.locator('#context-meter');
    assert.equal(await meter.innerText(), '≈ 38% of 200k');
    const title = (await meter.getAttribute('title'))!;
    for (const part of ['System prompt and rules: 1.2k', 'Tool definitions: 1.8k', 'Conversation: 72.5k', 'Attachments: 300', 'Tool results: 200', 'Counted by the endpoint for the last request']) {
      assert.ok(title.includes(part), part);
    }
    assert.notEqual(await meter.getAttribute('data-level'), 'warning');
    await chat.clearPosted();
    await chat.page.locator('#composer-input').fill('x '.repeat(6000));
    await chat.frames();
    assert.equal(await meter.innerText(), '≈ 41% of 200k', 'the draft counts');
    assert.deepEqual(await chat.posted(), [], 'typing asks the host nothing');

    await chat.send({ type: 'estimate', estimate: estimate(161_000) });
    await chat.page.locator('#composer-input').fill('');
    await chat.frames();
    assert.equal(await meter.innerText(), '≈ 80% of 200k');
    assert.equal(await meter.getAttribute('data-level'), 'warning');
    await chat.send({ type: 'estimate', estimate: { baseTokens: 500, conversationTokens: 0, calibration: 1 } });
    assert.equal(await meter.isVisible(), false, 'no meter when the context length is unknown');
    await chat.close();
  });
});
