// Blocks the chat does not model (a web search the endpoint ran, its results, a type added later) in real Chromium:
// one compact row each, in the answer's block order, updated in place, text only.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { useHarness, emptySnapshot } from './harness';
import { assistantTurn, delta, meta, turnAdded, userTurn } from './fixtures';

describe('chat webview: rows for server tools and unknown blocks', () => {
  const harness = useHarness();

  test('a streamed web search shows "Searching the web…", then "Searched the web: <query>" in place, before the answer text', async () => {
    const chat = await harness.open();
    await chat.send(turnAdded('t1', 'When did Node 24 come out?'));
    await chat.send({ type: 'block', turnId: 't1', block: 0, value: { kind: 'opaque', type: 'server_tool_use', label: 'Searching the web…' } });
    await chat.frames();
    const rows = chat.page.locator('.turn[data-turn-id="t1"] .answer .opaque-block');
    assert.deepEqual(await rows.allTextContents(), ['Searching the web…']);
    await chat.send({ type: 'block', turnId: 't1', block: 0, value: { kind: 'opaque', type: 'server_tool_use', label: 'Searched the web: node 24 release date' } });
    await chat.send({ type: 'block', turnId: 't1', block: 1, value: { kind: 'opaque', type: 'web_search_tool_result', label: 'web_search_tool_result' } });
    await chat.send(delta('t1', 'Node 24 was released in **May**.', 2));
    await chat.frames();
    await chat.send({ type: 'turnEnded', turnId: 't1', status: 'done', meta: meta() });
    await chat.frames();
    assert.deepEqual(await rows.allTextContents(), ['Searched the web: node 24 release date', 'web_search_tool_result']);
    assert.deepEqual(await rows.evaluateAll((els) => els.map((el) => el.getAttribute('data-block-type'))), ['server_tool_use', 'web_search_tool_result']);
    // In the answer's order: the two rows, then the text.
    const order = await chat.page.locator('.turn[data-turn-id="t1"] .answer > *').evaluateAll((els) => els.map((el) => `${el.getAttribute('data-block')}:${el.className}`));
    assert.deepEqual(order.map((entry) => entry.split(' ')[0]), ['0:opaque-block', '1:opaque-block', '2:answer-text']);
    assert.equal(await chat.page.locator('.turn[data-turn-id="t1"] .answer strong').textContent(), 'May');
    // One line: a long query does not wrap the row.
    const style = await rows.first().evaluate((el) => { const s = (globalThis as unknown as { getComputedStyle(e: unknown): { whiteSpace: string; textOverflow: string } }).getComputedStyle(el); return `${s.whiteSpace} ${s.textOverflow}`; });
    assert.equal(style, 'nowrap ellipsis');
    assert.deepEqual(await chat.violations(), []);
    assert.deepEqual(chat.pageErrors, []);
    await chat.close();
  });

  test('from a snapshot (a saved chat), rows appear in place; a label is text, never markup', async () => {
    const hostile = 'Searched the web: <img src=x onerror="window.__canary++"> & <b>bold</b>';
    const chat = await harness.open(emptySnapshot({
      turns: [
        userTurn('u1', 'Search'),
        assistantTurn('a1', '', {
          status: 'done',
          meta: meta(),
          blocks: [
            { kind: 'opaque', type: 'server_tool_use', label: hostile },
            { kind: 'text', text: 'Found it.' },
            { kind: 'opaque', type: 'future_block', label: 'future_block' },
          ],
        }),
      ],
    }));
    const rows = chat.page.locator('.turn[data-turn-id="a1"] .answer .opaque-block');
    assert.deepEqual(await rows.allTextContents(), [hostile, 'future_block']);
    assert.equal(await chat.page.locator('.turn[data-turn-id="a1"] .answer img, .turn[data-turn-id="a1"] .answer b').count(), 0);
    assert.equal(await chat.canary(), 0);
    const order = await chat.page.locator('.turn[data-turn-id="a1"] .answer > *').evaluateAll((els) => els.map((el) => el.getAttribute('data-block')));
    assert.deepEqual(order, ['0', '1', '2']);
    assert.deepEqual(chat.pageErrors, []);
    await chat.close();
  });
});
