// Tool calls in the chat page (real Chromium, real bundle and CSP): compact rows in order, progress while running,
// expandable to what the model got, approval cards whose buttons say exactly Apply / Reject / Show Diff and post the
// decision once, "Applied" / "Rejected" afterwards, a secret read's Allow / Deny / Allow for this chat, the paused
// loop's Continue, keyboard and screen-reader reach.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AnswerBlock } from '../../src/common/chatTypes';
import { useHarness, emptySnapshot } from './harness';
import { assistantTurn, delta, meta, turnAdded, userTurn } from './fixtures';

type ToolBlock = Extract<AnswerBlock, { kind: 'tool_use' }>;

function tool(id: string, extra: Partial<ToolBlock> = {}): ToolBlock {
  return { kind: 'tool_use', id, name: 'read_file', input: JSON.stringify({ path: 'src/a.ts' }, null, 2), ...extra };
}

const EDIT: ToolBlock = {
  kind: 'tool_use', id: 'toolu_e', name: 'edit_file', input: '{\n  "path": "src/a.ts"\n}', state: 'approval', summary: 'Edit src/a.ts',
  change: { path: 'src/a.ts', added: 3, removed: 1 },
};

describe('chat webview: tool calls', () => {
  const harness = useHarness();

  test('rows appear in the order the calls happened, show progress while running, and expand to what the model got', async () => {
    const chat = await harness.open();
    await chat.send(turnAdded('t1'));
    await chat.send(delta('t1', 'Let me look.'));
    await chat.send({ type: 'block', turnId: 't1', block: 1, value: tool('toolu_1') });
    await chat.send({ type: 'block', turnId: 't1', block: 2, value: tool('toolu_2', { name: 'search_text', input: '{"query":"parseUrl"}' }) });
    await chat.send({ type: 'block', turnId: 't1', block: 1, value: tool('toolu_1', { state: 'running', summary: 'Reading src/a.ts:1–40' }) });
    await chat.send({ type: 'block', turnId: 't1', block: 2, value: tool('toolu_2', { name: 'search_text', state: 'pending', summary: "Searching 'parseUrl'" }) });
    await chat.frames();
    const rows = chat.page.locator('.turn[data-turn-id="t1"] .tool-call');
    assert.equal(await rows.count(), 2);
    assert.equal(await rows.nth(0).getAttribute('aria-busy'), 'true');
    assert.equal(await rows.nth(0).locator('.tool-title').textContent(), 'Reading src/a.ts:1–40');
    assert.equal(await rows.nth(0).locator('.tool-state').textContent(), 'Running…');

    await chat.send({ type: 'block', turnId: 't1', block: 1, value: tool('toolu_1', { state: 'done', summary: 'Read src/a.ts:1–40', result: '1\texport const a = 1;' }) });
    await chat.send({ type: 'block', turnId: 't1', block: 2, value: tool('toolu_2', { name: 'search_text', state: 'done', summary: "Searched 'parseUrl' — 12 matches", result: 'src/a.ts:3:  parseUrl(x)' }) });
    await chat.send(delta('t1', 'Found it.', 3));
    await chat.send({ type: 'turnEnded', turnId: 't1', status: 'done', meta: meta() });
    await chat.frames();
    // Text, row, row, text: in the order it happened.
    const order = await chat.page.locator('.turn[data-turn-id="t1"] .answer > *').evaluateAll((els) => els.map((e) => (e.classList.contains('tool-call') ? `tool:${e.getAttribute('data-tool-id')}` : 'text')));
    assert.deepEqual(order, ['text', 'tool:toolu_1', 'tool:toolu_2', 'text']);
    assert.deepEqual(await rows.locator('.tool-title').allTextContents(), ['Read src/a.ts:1–40', "Searched 'parseUrl' — 12 matches"]);
    assert.equal(await rows.nth(0).getAttribute('aria-busy'), null, 'no progress once done');
    // Collapsed by default; the keyboard opens it (summary is focusable) and shows the result.
    assert.equal(await rows.nth(0).locator('.tool-result').isVisible(), false);
    await rows.nth(0).locator('summary').focus();
    await chat.page.keyboard.press('Enter');
    assert.equal(await rows.nth(0).locator('.tool-result').textContent(), '1\texport const a = 1;');
    assert.equal(await rows.nth(0).locator('.tool-result').isVisible(), true);
    assert.deepEqual(chat.pageErrors, []);
    assert.deepEqual(await chat.violations(), []);
  });

  test('an edit shows a card with exactly Apply, Reject and Show Diff; a decision is posted once and the card then says Applied', async () => {
    const chat = await harness.open();
    await chat.send(turnAdded('t2'));
    await chat.send({ type: 'block', turnId: 't2', block: 0, value: { ...EDIT, state: undefined, change: undefined, summary: undefined } });
    await chat.send({ type: 'block', turnId: 't2', block: 0, value: EDIT });
    await chat.frames();
    const card = chat.page.locator('.tool-call[data-tool-id="toolu_e"] .tool-card');
    assert.deepEqual(await card.locator('button').allTextContents(), ['Apply', 'Reject', 'Show Diff']);
    assert.equal(await card.locator('.tool-card-path').textContent(), 'Change to src/a.ts');
    assert.equal(await card.locator('.tool-card-head .tool-stat').textContent(), '+3 −1');
    assert.equal(await card.getAttribute('role'), 'group');
    assert.match((await chat.page.locator('#announcer').textContent()) ?? '', /Claude proposes a change to src\/a\.ts, 3 lines added, 1 removed\. Apply or Reject\./);
    // Nothing is focused or pressed for the user.
    assert.equal(await chat.page.evaluate('document.activeElement?.closest(".tool-card") ?? null'), null);

    await chat.clearPosted();
    await card.locator('button', { hasText: 'Show Diff' }).click();
    await card.locator('button', { hasText: 'Apply' }).click();
    assert.equal(await card.locator('button', { hasText: 'Reject' }).isDisabled(), true, 'one decision per card');
    await card.locator('button', { hasText: 'Apply' }).click({ force: true }).catch(() => undefined);
    assert.deepEqual(await chat.posted(), [
      { type: 'showToolDiff', toolUseId: 'toolu_e' },
      { type: 'toolDecision', turnId: 't2', toolUseId: 'toolu_e', decision: 'apply' },
    ]);

    await chat.send({ type: 'block', turnId: 't2', block: 0, value: { ...EDIT, state: 'applied', summary: 'Edited src/a.ts', result: 'Edited src/a.ts: replaced 1 line with 3 and saved.' } });
    await chat.frames();
    const decided = chat.page.locator('.tool-call[data-tool-id="toolu_e"]');
    assert.equal(await decided.locator('.tool-card-decision').textContent(), 'Applied');
    assert.equal(await decided.locator('.tool-card button').count(), 0);
    assert.equal(await decided.locator('.tool-title').textContent(), 'Edited src/a.ts');
  });

  test('several proposed edits: a summary "3 edits to 2 files · +A −R" whose Apply All decides every waiting card; each card still works alone', async () => {
    const chat = await harness.open();
    await chat.send(turnAdded('t9'));
    const edit = (id: string, path: string, added: number, removed: number): ToolBlock => ({ ...EDIT, id, summary: `Edit ${path}`, change: { path, added, removed } });
    await chat.send({ type: 'block', turnId: 't9', block: 0, value: edit('toolu_a', 'src/a.ts', 30, 10) });
    await chat.frames();
    assert.equal(await chat.page.locator('.turn[data-turn-id="t9"] .tool-summary').count(), 0, 'no summary for one edit');
    await chat.send({ type: 'block', turnId: 't9', block: 1, value: edit('toolu_b', 'src/b.ts', 8, 2) });
    await chat.send({ type: 'block', turnId: 't9', block: 2, value: edit('toolu_c', 'src/a.ts', 2, 0) });
    await chat.frames();
    const summary = chat.page.locator('.turn[data-turn-id="t9"] .tool-summary');
    assert.equal((await summary.locator('.tool-summary-text').textContent())?.replace(/\s+/g, ' '), '3 edits to 2 files · +40 −12');
    assert.deepEqual(await summary.locator('button').allTextContents(), ['Apply All', 'Reject All']);
    // One card on its own first, then Apply All for the rest.
    await chat.clearPosted();
    await chat.page.locator('.tool-call[data-tool-id="toolu_b"] .tool-card button', { hasText: 'Reject' }).click();
    await chat.send({ type: 'block', turnId: 't9', block: 1, value: { ...edit('toolu_b', 'src/b.ts', 8, 2), state: 'rejected' } });
    await chat.frames();
    await summary.locator('button', { hasText: 'Apply All' }).click();
    assert.deepEqual(await chat.posted(), [
      { type: 'toolDecision', turnId: 't9', toolUseId: 'toolu_b', decision: 'reject' },
      { type: 'toolDecision', turnId: 't9', toolUseId: 'toolu_a', decision: 'apply' },
      { type: 'toolDecision', turnId: 't9', toolUseId: 'toolu_c', decision: 'apply' },
    ]);
    await chat.send({ type: 'block', turnId: 't9', block: 0, value: { ...edit('toolu_a', 'src/a.ts', 30, 10), state: 'applied' } });
    await chat.send({ type: 'block', turnId: 't9', block: 2, value: { ...edit('toolu_c', 'src/a.ts', 2, 0), state: 'applied' } });
    await chat.frames();
    assert.equal(await summary.locator('button').count(), 0, 'nothing left to decide');
    assert.deepEqual(await chat.violations(), []);
  });

  test('Reject posts reject; a rejected change from a snapshot says Rejected; a new file says so', async () => {
    const chat = await harness.open();
    await chat.send(turnAdded('t3'));
    await chat.send({ type: 'block', turnId: 't3', block: 0, value: EDIT });
    await chat.frames();
    await chat.clearPosted();
    // Keyboard: Tab reaches the card's buttons.
    await chat.page.locator('.tool-call[data-tool-id="toolu_e"] button', { hasText: 'Reject' }).focus();
    await chat.page.keyboard.press('Enter');
    assert.deepEqual(await chat.posted(), [{ type: 'toolDecision', turnId: 't3', toolUseId: 'toolu_e', decision: 'reject' }]);

    const snapshot = emptySnapshot({
      turns: [userTurn('u1', 'Make it'), assistantTurn('a1', '', {
        status: 'done',
        blocks: [
          { ...EDIT, state: 'rejected', summary: 'Edit src/a.ts' },
          { ...EDIT, id: 'toolu_c', name: 'create_file', state: 'applied', summary: 'Created src/new.ts', change: { path: 'src/new.ts', added: 5, removed: 0, create: true } },
        ],
      })],
    });
    const again = await harness.open(snapshot);
    const cards = again.page.locator('.tool-card');
    assert.deepEqual(await cards.locator('.tool-card-decision').allTextContents(), ['Rejected', 'Applied']);
    assert.equal(await cards.nth(1).locator('.tool-card-path').textContent(), 'New file src/new.ts');
  });

  test('reading a secret-looking file asks with exactly Allow, Deny and Allow for this chat (no Apply / Reject); each posts its decision; Deny reads "Denied"', async () => {
    const secret = (id: string, extra: Partial<ToolBlock> = {}): ToolBlock => tool(id, {
      input: '{\n  "path": ".env"\n}', state: 'approval', summary: 'Read .env', reason: 'This file may hold secrets: it is read only if you allow it.', ...extra,
    });
    const chat = await harness.open();
    await chat.send(turnAdded('t5'));
    await chat.send({ type: 'block', turnId: 't5', block: 0, value: secret('toolu_s1') });
    await chat.send({ type: 'block', turnId: 't5', block: 1, value: secret('toolu_s2', { input: '{\n  "path": "id_rsa"\n}', summary: 'Read id_rsa' }) });
    await chat.send({ type: 'block', turnId: 't5', block: 2, value: secret('toolu_s3', { input: '{\n  "path": "certs/server.pem"\n}', summary: 'Read certs/server.pem' }) });
    await chat.frames();
    const card = (id: string) => chat.page.locator(`.tool-call[data-tool-id="${id}"] .tool-card`);
    assert.deepEqual(await card('toolu_s1').locator('button').allTextContents(), ['Allow', 'Deny', 'Allow for this chat']);
    assert.match((await card('toolu_s1').locator('.tool-card-reason').textContent()) ?? '', /may hold secrets/);
    assert.equal(await chat.page.locator('.tool-call[data-tool-id="toolu_s1"] .tool-state').textContent(), 'Waiting for you to allow it');
    assert.match((await chat.page.locator('#announcer').textContent()) ?? '', /Claude asks to read certs\/server\.pem\. Allow or Deny\./);
    assert.equal(await chat.page.evaluate('document.activeElement?.closest(".tool-card") ?? null'), null, 'nothing chosen for the user');

    await chat.clearPosted();
    await card('toolu_s1').locator('button', { hasText: /^Allow$/ }).click();
    assert.equal(await card('toolu_s1').locator('button', { hasText: 'Allow for this chat' }).isDisabled(), true, 'one decision per card');
    await card('toolu_s2').locator('button', { hasText: 'Deny' }).click();
    await card('toolu_s3').locator('button', { hasText: 'Allow for this chat' }).focus();
    await chat.page.keyboard.press('Enter');
    assert.deepEqual(await chat.posted(), [
      { type: 'toolDecision', turnId: 't5', toolUseId: 'toolu_s1', decision: 'apply' },
      { type: 'toolDecision', turnId: 't5', toolUseId: 'toolu_s2', decision: 'reject' },
      { type: 'toolDecision', turnId: 't5', toolUseId: 'toolu_s3', decision: 'allowForChat' },
    ]);
    await chat.send({ type: 'block', turnId: 't5', block: 1, value: secret('toolu_s2', { state: 'rejected', summary: 'Read id_rsa', result: 'The user declined to let you read this file.' }) });
    await chat.frames();
    assert.equal(await chat.page.locator('.tool-call[data-tool-id="toolu_s2"] .tool-state').textContent(), 'Denied');
    assert.equal(await chat.page.locator('.tool-call[data-tool-id="toolu_s2"] button').count(), 0);
    assert.deepEqual(chat.pageErrors, []);
    assert.deepEqual(await chat.violations(), []);
  });

  test('a redrawn row keeps its expansion; a paused loop shows its notice with Continue, which posts continue', async () => {
    const chat = await harness.open();
    await chat.send(turnAdded('t4'));
    await chat.send({ type: 'block', turnId: 't4', block: 0, value: tool('toolu_1', { state: 'running', summary: 'Reading src/a.ts' }) });
    await chat.frames();
    await chat.page.locator('.tool-call[data-tool-id="toolu_1"] summary').click();
    await chat.send({ type: 'block', turnId: 't4', block: 0, value: tool('toolu_1', { state: 'done', summary: 'Read src/a.ts:1–2', result: 'two lines' }) });
    await chat.frames();
    assert.equal(await chat.page.locator('.tool-call[data-tool-id="toolu_1"] details').getAttribute('open'), '');
    const paused = 'Paused after 25 rounds of tool use (fastrouter.tools.maxRounds is 25). Continue goes on.';
    await chat.send({ type: 'turnEnded', turnId: 't4', status: 'done', meta: meta({ stopReason: 'tool_use' }), paused });
    await chat.frames();
    const note = chat.page.locator('.turn[data-turn-id="t4"] .tool-paused');
    assert.match((await note.textContent()) ?? '', /Paused after 25 rounds/);
    assert.equal(await chat.page.locator('.turn[data-turn-id="t4"] .stop-reason').count(), 0, 'no "asked to use a tool" note besides it');
    assert.equal(await chat.page.locator('#announcer').textContent(), paused);
    await chat.clearPosted();
    await note.locator('button', { hasText: 'Continue' }).click();
    assert.deepEqual(await chat.posted(), [{ type: 'continue', turnId: 't4' }]);
  });
  test('the files an answer changed: "Changed 3 files +40 −12" under it, expandable, each file opening its diff; from a saved turn too', async () => {
    const changes = [
      { path: 'src/a.ts', added: 30, removed: 10 },
      { path: 'src/new.ts', added: 10, removed: 0, created: true },
      { path: 'old.txt', added: 0, removed: 2, deleted: true },
    ];
    const chat = await harness.open();
    await chat.send(turnAdded('t7'));
    await chat.send({ type: 'block', turnId: 't7', block: 0, value: tool('toolu_7', { name: 'run_command', state: 'done', summary: 'Ran npm run fix' }) });
    await chat.send({ type: 'turnEnded', turnId: 't7', status: 'done', meta: meta(), changes });
    await chat.frames();
    const line = chat.page.locator('.turn[data-turn-id="t7"] .changed-files');
    assert.equal(await line.locator('summary').textContent(), 'Changed 3 files +40 \u221212');
    assert.equal(await line.locator('.changed-file').first().isVisible(), false, 'collapsed until expanded');
    await line.locator('summary').focus();
    await chat.page.keyboard.press('Enter');
    assert.deepEqual(await line.locator('li').allTextContents(), ['src/a.ts +30 \u221210', 'src/new.ts (new) +10 \u22120', 'old.txt (deleted) +0 \u22122']);
    await chat.clearPosted();
    await line.locator('.changed-file').nth(1).click();
    await line.locator('.changed-file').nth(2).focus();
    await chat.page.keyboard.press('Enter');
    assert.deepEqual(await chat.posted(), [{ type: 'openFileChange', turnId: 't7', index: 1 }, { type: 'openFileChange', turnId: 't7', index: 2 }]);
    assert.deepEqual(await chat.violations(), []);

    // After a reload the saved turn carries its changes; one file says "file"; an answer that changed nothing has no line.
    const reloaded = await harness.open(emptySnapshot({
      turns: [
        userTurn('u1', 'Fix it'), assistantTurn('a1', 'Fixed.', { status: 'done', meta: meta(), changes: [{ path: 'src/a.ts', added: 1, removed: 1 }] }),
        userTurn('u2', 'Explain'), assistantTurn('a2', 'It works.', { status: 'done', meta: meta() }),
      ],
    }));
    assert.equal(await reloaded.page.locator('.turn[data-turn-id="a1"] .changed-files summary').textContent(), 'Changed 1 file +1 \u22121');
    assert.equal(await reloaded.page.locator('.turn[data-turn-id="a2"] .changed-files').count(), 0);
    await reloaded.page.locator('.turn[data-turn-id="a1"] .changed-files summary').click();
    await reloaded.clearPosted();
    await reloaded.page.locator('.turn[data-turn-id="a1"] .changed-file').click();
    assert.deepEqual(await reloaded.posted(), [{ type: 'openFileChange', turnId: 'a1', index: 0 }]);
    assert.deepEqual(reloaded.pageErrors, []);
  });
});
