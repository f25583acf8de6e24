// UI e2e (issue 10 §1): Select Model as a user sees it, in real code-server driven by Chromium, against the simulator's
// model list: opened from the chat header, it lists the Claude models with name, context and prices per million
// tokens, the current one checked; "Enter a model id…" takes any id; the chat header and the answer show the name.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { after, before, test, type TestContext } from 'node:test';
import type { Frame, Page } from 'playwright-core';
import type { Simulator } from '../support/simulator';
import { REPO_ROOT, RESULTS_DIR, screenshotOnFailure } from './harness';
import { startWorkbenchSession, type WorkbenchSession } from './session';
import { chatFrameOpener, quickInput, setApiKey, typeInQuickInput, waitFor } from './workbench';

const KEY = 'test-key';
/** Set FASTROUTER_SCREENSHOTS=1 to refresh the README's picture; otherwise it goes to test-results/. */
const SCREENSHOT = process.env.FASTROUTER_SCREENSHOTS === '1'
  ? path.join(REPO_ROOT, 'media', 'screenshots', 'select-model.png')
  : path.join(RESULTS_DIR, 'select-model.png');

let session: WorkbenchSession | undefined;
let sim: Simulator;
let page: Page;
let chatFrame: () => Promise<Frame>;

before(async () => {
  session = await startWorkbenchSession({ apiKeys: [KEY], workspaceFiles: { 'notes.md': '# Notes\n' } });
  ({ sim, page } = session);
  chatFrame = chatFrameOpener(page);
});

after(async () => {
  await session?.close();
});

function step(t: TestContext, fn: () => Promise<void>): Promise<void> {
  return screenshotOnFailure(t, page, `models-ui-${t.name}`, fn);
}


const rows = () => page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
const row = (text: string | RegExp) => rows().filter({ hasText: text }).first();

async function openSelectModel(frame: Frame): Promise<void> {
  await frame.locator('button#model').click();
  await page.locator('.quick-input-widget .quick-input-title', { hasText: 'Select Model' }).waitFor({ state: 'visible', timeout: 20_000 });
  // The list is fetched again on opening; wait for it (the simulated model exists only in the endpoint's list).
  await row('Claude Sonnet 4.5 (Simulated)').waitFor({ state: 'visible', timeout: 20_000 });
}

test("Select Model from the chat header lists the endpoint's Claude models with context and prices", async (t) => {
  await step(t, async () => {
    await setApiKey(page, KEY);
    const frame = await chatFrame();
    await waitFor('the header to name the model', async () => (await frame.locator('#model-label').textContent()) === 'Claude Sonnet 4');

    await openSelectModel(frame);
    const texts = (await rows().allInnerTexts()).map((r) => r.replace(/\s+/g, ' ').trim());
    assert.ok(texts.some((r) => r.includes('Claude Sonnet 4.5 (Simulated)') && r.includes('1M context · 3.00 / 15.00 credits per million tokens (input / output)')), JSON.stringify(texts));
    assert.ok(texts.some((r) => r.includes('Claude Opus 4.1') && r.includes('200k context · 15.00 / 75.00 credits per million tokens')), JSON.stringify(texts));
    assert.ok(!texts.some((r) => /GPT|Gemini/.test(r)), 'only Claude models');
    assert.ok(texts.some((r) => r.includes('Enter a model id…')), 'free entry');
    // The current model is checked (a codicon before its name) and has the focus.
    const current = row('anthropic/claude-sonnet-4-20250514');
    assert.equal(await current.locator('.codicon-check').count(), 1, 'the current model is checked');
    assert.match(await page.locator('.quick-input-list .monaco-list-row.focused').first().innerText(), /anthropic\/claude-sonnet-4-20250514/);
    // The picture for the README: the chat panel and the open pick.
    const box = await page.locator('.quick-input-widget').boundingBox();
    assert.ok(box);
    await page.screenshot({ path: SCREENSHOT, clip: { x: 0, y: 0, width: Math.round(box.x + box.width + 12), height: Math.round(Math.max(box.y + box.height + 12, 330)) } });

    await row('Claude Sonnet 4.5 (Simulated)').click();
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });
    await waitFor('the header to show the new name', async () => (await frame.locator('#model-label').textContent()) === 'Claude Sonnet 4.5 (Simulated)');

    sim.enqueue({ text: 'Hello from the simulated model.' });
    const composer = frame.locator('textarea#composer-input');
    await composer.click();
    await composer.fill('Hi?');
    await composer.press('Enter');
    const meta = frame.locator('.turn[data-role="assistant"] .answer-meta').first();
    await meta.waitFor({ timeout: 30_000 });
    assert.match(await meta.innerText(), /^Claude Sonnet 4\.5 \(Simulated\) · /);
    assert.equal((sim.requests.at(-1)?.body as { model: string }).model, 'anthropic/claude-sonnet-4-5-sim');
  });
});

test('"Enter a model id…" takes any id the endpoint serves', async (t) => {
  await step(t, async () => {
    const frame = await chatFrame();
    await openSelectModel(frame);
    await row('Enter a model id…').click();
    const input = await quickInput(page, 'Enter a Model Id');
    assert.equal(await input.inputValue(), 'anthropic/claude-sonnet-4-5-sim', 'starts from the current id');
    await input.fill('anthropic/claude-e2e-custom-20260101');
    await page.keyboard.press('Enter');
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });
    // Not in the list: the header shows the id without its provider prefix and date.
    await waitFor('the header to show the typed model', async () => (await frame.locator('#model-label').textContent()) === 'claude-e2e-custom');

    // Listed first and checked the next time.
    await openSelectModel(frame);
    const first = rows().first();
    assert.match(await first.innerText(), /anthropic\/claude-e2e-custom-20260101/);
    assert.equal(await first.locator('.codicon-check').count(), 1);
    await page.keyboard.press('Escape');
  });
});

test('typing "haiku" and Enter picks the best matching model, never the typed text as an id', async (t) => {
  await step(t, async () => {
    const frame = await chatFrame();
    await openSelectModel(frame);
    await typeInQuickInput(page, 'haiku');
    // Only models are left, the first one is focused: Enter takes it.
    await waitFor('the pick to filter to the Haiku models', async () =>
      (await rows().allInnerTexts()).every((r) => /haiku/i.test(r) || r.includes('Enter a model id…')));
    const focused = await page.locator('.quick-input-list .monaco-list-row.focused').first().innerText();
    assert.match(focused, /Haiku/, 'a Haiku model has the focus');
    assert.doesNotMatch(focused, /use this model id/);
    await page.keyboard.press('Enter');
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });
    await waitFor('the header to show a Haiku model', async () => /Haiku/.test((await frame.locator('#model-label').textContent()) ?? ''));
    const title = (await frame.locator('button#model').getAttribute('title')) ?? '';
    assert.match(title, /anthropic\/claude-[a-z0-9.-]*haiku/, `a listed Haiku id, not "haiku": ${title}`);

    // Text that matches no model leads to "Enter a model id…", which starts from what was typed.
    await openSelectModel(frame);
    await typeInQuickInput(page, 'zz-no-such-model');
    await waitFor('only the free entry to be left', async () => (await rows().allInnerTexts()).every((r) => r.includes('Enter a model id…')));
    await page.keyboard.press('Enter');
    const input = await quickInput(page, 'Enter a Model Id');
    assert.equal(await input.inputValue(), 'zz-no-such-model');
    await page.keyboard.press('Escape');
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });
    assert.match((await frame.locator('button#model').getAttribute('title')) ?? '', /haiku/, 'Escape changes nothing');
  });
});
