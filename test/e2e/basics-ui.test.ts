// UI e2e (issue 20): the chat basics as a new user tries them, in real code-server driven by Chromium against the
// simulator: Regenerate after Stop, Edit a question and resend it (later turns replaced), ArrowUp recalls the last
// question, Ask About Selection into the composer with a single-line chip, New Chat focuses the composer, and a
// deleted conversation comes back with Undo; Export Chat saves a .md file through VS Code's real save dialog.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, test, type TestContext } from 'node:test';
import type { Frame, Page } from 'playwright-core';
import type { Simulator } from '../support/simulator';
import { screenshotOnFailure } from './harness';
import { startWorkbenchSession, type WorkbenchSession } from './session';
import { answerText, chatFrameOpener, openFile, quickInput, runCommand, selectLines, setApiKey, waitFor } from './workbench';

const KEY = 'test-key';
let session: WorkbenchSession | undefined;
let sim: Simulator;
let page: Page;
let chatFrame: () => Promise<Frame>;

before(async () => {
  session = await startWorkbenchSession({
    apiKeys: [KEY],
    settings: { 'fastrouter.tools.enabled': false },
    workspaceFiles: { 'sample.ts': 'export function add(a: number, b: number): number {\n  return a + b;\n}\n' },
  });
  ({ sim, page } = session);
  chatFrame = chatFrameOpener(page);
  // The key is set here, not in the first test, so that each test also runs alone (--test-name-pattern).
  await setApiKey(page, KEY);
});

after(async () => {
  await session?.close();
});

function step(t: TestContext, fn: () => Promise<void>): Promise<void> {
  return screenshotOnFailure(t, page, `basics-ui-${t.name}`, fn);
}

const answers = (frame: Frame) => frame.locator('.turn[data-role="assistant"]');
const questions = (frame: Frame) => frame.locator('.turn[data-role="user"] .user-text');
const composerFocused = (frame: Frame) => frame.evaluate("document.hasFocus() && document.activeElement?.id === 'composer-input'");

async function waitForAnswer(frame: Frame, count: number, status = 'done'): Promise<string> {
  await waitFor(`${count} answers`, async () => (await answers(frame).count()) === count);
  const last = answers(frame).nth(count - 1);
  await last.and(frame.locator(`[data-status="${status}"]`)).waitFor({ state: 'attached', timeout: 60_000 });
  return answerText(last.locator('.answer'));
}

/** The user texts of the last request the simulator got, in order. */
function sentQuestions(): string[] {
  const body = sim.requests.at(-1)?.body as { messages: { role: string; content: string | { type: string; text?: string }[] }[] };
  return body.messages.filter((m) => m.role === 'user').map((m) => (typeof m.content === 'string' ? m.content : m.content.map((b) => b.text ?? '').join('')));
}

test('New Chat focuses the composer; Regenerate after Stop asks the same question again', async (t) => {
  await step(t, async () => {
    await runCommand(page, 'FastRouter: New Chat');
    const frame = await chatFrame();
    await waitFor('the composer to have the focus after New Chat', () => composerFocused(frame));

    // A slow answer, stopped part way.
    sim.enqueue({ text: Array.from({ length: 200 }, (_, i) => `word${i} `), deltaDelayMs: 50 });
    await page.keyboard.type('Count slowly.');
    await page.keyboard.press('Enter');
    await waitFor('the answer to start', async () => /word1/.test(await answers(frame).first().innerText()));
    await frame.locator('button#stop').click();
    await waitForAnswer(frame, 1, 'stopped');
    const before = sim.requests.length;
    sim.enqueue({ text: ['Counted: one, two, three.'] });
    await answers(frame).first().locator('button', { hasText: 'Regenerate' }).click();
    const answer = await waitForAnswer(frame, 1);
    assert.match(answer, /Counted: one, two, three\./);
    assert.doesNotMatch(answer, /word1/, 'the stopped text was replaced');
    assert.equal(sim.requests.length, before + 1);
    assert.deepEqual(sentQuestions(), ['Count slowly.'], 'the same question, asked again');
    assert.equal(await questions(frame).count(), 1, 'no second question');
  });
});

test('Edit a question and resend it: the later turns are replaced; ArrowUp recalls the last question', async (t) => {
  await step(t, async () => {
    const frame = await chatFrame();
    sim.enqueue({ text: ['Second answer.'] });
    const input = frame.locator('textarea#composer-input');
    await input.click();
    await page.keyboard.type('Second question?');
    await page.keyboard.press('Enter');
    await waitForAnswer(frame, 2);

    // ArrowUp in the empty composer brings the last question back.
    await input.click();
    await page.keyboard.press('ArrowUp');
    assert.equal(await input.inputValue(), 'Second question?');
    await input.fill('');

    await frame.locator('.turn[data-role="user"]').first().locator('button', { hasText: 'Edit' }).click();
    assert.equal(await input.inputValue(), 'Count slowly.');
    await waitFor('the composer to have the focus', () => composerFocused(frame));
    await input.fill('Count quickly.');
    sim.enqueue({ text: ['Edited answer.'] });
    await page.keyboard.press('Enter');
    assert.match(await waitForAnswer(frame, 1), /Edited answer\./);
    await waitFor('the later turns to be gone', async () => (await questions(frame).allInnerTexts()).join('|') === 'Count quickly.');
    assert.deepEqual(sentQuestions(), ['Count quickly.'], 'the request carries only the edited question');

    // And the next question follows the edited one (the replaced turns are not sent).
    sim.enqueue({ text: ['Follow-up answer.'] });
    await input.click();
    await page.keyboard.type('And then?');
    await page.keyboard.press('Enter');
    await waitForAnswer(frame, 2);
    assert.deepEqual(sentQuestions(), ['Count quickly.', 'And then?']);
  });
});

