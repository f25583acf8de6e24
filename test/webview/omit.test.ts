// Dropping an attached selection or image from the context of later questions, from the question's own chip, and
// adding it back: the webview posts a typed `setOmitted`, and a snapshot with the mark shows it struck out.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { ChatSnapshot } from '../../src/common/chatTypes';
import { assistantTurn, userTurn } from './fixtures';
import { emptySnapshot, useHarness } from './harness';

const PNG = readFileSync(path.join(__dirname, '../fixtures/images/canvas-37x23.png')).toString('base64');

function withAttachments(omitted: boolean): ChatSnapshot {
  return emptySnapshot({
    turns: [
      userTurn('u1', 'What is wrong here?', {
        context: [{ id: 'ctx1', kind: 'file', languageId: 'typescript', path: 'src/huge.ts', startLine: 1, endLine: 4000, text: 'const a = 1;\n', ...(omitted ? { omitted: true } : {}) }],
        images: [{ id: 'img1', name: 'screen.png', mediaType: 'image/png', data: PNG, ...(omitted ? { omitted: true } : {}) }],
      }),
      assistantTurn('a1', 'Nothing.', { status: 'done' }),
    ],
    estimate: { baseTokens: 48_474, conversationTokens: 48_000, calibration: 1, inputCreditsPerToken: 3e-6 },
  });
}

describe('chat webview: dropping attachments from the conversation', () => {
  const harness = useHarness();

  test('Remove from conversation on a file chip and an image posts setOmitted for that item; the note says why', async () => {
    const chat = await harness.open(withAttachments(false));
    const turn = chat.page.locator('.turn[data-role="user"][data-turn-id="u1"]');
    assert.ok(await chat.page.locator('#conversation-size').isVisible(), 'the large conversation is named');
    await chat.clearPosted();
    const chip = turn.locator('.context-item[data-item-id="ctx1"]');
    await chip.getByRole('button', { name: 'Remove src/huge.ts:1–4000 from the conversation (later questions no longer send it)' }).click();
    // From the keyboard too.
    await turn.locator('.user-image[data-item-id="img1"] button.omit-toggle').focus();
    await chat.page.keyboard.press('Enter');
    assert.deepEqual(await chat.posted(), [
      { type: 'setOmitted', turnId: 'u1', itemId: 'ctx1', omitted: true },
      { type: 'setOmitted', turnId: 'u1', itemId: 'img1', omitted: true },
    ]);
    await chat.close();
  });

  test('a dropped item is shown struck out with Add back, which posts omitted: false', async () => {
    const chat = await harness.open(withAttachments(true));
    const turn = chat.page.locator('.turn[data-role="user"][data-turn-id="u1"]');
    assert.equal(await turn.locator('.context-item summary').innerText(), 'src/huge.ts:1–4000 (removed from the conversation)');
    assert.equal(await turn.locator('.user-image img.thumbnail.omitted').count(), 1);
    await chat.clearPosted();
    await turn.locator('.context-item').getByRole('button', { name: 'Add src/huge.ts:1–4000 back to the conversation' }).click();
    await turn.locator('.user-image').getByRole('button', { name: 'Add image screen.png back to the conversation' }).click();
    assert.deepEqual(await chat.posted(), [
      { type: 'setOmitted', turnId: 'u1', itemId: 'ctx1', omitted: false },
      { type: 'setOmitted', turnId: 'u1', itemId: 'img1', omitted: false },
    ]);
    assert.deepEqual(await chat.violations(), []);
    await chat.close();
  });
});
