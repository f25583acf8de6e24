// UI e2e (issue 18 §5): rules and the context window as a user sees them, in real code-server driven by Chromium
// against the simulator: the rules line names AGENTS.md, the context meter says how full the window is and follows an
// answer, a loop on the same tool call pauses with Continue, and a Compacted row (from the composer's Compact button)
// is expanded, edited, undone, and its summary is what the next question sends.
import * as assert from 'node:assert/strict';
import { after, before, test, type TestContext } from 'node:test';
import type { Frame, Page } from 'playwright-core';
import type { Simulator } from '../support/simulator';
import { screenshotOnFailure } from './harness';
import { startWorkbenchSession, type WorkbenchSession } from './session';
import { answerText, chatFrameOpener, sendInChat, setApiKey, waitFor } from './workbench';

const KEY = 'test-key';
let session: WorkbenchSession | undefined;
let sim: Simulator;
let page: Page;
let chatFrame: () => Promise<Frame>;

before(async () => {
  session = await startWorkbenchSession({
    apiKeys: [KEY],
    settings: {},
    workspaceFiles: {
      'AGENTS.md': '# Agent rules\n\nAlways answer in British English and name the file you change.\n',
      'src/parser.ts': 'export function parse(input: string): string[] {\n  return input.split(/\\s+/);\n}\n',
      'package.json': '{ "name": "parser-demo", "version": "1.0.0" }\n',
    },
  });
  ({ sim, page } = session);
  chatFrame = chatFrameOpener(page);
});

after(async () => {
  await session?.close();
});

function step(t: TestContext, fn: () => Promise<void>): Promise<void> {
  return screenshotOnFailure(t, page, `context-ui-${t.name}`, fn);
}


const answers = (frame: Frame) => frame.locator('.turn[data-role="assistant"]');

async function waitForAnswer(frame: Frame, count: number, status = 'done'): Promise<string> {
  await waitFor(`${count} answers`, async () => (await answers(frame).count()) === count);
  const last = answers(frame).nth(count - 1);
  await last.and(frame.locator(`[data-status="${status}"]`)).waitFor({ state: 'attached', timeout: 60_000 });
  return answerText(last.locator('.answer'));
}

/** The first user message's text of the last request the simulator got. */
function firstUserText(): string {
  const body = sim.requests.at(-1)?.body as { messages: { role: string; content: string | { type: string; text?: string }[] }[] };
  const first = body.messages[0];
  return typeof first.content === 'string' ? first.content : first.content.map((b) => b.text ?? '').join('\n');
}

test('the rules line names AGENTS.md; the meter says how full the window is and follows an answer', async (t) => {
  await step(t, async () => {
    await setApiKey(page, KEY);
    const frame = await chatFrame();
    const rules = frame.locator('#rules-line');
    await rules.waitFor({ state: 'visible', timeout: 30_000 });
    assert.match((await rules.innerText()).replace(/\s+/g, ' '), /^Rules: AGENTS\.md · \d+ tokens$/);
    const meter = frame.locator('#context-meter');
    await meter.waitFor({ state: 'visible', timeout: 30_000 });
    assert.match(await meter.innerText(), /^≈ (\d+|<1)% of 200k$/);
    const before = Number(await meter.getAttribute('data-tokens'));
    sim.enqueue({ text: `The parser splits on whitespace. ${'It returns the words in order. '.repeat(400)}` });
    await sendInChat(frame, 'What does src/parser.ts do?');
    await waitForAnswer(frame, 1);
    // The rules went with the question, in the system prompt.
    const body = sim.requests.at(-1)?.body as { system?: string | { text: string }[] };
    const system = typeof body.system === 'string' ? body.system : (body.system ?? []).map((b) => b.text).join('\n');
    assert.match(system, /Always answer in British English/);
    // The answer (≈ 3k tokens) is context for the next question now: the meter grew.
    await waitFor('the meter to follow the answer', async () => Number(await meter.getAttribute('data-tokens')) > before + 2000);
    assert.match(await meter.innerText(), /^≈ \d+% of 200k$/);
    assert.match((await meter.getAttribute('title')) ?? '', /System prompt and rules[\s\S]*Conversation/i);
  });
});

