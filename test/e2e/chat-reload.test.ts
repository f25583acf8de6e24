// UI e2e (issue 3 §6): conversations survive a window reload, and an answer that was streaming when the
// window reloaded comes back with its text, marked unfinished; the cost view comes back too (issue 20 §2), with the
// ledger's data read after the reload. Real code-server, real Chromium, local simulator.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { Simulator } from '../support/simulator';
import { REPO_ROOT, saveScreenshot } from './harness';
import { startWorkbenchSession, type WorkbenchSession } from './session';
import { answerText, findWebviewFrame, openChat, openFile, quickInput, runCommand, sendInChat, waitFor, waitForWorkbench } from './workbench';

let session: WorkbenchSession | undefined;
let sim: Simulator;
let page: Page | undefined;

before(async () => {
  session = await startWorkbenchSession({ apiKeys: ['test-key'], workspaceFiles: { 'a.txt': 'hello\n', 'b.txt': 'bee\n', 'notes.txt': 'plain notes\n' } });
  ({ sim, page } = session);
});

after(async () => {
  await session?.close();
});

test('a finished answer and an answer cut by a window reload are both there after the reload', { timeout: 240_000 }, async (t) => {
  const p = page!;
  try {
    await runCommand(p, 'FastRouter: Set API Key');
    await (await quickInput(p, 'Set API Key')).fill('test-key');
    await p.keyboard.press('Enter');
    await p.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });

    let frame = await openChat(p);
    sim.enqueue({ text: ['Finished ', 'answer ', 'one.'] });
    await sendInChat(frame, 'First question');
    await frame.locator('.turn[data-role="assistant"][data-status="done"]').first().waitFor({ timeout: 30_000 });

    const words = Array.from({ length: 400 }, (_, i) => `word${i} `);
    sim.enqueue({ text: words, deltaDelayMs: 100 });
    await sendInChat(frame, 'Second question, long answer');
    const streaming = frame.locator('.turn[data-role="assistant"]').nth(1);
    await waitFor('the second answer to stream', async () => /word6\b/.test(await answerText(streaming).catch(() => '')), 30_000);
    // The host saves a streaming answer about once a second; give it time for one save after word6.
    await p.waitForTimeout(1_500);

    await p.reload();
    await waitForWorkbench(p);
    frame = await openChat(p);
    const answers = frame.locator('.turn[data-role="assistant"]');
    await waitFor('both answers after the reload', async () => (await answers.count()) === 2 && true, 60_000);

    assert.equal(await answers.nth(0).getAttribute('data-status'), 'done');
    assert.match(await answerText(answers.nth(0).locator('.answer')), /Finished answer one\./);
    assert.match(await frame.locator('.turn[data-role="user"]').nth(0).innerText(), /First question/);
    assert.match(await frame.locator('.turn[data-role="user"]').nth(1).innerText(), /Second question, long answer/);

    const cut = answers.nth(1);
    // Marked at once when the old window's extension host is gone; if code-server still keeps it during its
    // reconnection grace, as soon as it stops saving the answer.
    await waitFor('the cut answer to be marked unfinished', async () => (await cut.getAttribute('data-status')) === 'interrupted', 60_000);
    const text = await answerText(cut.locator('.answer'));
    assert.match(text, /word0 word1 word2 word3 word4 word5 word6/, 'the text streamed before the reload stays');
    assert.doesNotMatch(text, /word399/, 'it was cut, not finished');
  } catch (error) {
    const shot = await saveScreenshot(p, 'chat-reload');
    if (shot) t.diagnostic(`screenshot: ${path.relative(REPO_ROOT, shot)}`);
    throw error;
  }
});

/** Sets the key (code-server keeps SecretStorage in the page: a reload loses it). */
async function setApiKey(p: Page): Promise<void> {
  await runCommand(p, 'FastRouter: Set API Key');
  await (await quickInput(p, 'Set API Key')).fill('test-key');
  await p.keyboard.press('Enter');
  await p.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });
}

/**
 * Developer: Reload Window, as a user reloads VS Code, and waits for the new page's workbench. Not `page.reload()`:
 * that is the browser's own reload, and code-server's web workbench then saves its editor state to IndexedDB without
 * waiting for the write (the page is gone first), so no editor tab, not even a plain text file's, comes back. The
 * command awaits the storage flush before it reloads.
 */
async function reloadWindow(p: Page): Promise<void> {
  await p.evaluate('window.__beforeReload = true');
  await runCommand(p, 'Developer: Reload Window');
  await waitFor('the new page', async () => (await p.evaluate('window.__beforeReload').catch(() => true)) !== true, 120_000);
  await waitForWorkbench(p);
}

const tab = (p: Page, label: string) => p.locator('.tabs-container .tab', { hasText: label });

