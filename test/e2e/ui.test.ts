// UI e2e: playwright-core drives Debian Chromium against real code-server with the extension loaded, the way a
// user would: command palette, editor selection, the chat webview, the status bar, the inline comment thread.
// One code-server + one page for the whole file; the tests run in order and build on each other's state.
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, test, type TestContext } from 'node:test';
import type { Frame, Page } from 'playwright-core';
import type { Simulator } from '../support/simulator';
import { RESULTS_DIR, type BrowserSession, type CodeServer, screenshotOnFailure } from './harness';
import { startWorkbenchSession, type WorkbenchSession } from './session';
import {
  answerText,
  editorText, findWebviewFrame, openFile, quickInput, runCommand, selectLines, statusBarItem, statusBarText, waitFor, waitForCursor, waitForWorkbench,
} from './workbench';

// A canary key: accepted by the simulator, then searched for everywhere it must never be.
const CANARY = `sk-fr-CANARY-${randomBytes(12).toString('hex')}`;
const SAMPLE = [
  'export function add(a: number, b: number): number {',
  '  return a + b;',
  '}',
  '',
  'export function twice(n: number): number {',
  '  return add(n, n);',
  '}',
  '',
  '// insert below',
  '',
].join('\n');

/** Longer than any editor viewport here. */
const LONG = Array.from({ length: 240 }, (_, i) => `export const value${i + 1} = ${i + 1} * 2; // line ${i + 1}`).join('\n') + '\n';

let session: WorkbenchSession | undefined;
let sim: Simulator;
let server: CodeServer | undefined;
let browser: BrowserSession | undefined;
let page: Page;
let chat: Frame | undefined;

before(async () => {
  session = await startWorkbenchSession({
    apiKeys: [CANARY],
    // Low enough that the whole sample file is over it, high enough for every other test's selection.
    // Tools off: their definitions (~2k tokens in every request) would round both choices of the selection preview to the same "k" figure.
    settings: { 'fastrouter.maxSelectionChars': 150, 'fastrouter.tools.enabled': false },
    workspaceFiles: { 'sample.ts': SAMPLE, 'long.ts': LONG },
  });
  ({ sim, server, browser, page } = session);
});

after(async () => {
  await session?.close();
});

/** Runs a UI step; on failure saves test-results/ui-NAME.png and rethrows. */
function step(t: TestContext, fn: () => Promise<void>): Promise<void> {
  return screenshotOnFailure(t, page, `ui-${t.name}`, fn);
}

async function chatFrame(): Promise<Frame> {
  if (chat && !chat.isDetached()) return chat;
  chat = await findWebviewFrame(page, '#messages', 60_000);
  return chat;
}

const assistantTurns = (frame: Frame) => frame.locator('.turn[data-role="assistant"]');

/** Waits until there are `count` assistant turns and the last one has the given status; returns its answer text. */
async function waitForAnswer(frame: Frame, count: number, status = 'done', timeoutMs = 60_000): Promise<string> {
  const last = assistantTurns(frame).nth(count - 1);
  await last.and(frame.locator(`[data-status="${status}"]`)).waitFor({ state: 'attached', timeout: timeoutMs });
  return answerText(last.locator('.answer'));
}

function lastRequest(): { body: { messages?: { role: string; content: unknown }[]; system?: unknown }; headers: Record<string, unknown> } {
  const req = sim.requests.at(-1);
  assert.ok(req, 'the simulator received a request');
  return req as never;
}

async function costNumber(): Promise<string> {
  return statusBarText(page, 'fastrouter.cost');
}

test('Set API Key through the command palette stores the key (password input)', async (t) => {
  await step(t, async () => {
    await runCommand(page, 'FastRouter: Set API Key');
    const input = await quickInput(page, 'Set API Key');
    assert.equal(await input.getAttribute('type'), 'password', 'the key is typed into a password box');
    await input.fill(CANARY);
    await page.keyboard.press('Enter');
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });
  });
});

