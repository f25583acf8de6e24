// The chat basics (issue 20) in real Chromium: Copy and Regenerate under an answer, Edit a question and resend it,
// ArrowUp recalls the last question, selection chips say "line 9" / "lines 9–12", History search, relative times and
// Undo of a delete, the header names the chat, an informational note goes at the next keystroke.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { useHarness, emptySnapshot } from './harness';
import { assistantTurn, delta, meta, turnAdded, userTurn } from './fixtures';

describe('chat webview: basics', () => {
  const harness = useHarness();

  test('Copy posts copyAnswer for its answer; Regenerate shows on the last finished answer only, and not while one streams', async () => {
    const chat = await harness.open();
    await chat.send(turnAdded('t1', 'First?'));
    await chat.send(delta('t1', 'One.'));
    await chat.send({ type: 'turnEnded', turnId: 't1', status: 'done', meta: meta() });
    const first = chat.page.locator('.turn[data-turn-id="t1"]');
    assert.equal(await first.locator('button[data-action="regenerate"]').isVisible(), true, 'the last answer offers Regenerate');
    await chat.send(turnAdded('t2', 'Second?'));
    await chat.send({ type: 'busy', busy: true });
    await chat.send(delta('t2', 'Two, partly'));
    assert.equal(await first.locator('button[data-action="regenerate"]').isVisible(), false, 'not on an earlier answer');
    assert.equal(await chat.page.locator('.turn[data-turn-id="t2"] .answer-actions').count(), 0, 'no actions while it streams');
    // Stopped: Regenerate is there again (on this answer).
    await chat.send({ type: 'turnEnded', turnId: 't2', status: 'stopped' });
    await chat.send({ type: 'busy', busy: false });
    const second = chat.page.locator('.turn[data-turn-id="t2"]');
    await chat.clearPosted();
    await second.locator('button[data-action="regenerate"]').click();
    await first.locator('button[data-action="copyAnswer"]').click();
    assert.deepEqual(await chat.posted(), [{ type: 'retry', turnId: 't2' }, { type: 'copyAnswer', turnId: 't1' }]);
    assert.equal(await first.locator('button[data-action="copyAnswer"]').textContent(), 'Copied');
    assert.equal(await first.locator('button[data-action="copyAnswer"]').getAttribute('aria-label'), 'Copy this answer as Markdown');
    // After an error, Retry does what Regenerate would: no second button for it.
    await chat.send({ type: 'turnEnded', turnId: 't2', status: 'error', error: { code: 'api', message: 'boom', actions: ['retry'] } });
    assert.equal(await second.locator('button[data-action="regenerate"]').count(), 0);
    assert.equal(await second.locator('button[data-action="copyAnswer"]').count(), 1);
    await chat.close();
  });

  test('Edit puts a question in the composer; Send posts editResend for it; Escape cancels; ArrowUp recalls the last question', async () => {
    const chat = await harness.open(emptySnapshot({
      turns: [
        userTurn('q1', 'What is a monad?'), assistantTurn('a1', 'A monoid…', { status: 'done' }),
        userTurn('q2', 'Shorter,\nplease.'), assistantTurn('a2', 'Sure.', { status: 'done' }),
      ],
    }));
    const input = chat.page.locator('#composer-input');
    // ArrowUp in an empty composer: the last question, as typed (two lines).
    await input.focus();
    await chat.page.keyboard.press('ArrowUp');
    assert.equal(await input.inputValue(), 'Shorter,\nplease.');
    // Not when there is a draft: the caret moves as usual.
    await input.fill('draft');
    await chat.page.keyboard.press('ArrowUp');
    assert.equal(await input.inputValue(), 'draft');
    await input.fill('');

    await chat.page.locator('.turn[data-turn-id="q1"] button[data-action="editQuestion"]').click();
    assert.equal(await input.inputValue(), 'What is a monad?');
    assert.equal(await chat.page.evaluate(() => (globalThis as unknown as { document: { activeElement: { id: string } } }).document.activeElement.id), 'composer-input');
    assert.equal(await chat.page.locator('#edit-banner').isVisible(), true);
    assert.equal(await chat.page.locator('.turn[data-turn-id="q1"]').getAttribute('data-editing'), 'true');
    await chat.page.keyboard.press('Escape');
    assert.equal(await input.inputValue(), '', 'Escape cancels the edit');
    assert.equal(await chat.page.locator('#edit-banner').isVisible(), false);
    assert.equal(await chat.page.locator('.turn[data-editing]').count(), 0);

    await chat.page.locator('.turn[data-turn-id="q1"] button[data-action="editQuestion"]').click();
    await input.fill('What is a functor?');
    await chat.clearPosted();
    await chat.page.keyboard.press('Enter');
    assert.deepEqual(await chat.posted(), [{ type: 'editResend', turnId: 'q1', text: 'What is a functor?', images: [] }]);
    assert.equal(await input.inputValue(), '');
    assert.equal(await chat.page.locator('#edit-banner').isVisible(), false);
    // The next message is a plain send again.
    await chat.clearPosted();
    await input.fill('Next');
    await chat.page.keyboard.press('Enter');
    assert.deepEqual(await chat.posted(), [{ type: 'send', text: 'Next', images: [] }]);
    await chat.close();
  });

  test('selection chips say "line 9" or "lines 9–12" and keep the range on one line in a 300 px sidebar', async () => {
    const chat = await harness.open(emptySnapshot(), undefined, { width: 300, height: 600 });
    await chat.send({ type: 'pendingContext', items: [
      { id: 's1', kind: 'selection', label: 'src/very/long/directory/name/component.ts', chars: 120, startLine: 9, endLine: 9 },
      { id: 's2', kind: 'selection', label: 'src/b.ts', chars: 800, startLine: 9, endLine: 120 },
    ] });
    const lines = await chat.page.locator('.context-chip .context-lines').allTextContents();
    assert.deepEqual(lines, ['line 9', 'lines 9–120']);
    for (const chip of await chat.page.locator('.context-chip').all()) {
      const range = await chip.locator('.context-lines').boundingBox();
      const size = await chip.locator('.context-size').boundingBox();
      assert.ok(range && size && range.height <= size.height * 1.3, `the range stays on one line (${range?.height}px vs ${size?.height}px)`);
      const box = await chip.boundingBox();
      assert.ok(box && box.x + box.width <= 300, 'the chip fits the sidebar');
    }
    await chat.clearPosted();
    await chat.page.locator('.context-chip[data-context-id="s1"] button[data-action="removeContext"]').click();
    assert.deepEqual(await chat.posted(), [{ type: 'removeContext', id: 's1' }]);
    await chat.close();
  });

  test('History: relative times, search by title, delete leaves an Undo row; the header names the chat', async () => {
    const now = Date.now();
    const chat = await harness.open(emptySnapshot({
      conversationId: 'c1',
      turns: [userTurn('q1', 'Fix the parser'), assistantTurn('a1', 'Done.', { status: 'done' })],
      conversations: [
        { id: 'c1', title: 'Fix the parser', updatedAt: now - 30_000 },
        { id: 'c2', title: 'Rename the store', updatedAt: now - 2 * 3600_000 - 60_000 },
        { id: 'c3', title: 'Parser tests', updatedAt: now - 3 * 86_400_000 },
      ],
    }));
    assert.equal(await chat.page.locator('#chat-title').textContent(), 'Fix the parser');
    await chat.page.locator('#history').click();
    assert.deepEqual(await chat.page.locator('.conversation-date').allTextContents(), ['just now', '2 h ago', '3 d ago']);
    // Typing while the list has the focus goes to the search.
    await chat.page.keyboard.type('parser');
    assert.equal(await chat.page.locator('#conversation-search').inputValue(), 'parser');
    assert.deepEqual(await chat.page.locator('.conversation-title').allTextContents(), ['Fix the parser', 'Parser tests']);
    await chat.page.locator('#conversation-search').fill('nothing like it');
    assert.match(await chat.page.locator('.conversation-empty').textContent() ?? '', /No chat title contains/);
    await chat.page.locator('#conversation-search').fill('');

    await chat.clearPosted();
    await chat.page.locator('.conversation[data-conversation-id="c2"] button[data-action="deleteChat"]').click();
    assert.deepEqual(await chat.posted(), [{ type: 'deleteChat', conversationId: 'c2' }]);
    // The host's new list no longer has it; the row stays as "Deleted" with Undo.
    await chat.send({ type: 'conversations', activeId: 'c1', conversations: [
      { id: 'c1', title: 'Fix the parser', updatedAt: now - 30_000 },
      { id: 'c3', title: 'Parser tests', updatedAt: now - 3 * 86_400_000 },
    ] });
    const deleted = chat.page.locator('.conversation-deleted[data-conversation-id="c2"]');
    assert.equal(await deleted.locator('.conversation-date').textContent(), 'Deleted');
    await chat.clearPosted();
    await deleted.locator('button', { hasText: 'Undo' }).click();
    assert.deepEqual(await chat.posted(), [{ type: 'undoDelete', conversationId: 'c2' }]);
    await chat.send({ type: 'conversations', activeId: 'c1', conversations: [
      { id: 'c1', title: 'Fix the parser', updatedAt: now - 30_000 },
      { id: 'c2', title: 'Rename the store', updatedAt: now - 2 * 3600_000 - 60_000 },
      { id: 'c3', title: 'Parser tests', updatedAt: now - 3 * 86_400_000 },
    ] });
    assert.equal(await chat.page.locator('.conversation-deleted').count(), 0, 'back as a normal row');
    await chat.close();
  });

  test('Apply or Reject hands the focus to the composer (mouse or keyboard)', async () => {
    const chat = await harness.open();
    await chat.send(turnAdded('t1'));
    const edit = { kind: 'tool_use' as const, id: 'toolu_e', name: 'edit_file', input: '{}', state: 'approval' as const, summary: 'Edit src/a.ts', change: { path: 'src/a.ts', added: 3, removed: 1 } };
    await chat.send({ type: 'block', turnId: 't1', block: 0, value: edit });
    await chat.send({ type: 'block', turnId: 't1', block: 1, value: { ...edit, id: 'toolu_f' } });
    await chat.frames();
    const focusedId = () => chat.page.evaluate('document.activeElement && document.activeElement.id');
    await chat.page.locator('.tool-call[data-tool-id="toolu_e"] button', { hasText: 'Apply' }).click();
    assert.equal(await focusedId(), 'composer-input');
    await chat.page.locator('.tool-call[data-tool-id="toolu_f"] button', { hasText: 'Reject' }).focus();
    await chat.page.keyboard.press('Enter');
    assert.equal(await focusedId(), 'composer-input');
    await chat.close();
  });

  test('an informational note above the composer goes at the next keystroke; an error note stays', async () => {
    const chat = await harness.open();
    await chat.send({ type: 'notice', level: 'info', message: 'Copied to the clipboard.' });
    assert.equal(await chat.page.locator('#composer-notice').isVisible(), true);
    await chat.page.locator('#composer-input').pressSequentially('a');
    assert.equal(await chat.page.locator('#composer-notice').isVisible(), false);
    await chat.send({ type: 'notice', level: 'error', message: 'Could not read x.png.' });
    await chat.page.locator('#composer-input').pressSequentially('b');
    assert.equal(await chat.page.locator('#composer-notice').isVisible(), true);
    await chat.close();
  });
});
