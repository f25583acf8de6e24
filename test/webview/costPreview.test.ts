// The composer's cost preview in Chromium: the host's base plus the draft as it is typed (no message to the host per
// keystroke), images priced by their pixel size once measured, a new base after an answer, and the note when the
// conversation every question resends is large.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { estimateTextTokens } from '../../src/common/tokenCount';
import { emptySnapshot, useHarness } from './harness';

const PNG_37x23 = readFileSync(path.join(__dirname, '../fixtures/images/canvas-37x23.png')).toString('base64');

describe('chat webview: cost preview', () => {
  const harness = useHarness();

  test('the base from the host plus the draft as typed, "≈ tokens · ≈ credits", without asking the host', async () => {
    const chat = await harness.open(emptySnapshot({ estimate: { baseTokens: 12_000, conversationTokens: 11_000, calibration: 1.5, inputCreditsPerToken: 3e-6 } }));
    const preview = chat.page.locator('#cost-preview');
    assert.equal(await preview.innerText(), '≈ 12k tokens · ≈ 0.036 credits');
    assert.match((await preview.getAttribute('title'))!, /calibrated by this chat's earlier answers \(× 1\.50\)/);
    await chat.clearPosted();
    const draft = 'Why does this function allocate on every call, and how would you avoid it?';
    await chat.page.locator('#composer-input').pressSequentially(draft, { delay: 0 });
    await chat.frames();
    const expected = 12_000 + Math.ceil(estimateTextTokens(draft) * 1.5);
    assert.equal(Number(await preview.getAttribute('data-tokens')), expected);
    assert.equal(await preview.innerText(), `≈ ${(expected / 1000).toFixed(1).replace(/\.0$/, '')}k tokens · ≈ ${(expected * 3e-6).toPrecision(3)} credits`);
    assert.deepEqual(await chat.posted(), [], 'typing asks the host nothing');
    assert.equal(await chat.page.locator('#conversation-size').isVisible(), false, 'a small conversation is not called out');
    await chat.close();
  });

  test('an attached image counts by its pixel size; a new base after an answer replaces the old one', async () => {
    const chat = await harness.open(emptySnapshot({ estimate: { baseTokens: 500, conversationTokens: 0, calibration: 1 } }));
    const preview = chat.page.locator('#cost-preview');
    assert.equal(await preview.innerText(), '≈ 500 tokens', 'no credits when the model\'s price is unknown');
    await chat.send({ type: 'attachImages', images: [{ id: 'img1', name: 'canvas.png', mediaType: 'image/png', data: PNG_37x23 }] });
    await chat.page.locator('.attachment[data-attachment-id="img1"]').waitFor();
    // 37 × 23 pixels / 750 → 2 tokens, once measured.
    await chat.page.waitForFunction(() => (globalThis as unknown as { document: { querySelector(s: string): { dataset: Record<string, string> } } }).document.querySelector('#cost-preview').dataset.tokens === '502');
    await chat.page.locator('.attachment button[data-action="removeAttachment"]').click();
    await chat.frames();
    assert.equal(await preview.getAttribute('data-tokens'), '500', 'removing it takes it off');

    await chat.send({ type: 'estimate', estimate: { baseTokens: 48_474, conversationTokens: 48_000, calibration: 1, inputCreditsPerToken: 3e-6 } });
    // Credits written by the one formatter the status bar and the answers use.
    assert.equal(await preview.innerText(), '≈ 48.5k tokens · ≈ 0.145 credits');
    const note = chat.page.locator('#conversation-size');
    assert.ok(await note.isVisible(), 'a large conversation is called out');
    assert.match(await note.innerText(), /This chat resends ≈ 48k tokens of earlier questions, answers and attachments with every question\./);
    await chat.send({ type: 'estimate', estimate: { baseTokens: 900, conversationTokens: 800, calibration: 1, inputCreditsPerToken: 3e-6 } });
    assert.equal(await note.isVisible(), false, 'and no longer once it is small again');
    await chat.close();
  });

  test('with prompt caching the credits price the cached part as reads and the rest as writes, and say so', async () => {
    const chat = await harness.open(emptySnapshot({
      estimate: { baseTokens: 40_000, conversationTokens: 39_000, calibration: 1, inputCreditsPerToken: 3e-6, cache: { readTokens: 39_500, readCreditsPerToken: 0.3e-6, writeCreditsPerToken: 3.75e-6 } },
    }));
    const preview = chat.page.locator('#cost-preview');
    // 39,500 × 0.3e-6 + 500 × 3.75e-6 = 0.013725 (uncached it would be 0.12).
    assert.equal(await preview.innerText(), '≈ 40k tokens · ≈ 0.0137 credits');
    assert.match((await preview.getAttribute('title'))!, /with prompt caching \(39\.5k tokens read from the cache, the rest written to it\)/);
    await chat.close();
  });
});
