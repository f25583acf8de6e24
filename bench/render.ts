// Render benchmark in real Chromium: a 100,000-character answer streamed as 5,000 deltas, each sent as soon as the
// page has handled the previous one. Measures the shipped incremental renderer and a naive full re-render per delta
// (marked + DOMPurify of the whole text) in the same run, from a Chromium trace of the renderer's main thread.
// Prints numbers only; it never passes or fails on time.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { chromium, type Browser } from 'playwright-core';
import { renderChatHtml } from '../src/host/webviews/webviewHtml';
import type { ChatSnapshot } from '../src/common/chatTypes';
import { CHROMIUM_ARGS } from '../test/support/chromium';
import { buildWebviewBundle } from '../test/webview/harness';

const ROOT = path.resolve(__dirname, '..');
const ANSWER_CHARS = 100_000;
const DELTAS = 5_000;

export interface RenderFigures {
  totalMainThreadMs: number;
  longestTaskMs: number;
  /** The same two figures in thread CPU time, which a busy (shared) machine does not inflate by preemption. */
  totalCpuMs: number;
  longestTaskCpuMs: number;
  lastOverFirstCpu: number;
  first10Ms: number;
  last10Ms: number;
  lastOverFirst: number;
  tasks: number;
  wallMs: number;
}

export interface RenderBenchResult {
  naiveStride: number;
  answerChars: number;
  deltas: number;
  incremental: RenderFigures;
  naive: RenderFigures;
  naiveOverIncremental: number;
  /** Answers of one shape (one long code block, no newline at all), streamed into the shipped renderer only. */
  shapes: Array<{ name: string; chars: number; deltas: number; figures: RenderFigures }>;
}

/** A deterministic answer of exactly `size` characters: prose, lists, tables and code, like a long real answer. */
export function benchAnswer(size = ANSWER_CHARS): string {
  const parts: string[] = [];
  for (let i = 0; parts.join('').length < size; i++) {
    parts.push(
      `## Section ${i}: how the parser handles case ${i}\n\n`,
      `The function \`parse${i}\` reads the **input** line by line and keeps a small *state machine*; when it meets a `
        + `delimiter it emits a token. See [the docs](https://example.com/docs/${i}) for details. This paragraph is long `
        + `enough to wrap a few times in a narrow sidebar, which is what a chat answer usually looks like.\n\n`,
      `1. Read the next line (${i})\n2. Match it against the \`rules\` table\n   - keep the longest match\n   - report ties\n3. Emit the token\n\n`,
      `| Rule | Pattern | Priority |\n|------|---------|---------:|\n| ident${i} | \`[a-z]+\` | ${i} |\n| number | \`[0-9]+\` | 2 |\n| space | \`\\s+\` | 1 |\n\n`,
      i % 2 === 0
        ? `\`\`\`typescript\nexport function parse${i}(input: string): Token[] {\n  const tokens: Token[] = [];\n  for (const line of input.split('\\n')) {\n    if (line.trim() === '') continue; // skip blanks\n    tokens.push({ kind: 'line', text: line, index: ${i} });\n  }\n  return tokens;\n}\n\`\`\`\n\n`
        : `\`\`\`python\ndef parse_${i}(text: str) -> list[str]:\n    """Split text into words."""\n    return [w for w in text.split() if w]  # ${i}\n\`\`\`\n\n`,
      `> Note ${i}: the order of rules matters.\n\n`,
    );
  }
  return parts.join('').slice(0, size);
}

/** One fenced TypeScript block of exactly `size` characters (fences included): the whole answer is code. */
export function benchCodeBlock(size = 30_000): string {
  const open = '```typescript\n';
  const close = '\n```\n';
  const lines: string[] = [];
  for (let i = 0; open.length + lines.join('').length + close.length < size; i++) {
    lines.push(
      `/** Parses section ${i}: returns one token per non-blank line. */\n`,
      `export function parse${i}(input: string, options: { strict?: boolean } = {}): Token[] {\n`,
      `  const tokens: Token[] = []; // collected in order\n`,
      `  for (const [index, line] of input.split('\\n').entries()) {\n`,
      `    if (line.trim() === '' && !options.strict) continue;\n`,
      `    tokens.push({ kind: 'line', text: \`\${index}: \${line}\`, index: ${i} });\n`,
      `  }\n  return tokens;\n}\n\n`,
    );
  }
  const body = lines.join('').slice(0, size - open.length - close.length);
  return `${open}${body}${close}`;
}

