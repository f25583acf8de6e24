// UI e2e (issue 19): Edit Selection as a user sees it, in real code-server driven by Chromium, against the simulator:
// run from the Command Palette, the instruction typed in its box, the replacement streamed into the editor as an
// inline diff (CodeLens "Editing…", then Accept All / Reject All), Accept changes the text, Reject leaves it as it was;
// and Fix with FastRouter picked from the lightbulb on a real TypeScript error.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { after, before, test, type TestContext } from 'node:test';
import type { Page } from 'playwright-core';
import type { Simulator } from '../support/simulator';
import { REPO_ROOT, RESULTS_DIR, screenshotOnFailure } from './harness';
import { startWorkbenchSession, type WorkbenchSession } from './session';
import { editorText, focusEditor, openFile, quickInput, runCommand, selectLines, setApiKey, waitFor } from './workbench';

const KEY = 'test-key';
/** Set FASTROUTER_SCREENSHOTS=1 to refresh the README's picture; otherwise it goes to test-results/. */
const SCREENSHOT = process.env.FASTROUTER_SCREENSHOTS === '1'
  ? path.join(REPO_ROOT, 'media', 'screenshots', 'edit-selection.png')
  : path.join(RESULTS_DIR, 'edit-selection.png');

const PRICES = [
  'export function total(prices: number[]): number {',
  '  let sum = 0;',
  '  for (const price of prices) {',
  '    sum += price;',
  '  }',
  '  return sum;',
  '}',
  '',
].join('\n');

const REPLY = [
  '```typescript',
  'export function total(prices: number[]): number {',
  '  let sum = 0;',
  '  for (const price of prices) {',
  '    sum += Math.max(0, price);',
  '  }',
  '  return Math.round(sum * 100) / 100;',
  '}',
  '```',
].map((line) => `${line}\n`);

const BROKEN = ['export function label(n: number): string {', '  const text: string = n;', '  return text;', '}', ''].join('\n');

let session: WorkbenchSession | undefined;
let sim: Simulator;
let page: Page;

before(async () => {
  session = await startWorkbenchSession({ apiKeys: [KEY], workspaceFiles: { 'prices.ts': PRICES, 'broken.ts': BROKEN } });
  ({ sim, page } = session);
  await setApiKey(page, KEY);
});

after(async () => {
  await session?.close();
});

function step(t: TestContext, fn: () => Promise<void>): Promise<void> {
  return screenshotOnFailure(t, page, `edit-ui-${t.name}`, fn);
}

/** A CodeLens link by its exact title (the last one: hunks come after the header's Accept All / Reject All). */
const lens = (title: string) => page.locator('.monaco-editor .codelens-decoration a').filter({ hasText: new RegExp(`^${title}$`) }).last();
/** The streaming lens has no command, so it is text, not a link. */
const editingLens = () => page.locator('.monaco-editor .codelens-decoration', { hasText: 'Editing…' }).first();

/** Edit Selection from the palette on lines [from, to] with `instruction`, while the simulator streams REPLY slowly. */
async function editFromPalette(from: number, to: number, instruction: string): Promise<void> {
  await openFile(page, 'prices.ts');
  await selectLines(page, from, to);
  sim.enqueue({ text: REPLY, deltaDelayMs: 250 });
  await runCommand(page, 'FastRouter: Edit Selection…');
  const box = await quickInput(page, undefined, 20_000);
  await box.fill(instruction);
  await page.keyboard.press('Enter');
}

