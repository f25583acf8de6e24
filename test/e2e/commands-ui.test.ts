// UI e2e of run_command and checkpoints (issue 17): real code-server, real Chromium, the real chat webview, the local
// simulator. Run on the card → the output in the row and the result sent; Reject → is_error; Stop during a long
// command → the command ends and the answer stops; Restore on a question → its files back, the question in the composer.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, test, type TestContext } from 'node:test';
import type { Page } from 'playwright-core';
import type { Simulator } from '../support/simulator';
import { screenshotOnFailure } from './harness';
import { startWorkbenchSession, type WorkbenchSession } from './session';
import { openChat, quickInput, runCommand, sendInChat, waitFor } from './workbench';

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

type Body = { messages: { role: string; content: string | { type: string; tool_use_id?: string; is_error?: boolean; content?: string }[] }[] };
const lastResult = () => {
  const content = (sim.requests.at(-1)!.body as Body).messages.at(-1)!.content;
  return typeof content === 'string' ? undefined : content.find((b) => b.type === 'tool_result');
};
const run = (id: string, command: string) => ({ toolUse: { id, name: 'run_command', input: { command } } });

test('Run on the card: the output in the row, the result sent to the model', { timeout: 240_000 }, async (t) => {
  await step(t, async () => {
    await runCommand(page, 'FastRouter: Set API Key');
    await (await quickInput(page, 'Set API Key')).fill('test-key');
    await page.keyboard.press('Enter');
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });
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
    const frame = await openChat(page);
    sim.enqueue(run('toolu_reject', 'touch rejected.txt'), { text: 'Not run.' });
    await sendInChat(frame, 'Touch a file');
    const card = frame.locator('.tool-call[data-tool-id="toolu_reject"] .command-card');
    await card.locator('button', { hasText: 'Reject' }).click({ timeout: 60_000 });
    await waitFor('the answer after Reject', async () => sim.requests.length >= 4 && lastResult()?.tool_use_id === 'toolu_reject');
    assert.equal(lastResult()?.is_error, true);
    assert.match(lastResult()?.content ?? '', /declined to run this command/);
    assert.equal(fs.existsSync(path.join(workspace, 'rejected.txt')), false);
  });
});

test('Stop during a long command: the command ends, its live output stays in the row', { timeout: 120_000 }, async (t) => {
  await step(t, async () => {
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
    await runCommand(page, 'FastRouter: New Chat');
    const frame = await openChat(page);
    sim.enqueue(run('toolu_change', 'echo second >> notes.txt && echo made > made.txt'), { text: 'Changed.' });
    await sendInChat(frame, 'Change the notes');
    await frame.locator('.tool-call[data-tool-id="toolu_change"] .command-card button', { hasText: 'Run' }).click({ timeout: 60_000 });
    await frame.locator('.turn[data-role="assistant"][data-status="done"]').last().waitFor({ timeout: 60_000 });
    assert.equal(fs.readFileSync(path.join(workspace, 'notes.txt'), 'utf8'), 'first\nsecond\n');
    const question = frame.locator('.turn[data-role="user"]').last();
    await question.hover();
    await question.locator('button.restore-question').click();
    await waitFor('the files restored', async () => fs.readFileSync(path.join(workspace, 'notes.txt'), 'utf8') === 'first\n' && !fs.existsSync(path.join(workspace, 'made.txt')));
    await waitFor('the question in the composer', async () => (await frame.locator('textarea#composer-input').inputValue()) === 'Change the notes');
    assert.equal(await frame.locator('.turn[data-role="user"]').count(), 0, 'the conversation is rewound');
  });
});