test('Ask About Selection streams the answer into the chat view and updates the status bar cost', async (t) => {
  await step(t, async () => {
    await openFile(page, 'sample.ts');
    await selectLines(page, 1, 3);
    const costBefore = await costNumber();
    sim.enqueue({
      text: [
        'The function ', '`add` returns ', 'the sum of ', 'its two arguments.', '\n\nIt is pure: ', 'no side effects.',
        '\n\n- **typed**: numbers in, ', 'a number out\n- **total**: ', 'defined for every input\n\n',
        '```ts\n', 'add(2, 3); // 5\n', 'twice(4); // 8\n', '```\n',
      ],
      deltaDelayMs: 40,
      cost: 0.25,
    });
    const requestsBefore = sim.requests.length;
    await runCommand(page, 'FastRouter: Ask About Selection');
    // The selection lands in the chat's composer as a chip, the focus with it: the user types the question there.
    const frame = await chatFrame();
    const chip = frame.locator('.context-chip[data-context-kind="selection"]');
    await chip.waitFor({ state: 'visible', timeout: 20_000 });
    assert.equal(await chip.locator('.context-name').textContent(), 'sample.ts');
    assert.equal(await chip.locator('.context-lines').textContent(), 'lines 1–3');
    await waitFor('the composer to have the focus', () => frame.evaluate("document.hasFocus() && document.activeElement?.id === 'composer-input'"));
    assert.equal(sim.requests.length, requestsBefore, 'nothing is sent before the user asks');
    await page.keyboard.type('What does add do?');
    await page.keyboard.press('Shift+Enter');
    await page.keyboard.type('In one line.');
    // The cost preview counts the selection and the question as they are typed.
    await waitFor('the cost preview', async () => /tokens/.test((await frame.locator('#cost-preview').innerText().catch(() => '')) ?? ''));
    await page.keyboard.press('Enter');

    const answer = await waitForAnswer(frame, 1);
    assert.match(answer, /The function\s+add returns the sum of its two arguments\.\s+It is pure: no side effects\./);
    assert.match(answer, /add\(2, 3\); \/\/ 5/, 'the code block streamed in');
    const userTurn = frame.locator('.turn[data-role="user"]').first();
    assert.match(await userTurn.innerText(), /What does add do\?\nIn one line\./);
    assert.equal(await frame.locator('.context-chip').count(), 0, 'the chip went with the question');

    assert.equal(sim.requests.length, requestsBefore + 1, 'exactly one request');
    const req = lastRequest();
    assert.equal(req.headers['x-api-key'], CANARY, 'the key set through the UI is the one sent');
    const sent = JSON.stringify(req.body.messages);
    assert.ok(sent.includes('return a + b;'), 'the selected code is in the request');
    assert.ok(sent.includes('What does add do?'), 'the question is in the request');

    const costAfter = await waitFor('the status bar cost to change', async () => {
      const text = await costNumber();
      return text !== costBefore && text;
    });
    assert.match(costAfter, /0\.25/, `status bar shows the request's cost (${costAfter})`);

    await frame.locator('#messages').screenshot({ path: path.join(RESULTS_DIR, 'chat-panel-messages.png') }).catch(() => {});
    fs.mkdirSync(RESULTS_DIR, { recursive: true });
    await page.screenshot({ path: path.join(RESULTS_DIR, 'chat-panel.png') });
  });
});

test('typing in the composer and pressing Enter sends a follow-up with the history', async (t) => {
  await step(t, async () => {
    const frame = await chatFrame();
    const costBefore = await costNumber();
    sim.enqueue({ text: ['Yes: ', 'twice(n) ', 'calls add(n, n).'], cost: 0.5 });
    const composer = frame.locator('textarea#composer-input');
    await composer.click();
    await composer.fill('Does twice use add?');
    await composer.press('Enter');
    const answer = await waitForAnswer(frame, 2);
    assert.match(answer, /Yes:\s+twice\(n\) calls add\(n, n\)\./);
    assert.equal(await composer.inputValue(), '', 'the composer is cleared after sending');
    const messages = lastRequest().body.messages ?? [];
    assert.equal(messages.length, 3, 'history (user, assistant) + the new question');
    assert.match(JSON.stringify(messages[2]), /Does twice use add\?/);
    const costAfter = await waitFor('the cost to add up', async () => {
      const text = await costNumber();
      return text !== costBefore && text;
    });
    assert.match(costAfter, /0\.75/, `cumulative cost 0.25 + 0.5 (${costAfter})`);
  });
});