test('Ask About Selection lands in the composer as a chip "line 2"; the question typed there goes with it', async (t) => {
  await step(t, async () => {
    const frame = await chatFrame();
    await openFile(page, 'sample.ts');
    await selectLines(page, 2, 2);
    const before = sim.requests.length;
    await runCommand(page, 'FastRouter: Ask About Selection');
    const chip = frame.locator('.context-chip[data-context-kind="selection"]');
    await chip.waitFor({ state: 'visible', timeout: 20_000 });
    assert.equal(await chip.locator('.context-lines').textContent(), 'line 2');
    await waitFor('the composer to have the focus', () => composerFocused(frame));
    assert.equal(sim.requests.length, before, 'nothing sent yet');
    sim.enqueue({ text: ['It adds.'] });
    await page.keyboard.type('Why plus?');
    await page.keyboard.press('Enter');
    await waitForAnswer(frame, 3);
    const last = sentQuestions().at(-1) ?? '';
    assert.match(last, /return a \+ b;/);
    assert.match(last, /Why plus\?/);
  });
});

test('Deleting a conversation in History offers Undo, which brings it back', async (t) => {
  await step(t, async () => {
    const frame = await chatFrame();
    const title = (await frame.locator('#chat-title').textContent()) ?? '';
    assert.equal(title, 'Count quickly.', 'the header names the chat');
    await frame.locator('button#history').click();
    const row = frame.locator(`.conversation:not(.conversation-deleted)`, { hasText: title });
    await row.waitFor({ state: 'visible', timeout: 10_000 });
    assert.match(await row.locator('.conversation-date').innerText(), /just now|min ago/);
    await row.locator('button[data-action="deleteChat"]').click();
    const deleted = frame.locator('.conversation-deleted', { hasText: title });
    await deleted.waitFor({ state: 'visible', timeout: 10_000 });
    await waitFor('the chat to be emptied', async () => (await questions(frame).count()) === 0);
    await deleted.locator('button', { hasText: 'Undo' }).click();
    await waitFor('the chat to come back', async () => (await questions(frame).allInnerTexts()).join('|') === 'Count quickly.|And then?|Why plus?');
    assert.equal(await frame.locator('.conversation-deleted').count(), 0);
    assert.equal(await frame.locator('#chat-title').textContent(), title);
  });
});

test('Export Chat asks where to save in VS Code\'s save dialog (a .md named from the chat, in the workspace); Enter writes it, no Untitled buffer', async (t) => {
  await step(t, async () => {
    const frame = await chatFrame();
    await runCommand(page, 'FastRouter: New Chat');
    sim.enqueue({ text: 'Exported by the dialog.' });
    const composer = frame.locator('textarea#composer-input');
    await composer.click();
    await composer.fill('Notes for the export');
    await composer.press('Enter');
    await waitFor('the answer', async () => /Exported by the dialog/.test(await answers(frame).last().innerText().catch(() => '')), 60_000);
    await waitFor('the chat to be named', async () => (await frame.locator('#chat-title').textContent()) === 'Notes for the export');
    await runCommand(page, 'FastRouter: Export Chat as Markdown');
    const input = await quickInput(page, 'Export Chat as Markdown', 30_000);
    // code-server's save dialog (the workbench's simple file dialog; a browser has no native one) shows the folder
    // first and appends the proposed name once it has listed that folder (a remote call): wait for the name before
    // Enter (Enter while the dialog is busy is held by the dialog until it is idle).
    const workspace = session!.server.workspaceDir;
    const expected = path.join(workspace, 'notes-for-the-export.md');
    await waitFor(`the dialog to propose ${expected}`, async () =>
      (await input.inputValue()) === expected, 30_000)
      .catch(async (error: Error) => { throw new Error(`${error.message}; the dialog shows "${await input.inputValue()}"`); });
    await page.keyboard.press('Enter');
    await waitFor('the export on disk', async () => fs.existsSync(expected), 30_000);
    const markdown = fs.readFileSync(expected, 'utf8');
    assert.match(markdown, /^# Notes for the export\n\n## You\n\nNotes for the export\n\n## Assistant\n\nExported by the dialog\.\n\n\*.*credit/, `the title, the question, the answer and its meta line:\n${markdown}`);
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });
    assert.equal(await page.locator('.tab', { hasText: 'Untitled' }).count(), 0, 'no Untitled buffer');
  });
});
