// Serves the real chat page (renderChatHtml + the built bundle + css, real CSP) on loopback and drives it in
// Debian Chromium with a stand-in `acquireVsCodeApi` that records what the webview posts.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { after, before } from 'node:test';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import { renderChatHtml } from '../../src/host/webviews/webviewHtml';
import { type ChatSnapshot } from '../../src/common/chatTypes';
import { WebviewToHostSchema, type HostToWebview, type WebviewToHost } from '../../src/common/protocol';
import { ensureChromium } from '../../scripts/e2eToolchain';
import { CHROMIUM_ARGS } from '../support/chromium';

const ROOT = path.resolve(__dirname, '../..');


/** Builds the webview bundle exactly as esbuild.js does (the host target may be mid-change by others). */
export async function buildWebviewBundle(production = false): Promise<string> {
  const outfile = path.join(mkdtempSync(path.join(tmpdir(), 'fr-webview-')), 'webview.js');
  await esbuild.build({
    entryPoints: [path.join(ROOT, 'src/webviews/chat/main.ts')],
    outfile,
    bundle: true,
    minify: production,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    tsconfig: path.join(ROOT, 'src/webviews/chat/tsconfig.json'),
    logLevel: 'silent',
    legalComments: 'none',
  });
  return readFile(outfile, 'utf8');
}

export function emptySnapshot(overrides: Partial<ChatSnapshot> = {}): ChatSnapshot {
  return { conversationId: 'c1', turns: [], conversations: [], model: 'claude-sonnet-4-5', busy: false, ...overrides };
}

/** Runs in the page before any of its scripts: the stand-in VS Code API, a canary for injected script, CSP violation log. */
function initScript(savedState: unknown): string {
  return `(() => {
    // tsx compiles the tests with keepNames; functions passed to page.evaluate then call esbuild's __name helper.
    window.__name = (fn) => fn;
    window.__posted = [];
    window.__violations = [];
    window.__canary = 0;
    window.__vsState = ${JSON.stringify(savedState ?? null)} ?? undefined;
    window.__acquireCount = 0;
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__violations.push({ directive: e.violatedDirective, blocked: e.blockedURI, sample: e.sample });
    });
    window.acquireVsCodeApi = () => {
      window.__acquireCount++;
      if (window.__acquireCount > 1) throw new Error('acquireVsCodeApi may only be called once');
      return Object.freeze({
        postMessage: (m) => { window.__posted.push(JSON.parse(JSON.stringify(m))); },
        getState: () => window.__vsState,
        setState: (s) => { window.__vsState = JSON.parse(JSON.stringify(s)); },
      });
    };
  })();`;
}

/** The page-side globals the tests touch (this tsconfig has no DOM lib; these callbacks run in Chromium). */
export interface PageWindow {
  __posted: unknown[];
  __violations: Array<{ directive: string; blocked: string; sample: string }>;
  __canary: number;
  __vsState: unknown;
  postMessage(message: unknown, targetOrigin: string): void;
  requestAnimationFrame(callback: () => void): number;
}

export interface ChatPage {
  page: Page;
  /** Every URL the page requested (page.on('request')). */
  requests: string[];
  dialogs: string[];
  pageErrors: string[];
  /** Delivers a HostToWebview message the way VS Code does: a window `message` event. */
  send(message: HostToWebview): Promise<void>;
  /** Waits until the page has run two animation frames (so a scheduled commit has happened). */
  frames(n?: number): Promise<void>;
  /** What the webview posted, each checked against WebviewToHostSchema. */
  posted(): Promise<WebviewToHost[]>;
  clearPosted(): Promise<void>;
  violations(): Promise<Array<{ directive: string; blocked: string; sample: string }>>;
  canary(): Promise<number>;
  close(): Promise<void>;
}

export class Harness {
  private server!: Server;
  private browser!: Browser;
  private bundle = '';
  private css = '';
  private readonly pages = new Map<string, string>();
  /** Requests the server saw that it did not serve a known asset for. */
  readonly unexpected: string[] = [];
  origin = '';

  /** `scrollbars`: draw classic scrollbars, as VS Code's webviews have (Playwright hides them in headless mode). */
  static async start(options: { scrollbars?: boolean } = {}): Promise<Harness> {
    const harness = new Harness();
    await harness.init(options.scrollbars === true);
    return harness;
  }