test('Stop halts a slow stream and the partial answer stays', async (t) => {
  await step(t, async () => {
    const frame = await chatFrame();
    const words = Array.from({ length: 200 }, (_, i) => `word${i} `);
    sim.enqueue({ text: words, deltaDelayMs: 150 });
    const composer = frame.locator('textarea#composer-input');
    await composer.fill('Write a long answer.');
    await composer.press('Enter');
    const turn = assistantTurns(frame).nth(2);
    await waitFor('some streamed text', async () => /word3\b/.test(await answerText(turn).catch(() => '')), 30_000);
    assert.equal(await turn.getAttribute('data-status'), 'streaming');
    await frame.locator('button#stop').click();
    const partial = await waitForAnswer(frame, 3, 'stopped', 20_000);
    assert.match(partial, /word0 word1 word2 word3/, 'the partial answer stays');
    assert.doesNotMatch(partial, /word199/, 'the stream did not finish');
    await waitFor('the simulator to see the connection closed', async () => sim.requests.at(-1)?.aborted === true, 10_000);
    // The stream is gone: the text no longer grows (checked over several delta intervals).
    await page.waitForTimeout(1_000);
    assert.equal(await answerText(turn.locator('.answer')), partial);
  });
});

test('Insert at Cursor from a streamed code block changes the editor', async (t) => {
  await step(t, async () => {
    const frame = await chatFrame();
    await openFile(page, 'sample.ts');
    await page.keyboard.press('Control+End'); // cursor on the empty last line, under "// insert below"
    await waitForCursor(page, 10, 1);
    sim.enqueue({ text: ['Here it is:\n\n', '```ts\n', 'export const inserted = 42;\n', '```\n'] });
    const composer = frame.locator('textarea#composer-input');
    await composer.fill('Give me a constant.');
    await composer.press('Enter');
    await waitForAnswer(frame, 4);
    const block = assistantTurns(frame).nth(3).locator('.code-block').first();
    assert.match(await answerText(block), /export const inserted = 42;/);
    assert.match(await block.locator('.code-lang').innerText(), /ts|typescript/i);
    await block.locator('button[data-action="insert"]').click();
    await waitFor('the inserted code in the editor', async () => (await editorText(page)).includes('export const inserted = 42;'), 15_000);
    assert.match(await editorText(page), /\/\/ insert below\n\s*export const inserted = 42;/, 'inserted at the cursor, below the marker line');
  });
});

test('Explain Selection Inline shows the explanation in a comment thread; Continue in Chat carries it into the chat', async (t) => {
  await step(t, async () => {
    await openFile(page, 'sample.ts');
    await selectLines(page, 5, 7);
    sim.enqueue({ text: ['`twice` ', 'doubles a number ', 'by calling add.'], deltaDelayMs: 30 });
    await runCommand(page, 'FastRouter: Explain Selection Inline');
    const thread = page.locator('.review-widget');
    await thread.first().waitFor({ state: 'visible', timeout: 30_000 });
    await waitFor(
      'the explanation text in the comment thread',
      async () => /twice\s*doubles a number by calling add\./.test(await thread.first().innerText()),
      30_000,
    );
    assert.match(JSON.stringify(lastRequest().body.messages), /return add\(n, n\);/, 'the selected code was sent');

    // "Continue in Chat" (a thread title action) moves the question, code and explanation into the chat: no second request.
    const frame = await chatFrame();
    const answers = await assistantTurns(frame).count();
    const requestsBefore = sim.requests.length;
    await thread.first().locator('[aria-label="Continue in Chat"]').click();
    await thread.first().waitFor({ state: 'detached', timeout: 15_000 });
    assert.match(await waitForAnswer(frame, answers + 1), /twice\s*doubles a number by calling add\./);
    assert.equal(sim.requests.length, requestsBefore, 'the explanation is not asked for again');
    // A follow-up in the chat has the code and the explanation as history.
    sim.enqueue({ text: ['In the chat: ', '`twice` doubles n.'] });
    const composer = frame.locator('textarea#composer-input');
    await composer.fill('Why call add?');
    await composer.press('Enter');
    assert.match(await waitForAnswer(frame, answers + 2), /In the chat: twice doubles n\./);
    const history = JSON.stringify(lastRequest().body.messages);
    assert.match(history, /return add\(n, n\);/, 'the chat request carries the code');
    assert.match(history, /doubles a number by calling add\./, 'and the inline explanation');
  });
});

