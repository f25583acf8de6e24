// UI e2e of run_command and checkpoints (issue 17): real code-server, real Chromium, the real chat webview, the local
// simulator. Run on the card → the output in the row and the result sent; Reject → is_error; Stop during a long
// command → the command ends and the answer stops; Restore on a question → its files back, the question in the composer.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, test, type TestContext } from 'node:test';
import type { Frame, Locator, Page } from 'playwright-core';
import type { Simulator } from '../support/simulator';
import { screenshotOnFailure } from './harness';
import { startWorkbenchSession, type WorkbenchSession } from './session';
import { openChat, runCommand, sendInChat, setApiKey, waitFor, waitForWorkbench } from './workbench';

let session: WorkbenchSession | undefined;
let sim: Simulator;
let page: Page;
let workspace: string;

before(async () => {
  session = await startWorkbenchSession({ apiKeys: ['test-key'], workspaceFiles: { 'notes.txt': 'first\n' } });
  ({ sim, page } = session);
  workspace = session.server.workspaceDir;
});

after(async () => {
  await session?.close();
});

function step(t: TestContext, fn: () => Promise<void>): Promise<void> {
  return screenshotOnFailure(t, page, `commands-ui-${t.name.slice(0, 40)}`, fn);
}

let keySet = false;

/** Once per page (code-server keeps secrets in the tab's memory): each test can run alone. */
async function setApiKeyOnce(): Promise<void> {
  if (keySet) return;
  await setApiKey(page, 'test-key');
  keySet = true;
}

type Body = { messages: { role: string; content: string | { type: string; tool_use_id?: string; is_error?: boolean; content?: string }[] }[] };
const lastResult = () => {
  const content = (sim.requests.at(-1)!.body as Body).messages.at(-1)!.content;
  return typeof content === 'string' ? undefined : content.find((b) => b.type === 'tool_result');
};
const run = (id: string, command: string) => ({ toolUse: { id, name: 'run_command', input: { command } } });
const fileText = (name: string) => fs.readFileSync(path.join(workspace, name), 'utf8');
const composerText = (frame: Frame) => frame.locator('textarea#composer-input').inputValue();

/** Restore on the chat's last question (the button shows on hover). */
async function pressRestore(frame: Frame): Promise<void> {
  const question = frame.locator('.turn[data-role="user"]').last();
  await question.hover();
  await question.locator('button.restore-question').click();
}

test('Run on the card: the output in the row, the result sent to the model', { timeout: 240_000 }, async (t) => {
  await step(t, async () => {
    await setApiKeyOnce();
    const frame = await openChat(page);
    sim.enqueue(run('toolu_run', 'echo hello-ui && echo to-stderr >&2'), { text: 'It said hello.' });
    await sendInChat(frame, 'Say hello');
    const card = frame.locator('.tool-call[data-tool-id="toolu_run"] .command-card');
    await card.locator('button', { hasText: 'Run' }).waitFor({ timeout: 60_000 });
    assert.deepEqual(await card.locator('button').allTextContents(), ['Run', 'Reject']);
    assert.equal(await card.locator('.command-line').textContent(), 'echo hello-ui && echo to-stderr >&2');
    assert.equal(await card.locator('.command-part').count(), 2, 'the parsed parts are listed');
    await card.locator('button', { hasText: 'Run' }).click();
    await frame.locator('.turn[data-role="assistant"][data-status="done"]').first().waitFor({ timeout: 60_000 });
    const row = frame.locator('.tool-call[data-tool-id="toolu_run"]');
    await row.locator('summary').click();
    await waitFor('the result in the row', async () => /hello-ui\nto-stderr/.test((await row.locator('.tool-result').textContent()) ?? ''));
    assert.match(lastResult()?.content ?? '', /Exit code 0[\s\S]*hello-ui/);
  });
});

test('Reject on the card: nothing runs and the model gets is_error', { timeout: 120_000 }, async (t) => {
  await step(t, async () => {
    await setApiKeyOnce();
    const frame = await openChat(page);
    const sent = sim.requests.length;
    sim.enqueue(run('toolu_reject', 'touch rejected.txt'), { text: 'Not run.' });
    await sendInChat(frame, 'Touch a file');
    const card = frame.locator('.tool-call[data-tool-id="toolu_reject"] .command-card');
    await card.locator('button', { hasText: 'Reject' }).click({ timeout: 60_000 });
    await waitFor('the answer after Reject', async () => sim.requests.length >= sent + 2 && lastResult()?.tool_use_id === 'toolu_reject');
    assert.equal(lastResult()?.is_error, true);
    assert.match(lastResult()?.content ?? '', /declined to run this command/);
    assert.equal(fs.existsSync(path.join(workspace, 'rejected.txt')), false);
  });
});

