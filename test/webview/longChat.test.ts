// Long chats stay fast (issue 16 §7): a 4,000-turn chat paints only its last turns, and the earlier ones page in as
// the reader scrolls up (or clicks "Show earlier messages"), keeping what the reader sees in place. History shows a
// chat file that could not be read as such (§4). Real Chromium.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { useHarness, emptySnapshot, type ChatPage } from './harness';
import { delta, longChatTurns, turnAdded } from './fixtures';

const PAGE = 60;

/** The page's document, as the callbacks that run in Chromium see it (this tsconfig has no DOM lib). */
type Doc = { querySelectorAll(s: string): { length: number } };

async function turnCount(chat: ChatPage): Promise<number> {
  return chat.page.locator('#messages .turn').count();
}

describe('long chats', () => {
  const harness = useHarness({ scrollbars: true });

  test('a 4,000-turn chat paints its last turns only, at the bottom, and says how many are earlier', async () => {
    const turns = longChatTurns(2000);
    const chat = await harness.open(emptySnapshot({ turns }));
    await chat.frames();
    const painted = await turnCount(chat);
    assert.ok(painted <= PAGE && painted >= PAGE - 1, `painted ${painted} turns`);
    assert.equal(await chat.page.locator('#messages .turn').last().getAttribute('data-turn-id'), 'a1999');
    assert.equal(await chat.page.locator('button.show-earlier').textContent(), `Show earlier messages (${4000 - painted})`);
    const nodes = await chat.page.evaluate(() => (globalThis as unknown as { document: { getElementsByTagName(t: string): { length: number } } }).document.getElementsByTagName('*').length);
    assert.ok(nodes < 6000, `${nodes} DOM nodes`);
    const fromBottom = await chat.page.locator('#messages').evaluate((m) => m.scrollHeight - m.scrollTop - m.clientHeight);
    assert.ok(fromBottom <= 2, `${fromBottom}px from the bottom`);
    assert.deepEqual(chat.pageErrors, []);
    await chat.close();
  });

  test('scrolling up paints the earlier turns a page at a time, keeping the reader\'s place, down to the first question', async () => {
    const turns = longChatTurns(200);
    const chat = await harness.open(emptySnapshot({ turns }));
    await chat.frames();
    let painted = await turnCount(chat);
    assert.ok(painted < 400);
    let pages = 0;
    while (painted < 400) {
      // The turn at the top of the view, and where it is on screen, before the earlier page comes in.
      const first = chat.page.locator('#messages .turn').first();
      const id = await first.getAttribute('data-turn-id');
      // Scrolled to the top; where that turn is on screen then (the earlier page comes in a frame later).
      const before = await first.evaluate((el) => {
        (el.closest('#messages') as unknown as { scrollTop: number }).scrollTop = 0;
        return el.getBoundingClientRect().top;
      });
      await chat.page.waitForFunction((n) => (globalThis as unknown as { document: Doc }).document.querySelectorAll('#messages .turn').length > n, painted);
      await chat.frames();
      const after = await chat.page.locator(`#messages .turn[data-turn-id="${id}"]`).evaluate((el) => el.getBoundingClientRect().top);
      assert.ok(Math.abs(after - before) <= 2, `turn ${id} moved by ${after - before}px`);
      painted = await turnCount(chat);
      pages++;
    }
    assert.equal(await chat.page.locator('#messages .turn').first().getAttribute('data-turn-id'), 'q0');
    assert.equal(await chat.page.locator('button.show-earlier').count(), 0);
    assert.ok(pages >= 5, `${pages} pages`);
    // Every question kept its place before its answer.
    const order = await chat.page.locator('#messages .turn').evaluateAll((els) => els.map((e) => e.getAttribute('data-turn-id')));
    assert.deepEqual(order, turns.map((t) => t.id));
    await chat.close();
  });

  test('"Show earlier messages" is a button (keyboard users): Enter paints the previous page', async () => {
    const chat = await harness.open(emptySnapshot({ turns: longChatTurns(100) }));
    await chat.frames();
    const before = await turnCount(chat);
    await chat.page.locator('button.show-earlier').focus();
    await chat.page.keyboard.press('Enter');
    await chat.frames();
    assert.ok((await turnCount(chat)) > before);
    await chat.close();
  });

  test('a new question and its streamed answer in a long chat go to the end as usual', async () => {
    const chat = await harness.open(emptySnapshot({ turns: longChatTurns(500) }));
    await chat.frames();
    await chat.send(turnAdded('new'));
    await chat.send(delta('new', 'Streaming into a long chat.'));
    await chat.frames();
    assert.equal(await chat.page.locator('#messages .turn').last().textContent().then((t) => t?.includes('Streaming into a long chat.')), true);
    await chat.close();
  });

  test('History shows a chat file that could not be read, with where it was moved, and does not offer to open it', async () => {
    const chat = await harness.open(emptySnapshot({
      conversations: [
        { id: 'ok', title: 'Fine', updatedAt: 2 },
        { id: 'x.1.damaged', title: 'Lost thoughts', updatedAt: 1, damaged: '/storage/conversations/x.1.damaged' },
      ],
    }));
    await chat.page.locator('button#history').click();
    const damaged = chat.page.locator('.conversation-damaged');
    assert.equal(await damaged.count(), 1);
    assert.match((await damaged.textContent()) ?? '', /Lost thoughts.*Could not be read; the file was moved aside to \/storage\/conversations\/x\.1\.damaged/);
    assert.equal(await damaged.locator('button').count(), 0);
    await chat.close();
  });
});
