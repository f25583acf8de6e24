// Driving code-server's workbench in Chromium the way a user does: command palette, editor, webview, status bar.
import type { Frame, Locator, Page } from 'playwright-core';
import { EXTENSION_ID } from './harness';

/** Waits until the workbench has loaded and the extension host is up. */
export async function waitForWorkbench(page: Page, timeoutMs = 90_000): Promise<void> {
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: timeoutMs });
  await page.locator('.statusbar').waitFor({ state: 'visible', timeout: timeoutMs });
}

/** Opens the command palette with F1 and returns its input. */
export async function openCommandPalette(page: Page): Promise<Locator> {
  const input = page.locator('.quick-input-widget input.input');
  for (let attempt = 0; attempt < 3; attempt++) {
    await page.keyboard.press('F1');
    try {
      await input.waitFor({ state: 'visible', timeout: 5_000 });
      return input;
    } catch {
      await page.keyboard.press('Escape');
    }
  }
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  return input;
}

/**
 * Runs a command by its palette title (e.g. "FastRouter: Set API Key"): F1, type, wait until the top row
 * shows that title, Enter. Waits for the row because commands of a just-activated extension appear late.
 */
export async function runCommand(page: Page, title: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // Every step is bounded and inside the try: a palette closed by a focus change (a webview focusing its composer)
    // is opened again within the deadline instead of spending it all on one step.
    try {
      const input = await openCommandPalette(page);
      await input.fill(`>${title}`, { timeout: 5_000 });
      const row = page.locator('.quick-input-list .monaco-list-row').filter({ hasText: title }).first();
      await row.waitFor({ state: 'visible', timeout: 5_000 });
      const focused = page.locator('.quick-input-list .monaco-list-row.focused');
      const label = (await focused.first().innerText({ timeout: 2_000 }).catch(() => '')).split('\n')[0];
      // A short click timeout: a list that redraws (or a palette another focus change closed) is tried again whole.
      // Enter on the palette's input itself, not on whatever has the focus: a webview that focuses its composer
      // meanwhile (after a Restore, say) would otherwise get the Enter and send the text the composer holds.
      if (!label.includes(title)) await row.click({ timeout: 5_000 });
      else await input.press('Enter', { timeout: 5_000 });
      return;
    } catch (error) {
      await page.keyboard.press('Escape');
      if (Date.now() > deadline) throw new Error(`command "${title}" never appeared in the command palette`, { cause: error });
    }
  }
}

/**
 * The quick input a command opened (e.g. a password prompt). Pass the box's title: right after the palette runs a
 * command, the palette's own input is still on screen, and typing into it would be lost.
 */
export async function quickInput(page: Page, title?: string, timeoutMs = 20_000): Promise<Locator> {
  if (title) await page.locator('.quick-input-widget .quick-input-title', { hasText: title }).waitFor({ state: 'visible', timeout: timeoutMs });
  const input = page.locator('.quick-input-widget input.input');
  await input.waitFor({ state: 'visible', timeout: timeoutMs });
  return input;
}

/**
 * Types into the open quick input as a user does, once it has the keyboard focus: the widget shows before the
 * workbench moves the focus out of a webview that was clicked to open it, and keys typed in between go to the webview.
 * Waits until the input holds `text`, so a lost keystroke fails here, with what the input held.
 */
export async function typeInQuickInput(page: Page, text: string, timeoutMs = 30_000): Promise<void> {
  const input = await quickInput(page, undefined, timeoutMs);
  await waitFor('the quick input to have the keyboard focus', () =>
    page.evaluate("document.hasFocus() && document.activeElement instanceof HTMLInputElement && !!document.activeElement.closest('.quick-input-widget')"), timeoutMs);
  await page.keyboard.type(text);
  let held = '';
  await waitFor(`the quick input to hold "${text}"`, async () => (held = await input.inputValue()) === text, timeoutMs).catch((error: unknown) => {
    throw new Error(`${String(error)}; it holds "${held}"`);
  });
}

/** Finds the (nested) frame of our webview that contains `selector`, polling until it appears. */
export async function findWebviewFrame(page: Page, selector: string, timeoutMs = 30_000): Promise<Frame> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const frame of page.frames()) {
      if (frame === page.mainFrame() || frame.isDetached()) continue;
      try {
        if ((await frame.locator(selector).count()) > 0) return frame;
      } catch {
        // Frame navigated or detached while we looked.
      }
    }
    if (Date.now() > deadline) throw new Error(`no webview frame contains ${selector} after ${timeoutMs} ms`);
    await page.waitForTimeout(250);
  }
}

/**
 * The status bar item an extension created with `createStatusBarItem(id)`. VS Code renders it as
 * `<div class="statusbar-item" id="EXTENSION_ID.ITEM_ID">` (checked in 1.139: `fastrouter-chat.fastrouter-chat.fastrouter.cost`).
 */
export function statusBarItem(page: Page, itemId: string): Locator {
  return page.locator(`.statusbar [id="${EXTENSION_ID}.${itemId}"]`);
}