test('an inline explanation can be dismissed', async (t) => {
  await step(t, async () => {
    await openFile(page, 'sample.ts');
    await selectLines(page, 1, 3);
    sim.enqueue({ text: ['`add` ', 'adds.'] });
    await runCommand(page, 'FastRouter: Explain Selection Inline');
    const thread = page.locator('.review-widget').first();
    await waitFor('the explanation', async () => /add\s*adds\./.test(await thread.innerText()), 30_000);
    await thread.locator('[aria-label="Dismiss Explanation"]').click();
    await thread.waitFor({ state: 'detached', timeout: 15_000 });
  });
});

test('an inline explanation of code at the bottom of the viewport is scrolled into view, and the Comments panel stays closed', async (t) => {
  await step(t, async () => {
    await openFile(page, 'long.ts');
    await page.keyboard.press('Control+Home');
    // The last line numbers the editor shows right now (the viewport's bottom edge).
    const lastVisible = await waitFor('the visible line numbers', async () => {
      const numbers = (await page.locator('.monaco-editor .line-numbers').allInnerTexts()).map(Number).filter((n) => n > 0);
      return numbers.length > 5 ? Math.max(...numbers) : undefined;
    }, 15_000);
    const editorBox = await page.locator('.editor-instance .monaco-editor .overflow-guard').first().boundingBox();
    assert.ok(editorBox, 'the editor is on screen');
    // Lines at the very bottom of the viewport: their thread would open below the visible part.
    await selectLines(page, lastVisible - 2, lastVisible - 1);
    sim.enqueue({ text: ['These ', 'lines ', 'double ', 'their ', 'index.'], deltaDelayMs: 20 });
    await runCommand(page, 'FastRouter: Explain Selection Inline');
    const thread = page.locator('.review-widget').first();
    await waitFor('the explanation', async () => /These\s*lines\s*double\s*their\s*index\./.test(await thread.innerText()), 30_000);
    const body = await thread.locator('.comment-body').first().boundingBox();
    assert.ok(body, 'the explanation has a box');
    // The editor as it is now: a panel opening over it would have made it shorter.
    const editorNow = await page.locator('.editor-instance .monaco-editor .overflow-guard').first().boundingBox();
    assert.ok(editorNow && editorNow.height >= editorBox.height - 1, `the editor kept its height (${editorBox.height} → ${editorNow?.height})`);
    assert.ok(body.y >= editorBox.y && body.y + body.height <= editorBox.y + editorBox.height + 1,
      `the explanation is inside the editor's viewport (explanation ${Math.round(body.y)}–${Math.round(body.y + body.height)}, editor ${Math.round(editorBox.y)}–${Math.round(editorBox.y + editorBox.height)})`);
    // VS Code opens the Comments panel for the first file with comments unless told otherwise (comments.openView).
    assert.equal(await page.locator('[id="workbench.panel.comments"]').isVisible(), false, 'the Comments panel did not open');
    await thread.locator('[aria-label="Dismiss Explanation"]').click();
    await thread.waitFor({ state: 'detached', timeout: 15_000 });
    // The later tests expect sample.ts to be the only editor, as before this test.
    const tab = page.locator('.tab[data-resource-name="long.ts"]');
    await tab.hover();
    await tab.locator('.tab-actions .action-label').click();
    await tab.waitFor({ state: 'detached', timeout: 15_000 });
  });
});

test('clicking the status bar cost opens the cost view with the same total; closing it leaves the editors as they were', async (t) => {
  await step(t, async () => {
    const text = await costNumber();
    const total = /(\d+(?:\.\d+)?)/.exec(text)?.[1];
    assert.ok(total && Number(total) > 0.75, `the status bar shows the spent credits (${text})`);
    await statusBarItem(page, 'fastrouter.cost').click();
    const tab = page.locator('.tab', { hasText: 'FastRouter Cost' });
    await tab.waitFor({ state: 'visible', timeout: 15_000 });
    const view = await findWebviewFrame(page, '#day-chart', 30_000);
    assert.equal((await view.locator('#total-credits').innerText()).split(' ')[0], total, 'the view shows the same total');
    assert.ok((await view.locator('#request-table tbody tr').count()) > 0, 'the requests so far are listed');
    assert.equal(await costNumber(), text, 'nothing was reset');
    // The later tests expect sample.ts to be the only editor, as before this test.
    await tab.hover();
    await tab.locator('.tab-actions .action-label').click();
    await tab.waitFor({ state: 'detached', timeout: 15_000 });
  });
});

