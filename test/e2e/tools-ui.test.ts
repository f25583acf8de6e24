// UI e2e of tool use (issue 9 §6): real code-server, real Chromium, the real chat webview, the local simulator.
// A question that reads a file then proposes an edit → Apply (the card's button) → the file changed on disk;
// Reject → the file unchanged and is_error sent; Stop while a card waits → the next question is a valid request;
// a window reload while a card waits → the loop is repaired and the next question is a valid request; a secret-looking
// file asks with Allow / Deny / Allow for this chat, and the chat then reads that file without asking.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, test, type TestContext } from 'node:test';
import type { Page } from 'playwright-core';
import type { Simulator } from '../support/simulator';
import { screenshotOnFailure } from './harness';
import { startWorkbenchSession, type WorkbenchSession } from './session';
import { openChat, runCommand, sendInChat, setApiKey, waitFor, waitForWorkbench } from './workbench';

let session: WorkbenchSession | undefined;
let sim: Simulator;
let page: Page;
let workspace: string;

before(async () => {
  session = await startWorkbenchSession({ apiKeys: ['test-key'], workspaceFiles: { 'calc.ts': 'export const rate = 1;\nexport const name = "calc";\n', '.env': 'CALC_TOKEN=not-for-claude\n', 'deploy.pem': '-----BEGIN KEY-----\n' } });
  ({ sim, page } = session);
  workspace = session.server.workspaceDir;
});

after(async () => {
  await session?.close();
});

function step(t: TestContext, fn: () => Promise<void>): Promise<void> {
  return screenshotOnFailure(t, page, `tools-ui-${t.name.slice(0, 40)}`, fn);
}

const calc = () => fs.readFileSync(path.join(workspace, 'calc.ts'), 'utf8');
const edit = (id: string, from: string, to: string) => ({ toolUse: { id, name: 'edit_file', input: { path: 'calc.ts', old_text: from, new_text: to } } });
type Body = { messages: { role: string; content: string | { type: string; tool_use_id?: string; is_error?: boolean; content?: string }[] }[] };
const lastBody = () => sim.requests.at(-1)!.body as Body;

test('read then edit → Apply on the card → the file changes on disk; the rows show what happened', { timeout: 240_000 }, async (t) => {
  await step(t, async () => {
    await setApiKey(page, 'test-key');
    const frame = await openChat(page);
    sim.enqueue(
      { text: 'Let me read it.', toolUse: { id: 'toolu_read', name: 'read_file', input: { path: 'calc.ts' } } },
      { text: 'Now the change.', ...edit('toolu_apply', 'rate = 1', 'rate = 2') },
      { text: 'The rate is 2 now.' },
    );
    await sendInChat(frame, 'Set the rate to 2');
    const card = frame.locator('.tool-call[data-tool-id="toolu_apply"] .tool-card');
    await card.locator('button', { hasText: 'Apply' }).waitFor({ timeout: 60_000 });
    assert.deepEqual(await card.locator('button').allTextContents(), ['Apply', 'Reject', 'Show Diff']);
    assert.equal(calc(), 'export const rate = 1;\nexport const name = "calc";\n', 'nothing changes before Apply');
    assert.equal(await frame.locator('.tool-call[data-tool-id="toolu_read"] .tool-title').textContent(), 'Read calc.ts:1–2');
    await card.locator('button', { hasText: 'Apply' }).click();
    await frame.locator('.turn[data-role="assistant"][data-status="done"]').first().waitFor({ timeout: 60_000 });
    assert.equal(calc(), 'export const rate = 2;\nexport const name = "calc";\n');
    assert.equal(await card.locator('.tool-card-decision').textContent(), 'Applied');
    assert.equal(sim.requests.length, 3);
    assert.ok(sim.requests.every((r) => r.status === 200));
  });
});

test('Reject on the card: the file stays as it is and the model gets is_error', { timeout: 120_000 }, async (t) => {
  await step(t, async () => {
    const frame = await openChat(page);
    const before = calc();
    sim.enqueue(edit('toolu_reject', 'name = "calc"', 'name = "gone"'), { text: 'OK, unchanged.' });
    await sendInChat(frame, 'Rename it');
    const card = frame.locator('.tool-call[data-tool-id="toolu_reject"] .tool-card');
    await card.locator('button', { hasText: 'Reject' }).click({ timeout: 60_000 });
    await frame.locator('.turn[data-role="assistant"][data-status="done"]').nth(1).waitFor({ timeout: 60_000 });
    assert.equal(calc(), before);
    assert.equal(await card.locator('.tool-card-decision').textContent(), 'Rejected');
    const results = lastBody().messages.at(-1)!.content as { type: string; is_error?: boolean; content?: string }[];
    assert.equal(results[0].type, 'tool_result');
    assert.equal(results[0].is_error, true);
    assert.match(results[0].content ?? '', /declined/);
  });
});