export async function statusBarText(page: Page, itemId: string): Promise<string> {
  const item = statusBarItem(page, itemId);
  await item.waitFor({ state: 'attached', timeout: 30_000 });
  return (await item.innerText()).trim();
}

/** Opens a workspace file through Quick Open (Ctrl+P) and waits for its editor to be active. */
export async function openFile(page: Page, relativePath: string): Promise<Locator> {
  const name = relativePath.split('/').pop()!;
  // Opened with the mouse on the title bar's command center: a key press while a webview's iframe holds the focus can
  // be lost, or the box it opens closed again when the webview takes the focus back. Retried if the box goes away.
  const commandCenter = page.locator('.command-center .command-center-center').first();
  let input: Locator | undefined;
  for (let attempt = 1; !input; attempt++) {
    try {
      if (await commandCenter.isVisible()) await commandCenter.click();
      else await page.keyboard.press('Control+P');
      const box = await quickInput(page, undefined, 10_000);
      await box.fill(relativePath, { timeout: 5_000 });
      input = box;
    } catch (error) {
      if (attempt >= 3) throw error;
      await page.keyboard.press('Escape');
    }
  }
  await page.locator('.quick-input-list .monaco-list-row').filter({ hasText: name }).first().waitFor({ timeout: 20_000 });
  await page.keyboard.press('Enter');
  await page.locator(`.tab.active[data-resource-name="${name}"], .tab.active[aria-label*="${name}"]`).first().waitFor({ timeout: 20_000 });
  const editor = page.locator('.editor-instance .monaco-editor').first();
  await editor.waitFor({ state: 'visible', timeout: 20_000 });
  await focusEditor(page);
  return editor;
}

/** Makes sure keys go to the active text editor (not a webview that had focus before). */
export async function focusEditor(page: Page): Promise<void> {
  // Always click: the editor keeps its `focused` class while the keyboard focus is inside a webview's iframe.
  const editor = page.locator('.editor-instance .monaco-editor').first();
  await editor.locator('.view-lines').click({ position: { x: 5, y: 5 } });
  await page.locator('.editor-instance .monaco-editor.focused').first().waitFor({ timeout: 10_000 });
}

/**
 * The text of a chat element, read from the DOM rather than the layout (`innerText`): finished Markdown blocks use
 * `content-visibility: auto`, so a block the page has not laid out yet has no innerText.
 */
export async function answerText(locator: Locator): Promise<string> {
  return ((await locator.textContent()) ?? '').trim();
}

/** Waits until the status bar's cursor position reads "Ln LINE, Col COL". */
export async function waitForCursor(page: Page, line: number, col: number): Promise<void> {
  await page.locator('.statusbar-item', { hasText: new RegExp(`^Ln ${line}, Col ${col}$`) }).first().waitFor({ timeout: 10_000 });
}

/** Selects lines [from, to] (1-based, inclusive) in the active editor with Go to Line + Shift+Down. */
export async function selectLines(page: Page, from: number, to: number): Promise<void> {
  await page.keyboard.press('Control+G');
  const input = await quickInput(page);
  await input.fill(`:${from}`);
  await page.keyboard.press('Enter');
  await page.keyboard.press('Home');
  await page.keyboard.press('Home');
  for (let i = from; i <= to; i++) await page.keyboard.press('Shift+ArrowDown');
}

/** The text of the active editor as rendered (view lines), for checking edits. */
export async function editorText(page: Page): Promise<string> {
  // Monaco renders spaces as no-break spaces.
  return (await page.locator('.editor-instance .monaco-editor .view-lines').first().innerText()).replace(/\u00a0/g, ' ');
}

/** Polls `fn` until it returns a truthy value; the message names what we waited for. */
export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false | null>, timeoutMs = 30_000, everyMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await fn();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** FastRouter: Open Chat, then the chat webview's frame once its message list is there. */
export async function openChat(page: Page): Promise<Frame> {
  await runCommand(page, 'FastRouter: Open Chat');
  return findWebviewFrame(page, '#messages', 60_000);
}

/**
 * The chat's frame for a test file: opened (FastRouter: Open Chat) the first time, and again only when the webview was
 * re-created (a reload, a moved view); otherwise the same frame.
 */
export function chatFrameOpener(page: Page): () => Promise<Frame> {
  let chat: Frame | undefined;
  return async () => {
    if (chat && !chat.isDetached()) return chat;
    chat = await openChat(page);
    return chat;
  };
}

/** Types `text` into the chat's composer and presses Enter. */
export async function sendInChat(frame: Frame, text: string): Promise<void> {
  const composer = frame.locator('textarea#composer-input');
  await composer.click();
  await composer.fill(text);
  await composer.press('Enter');
}

/** FastRouter: Set API Key, `key` typed into its password box and Enter; resolves when the box has closed. */
export async function setApiKey(page: Page, key: string): Promise<void> {
  await runCommand(page, 'FastRouter: Set API Key');
  await (await quickInput(page, 'Set API Key')).fill(key);
  await page.keyboard.press('Enter');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });
}