/** Prose with inline Markdown (bold, code, links) and no newline at all, exactly `size` characters. */
export function benchNoNewline(size = 50_000): string {
  const parts: string[] = [];
  for (let i = 0; parts.join('').length < size; i++) {
    parts.push(`Step ${i} reads the **input** with \`parse${i}()\` and keeps a *small* state machine; see [rule ${i}](https://example.com/r/${i}) for the details. `);
  }
  return parts.join('').slice(0, size);
}

/** Joins every `stride` deltas into one (for the estimated naive baseline). */
function group(deltas: string[], stride: number): string[] {
  if (stride === 1) return deltas;
  const out: string[] = [];
  for (let i = 0; i < deltas.length; i += stride) out.push(deltas.slice(i, i + stride).join(''));
  return out;
}

function scale(f: RenderFigures, stride: number): RenderFigures {
  if (stride === 1) return f;
  return { ...f, totalMainThreadMs: f.totalMainThreadMs * stride, totalCpuMs: f.totalCpuMs * stride, first10Ms: f.first10Ms * stride, last10Ms: f.last10Ms * stride, tasks: f.tasks * stride };
}

function splitDeltas(text: string, count: number): string[] {
  const size = Math.ceil(text.length / count);
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

/** The naive baseline page script: re-parse and re-sanitize the whole answer on every delta. */
const NAIVE_ENTRY = `
import { marked } from 'marked';
import DOMPurify from 'dompurify';
const messages = document.createElement('main');
messages.id = 'messages';
const turn = document.createElement('div');
turn.className = 'turn';
const answer = document.createElement('div');
answer.className = 'answer';
turn.append(answer);
messages.append(turn);
document.getElementById('app').append(messages);
let text = '';
window.addEventListener('message', (event) => {
  const m = event.data;
  if (!m || m.type !== 'delta') return;
  for (const c of m.chunks) text += c.text;
  answer.replaceChildren(DOMPurify.sanitize(marked.parse(text), { RETURN_DOM_FRAGMENT: true }));
  messages.scrollTop = messages.scrollHeight;
});
document.body.dataset.ready = 'true';
`;

async function buildNaiveBundle(): Promise<string> {
  const result = await esbuild.build({
    stdin: { contents: NAIVE_ENTRY, resolveDir: ROOT, loader: 'js' },
    bundle: true, minify: true, write: false, platform: 'browser', format: 'iife', target: 'es2022', logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

interface TraceEvent { name: string; ph: string; ts: number; dur?: number; tdur?: number; pid: number; tid: number; args?: { name?: string } }

/** Main-thread task figures between user-timing marks, from a Chromium trace. */
function analyse(trace: { traceEvents: TraceEvent[] }, wallMs: number): RenderFigures {
  const events = trace.traceEvents;
  const mark = (name: string) => {
    const e = events.find((ev) => ev.name === name && (ev.ph === 'R' || ev.ph === 'I' || ev.ph === 'n' || ev.ph === 'b'));
    if (!e) throw new Error(`trace has no mark ${name}`);
    return e;
  };
  const start = mark('bench-start');
  const main = events.find((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain' && e.pid === start.pid);
  if (!main) throw new Error('trace has no renderer main thread');
  const tasks = events.filter((e) => e.ph === 'X' && e.name === 'ThreadControllerImpl::RunTask' && e.pid === main.pid && e.tid === main.tid);
  const between = (from: number, to: number) => tasks.filter((t) => t.ts >= from && t.ts < to);
  const sum = (list: TraceEvent[]) => list.reduce((n, t) => n + (t.dur ?? 0), 0) / 1000;
  const cpu = (list: TraceEvent[]) => list.reduce((n, t) => n + (t.tdur ?? 0), 0) / 1000;
  const firstEnd = mark('bench-first10').ts;
  const lastStart = mark('bench-last10').ts;
  const end = mark('bench-end').ts;
  const all = between(start.ts, end);
  // RENDER_BENCH_DEBUG=1 lists the longest tasks and when they ran, to find what makes them long.
  if (process.env.RENDER_BENCH_DEBUG) {
    const top = [...all].sort((a, b) => (b.dur ?? 0) - (a.dur ?? 0)).slice(0, 8);
    console.log('longest tasks (wall/cpu ms at +ms):', top.map((t) => `${((t.dur ?? 0) / 1000).toFixed(1)}/${((t.tdur ?? 0) / 1000).toFixed(1)}@+${((t.ts - start.ts) / 1000).toFixed(0)}`).join(' '));
  }
  const first10Ms = sum(between(start.ts, firstEnd));
  const last10Ms = sum(between(lastStart, end));
  return {
    totalMainThreadMs: sum(all),
    longestTaskMs: all.reduce((m, t) => Math.max(m, (t.dur ?? 0) / 1000), 0),
    totalCpuMs: cpu(all),
    lastOverFirstCpu: cpu(between(lastStart, end)) / cpu(between(start.ts, firstEnd)),
    longestTaskCpuMs: all.reduce((m, t) => Math.max(m, (t.tdur ?? 0) / 1000), 0),
    first10Ms,
    last10Ms,
    lastOverFirst: last10Ms / first10Ms,
    tasks: all.length,
    wallMs,
  };
}

/** Runs in the page: post each delta as soon as the previous one was handled (a marker message proves it). */
const DRIVER = `async (deltas) => {
  const post = (message) => new Promise((resolve) => {
    const id = Math.random();
    const onMessage = (e) => { if (e.data && e.data.benchMarker === id) { removeEventListener('message', onMessage); resolve(); } };
    addEventListener('message', onMessage);
    postMessage(message, '*');
    postMessage({ benchMarker: id }, '*');
  });
  const frame = () => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
  await frame();
  const n = deltas.length;
  const t0 = performance.now();
  performance.mark('bench-start');
  for (let i = 0; i < n; i++) {
    if (i === Math.floor(n / 10)) { await frame(); performance.mark('bench-first10'); }
    if (i === n - Math.floor(n / 10)) performance.mark('bench-last10');
    await post({ type: 'delta', turnId: 'bench', chunks: [{ block: 0, kind: 'text', text: deltas[i] }] });
  }
  await frame();
  performance.mark('bench-end');
  return performance.now() - t0;
}`;

async function measure(browser: Browser, origin: string, page: string, deltas: string[], setup: string, chars = ANSWER_CHARS): Promise<RenderFigures> {
  const context = await browser.newContext({ viewport: { width: 420, height: 800 } });
  const tab = await context.newPage();
  await tab.addInitScript(`window.acquireVsCodeApi = () => ({ postMessage() {}, getState() {}, setState() {} });`);
  await tab.goto(`${origin}/${page}`);
  await tab.waitForSelector('body[data-ready="true"]');
  await tab.evaluate(setup);
  // The chat view compiles its grammars in idle time after load; a user's first answer comes later than that.
  if (page === 'incremental') await tab.waitForSelector('body[data-warm="true"]', { state: 'attached' });
  // Only top-level task events: the detailed devtools.timeline categories slow the page down several times over.
  await browser.startTracing(tab, { categories: ['toplevel', 'blink.user_timing', '__metadata'] });
  const wallMs = await tab.evaluate(`(${DRIVER})(${JSON.stringify(deltas)})`) as number;
  const buffer = await browser.stopTracing();
  const text = await tab.locator('.answer').textContent();
  if (!text || text.length < chars / 2) throw new Error(`${page}: the answer did not render`);
  await context.close();
  return analyse(JSON.parse(buffer.toString('utf8')) as { traceEvents: TraceEvent[] }, wallMs);
}

/**
 * `naiveStride` > 1 makes the naive baseline quicker (it is quadratic: ~9 minutes here in full): it re-renders once per
 * `naiveStride` deltas and its totals are multiplied by the stride, so they are then an estimate and printed as such.
 */
export async function runRenderBench(options: { naiveStride?: number } = {}): Promise<RenderBenchResult> {
  const [webview, naive, css] = await Promise.all([
    buildWebviewBundle(true), buildNaiveBundle(), readFile(path.join(ROOT, 'media/chat.css'), 'utf8'),
  ]);
  const snapshot: ChatSnapshot = { conversationId: 'bench', turns: [], conversations: [], model: 'bench', busy: false };
  const pages = new Map<string, string>();
  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    const html = pages.get(url);
    if (html) res.writeHead(200, { 'content-type': 'text/html' }).end(html);
    else if (url === '/webview.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(webview);
    else if (url === '/naive.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(naive);
    else if (url === '/chat.css') res.writeHead(200, { 'content-type': 'text/css' }).end(css);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  for (const name of ['incremental', 'naive']) {
    pages.set(`/${name}`, renderChatHtml({
      cspSource: origin, nonce: randomBytes(18).toString('base64'), styleUri: `${origin}/chat.css`,
      scriptUri: `${origin}/${name === 'naive' ? 'naive.js' : 'webview.js'}`, snapshot,
    }));
  }
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
  try {
    const deltas = splitDeltas(benchAnswer(), DELTAS);
    const startTurn = `window.postMessage({ type: 'turnAdded', user: { id: 'q', role: 'user', text: 'Explain the parser', images: [] },
      assistant: { id: 'bench', role: 'assistant', blocks: [], status: 'streaming' } }, '*'); new Promise((r) => setTimeout(r, 50))`;
    const incremental = await measure(browser, origin, 'incremental', deltas, startTurn);
    const stride = Math.max(1, Math.floor(options.naiveStride ?? 1));
    const naiveFigures = scale(await measure(browser, origin, 'naive', group(deltas, stride), 'null'), stride);
    const shapes: RenderBenchResult['shapes'] = [];
    for (const [name, answer] of [['one 30 KB code block', benchCodeBlock()], ['50 KB, no newline', benchNoNewline()]] as const) {
      const shapeDeltas = splitDeltas(answer, Math.round(answer.length / 20));
      const figures = await measure(browser, origin, 'incremental', shapeDeltas, startTurn, answer.length);
      shapes.push({ name, chars: answer.length, deltas: shapeDeltas.length, figures });
    }
    return {
      shapes,
      naiveStride: stride,
      answerChars: ANSWER_CHARS,
      deltas: deltas.length,
      incremental,
      naive: naiveFigures,
      naiveOverIncremental: naiveFigures.totalMainThreadMs / incremental.totalMainThreadMs,
    };
  } finally {
    await browser.close();
    server.close();
  }
}

export function formatRenderBench(r: RenderBenchResult): string {
  const row = (name: string, f: RenderFigures) =>
    `${name.padEnd(12)} total main thread ${f.totalMainThreadMs.toFixed(0).padStart(7)} ms | longest task ${f.longestTaskMs.toFixed(1).padStart(7)} ms`
    + ` | CPU: total ${f.totalCpuMs.toFixed(0)} ms, longest ${f.longestTaskCpuMs.toFixed(1)} ms, last/first ${f.lastOverFirstCpu.toFixed(2)}`
    + ` | first 10% ${f.first10Ms.toFixed(0).padStart(6)} ms | last 10% ${f.last10Ms.toFixed(0).padStart(6)} ms | last/first ${f.lastOverFirst.toFixed(2)}`
    + ` | ${f.tasks} tasks | wall ${f.wallMs.toFixed(0)} ms`;
  return [
    `Render benchmark: ${r.answerChars.toLocaleString('en-US')} characters in ${r.deltas.toLocaleString('en-US')} deltas (Chromium, trace of the renderer main thread)`,
    row('incremental', r.incremental),
    row(r.naiveStride === 1 ? 'naive' : `naive (est.)`, r.naive),
    ...(r.naiveStride === 1 ? [] : [`  (naive estimated: re-rendered once per ${r.naiveStride} deltas, totals × ${r.naiveStride}; longest task is per re-render)`]),
    `naive / incremental total: ${r.naiveOverIncremental.toFixed(1)}×   (targets: longest task < 50 ms, last/first ≤ 1.5, ≥ 10× below naive)`,
    ...r.shapes.flatMap((s) => [
      `${s.name}: ${s.chars.toLocaleString('en-US')} characters in ${s.deltas.toLocaleString('en-US')} deltas (targets: longest task < 50 ms, last/first ≤ 1.5)`,
      row('incremental', s.figures),
    ]),
  ].join('\n');
}

if (require.main === module) {
  const strideArg = process.argv.indexOf('--naive-stride');
  runRenderBench({ naiveStride: strideArg > 0 ? Number(process.argv[strideArg + 1]) : 1 }).then((r) => console.log(formatRenderBench(r)), (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
