// Serves the real cost view page (renderCostHtml + the bundle built with esbuild.js's own target + media/costview.css,
// real CSP) on loopback and drives it in Debian Chromium, with a stand-in `acquireVsCodeApi` that records what the
// view posts.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import { renderCostHtml } from '../../src/host/webviews/costViewHtml';
import { CostViewToHostSchema, type CostViewData, type CostViewToHost, type HostToCostView } from '../../src/common/costViewProtocol';
import { ensureChromium } from '../../scripts/e2eToolchain';
import { CHROMIUM_ARGS } from '../support/chromium';

const ROOT = path.resolve(__dirname, '../..');

/** The cost view bundle, built exactly as esbuild.js's target does. */
async function buildCostBundle(): Promise<string> {
  const { targets } = createRequire(__filename)('../../esbuild.js') as { targets: esbuild.BuildOptions[] };
  const target = targets.find((t) => (t.entryPoints as string[])[0] === 'src/webviews/cost/main.ts');
  if (!target) throw new Error('esbuild.js has no cost view target');
  const dir = mkdtempSync(path.join(tmpdir(), 'fr-costview-'));
  try {
    const outfile = path.join(dir, 'costview.js');
    await esbuild.build({ ...target, absWorkingDir: ROOT, outfile, sourcemap: false, plugins: [] });
    return await readFile(outfile, 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface CostPageWindow {
  __posted: unknown[];
  __violations: Array<{ directive: string; blocked: string }>;
  postMessage(message: unknown, targetOrigin: string): void;
  document: { body: { dataset: Record<string, string | undefined> } };
}

const INIT = `(() => {
  window.__name = (fn) => fn;
  window.__posted = [];
  window.__violations = [];
  document.addEventListener('securitypolicyviolation', (e) => window.__violations.push({ directive: e.violatedDirective, blocked: e.blockedURI }));
  window.acquireVsCodeApi = () => Object.freeze({
    postMessage: (m) => { window.__posted.push(JSON.parse(JSON.stringify(m))); },
    getState: () => undefined,
    setState: () => {},
  });
})();`;

export interface CostPage {
  page: Page;
  requests: string[];
  pageErrors: string[];
  send(message: HostToCostView): Promise<void>;
  posted(): Promise<CostViewToHost[]>;
  clearPosted(): Promise<void>;
  violations(): Promise<Array<{ directive: string; blocked: string }>>;
  close(): Promise<void>;
}

export class CostHarness {
  private server!: Server;
  private browser!: Browser;
  private bundle = '';
  private css = '';
  private readonly pages = new Map<string, string>();
  origin = '';

  static async start(): Promise<CostHarness> {
    const harness = new CostHarness();
    harness.bundle = await buildCostBundle();
    harness.css = await readFile(path.join(ROOT, 'media/costview.css'), 'utf8');
    harness.server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const html = url.pathname === '/' ? harness.pages.get(url.searchParams.get('page') ?? '') : undefined;
      if (html !== undefined) res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
      else if (url.pathname === '/media/costview.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(harness.bundle);
      else if (url.pathname === '/media/costview.css') res.writeHead(200, { 'content-type': 'text/css' }).end(harness.css);
      else res.writeHead(url.pathname === '/favicon.ico' ? 204 : 404).end();
    });
    await new Promise<void>((resolve) => harness.server.listen(0, '127.0.0.1', resolve));
    harness.origin = `http://127.0.0.1:${(harness.server.address() as AddressInfo).port}`;
    harness.browser = await chromium.launch({ executablePath: await ensureChromium(), headless: true, args: CHROMIUM_ARGS });
    return harness;
  }

  async open(data: CostViewData, viewport = { width: 1000, height: 900 }): Promise<CostPage> {
    const id = randomBytes(6).toString('hex');
    this.pages.set(id, renderCostHtml({ cspSource: this.origin, nonce: randomBytes(18).toString('base64'), scriptUri: `${this.origin}/media/costview.js`, styleUri: `${this.origin}/media/costview.css`, data }));
    const context = await this.browser.newContext({ viewport });
    const page = await context.newPage();
    const requests: string[] = [];
    const pageErrors: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    await page.addInitScript(INIT);
    await page.goto(`${this.origin}/?page=${id}`);
    await page.waitForSelector('body[data-ready="true"]');
    return {
      page,
      requests,
      pageErrors,
      send: async (message) => {
        await page.evaluate((m) => (globalThis as unknown as CostPageWindow).postMessage(m, '*'), message);
        await page.waitForFunction((at) => (globalThis as unknown as CostPageWindow).document.body.dataset.updated === String(at), message.data.at);
      },
      posted: async () => (await page.evaluate(() => (globalThis as unknown as CostPageWindow).__posted)).map((m) => CostViewToHostSchema.parse(m)),
      clearPosted: async () => { await page.evaluate(() => { (globalThis as unknown as CostPageWindow).__posted.length = 0; }); },
      violations: () => page.evaluate(() => (globalThis as unknown as CostPageWindow).__violations),
      close: () => context.close(),
    };
  }

  isOwnRequest(url: string): boolean {
    const u = new URL(url);
    return u.origin === this.origin && ['/', '/media/costview.js', '/media/costview.css'].includes(u.pathname);
  }

  async close(): Promise<void> {
    await this.browser?.close();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}