test('Stop during a long command: the command ends, its live output stays in the row', { timeout: 120_000 }, async (t) => {
  await step(t, async () => {
    await setApiKeyOnce();
    const frame = await openChat(page);
    sim.enqueue(run('toolu_long', 'echo started-long; sleep 120; echo never'));
    await sendInChat(frame, 'Run something long');
    const row = frame.locator('.tool-call[data-tool-id="toolu_long"]');
    await row.locator('.command-card button', { hasText: 'Run' }).click({ timeout: 60_000 });
    await row.locator('summary').click();
    await row.locator('.tool-output', { hasText: 'started-long' }).waitFor({ timeout: 30_000 });
    await runCommand(page, 'FastRouter: Stop');
    await frame.locator('.turn[data-role="assistant"][data-status="stopped"]').last().waitFor({ timeout: 30_000 });
    await waitFor('the row says stopped', async () => /stopped by the user/.test((await row.textContent()) ?? ''));
  });
});

test('Restore on a question: its file changes undone, the question back in the composer', { timeout: 120_000 }, async (t) => {
  await step(t, async () => {
    await setApiKeyOnce();
    await runCommand(page, 'FastRouter: New Chat');
    const frame = await openChat(page);
    sim.enqueue(run('toolu_change', 'echo second >> notes.txt && echo made > made.txt'), { text: 'Changed.' });
    await sendInChat(frame, 'Change the notes');
    await frame.locator('.tool-call[data-tool-id="toolu_change"] .command-card button', { hasText: 'Run' }).click({ timeout: 60_000 });
    await frame.locator('.turn[data-role="assistant"][data-status="done"]').last().waitFor({ timeout: 60_000 });
    assert.equal(fileText('notes.txt'), 'first\nsecond\n');
    await pressRestore(frame);
    await waitFor('the files restored', async () => fileText('notes.txt') === 'first\n' && !fs.existsSync(path.join(workspace, 'made.txt')));
    await waitFor('the question in the composer', async () => (await composerText(frame)) === 'Change the notes');
    assert.equal(await frame.locator('.turn[data-role="user"]').count(), 0, 'the conversation is rewound');
  });
});

/** An edit_file call the simulator sends, for the card's Apply. */
const edit = (id: string, file: string, oldText: string, newText: string) => ({ toolUse: { id, name: 'edit_file', input: { path: file, old_text: oldText, new_text: newText } } });

/**
 * Asks in a new chat; Claude edits mine.txt and other.txt (Apply on both cards); then the user edits mine.txt and
 * presses Restore: the modal that names mine.txt.
 */
async function restoreAfterUserChange(tag: string): Promise<{ frame: Frame; dialog: Locator }> {
  await setApiKeyOnce();
  await runCommand(page, 'FastRouter: New Chat');
  const frame = await openChat(page);
  fs.writeFileSync(path.join(workspace, 'mine.txt'), 'm1\n');
  fs.writeFileSync(path.join(workspace, 'other.txt'), 'o1\n');
  sim.enqueue(edit(`toolu_m${tag}`, 'mine.txt', 'm1', 'm2'), edit(`toolu_o${tag}`, 'other.txt', 'o1', 'o2'), { text: 'Edited both.' });
  await sendInChat(frame, `Edit both ${tag}`);
  for (const id of [`toolu_m${tag}`, `toolu_o${tag}`]) {
    await frame.locator(`.tool-call[data-tool-id="${id}"] .tool-card button`, { hasText: 'Apply' }).click({ timeout: 60_000 });
  }
  await frame.locator('.turn[data-role="assistant"][data-status="done"]').last().waitFor({ timeout: 60_000 });
  assert.equal(fileText('mine.txt'), 'm2\n');
  // The user's own edit after Claude's.
  fs.writeFileSync(path.join(workspace, 'mine.txt'), 'm2 and my own line\n');
  await pressRestore(frame);
  const dialog = page.locator('.monaco-dialog-box');
  await dialog.waitFor({ state: 'visible', timeout: 30_000 });
  assert.match(await dialog.innerText(), /You changed mine\.txt since Claude did/);
  return { frame, dialog };
}

test('Restore after the user changed a file: the modal lists it, Show Diff opens its diff, Keep My Changes keeps it', { timeout: 180_000 }, async (t) => {
  await step(t, async () => {
    const { frame, dialog } = await restoreAfterUserChange('keep');
    assert.doesNotMatch(await dialog.innerText(), /other\.txt/, 'only the file the user changed is asked about');
    await dialog.locator('.monaco-button', { hasText: 'Show Diff' }).click();
    // The diff (before the question ↔ now) opens, and the question is asked again.
    await page.locator('.tab', { hasText: 'mine.txt (before the question ↔ now)' }).waitFor({ timeout: 30_000 });
    await page.locator('.monaco-diff-editor').first().waitFor({ timeout: 30_000 });
    await dialog.waitFor({ state: 'visible', timeout: 30_000 });
    await dialog.locator('.monaco-button', { hasText: 'Keep My Changes' }).click();
    await waitFor('the other file restored', async () => fileText('other.txt') === 'o1\n');
    assert.equal(fileText('mine.txt'), 'm2 and my own line\n', 'the user\'s change is kept');
    await waitFor('the summary', async () => /1 file restored, 1 kept: you changed it \(mine\.txt\)/.test(await frame.locator('#composer-notice').innerText()));
    await runCommand(page, 'View: Close All Editors');
  });
});