test('Edit Selection from the palette: the replacement streams in as an inline diff, Accept All changes the text', async (t) => {
  await step(t, async () => {
    await editFromPalette(1, 7, 'Ignore negative prices and round to cents');
    // Streaming: the CodeLens says so, and new lines appear before the reply has ended.
    await editingLens().waitFor({ timeout: 30_000 });
    await waitFor('a streamed line in the editor', async () => (await editorText(page)).includes('Math.max(0, price)'), 30_000);
    assert.ok(await editingLens().isVisible(), 'still streaming when the first changed line is shown');
    await lens('Accept All').waitFor({ timeout: 30_000 });
    const during = await editorText(page);
    assert.ok(during.includes('    sum += price;') && during.includes('    sum += Math.max(0, price);'), `both sides shown:\n${during}`);
    assert.ok(await lens('Reject').isVisible());
    // Removed and added lines are painted in the diff colours (whole-line decorations in the view overlays).
    assert.ok((await page.locator('.monaco-editor .view-overlays .cdr').count()) >= 2, 'line decorations drawn');
    await page.screenshot({ path: SCREENSHOT, clip: { x: 0, y: 0, width: 1000, height: 420 } });

    await lens('Accept All').click();
    await waitFor('the accepted text', async () => {
      const text = await editorText(page);
      return text.includes('return Math.round(sum * 100) / 100;') && !text.includes('    sum += price;') && !text.includes('return sum;');
    }, 20_000);
    await lens('Accept All').waitFor({ state: 'detached', timeout: 20_000 }); // the review is over
    await focusEditor(page);
    await page.keyboard.press('Control+Z');
    await waitFor('one Undo gives the code back', async () => (await editorText(page)).includes('    sum += price;'), 10_000);
  });
});

test('Reject All leaves the text as it was', async (t) => {
  await step(t, async () => {
    await editFromPalette(1, 7, 'Ignore negative prices');
    await lens('Reject All').waitFor({ timeout: 40_000 });
    assert.ok((await editorText(page)).includes('Math.max(0, price)'));
    await lens('Reject All').click();
    await waitFor('the text as before', async () => {
      const text = await editorText(page);
      return text.includes('    sum += price;') && text.includes('  return sum;') && !text.includes('Math.');
    }, 20_000);
    await lens('Accept').waitFor({ state: 'detached', timeout: 20_000 });
  });
});

test('Fix with FastRouter from the lightbulb on a real TypeScript error', async (t) => {
  await step(t, async () => {
    await openFile(page, 'broken.ts');
    // TypeScript's own server reports the error (it can take a while to start on a loaded machine).
    await page.locator('.monaco-editor .squiggly-error').first().waitFor({ timeout: 120_000 });
    // The cursor on the error ("text", line 2), by Go to Line with a column.
    await page.keyboard.press('Control+G');
    await (await quickInput(page)).fill(':2:10');
    await page.keyboard.press('Enter');
    const sent = sim.requests.filter((r) => r.path.endsWith('/messages')).length;
    sim.enqueue({ text: ['export function label(n: number): string {\n', '  const text: string = String(n);\n', '  return text;\n', '}\n'] });
    // The lightbulb at the error's line, clicked as a user does.
    const bulb = page.locator('.monaco-editor .lightBulbWidget').first();
    await bulb.waitFor({ state: 'visible', timeout: 30_000 });
    await bulb.click();
    const fix = page.locator('.action-widget .monaco-list-row', { hasText: 'Fix with FastRouter' }).first();
    await fix.waitFor({ timeout: 30_000 });
    assert.ok(await page.locator('.action-widget .monaco-list-row', { hasText: 'Explain with FastRouter' }).first().isVisible());
    assert.equal(sim.requests.filter((r) => r.path.endsWith('/messages')).length, sent, 'the lightbulb sent nothing');
    await fix.click();
    await lens('Accept All').waitFor({ timeout: 40_000 });
    const request = sim.requests.at(-1)!.body as { messages: { content: string | { text?: string }[] }[] };
    const content = request.messages[0].content;
    assert.match(typeof content === 'string' ? content : content.map((b) => b.text ?? '').join(''), /Instruction: Fix: Type 'number' is not assignable to type 'string'\./);
    await lens('Accept All').click();
    await waitFor('the fixed line', async () => (await editorText(page)).includes('const text: string = String(n);'), 20_000);
    await page.locator('.monaco-editor .squiggly-error').first().waitFor({ state: 'detached', timeout: 60_000 });
  });
});