test('the same tool call a third time pauses the loop with Continue, which goes on', async (t) => {
  await step(t, async () => {
    const frame = await chatFrame();
    const same = { toolUse: { name: 'read_file', input: { path: 'src/parser.ts' } } };
    sim.enqueue(same, same, same, { text: 'Read it three times: it splits on whitespace.' });
    await sendInChat(frame, 'Read src/parser.ts until you are sure.');
    const note = answers(frame).nth(1).locator('.tool-paused');
    await note.waitFor({ state: 'visible', timeout: 60_000 });
    assert.match(await note.innerText(), /Claude asked for the same thing three times/);
    await note.getByRole('button', { name: 'Continue' }).click();
    // The paused answer is already "done" before Continue's request runs: wait for the text that comes after it.
    let answer = '';
    await waitFor('the answer to go on after Continue', async () => /Read it three times/.test((answer = await waitForAnswer(frame, 2))), 60_000);
    assert.match(answer, /Read it three times: it splits on whitespace\./);
  });
});

test('Compact: the Compacted row, expanded, edited and undone; compacted again, its summary is what the next question sends', async (t) => {
  await step(t, async () => {
    const frame = await chatFrame();
    await frame.getByRole('button', { name: 'Compact', exact: true }).click();
    const row = answers(frame).nth(1).locator('.compaction');
    await row.locator('.compaction-details').waitFor({ state: 'visible', timeout: 60_000 });
    assert.match(await row.locator('summary').innerText(), /Compacted[\s\S]*2 questions summarised/);
    assert.equal(sim.requests.length > 0 && JSON.stringify(sim.requests.at(-1)?.body).includes('being compacted'), true, 'the summary request went to the endpoint');
    await row.locator('summary').click();
    const summary = row.locator('.compaction-summary');
    await summary.waitFor({ state: 'visible' });
    assert.match(await summary.innerText(), /Goals[\s\S]*What does src\/parser\.ts do\?[\s\S]*Open tasks/);

    await row.getByRole('button', { name: 'Edit' }).click();
    await row.getByRole('textbox').fill('## Goals\n- Understand src/parser.ts (edited in the UI)\n\n## Open tasks\n- None.');
    await row.getByRole('button', { name: 'Save' }).click();
    await waitFor('the row to say edited', async () => /edited/.test(await row.locator('summary').innerText()));
    assert.match(await row.locator('.compaction-summary').innerText(), /edited in the UI/);

    await row.getByRole('button', { name: 'Undo' }).click();
    await waitFor('the row to go after Undo', async () => (await frame.locator('.compaction').count()) === 0);
    // Undone: the next question would send the full turns again.
    await frame.getByRole('button', { name: 'Compact', exact: true }).click();
    await row.locator('.compaction-details').waitFor({ state: 'visible', timeout: 60_000 });
    await row.locator('summary').click();
    await row.getByRole('button', { name: 'Edit' }).click();
    await row.getByRole('textbox').fill('## Goals\n- Keep the parser simple (second summary)\n\n## Open tasks\n- Add tests.');
    await row.getByRole('button', { name: 'Save' }).click();
    await waitFor('the row to say edited', async () => /edited/.test(await row.locator('summary').innerText()));

    sim.enqueue({ text: 'Tests next.' });
    await sendInChat(frame, 'What is left?');
    await waitForAnswer(frame, 3);
    const first = firstUserText();
    assert.match(first, /<conversation-summary>[\s\S]*Keep the parser simple \(second summary\)/);
    assert.ok(!JSON.stringify(sim.requests.at(-1)?.body).includes('It returns the words in order.'), 'the summarised answers are not sent');
    // Every turn stays on screen; Undo went with the question.
    assert.equal(await answers(frame).count(), 3);
    await waitFor('Undo to go', async () => (await row.getByRole('button', { name: 'Undo' }).count()) === 0);
  });
});