/** Sends `text` from the composer and returns the index (0-based) of the assistant turn that answers it. */
async function send(frame: Frame, text: string): Promise<number> {
  const index = await assistantTurns(frame).count();
  const composer = frame.locator('textarea#composer-input');
  await composer.fill(text);
  await composer.press('Enter');
  return index;
}

test('an error mid-answer shows inline with Retry, the partial text stays, and Retry answers', async (t) => {
  await step(t, async () => {
    const frame = await chatFrame();
    sim.enqueue({ text: ['Partial ', 'answer ', 'before ', 'the ', 'error'], errorAfterDeltas: 2, errorType: 'overloaded_error', errorMessage: 'Overloaded' });
    const index = await send(frame, 'What happens on errors?');
    const partial = await waitForAnswer(frame, index + 1, 'error');
    assert.match(partial, /Partial answer/, 'the partial answer stays');
    const turn = assistantTurns(frame).nth(index);
    const error = turn.locator('.turn-error');
    await error.waitFor({ state: 'visible', timeout: 10_000 });
    assert.ok((await error.locator('.error-message').innerText()).trim().length > 0, 'the error says what happened');
    sim.enqueue({ text: ['Second ', 'try ', 'worked.'] });
    await error.locator('button[data-action="retry"]').click();
    const retried = await waitForAnswer(frame, index + 1, 'done');
    assert.match(retried, /Second try worked\./);
    assert.equal(await turn.locator('.turn-error').count(), 0, 'the error is gone after a successful retry');
  });
});

test('a 429 counts down in the answer ("Rate limited — retrying in N s") until the stream starts; Stop works during the wait', async (t) => {
  await step(t, async () => {
    const frame = await chatFrame();
    sim.enqueue({ status: 429, retryAfter: '3' }, { text: ['After ', 'the ', 'wait.'] });
    const index = await send(frame, 'Will this be rate limited?');
    const turn = assistantTurns(frame).nth(index);
    const line = turn.locator('.turn-retry');
    let seen = '';
    await waitFor('the countdown', async () => /^Rate limited — retrying in [1-3] s$/.test(seen = await line.innerText({ timeout: 500 }).catch(() => '')), 15_000);
    assert.match(seen, /^Rate limited — retrying in [1-3] s$/);
    assert.match(await waitForAnswer(frame, index + 1, 'done'), /After the wait\./);
    assert.equal(await line.count(), 0, 'the countdown goes when the stream starts');

    // A long wait: Stop ends it at once, without another request.
    const before = sim.requests.length;
    sim.enqueue({ status: 429, retryAfter: '30' });
    const second = await send(frame, 'And now?');
    const secondLine = assistantTurns(frame).nth(second).locator('.turn-retry');
    await waitFor('the 30 s countdown', async () => /^Rate limited — retrying in (30|29|28|27|26|25) s$/.test(await secondLine.innerText({ timeout: 500 }).catch(() => '')), 15_000);
    await frame.locator('#stop').click();
    await waitForAnswer(frame, second + 1, 'stopped', 10_000);
    assert.equal(await secondLine.count(), 0);
    assert.equal(sim.requests.length, before + 1, 'no retry after Stop');
  });
});

test('a web search the endpoint ran shows as one row ("Searched the web: …") before the answer, and goes back with the next question', async (t) => {
  await step(t, async () => {
    const frame = await chatFrame();
    const result = [{ type: 'web_search_result', url: 'https://nodejs.org/en/blog/release/v24.0.0', title: 'Node.js 24', encrypted_content: 'EpcBCioIAhgBIiQ4' }];
    sim.enqueue({ serverTool: { id: 'srvtoolu_ui', name: 'web_search', input: { query: 'node 24 release date' }, result }, text: ['Node 24 ', 'came out in May.'] });
    const index = await send(frame, 'When did Node 24 come out?');
    assert.match(await waitForAnswer(frame, index + 1, 'done'), /Node 24 came out in May\./);
    const rows = assistantTurns(frame).nth(index).locator('.opaque-block');
    assert.deepEqual(await rows.allInnerTexts(), ['Searched the web: node 24 release date', 'web_search_tool_result']);
    sim.enqueue({ text: ['Glad ', 'to help.'] });
    await send(frame, 'Thanks');
    await waitForAnswer(frame, index + 2, 'done');
    const sent = lastRequest().body.messages ?? [];
    const answer = sent.find((m) => m.role === 'assistant' && JSON.stringify(m.content).includes('srvtoolu_ui'));
    assert.deepEqual((answer?.content as Array<{ type: string }>).map((b) => b.type), ['server_tool_use', 'web_search_tool_result', 'text']);
  });
});