test('Stop while a card waits, and a window reload while a card waits: the next question is a valid request', { timeout: 240_000 }, async (t) => {
  await step(t, async () => {
    let frame = await openChat(page);
    sim.enqueue(edit('toolu_stop', 'rate = 2', 'rate = 3'));
    await sendInChat(frame, 'Change the rate again');
    await frame.locator('.tool-call[data-tool-id="toolu_stop"] button', { hasText: 'Apply' }).waitFor({ timeout: 60_000 });
    await runCommand(page, 'FastRouter: Stop Generating');
    await frame.locator('.turn[data-role="assistant"][data-status="stopped"]').waitFor({ timeout: 30_000 });
    sim.enqueue({ text: 'Fine, stopped.' });
    await sendInChat(frame, 'Never mind');
    await waitFor('the answer after Stop', async () => (await frame.locator('.turn[data-role="assistant"][data-status="done"]').count()) === 3 && true, 60_000);
    assert.equal(sim.requests.at(-1)!.status, 200, 'the simulator (which checks tool_use/tool_result pairing) accepted it');
    assert.equal(calc(), 'export const rate = 2;\nexport const name = "calc";\n');

    sim.enqueue(edit('toolu_reload', 'rate = 2', 'rate = 4'));
    await sendInChat(frame, 'One more change');
    await frame.locator('.tool-call[data-tool-id="toolu_reload"] button', { hasText: 'Apply' }).waitFor({ timeout: 60_000 });
    // The host saves the loop's state about once a second.
    await page.waitForTimeout(1_500);
    await page.reload();
    await waitForWorkbench(page);
    frame = await openChat(page);
    const cut = frame.locator('.turn[data-role="assistant"]').nth(4);
    await waitFor('the cut loop to be marked unfinished', async () => (await cut.getAttribute('data-status').catch(() => null)) === 'interrupted', 90_000);
    assert.equal(await cut.locator('.tool-card button').count(), 0, 'no card waits after the reload');
    sim.enqueue({ text: 'Back again.' });
    await sendInChat(frame, 'Where were we?');
    await waitFor('the answer after the reload', async () => (await frame.locator('.turn[data-role="assistant"][data-status="done"]').count()) === 4 && true, 60_000);
    assert.equal(sim.requests.at(-1)!.status, 200);
    const messages = lastBody().messages;
    const repaired = messages.at(-1)!.content as { type: string; tool_use_id?: string; is_error?: boolean }[];
    assert.equal(repaired[0].tool_use_id, 'toolu_reload');
    assert.equal(repaired[0].is_error, true);
    assert.equal(calc(), 'export const rate = 2;\nexport const name = "calc";\n');
  });
});

test('a secret-looking file asks with Allow / Deny / Allow for this chat; allowed for the chat, it is read again unasked; Deny sends declined', { timeout: 240_000 }, async (t) => {
  await step(t, async () => {
    const frame = await openChat(page);
    await runCommand(page, 'FastRouter: New Chat');
    sim.enqueue({ toolUse: { id: 'toolu_env1', name: 'read_file', input: { path: '.env' } } }, { text: 'It holds a token.' });
    await sendInChat(frame, 'What is in .env?');
    const card = frame.locator('.tool-call[data-tool-id="toolu_env1"] .tool-card');
    await card.locator('button', { hasText: 'Deny' }).waitFor({ timeout: 60_000 });
    assert.deepEqual(await card.locator('button').allTextContents(), ['Allow', 'Deny', 'Allow for this chat']);
    const requestsBefore = sim.requests.length;
    await card.locator('button', { hasText: 'Allow for this chat' }).click();
    await waitFor('the answer after Allow for this chat', async () => sim.requests.length === requestsBefore + 1 && (await frame.locator('.turn[data-role="assistant"]').last().getAttribute('data-status')) === 'done', 60_000);
    const read = lastBody().messages.at(-1)!.content as { type: string; content?: string; is_error?: boolean }[];
    assert.match(read[0].content ?? '', /CALC_TOKEN=not-for-claude/);

    // The same file again in this chat: no card. Another secret file: a card; Deny sends is_error "declined".
    sim.enqueue({ toolUse: { id: 'toolu_env2', name: 'read_file', input: { path: '.env', start_line: 1, end_line: 1 } } }, { toolUse: { id: 'toolu_pem', name: 'read_file', input: { path: 'deploy.pem' } } }, { text: 'Left the key alone.' });
    await sendInChat(frame, 'Read it again, and the key');
    const pem = frame.locator('.tool-call[data-tool-id="toolu_pem"] .tool-card');
    await pem.locator('button', { hasText: 'Deny' }).waitFor({ timeout: 60_000 });
    assert.equal(await frame.locator('.tool-call[data-tool-id="toolu_env2"] .tool-card').count(), 0, 'the file allowed for this chat asks no more');
    assert.equal(await frame.locator('.tool-call[data-tool-id="toolu_env2"]').getAttribute('data-tool-state'), 'done');
    await pem.locator('button', { hasText: 'Deny' }).click();
    await waitFor('the answer after Deny', async () => (await frame.locator('.turn[data-role="assistant"]').last().getAttribute('data-status')) === 'done' && sim.requests.at(-1)!.body !== undefined && JSON.stringify(lastBody()).includes('toolu_pem'), 60_000);
    const denied = lastBody().messages.at(-1)!.content as { type: string; tool_use_id?: string; content?: string; is_error?: boolean }[];
    assert.deepEqual(denied.map((b) => [b.tool_use_id, b.is_error === true]), [['toolu_pem', true]]);
    assert.match(denied[0].content ?? '', /declined/);
    assert.equal(await frame.locator('.tool-call[data-tool-id="toolu_pem"] .tool-state').textContent(), 'Denied');
  });
});