  private async init(scrollbars: boolean): Promise<void> {
    this.bundle = await buildWebviewBundle();
    this.css = await readFile(path.join(ROOT, 'media/chat.css'), 'utf8');
    this.server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const html = url.pathname === '/' ? this.pages.get(url.searchParams.get('page') ?? '') : undefined;
      if (html !== undefined) {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(html);
      } else if (url.pathname === '/media/webview.js') {
        res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(this.bundle);
      } else if (url.pathname === '/media/chat.css') {
        res.writeHead(200, { 'content-type': 'text/css; charset=utf-8' }).end(this.css);
      } else if (url.pathname === '/favicon.ico') {
        // Chromium asks for this by itself for every top-level page (a VS Code webview has no such request); not content-driven.
        res.writeHead(204).end();
      } else {
        this.unexpected.push(req.url ?? '');
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    this.browser = await chromium.launch({
      executablePath: await ensureChromium(),
      headless: true,
      args: CHROMIUM_ARGS,
      ignoreDefaultArgs: scrollbars ? ['--hide-scrollbars'] : undefined,
    });
  }

  /** Opens the chat page with `snapshot` in its data-state and `savedState` as the webview's saved state. */
  async open(snapshot: ChatSnapshot = emptySnapshot(), savedState?: unknown, viewport = { width: 420, height: 700 }): Promise<ChatPage> {
    const id = randomBytes(6).toString('hex');
    this.pages.set(id, renderChatHtml({
      cspSource: this.origin,
      nonce: randomBytes(18).toString('base64'),
      scriptUri: `${this.origin}/media/webview.js`,
      styleUri: `${this.origin}/media/chat.css`,
      snapshot,
    }));
    const context = await this.browser.newContext({ viewport });
    const page = await context.newPage();
    const requests: string[] = [];
    const dialogs: string[] = [];
    const pageErrors: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('dialog', (d) => { dialogs.push(d.message()); void d.dismiss(); });
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    await page.addInitScript(initScript(savedState));
    await page.goto(`${this.origin}/?page=${id}`);
    await page.waitForSelector('body[data-ready="true"]');
    const chat: ChatPage = {
      page, requests, dialogs, pageErrors,
      send: async (message) => {
        // A marker posted right after the message arrives after it (same task source), so the webview has handled it.
        await page.evaluate((m) => new Promise<void>((resolve) => {
          const w = globalThis as unknown as PageWindow & { addEventListener(t: string, f: (e: { data: unknown }) => void): void; removeEventListener(t: string, f: (e: { data: unknown }) => void): void };
          const marker = { harnessMarker: Math.random() };
          const onMessage = (e: { data: unknown }) => {
            if ((e.data as { harnessMarker?: number } | null)?.harnessMarker !== marker.harnessMarker) return;
            w.removeEventListener('message', onMessage);
            resolve();
          };
          w.addEventListener('message', onMessage);
          w.postMessage(m, '*');
          w.postMessage(marker, '*');
        }), message);
      },
      frames: async (n = 2) => {
        await page.evaluate((count) => new Promise<void>((resolve) => {
          let left = count;
          const raf = (globalThis as unknown as PageWindow).requestAnimationFrame;
          const tick = () => (--left <= 0 ? resolve() : raf(tick));
          raf(tick);
        }), n);
      },
      posted: async () => {
        const raw = await page.evaluate(() => (globalThis as unknown as PageWindow).__posted);
        return raw.map((m) => WebviewToHostSchema.parse(m));
      },
      clearPosted: async () => { await page.evaluate(() => { (globalThis as unknown as PageWindow).__posted.length = 0; }); },
      violations: () => page.evaluate(() => (globalThis as unknown as PageWindow).__violations),
      canary: () => page.evaluate(() => (globalThis as unknown as PageWindow).__canary),
      close: () => context.close(),
    };
    return chat;
  }

  /** The page's own requests: the document, the bundle and the stylesheet. */
  isOwnRequest(url: string): boolean {
    const u = new URL(url);
    return u.origin === this.origin && (u.pathname === '/' || u.pathname === '/media/webview.js' || u.pathname === '/media/chat.css');
  }

  async close(): Promise<void> {
    await this.browser?.close();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

/**
 * The webview test files' preamble: one Harness (one Chromium, one page server) for the describe block this is called
 * in, started before its tests and closed after them. `const harness = useHarness();` then `await harness.open()`.
 */
export function useHarness(options: { scrollbars?: boolean } = {}): Harness {
  let started: Harness | undefined;
  before(async () => {
    started = await Harness.start(options);
  });
  after(async () => {
    await started?.close();
  });
  return new Proxy({} as Harness, {
    get(_target, key) {
      if (!started) throw new Error('the harness is used inside a test (it starts in the describe block\'s before hook)');
      const value: unknown = Reflect.get(started, key);
      return typeof value === 'function' ? value.bind(started) : value;
    },
  });
}
