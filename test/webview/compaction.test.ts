// The "Compacted" row in Chromium (issue 18 §3): under the answer where the conversation was compacted, "Compacting…"
// while the summary streams, then expandable to read the summary (Markdown, sanitised), Edit (Save posts the edited
// text; Cancel posts nothing), Undo while the host offers it; the composer's Compact button.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { CompactionView } from '../../src/common/chatTypes';
import { emptySnapshot, Harness } from './harness';
import { assistantTurn, meta, userTurn } from './fixtures';

const SUMMARY = '## Goals\n- Make the parser fast\n\n## Decisions\n- Use a map <img src=x onerror="window.__canary++">\n\n## Files changed\n- src/parser.ts — edited\n\n## Open tasks\n- None.';

function row(overrides: Partial<CompactionView> = {}): CompactionView {
  return { id: 'k1', state: 'done', summary: SUMMARY, trigger: 'manual', canUndo: true, covers: 2, tokensBefore: 12_400, tokensAfter: 900, meta: meta({ cost: { kind: 'billed', credits: 0.0042 } }), ...overrides };
}

describe('chat webview: compaction row', () => {
  let harness: Harness;
  before(async () => { harness = await Harness.start(); });
  after(async () => { await harness?.close(); });

  test('Compacting…, then Compacted with its facts; expand to read; Edit and Save post the text; Undo posts; the row follows the host', async () => {
    const turns = [
      userTurn('q1', 'How do I make the parser fast?'), assistantTurn('a1', 'Use a map.', { status: 'done', meta: meta() }),
      userTurn('q2', 'Where?'), assistantTurn('a2', 'In src/parser.ts.', { status: 'done', meta: meta() }),
    ];
    const chat = await harness.open(emptySnapshot({ turns }));
    const page = chat.page;
    await chat.send({ type: 'compaction', turnId: 'a2', compaction: row({ state: 'running', summary: '' }) });
    const compaction = page.locator('.turn[data-turn-id="a2"] .compaction');
    assert.equal((await compaction.innerText()).replace(/\s+/g, ' ').trim(), 'Compacting… Claude is summarising the earlier turns');
    await chat.send({ type: 'compaction', turnId: 'a2', compaction: row() });
    const head = compaction.locator('summary');
    assert.equal((await head.innerText()).replace(/\s+/g, ' ').trim(), 'Compacted 2 questions summarised · ≈ 12.4k → 900 tokens · 0.0042 credits');
    assert.equal(await compaction.locator('.compaction-summary').isVisible(), false, 'folded at first');
    await head.click();
    const body = compaction.locator('.compaction-summary');
    assert.ok(await body.isVisible());
    assert.equal(await body.locator('h2').first().innerText(), 'Goals');
    assert.equal(await body.locator('img').count(), 0, 'model output is sanitised');
    assert.equal(await chat.canary(), 0);

    await chat.clearPosted();
    await compaction.getByRole('button', { name: 'Edit' }).click();
    const editor = compaction.getByRole('textbox', { name: 'Summary sent instead of the turns above' });
    assert.equal(await editor.inputValue(), SUMMARY);
    await editor.fill('## Goals\n- Edited goal');
    await compaction.getByRole('button', { name: 'Cancel' }).click();
    assert.deepEqual(await chat.posted(), [], 'Cancel posts nothing');
    await compaction.getByRole('button', { name: 'Edit' }).click();
    await editor.fill('## Goals\n- Edited goal');
    await compaction.getByRole('button', { name: 'Save' }).click();
    assert.deepEqual(await chat.posted(), [{ type: 'editCompaction', id: 'k1', summary: '## Goals\n- Edited goal' }]);
    // The host sends the row back edited: it stays open, says "edited".
    await chat.send({ type: 'compaction', turnId: 'a2', compaction: row({ summary: '## Goals\n- Edited goal', edited: true }) });
    assert.ok(await compaction.locator('.compaction-summary').isVisible(), 'still expanded');
    assert.match(await compaction.locator('summary').innerText(), /edited/);

    await chat.clearPosted();
    await compaction.getByRole('button', { name: 'Undo' }).click();
    assert.deepEqual(await chat.posted(), [{ type: 'undoCompaction', id: 'k1' }]);
    await chat.send({ type: 'compaction', turnId: 'a2', compaction: null });
    assert.equal(await page.locator('.compaction').count(), 0, 'gone after Undo');
    // After the next question the host sends it without Undo.
    await chat.send({ type: 'compaction', turnId: 'a2', compaction: row({ canUndo: false }) });
    assert.equal(await compaction.getByRole('button', { name: 'Undo' }).count(), 0);
    await chat.close();
  });

  test('a snapshot paints the row of its turn; the composer\'s Compact button posts compact and is off while busy', async () => {
    const chat = await harness.open(emptySnapshot({ turns: [userTurn('q1', 'Q'), assistantTurn('a1', 'A', { status: 'done', compaction: row({ canUndo: false, trigger: 'auto' }) })] }));
    assert.match(await chat.page.locator('.turn[data-turn-id="a1"] .compaction summary').innerText(), /Compacted[\s\S]*automatic/);
    await chat.clearPosted();
    const compact = chat.page.getByRole('button', { name: 'Compact', exact: true });
    await compact.click();
    assert.deepEqual(await chat.posted(), [{ type: 'compact' }]);
    await chat.send({ type: 'busy', busy: true });
    assert.equal(await compact.isDisabled(), true);
    await chat.close();
  });
});
