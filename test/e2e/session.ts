// One UI test session: the local simulator, code-server loading the extension unpacked from the repository with
// fastrouter.baseUrl pointing at the simulator, and Chromium on the workbench. Used by every UI test file.
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { startSimulator, type Simulator } from '../support/simulator';
import { REPO_ROOT, launchBrowser, startCodeServer, type BrowserSession, type CodeServer } from './harness';
import { waitForWorkbench } from './workbench';

export interface WorkbenchSession {
  sim: Simulator;
  server: CodeServer;
  browser: BrowserSession;
  page: Page;
  /** Stops the browser, code-server's process group and the simulator. */
  close(): Promise<void>;
}

export async function startWorkbenchSession(options: {
  apiKeys: string[];
  /** Extra settings over `fastrouter.baseUrl`. */
  settings?: Record<string, unknown>;
  workspaceFiles: Record<string, string>;
  /** The extension folder loaded unpacked (default: this repository; the workbench bench loads a baseline build too). */
  extensionPath?: string;
}): Promise<WorkbenchSession> {
  const sim = await startSimulator({ apiKeys: options.apiKeys });
  let server: CodeServer | undefined;
  let browser: BrowserSession | undefined;
  const close = async (): Promise<void> => {
    await browser?.close();
    await server?.stop();
    await sim.close();
  };
  try {
    server = await startCodeServer({ settings: { 'fastrouter.baseUrl': sim.url, ...options.settings }, workspaceFiles: options.workspaceFiles });
    // The profile lives in the run folder, so a search of that folder covers the browser side of VS Code's storage too.
    browser = await launchBrowser({ profileDir: path.join(server.runDir, 'chromium-profile') });
    const page = await browser.newPage();
    // waitForWorkbench waits for the workbench itself; the page's load event can take over 30 s on a loaded machine.
    await page.goto(server.workbenchUrl([['extensionDevelopmentPath', server.remoteUri(options.extensionPath ?? REPO_ROOT)]]), { waitUntil: 'commit', timeout: 120_000 });
    await waitForWorkbench(page);
    return { sim, server, browser, page, close };
  } catch (error) {
    await close();
    throw error;
  }
}