test('a rejected key (401) says so with a Set API Key action that opens the password box', async (t) => {
  await step(t, async () => {
    const frame = await chatFrame();
    sim.enqueue({ status: 401, errorType: 'authentication_error', errorMessage: 'invalid x-api-key' });
    const index = await send(frame, 'Is my key fine?');
    await waitForAnswer(frame, index + 1, 'error');
    const error = assistantTurns(frame).nth(index).locator('.turn-error');
    assert.match(await error.innerText(), /key/i, 'the message is about the key');
    await error.locator('button[data-action="setApiKey"]').click();
    const input = await quickInput(page, 'Set API Key');
    assert.equal(await input.getAttribute('type'), 'password');
    await input.fill(CANARY);
    await page.keyboard.press('Enter');
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });
  });
});

test('after Clear API Key, the next question asks for the key once and then continues', async (t) => {
  await step(t, async () => {
    await runCommand(page, 'FastRouter: Clear API Key');
    const frame = await chatFrame();
    sim.enqueue({ text: ['Answered ', 'after the key ', 'was entered.'] });
    const requestsBefore = sim.requests.length;
    const index = await send(frame, 'Do you still work?');
    const input = await quickInput(page, 'Set API Key');
    assert.equal(sim.requests.length, requestsBefore, 'nothing is sent without a key');
    await input.fill(CANARY);
    await page.keyboard.press('Enter');
    assert.match(await waitForAnswer(frame, index + 1), /Answered after the key was entered\./);
    assert.equal(sim.requests.length, requestsBefore + 1);
    assert.equal(lastRequest().headers['x-api-key'], CANARY);
  });
});

