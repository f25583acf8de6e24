// Paint time of a 4,000-turn chat (2,000 questions, 2,000 tool calls, ~6.2 MB of turns) in real Chromium: the page
// opened with the chat in its snapshot, as VS Code shows it, until the last turn is painted (two animation frames
// after the page's script ran), and the DOM nodes it then holds. The shipped bundle (last turns first, the rest as the
// reader scrolls up) against the bundle of the commit before that change (every turn painted at once), interleaved,
// medians. Numbers only; no pass/fail.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { chromium, type Browser } from 'playwright-core';
import type { ChatSnapshot } from '../src/common/chatTypes';
import { renderChatHtml } from '../src/host/webviews/webviewHtml';
import { longChatTurns } from '../test/webview/fixtures';
import { CHROMIUM_ARGS } from '../test/support/chromium';
import { buildWebviewBundle } from '../test/webview/harness';
import type { BenchRunOptions } from './run';

const ROOT = path.resolve(__dirname, '..');
/** main just before the chat painted long conversations lazily (issue 16 §7). */
const BEFORE_REV = 'b148cc8';

export interface LongChatFigures {
  paintMs: number;
  domNodes: number;
  turnsPainted: number;
}

export interface LongChatResult {
  turns: number;
  snapshotBytes: number;
  lazy: LongChatFigures;
  before: LongChatFigures;
  rounds: number;
}

/** The webview bundle as it was at `rev` (git archive of src/ into a temp folder, built like buildWebviewBundle). */
async function bundleAt(rev: string): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), 'fr-before-'));
  const tar = execFileSync('git', ['-C', ROOT, 'archive', rev, 'src'], { maxBuffer: 256 * 1024 * 1024 });
  execFileSync('tar', ['-x', '-C', dir], { input: tar });
  const result = await esbuild.build({
    entryPoints: [path.join(dir, 'src/webviews/chat/main.ts')],
    bundle: true, minify: true, write: false, platform: 'browser', format: 'iife', target: 'es2022',
    tsconfig: path.join(dir, 'src/webviews/chat/tsconfig.json'), logLevel: 'silent', legalComments: 'none',
    nodePaths: [path.join(ROOT, 'node_modules')],
  });
  return result.outputFiles[0]!.text;
}

async function paint(browser: Browser, url: string): Promise<LongChatFigures> {
  const context = await browser.newContext({ viewport: { width: 420, height: 800 } });
  const tab = await context.newPage();
  await tab.addInitScript(`window.acquireVsCodeApi = () => ({ postMessage() {}, getState() {}, setState() {} });`);
  await tab.goto(url, { waitUntil: 'commit', timeout: 180_000 });
  await tab.waitForSelector('body[data-ready="true"]', { timeout: 180_000 });
  const figures = await tab.evaluate(`new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve({
    paintMs: performance.now(),
    domNodes: document.getElementsByTagName('*').length,
    turnsPainted: document.querySelectorAll('#messages .turn').length,
  }))))`) as LongChatFigures;
  const last = await tab.locator('#messages .turn').last().getAttribute('data-turn-id');
  if (last !== 'a1999') throw new Error(`the last turn is not painted (${last})`);
  await context.close();
  return figures;
}

export async function benchLongChat(options: BenchRunOptions = {}): Promise<LongChatResult> {
  const rounds = options.rounds ?? 5;
  const [lazyJs, beforeJs, css] = await Promise.all([buildWebviewBundle(true), bundleAt(BEFORE_REV), readFile(path.join(ROOT, 'media/chat.css'), 'utf8')]);
  const turns = longChatTurns(2000);
  const snapshot: ChatSnapshot = { conversationId: 'long', turns, conversations: [], model: 'claude-sonnet-4-5', busy: false };
  const pages = new Map<string, string>();
  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    const html = pages.get(url);
    if (html) res.writeHead(200, { 'content-type': 'text/html' }).end(html);
    else if (url === '/lazy.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(lazyJs);
    else if (url === '/before.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(beforeJs);
    else if (url === '/chat.css') res.writeHead(200, { 'content-type': 'text/css' }).end(css);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  for (const name of ['lazy', 'before']) {
    pages.set(`/${name}`, renderChatHtml({ cspSource: origin, nonce: randomBytes(18).toString('base64'), styleUri: `${origin}/chat.css`, scriptUri: `${origin}/${name}.js`, snapshot }));
  }
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
  const lazy: LongChatFigures[] = [];
  const before: LongChatFigures[] = [];
  try {
    for (let i = 0; i < rounds; i++) {
      lazy.push(await paint(browser, `${origin}/lazy`));
      before.push(await paint(browser, `${origin}/before`));
    }
  } finally {
    await browser.close();
    server.close();
  }
  const median = (list: LongChatFigures[]): LongChatFigures => {
    const sorted = [...list].sort((a, b) => a.paintMs - b.paintMs);
    return sorted[Math.floor(sorted.length / 2)]!;
  };
  return { turns: turns.length, snapshotBytes: JSON.stringify(turns).length, lazy: median(lazy), before: median(before), rounds };
}

export function formatLongChat(r: LongChatResult): string {
  const row = (name: string, f: LongChatFigures) => `${name.padEnd(30)} paint ${f.paintMs.toFixed(0).padStart(6)} ms | ${f.domNodes.toLocaleString('en-US').padStart(7)} DOM nodes | ${f.turnsPainted} turns painted`;
  return [
    `Long chat: ${r.turns.toLocaleString('en-US')} turns (${(r.snapshotBytes / 1e6).toFixed(1)} MB) opened in Chromium, median of ${r.rounds} interleaved rounds`,
    row('last turns first (shipped)', r.lazy),
    row(`every turn at once (${BEFORE_REV})`, r.before),
    `before / after: ${(r.before.paintMs / r.lazy.paintMs).toFixed(1)}× faster, ${(r.before.domNodes / r.lazy.domNodes).toFixed(0)}× fewer nodes`,
  ].join('\n');
}

if (require.main === module) {
  benchLongChat().then((r) => console.log(formatLongChat(r)), (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
