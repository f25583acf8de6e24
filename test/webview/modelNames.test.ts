// The model's name (from the endpoint's model list) in the header and the answer meta, and the cached part of the
// input in the meta ("3,400 in · 2,900 cached · 120 out"), in real Chromium.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { useHarness, emptySnapshot } from './harness';
import { assistantTurn, delta, meta, turnAdded, userTurn } from './fixtures';

describe('chat webview: model names and cached tokens', () => {
  const harness = useHarness();

  test('the header shows the name the host sends, the id in its tooltip; the id alone without a name', async () => {
    const chat = await harness.open(emptySnapshot({ model: 'anthropic/claude-sonnet-4-20250514', modelName: 'Claude Sonnet 4' }));
    const button = chat.page.locator('button#model');
    assert.equal(await chat.page.locator('#model-label').textContent(), 'Claude Sonnet 4');
    assert.equal(await button.getAttribute('title'), 'Claude Sonnet 4 (anthropic/claude-sonnet-4-20250514): change model');
    assert.equal(await button.getAttribute('aria-label'), 'Model: Claude Sonnet 4. Change model');
    await chat.send({ type: 'model', model: 'anthropic/claude-opus-4-1-20250805', modelName: 'Claude Opus 4.1' });
    assert.equal(await chat.page.locator('#model-label').textContent(), 'Claude Opus 4.1');
    await chat.send({ type: 'model', model: 'my-own-model' });
    assert.equal(await chat.page.locator('#model-label').textContent(), 'my-own-model');
    assert.deepEqual(chat.pageErrors, []);
    await chat.close();
  });

  test('the answer meta names the model and shows the cached part of the input', async () => {
    const chat = await harness.open(emptySnapshot({
      turns: [userTurn('u1', 'Earlier'), assistantTurn('a1', 'Saved answer', { status: 'done', meta: meta({ model: 'anthropic/claude-sonnet-4-20250514', modelName: 'Claude Sonnet 4' }) })],
    }));
    const saved = chat.page.locator('.turn[data-turn-id="a1"] .answer-meta');
    assert.match((await saved.textContent()) ?? '', /^Claude Sonnet 4 · 1,200 in · 345 out · /);
    assert.equal(await saved.locator('.meta-model').getAttribute('title'), 'anthropic/claude-sonnet-4-20250514');

    await chat.send(turnAdded('t2', 'Follow-up?'));
    await chat.send(delta('t2', 'Answer'));
    await chat.send({
      type: 'turnEnded', turnId: 't2', status: 'done',
      meta: meta({ model: 'anthropic/claude-sonnet-4-20250514', modelName: 'Claude Sonnet 4', inputTokens: 3400, cacheReadTokens: 2900, cacheWriteTokens: 380, outputTokens: 120 }),
    });
    const text = (await chat.page.locator('.turn[data-turn-id="t2"] .answer-meta').textContent()) ?? '';
    assert.match(text, /Claude Sonnet 4 · 3,400 in · 2,900 cached · 120 out · /);
    assert.deepEqual(chat.pageErrors, []);
    await chat.close();
  });
});