test('Ask About Selection over fastrouter.maxSelectionChars asks first, then sends the code cut at a line end', async (t) => {
  await step(t, async () => {
    const frame = await chatFrame();
    const index = await assistantTurns(frame).count();
    await openFile(page, 'sample.ts');
    await selectLines(page, 1, 9);
    const requestsBefore = sim.requests.length;
    await runCommand(page, 'FastRouter: Ask About Selection');
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible', timeout: 15_000 });
    const asked = await dialog.innerText();
    assert.match(asked, /more than fastrouter\.maxSelectionChars \(150\)/);
    // The cost preview of each choice, with the conversation this question joins.
    const preview = /all of it ≈ ([\d.]+)(k?) tokens · ≈ ([\d.]+) credits; the first 150 characters ≈ ([\d.]+)(k?) tokens · ≈ ([\d.]+) credits \(estimated locally/.exec(asked);
    assert.ok(preview, `the dialog says what each choice costs:\n${asked}`);
    const tokens = (n: string, k: string) => Number(n) * (k ? 1000 : 1);
    assert.ok(tokens(preview[1], preview[2]) > tokens(preview[4], preview[5]), 'sending all of it costs more than the first part');
    assert.ok(Number(preview[3]) > Number(preview[6]));
    assert.equal(sim.requests.length, requestsBefore, 'nothing is sent before the user chose');
    await dialog.locator('.monaco-button', { hasText: 'Send the First 150 Characters' }).click();
    sim.enqueue({ text: ['Seen the cut code.'] });
    await frame.locator('.context-chip[data-context-kind="selection"]').waitFor({ state: 'visible', timeout: 20_000 });
    await waitFor('the composer to have the focus', () => frame.evaluate("document.hasFocus() && document.activeElement?.id === 'composer-input'"));
    await page.keyboard.type('What is in the first part?');
    await page.keyboard.press('Enter');
    assert.match(await waitForAnswer(frame, index + 1), /Seen the cut code\./);
    const sent = JSON.stringify(lastRequest().body.messages);
    assert.match(sent, /return add\(n, n\);/, 'the code up to the limit is sent');
    assert.doesNotMatch(sent, /insert below/, 'the code past the limit is not');
  });
});

test('an endpoint setting without a scheme stops the question with an error naming it, Open Settings opens it, nothing is sent', async (t) => {
  await step(t, async () => {
    const frame = await chatFrame();
    // As a user does it: the Settings editor, filtered to the setting, a value without https://.
    await runCommand(page, 'Preferences: Open User Settings');
    const settingsEditor = page.locator('.settings-editor');
    await settingsEditor.waitFor({ state: 'visible', timeout: 20_000 });
    await page.keyboard.type('fastrouter.baseUrl');
    // The editor re-renders its list while the search settles: wait for the one setting, and check the value stuck.
    await settingsEditor.getByText('1 Setting Found').waitFor({ state: 'visible', timeout: 20_000 });
    const input = settingsEditor.locator('.setting-item-text input').first();
    await input.waitFor({ state: 'visible', timeout: 20_000 });
    const original = await input.inputValue();
    const setBaseUrl = async (value: string) => {
      await waitFor(`fastrouter.baseUrl to read ${value} in the Settings editor`, async () => {
        if ((await input.inputValue().catch(() => '')) !== value) {
          await input.click().catch(() => undefined);
          await input.press('Control+A').catch(() => undefined);
          await input.fill(value).catch(() => undefined);
          await input.press('Tab').catch(() => undefined);
          await page.waitForTimeout(500);
        }
        return (await input.inputValue().catch(() => '')) === value;
      }, 20_000);
    };
    try {
      await setBaseUrl('localhost:8787');
      // Said where the user is looking: above the chat's input, with Open Settings.
      const notice = frame.locator('#composer-notice');
      await waitFor('the settings notice in the chat', async () => /fastrouter\.baseUrl.*localhost:8787.*not sent/i.test(await notice.innerText().catch(() => '')), 30_000).catch(async (error: unknown) => {
        await page.screenshot({ path: path.join(RESULTS_DIR, 'ui-setting-notice-failure.png') }).catch(() => undefined);
        throw new Error(`notice: ${JSON.stringify(await notice.innerText().catch(() => '(none)'))}; the setting's input: ${JSON.stringify(await input.inputValue().catch(() => '(none)'))}`, { cause: error });
      });
      const index = await assistantTurns(frame).count();
      const requestsBefore = sim.requests.length;
      // Click first: with the Settings editor focused, typing could land in its input instead of the chat's.
      const composer = (await chatFrame()).locator('textarea#composer-input');
      await composer.click();
      await composer.fill('Where does this go?');
      assert.equal(await composer.inputValue(), 'Where does this go?');
      await composer.press('Enter');
      await waitForAnswer(frame, index + 1, 'error');
      const error = assistantTurns(frame).nth(index).locator('.turn-error');
      assert.match(await error.innerText(), /Not sent: the setting "fastrouter\.baseUrl" is "localhost:8787"/);
      assert.equal(sim.requests.length, requestsBefore, 'nothing was sent, to the simulator or anywhere else');
      await error.locator('button[data-action="openSettings"]').click();
      await waitFor('the Settings editor filtered to fastrouter.baseUrl', async () =>
        (await settingsEditor.locator('.setting-item-text input').first().inputValue().catch(() => '')) === 'localhost:8787', 20_000);
    } finally {
      await setBaseUrl(original);
    }
    await waitFor('the notice that requests go again', async () => /valid again/.test(await (await chatFrame()).locator('#composer-notice').innerText().catch(() => '')), 30_000).catch(async (error: unknown) => {
      await page.screenshot({ path: path.join(RESULTS_DIR, 'ui-setting-valid-failure.png') }).catch(() => undefined);
      throw new Error(`notice: ${JSON.stringify(await frame.locator('#composer-notice').innerText().catch(() => '(none)'))}; the setting's input: ${JSON.stringify(await settingsEditor.locator('.setting-item-text input').first().inputValue().catch(() => '(none)'))}`, { cause: error });
    });
    const settingsTab = page.locator('.tab', { hasText: 'Settings' }).first();
    await settingsTab.hover();
    await settingsTab.locator('.tab-actions .action-label').click();
    await settingsTab.waitFor({ state: 'detached', timeout: 15_000 });
  });
});

test('the canary key never appears in user data, logs, browser storage or the webview DOM', async (t) => {
  await step(t, async () => {
    assert.ok(server && browser);
    // The key did reach the endpoint, so it really was stored and used by the flows above.
    assert.ok(sim.requests.some((r) => r.headers['x-api-key'] === CANARY), 'the canary key was used');
    // code-server 4.139 keeps SecretStorage in the browser window's memory (no embedder secret provider), so no
    // file may hold the key: user data (settings, globalStorage, state), logs, extensions, HOME, TMPDIR, the
    // Chromium profile (IndexedDB/localStorage, where VS Code web keeps globalState/workspaceState).
    assert.deepEqual(findInFiles(server.runDir, CANARY), [], 'files under the run folder holding the key');
    const storage = await page.evaluate<string>(DUMP_BROWSER_STORAGE);
    assert.ok(storage.length > 0, 'browser storage was read');
    assert.ok(!storage.includes(CANARY), 'IndexedDB / localStorage / sessionStorage of the workbench');
    // Control: the same searches do find what the extension persists (the conversation holds the first question).
    const persisted = findInFiles(server.runDir, 'What does add do?').length > 0 || storage.includes('What does add do?');
    assert.ok(persisted, 'the searches reach where the extension keeps its state');
    for (const frame of page.frames()) {
      const html = await frame.content().catch(() => '');
      assert.ok(!html.includes(CANARY), `DOM of frame ${frame.url().slice(0, 80)}`);
    }
    const frame = await chatFrame();
    assert.ok(!(await frame.locator('textarea#composer-input').inputValue()).includes(CANARY), 'composer');
  });
});

/** Runs in the workbench page: every IndexedDB record and web storage entry as text. */
const DUMP_BROWSER_STORAGE = `(async () => {
  const out = [];
  const text = (v) => v instanceof ArrayBuffer || ArrayBuffer.isView(v) ? new TextDecoder().decode(v) : JSON.stringify(v);
  for (const info of await indexedDB.databases()) {
    const db = await new Promise((resolve, reject) => {
      const req = indexedDB.open(info.name);
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    for (const store of Array.from(db.objectStoreNames)) {
      const tx = db.transaction(store, 'readonly').objectStore(store);
      const [keys, values] = await Promise.all([tx.getAllKeys(), tx.getAll()].map((req) => new Promise((resolve, reject) => {
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      })));
      out.push(info.name + '/' + store + ':' + keys.map(text).join(',') + values.map(text).join(','));
    }
    db.close();
  }
  for (const s of [localStorage, sessionStorage]) for (let i = 0; i < s.length; i++) out.push(s.key(i) + '=' + s.getItem(s.key(i)));
  return out.join('\\n');
})()`;

function findInFiles(root: string, needle: string): string[] {
  const hits: string[] = [];
  const bytes = Buffer.from(needle);
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) {
        try {
          if (fs.readFileSync(full).includes(bytes)) hits.push(path.relative(root, full));
        } catch {
          // Sockets or files removed while walking.
        }
      }
    }
  };
  walk(root);
  return hits;
}

test('the conversation survives a window reload', async (t) => {
  await step(t, async () => {
    await page.reload();
    await waitForWorkbench(page);
    chat = undefined;
    const frame = await findWebviewFrame(page, '#messages', 20_000).catch(async () => {
      await runCommand(page, 'FastRouter: Open Chat');
      return findWebviewFrame(page, '#messages', 60_000);
    });
    chat = frame;
    await frame.locator('.turn[data-role="user"]', { hasText: 'Does twice use add?' }).waitFor({ timeout: 30_000 });
    assert.match(await answerText(frame.locator('#messages')), /twice\(n\) calls add\(n, n\)\./);
  });
});

test('New Chat starts an empty conversation', async (t) => {
  await step(t, async () => {
    const frame = await chatFrame();
    assert.ok((await frame.locator('.turn').count()) > 0);
    // New Chat is the view's title bar action (the chat header no longer repeats it).
    await page.locator('.part.sidebar .title-actions [aria-label^="New Chat"], .part.sidebar .pane-header .actions [aria-label^="New Chat"]').first().click();
    await waitFor('the turns to go', async () => (await frame.locator('.turn').count()) === 0, 15_000);
  });
});