test('the cost view (with its data), a text editor and the diff tabs come back after Developer: Reload Window', { timeout: 480_000 }, async (t) => {
  const p = page!;
  try {
    await setApiKey(p);
    await runCommand(p, 'FastRouter: New Chat');
    let chat = await openChat(p);
    // An applied edit: its answer's "Changed 1 file" line opens the checkpoint diff (before the question ↔ now).
    sim.enqueue({ toolUse: { id: 'toolu_ck', name: 'edit_file', input: { path: 'a.txt', old_text: 'hello', new_text: 'hello again' } } }, { text: 'Edited a.txt.' });
    await sendInChat(chat, 'Edit a.txt');
    await chat.locator('.tool-call[data-tool-id="toolu_ck"] .tool-card button', { hasText: 'Apply' }).click({ timeout: 60_000 });
    const edited = chat.locator('.turn[data-role="assistant"]').last();
    await edited.locator('.changed-files summary').click({ timeout: 60_000 });
    await edited.locator('button.changed-file').click();
    // Opened as a preview tab: kept open (double-click on the tab), or the next diff would take its place.
    await tab(p, 'a.txt (before the question ↔ now)').dblclick({ timeout: 30_000 });
    await waitFor('the diff tab to be kept open (no longer in italics)', async () => (await tab(p, 'a.txt (before the question ↔ now)').locator('.italic').count()) === 0, 10_000);
    // An edit waiting for its decision: Show Diff opens its review diff (current ↔ proposed).
    sim.enqueue({ toolUse: { id: 'toolu_wait', name: 'edit_file', input: { path: 'b.txt', old_text: 'bee', new_text: 'bee two' } } });
    await sendInChat(chat, 'Edit b.txt');
    await chat.locator('.tool-call[data-tool-id="toolu_wait"] .tool-card button', { hasText: 'Show Diff' }).click({ timeout: 60_000 });
    await tab(p, 'b.txt (current ↔ proposed, editable)').waitFor({ timeout: 30_000 });
    // A plain text editor, the control: if it did not come back, no editor would.
    await openFile(p, 'notes.txt');
    await runCommand(p, 'FastRouter: Show Cost');
    let cost = await findWebviewFrame(p, '#day-chart', 60_000);
    const rows = () => cost.locator('#request-table tbody tr').count();
    await waitFor('the requests in the cost view', async () => (await rows()) >= 2, 30_000);
    const rowsBefore = await rows();

    await reloadWindow(p);

    for (const label of ['FastRouter Cost', 'notes.txt', 'a.txt (before the question ↔ now)', 'b.txt (current ↔ proposed, editable)']) {
      await tab(p, label).first().waitFor({ state: 'visible', timeout: 60_000 });
    }
    assert.equal(await tab(p, 'FastRouter Cost').count(), 1, 'one cost view');
    // The cost view was the active tab: the serializer gave it a page with the ledger's data. The new extension host
    // starts first (at load 24 its page was still blank after 60 s, all four tabs already back).
    cost = await findWebviewFrame(p, '#day-chart', 150_000);
    await waitFor(`the ${rowsBefore} requests in the restored cost view`, async () => (await rows()) === rowsBefore, 60_000);

    // The checkpoint diff reads its stored side from the content provider (the extension activated for its scheme).
    // Monaco draws spaces as no-break spaces.
    const diffSide = (side: 'original' | 'modified') => ({
      innerText: async () => (await p.locator(`.editor-instance .monaco-diff-editor .editor.${side} .view-lines`).first().innerText()).replace(/\u00a0/g, ' '),
    });
    await tab(p, 'a.txt (before the question ↔ now)').click();
    await waitFor('the restored checkpoint diff', async () =>
      (await diffSide('original').innerText()).trim() === 'hello' && (await diffSide('modified').innerText()).trim() === 'hello again', 60_000);
    // The review diff's proposal died with the old window: it says so, read-only.
    await tab(p, 'b.txt (current ↔ proposed, editable)').click();
    await waitFor('the restored review diff to say its proposal is gone', async () => /no longer available/.test(await diffSide('modified').innerText()), 60_000);

    // A request after the reload, then the cost tab: the restored view follows the ledger (one row more).
    await setApiKey(p);
    chat = await openChat(p);
    sim.enqueue({ text: 'After the reload.' });
    await sendInChat(chat, 'Still there?');
    await waitFor('the answer after the reload', async () => /After the reload/.test(await chat.locator('.turn[data-role="assistant"]').last().innerText().catch(() => '')), 60_000);
    await tab(p, 'FastRouter Cost').click();
    cost = await findWebviewFrame(p, '#day-chart', 60_000);
    await waitFor('the new request in the restored cost view', async () => (await rows()) === rowsBefore + 1, 60_000);
    assert.equal(await tab(p, 'FastRouter Cost').count(), 1, 'one cost view, not a second one');
  } catch (error) {
    const shot = await saveScreenshot(p, 'chat-reload-tabs');
    if (shot) t.diagnostic(`screenshot: ${path.relative(REPO_ROOT, shot)}`);
    throw error;
  }
});
