// While a 429/529 is retried, the answer says so and counts down ("Rate limited — retrying in 27 s"), Stop still works,
// and the line goes when the stream starts. Real Chromium; time is Playwright's fake clock, so nothing waits 27 s.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { useHarness } from './harness';
import { delta, meta, turnAdded } from './fixtures';

describe('chat webview: retry countdown', () => {
  const harness = useHarness();

  test('"Rate limited — retrying in 27 s" counts down each second, replaces the dots, and goes when the stream starts', async () => {
    const chat = await harness.open();
    await chat.page.clock.install();
    await chat.send({ type: 'busy', busy: true });
    await chat.send(turnAdded('t1'));
    await chat.send({ type: 'retrying', turnId: 't1', retry: { reason: 'rate_limit', delayMs: 27_000, retry: 1, maxRetries: 2 } });
    const line = chat.page.locator('.turn[data-turn-id="t1"] .turn-retry');
    assert.equal(await line.textContent(), 'Rate limited — retrying in 27 s');
    // The answer's "…" gives way to the countdown; the reader hears it once, not every second.
    const dots = await chat.page.locator('.turn[data-turn-id="t1"] .answer').evaluate((el) => (globalThis as unknown as { getComputedStyle(e: unknown, p: string): { content: string } }).getComputedStyle(el, '::after').content);
    assert.equal(dots, 'none');
    assert.equal(await line.getAttribute('aria-live'), 'off');
    assert.equal(await chat.page.locator('#announcer').textContent(), 'Rate limited. Retrying in 27 seconds; Stop cancels.');

    // The line wakes a few ms after each second turns (its timer is not exactly on the second).
    await chat.page.clock.runFor(1010);
    assert.equal(await line.textContent(), 'Rate limited — retrying in 26 s');
    await chat.page.clock.runFor(20_000);
    assert.equal(await line.textContent(), 'Rate limited — retrying in 6 s');

    // Stop is there and works while waiting.
    await chat.clearPosted();
    await chat.page.locator('#stop').click();
    assert.deepEqual(await chat.posted(), [{ type: 'stop' }]);

    await chat.page.clock.runFor(6000);
    assert.equal(await line.textContent(), 'Rate limited — retrying now…');

    // A second failure: the next wait replaces the line.
    await chat.send({ type: 'retrying', turnId: 't1', retry: { reason: 'overloaded', delayMs: 1500, retry: 2, maxRetries: 2 } });
    assert.deepEqual(await chat.page.locator('.turn[data-turn-id="t1"] .turn-retry').allTextContents(), ['Overloaded — retrying in 2 s']);
    await chat.page.clock.runFor(600);
    assert.equal(await line.textContent(), 'Overloaded — retrying in 1 s');

    // The stream starts: the host clears it, and the answer streams as usual.
    await chat.send({ type: 'retrying', turnId: 't1', retry: null });
    await chat.send(delta('t1', 'Finally here.'));
    await chat.page.clock.runFor(100);
    assert.equal(await line.count(), 0);
    assert.equal(await chat.page.locator('.turn[data-turn-id="t1"]').getAttribute('data-retrying'), null);
    await chat.send({ type: 'turnEnded', turnId: 't1', status: 'done', meta: meta() });
    assert.equal((await chat.page.locator('.turn[data-turn-id="t1"] .answer').textContent())?.trim(), 'Finally here.');
    assert.deepEqual(chat.pageErrors, []);
    await chat.close();
  });

  test('the countdown goes when the answer ends while waiting (Stop), and a late notice for a finished answer shows nothing', async () => {
    const chat = await harness.open();
    await chat.page.clock.install();
    await chat.send(turnAdded('t2'));
    await chat.send({ type: 'retrying', turnId: 't2', retry: { reason: 'overloaded', delayMs: 8000, retry: 1, maxRetries: 2 } });
    assert.equal(await chat.page.locator('.turn[data-turn-id="t2"] .turn-retry').textContent(), 'Overloaded — retrying in 8 s');
    await chat.send({ type: 'turnEnded', turnId: 't2', status: 'stopped' });
    assert.equal(await chat.page.locator('.turn-retry').count(), 0);
    await chat.send({ type: 'retrying', turnId: 't2', retry: { reason: 'rate_limit', delayMs: 5000, retry: 2, maxRetries: 2 } });
    assert.equal(await chat.page.locator('.turn-retry').count(), 0);
    assert.deepEqual(chat.pageErrors, []);
    await chat.close();
  });
});