test('Restore after the user changed a file: Restore Them Too overwrites it with what it was before the question', { timeout: 180_000 }, async (t) => {
  await step(t, async () => {
    const { frame, dialog } = await restoreAfterUserChange('over');
    await dialog.locator('.monaco-button', { hasText: 'Restore Them Too' }).click();
    await waitFor('both files restored', async () => fileText('mine.txt') === 'm1\n' && fileText('other.txt') === 'o1\n');
    await waitFor('the question in the composer', async () => (await composerText(frame)) === 'Edit both over');
  });
});

test('reload, then Restore: edits and a command\'s created, changed and deleted files come back; the changed-files line survives; Redo after another reload brings files and turns back', { timeout: 300_000 }, async (t) => {
  await step(t, async () => {
    await setApiKeyOnce();
    await runCommand(page, 'FastRouter: New Chat');
    let frame = await openChat(page);
    fs.writeFileSync(path.join(workspace, 'r1.txt'), 'r1\n');
    fs.writeFileSync(path.join(workspace, 'rchg.txt'), 'c1\n');
    fs.writeFileSync(path.join(workspace, 'rgone.txt'), 'gone\n');
    sim.enqueue(edit('toolu_r1', 'r1.txt', 'r1', 'r2'), run('toolu_rc', 'echo made > rmade.txt && echo c2 > rchg.txt && rm rgone.txt'), { text: 'Changed four files.' });
    await sendInChat(frame, 'Change four files');
    await frame.locator('.tool-call[data-tool-id="toolu_r1"] .tool-card button', { hasText: 'Apply' }).click({ timeout: 60_000 });
    await frame.locator('.tool-call[data-tool-id="toolu_rc"] .command-card button', { hasText: 'Run' }).click({ timeout: 60_000 });
    await frame.locator('.turn[data-role="assistant"][data-status="done"]').last().waitFor({ timeout: 60_000 });
    const after = { 'r1.txt': 'r2\n', 'rchg.txt': 'c2\n', 'rmade.txt': 'made\n' };
    for (const [name, text] of Object.entries(after)) assert.equal(fileText(name), text);
    assert.equal(await frame.locator('.turn[data-role="assistant"]').last().locator('.changed-files summary').innerText(), 'Changed 4 files +3 \u22123');

    await page.reload({ waitUntil: 'commit', timeout: 120_000 });
    keySet = false;
    await waitForWorkbench(page);
    frame = await openChat(page);
    const line = frame.locator('.turn[data-role="assistant"]').last().locator('.changed-files summary');
    await line.waitFor({ timeout: 60_000 });
    assert.equal(await line.innerText(), 'Changed 4 files +3 \u22123', 'the line survives the reload');
    await pressRestore(frame);
    await waitFor('the files restored after the reload', async () =>
      fileText('r1.txt') === 'r1\n' && fileText('rchg.txt') === 'c1\n' && fs.existsSync(path.join(workspace, 'rgone.txt')) && !fs.existsSync(path.join(workspace, 'rmade.txt')), 60_000);
    assert.equal(fileText('rgone.txt'), 'gone\n');
    await waitFor('the question in the composer', async () => (await composerText(frame)) === 'Change four files');
    assert.equal(await frame.locator('.turn[data-role="user"]').count(), 0, 'the conversation is rewound');

    await page.reload({ waitUntil: 'commit', timeout: 120_000 });
    keySet = false;
    await waitForWorkbench(page);
    frame = await openChat(page);
    await runCommand(page, 'FastRouter: Redo Restore');
    await waitFor('the files back after Redo', async () =>
      Object.entries(after).every(([name, text]) => fs.existsSync(path.join(workspace, name)) && fileText(name) === text) && !fs.existsSync(path.join(workspace, 'rgone.txt')), 60_000);
    await waitFor('the turns back after Redo', async () => (await frame.locator('.turn[data-role="user"]').count()) === 1 && (await frame.locator('.turn[data-role="assistant"]').count()) === 1, 60_000);
    assert.match(await frame.locator('.turn[data-role="user"]').innerText(), /Change four files/);
    assert.match(await frame.locator('.turn[data-role="assistant"]').innerText(), /Changed four files\./);
  });
});
