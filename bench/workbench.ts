// Workbench bench: the chat view inside the real workbench (code-server + Debian Chromium), a 100,000-character mixed
// answer (headings, lists, code, tables) streamed by the simulator as 5,000 deltas in about 6 s. It measures what a user
// sees, which the bare-Chromium render bench cannot: the end lag (the simulator's last byte → the answer's last text
// rendered in the webview), the frame gaps in the webview's frame during the stream, the long animation frames, and
// the main-thread time of the webview's renderer (CDP Performance metrics).
//
// The candidate (this checkout's build) and a baseline (a git ref, built in a temporary worktree: `--base REF`, default
// main) run side by side in the same run, each in its own code-server, rounds interleaved (ABAB), so the machine's load
// falls on both alike. Numbers only: it never passes or fails on time. Run it through the e2e slot script:
//   npm run build && /work/brief/e2e npm run bench -- workbench --rounds 4 --base main
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CDPSession, Frame } from 'playwright-core';
import { REPO_ROOT } from '../test/e2e/harness';
import { startWorkbenchSession, type WorkbenchSession } from '../test/e2e/session';
import { findWebviewFrame, quickInput, runCommand, waitFor } from '../test/e2e/workbench';
import { benchAnswer } from './render';

const ANSWER_CHARS = 100_000;
const DELTAS = 5_000;
/** The simulator's pause before each delta: 5,000 of them take about 6 s here (five times the fastest model). */
const DELTA_DELAY_MS = 1;
const KEY = 'bench-key';

export interface WorkbenchRound {
  variant: string;
  /** The simulator's first byte of the answer → its last byte. */
  streamMs: number;
  /** The simulator's last byte → the first frame (after style, layout and paint) showing the answer's last text. */
  endLagMs: number;
  /** rAF intervals in the webview's frame between the request and the end: the longest, the 95th percentile, how many over 100 ms. */
  maxGapMs: number;
  p95GapMs: number;
  gapsOver100: number;
  frames: number;
  /** The same for the workbench's own frame (its main thread relays every message to the webview). */
  workbenchMaxGapMs: number;
  /** Long animation frames (over 50 ms) of the renderer (as the workbench's frame sees them); their summed duration; forced style+layout in their scripts. */
  longFrames: number;
  longFramesMs: number;
  forcedLayoutMs: number;
  /** CDP Performance metrics of the webview's renderer over the round (the workbench's too when they share a process). */
  taskMs: number;
  /** CPU time of the renderer's main thread and of its whole process (load does not inflate these as it does wall time). */
  threadCpuMs: number;
  processCpuMs: number;
  /** From the trace (FASTROUTER_BENCH_TRACE): the longest main-thread task between the request and the end, in CPU time and wall time. */
  longestTaskCpuMs: number;
  longestTaskMs: number;
  scriptMs: number;
  layoutMs: number;
  recalcStyleMs: number;
  layoutCount: number;
  recalcStyleCount: number;
  /** Messages the webview's frame received during the round (the host's deltas and the rest). */
  messages: number;
  /** Whether the webview has its own renderer process (so the metrics are the webview's alone). */
  ownProcess: boolean;
  /** The frame gaps over NOTE_GAP_MS in either frame, worst first, with what they were. */
  notes: GapNote[];
}

/** Gaps longer than this are described in the table of worst frames. */
const NOTE_GAP_MS = 90;

export interface WorkbenchBenchResult {
  answerChars: number;
  deltas: number;
  base: string;
  rounds: WorkbenchRound[];
  loadBefore: number[];
  loadAfter: number[];
}

interface Variant {
  name: string;
  extensionPath: string;
  session: WorkbenchSession;
  chat: Frame;
  cdp: CDPSession;
  ownProcess: boolean;
}

/** The answer: mixed Markdown, ending in a marker whose arrival on screen ends the measurement. */
function answerDeltas(round: number, deltas: number): { deltas: string[]; marker: string } {
  const marker = `END-OF-ANSWER-${round}-${Date.now().toString(36)}`;
  const tail = `\n\nThe last line: ${marker}`;
  const text = benchAnswer(ANSWER_CHARS - tail.length) + tail;
  const size = Math.ceil(text.length / deltas);
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return { deltas: out, marker };
}

/** Builds the baseline ref in a temporary git worktree (node_modules shared); returns its folder. */
function buildBaseline(ref: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fastrouter-bench-base-'));
  execFileSync('git', ['worktree', 'add', '--detach', dir, ref], { cwd: REPO_ROOT, stdio: 'ignore' });
  fs.symlinkSync(fs.realpathSync(path.join(REPO_ROOT, 'node_modules')), path.join(dir, 'node_modules'));
  execFileSync(process.execPath, ['esbuild.js'], { cwd: dir, stdio: 'ignore' });
  return dir;
}

function removeBaseline(dir: string): void {
  try {
    execFileSync('git', ['worktree', 'remove', '--force', dir], { cwd: REPO_ROOT, stdio: 'ignore' });
  } catch {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function startVariant(name: string, extensionPath: string): Promise<Variant> {
  const session = await startWorkbenchSession({
    apiKeys: [KEY], extensionPath, workspaceFiles: { 'README.md': '# Parser\n\nA small tokenizer.\n' },
    // No tools (their rows are not what is measured) and no thinking.
    settings: { 'fastrouter.tools.enabled': false },
  });
  try {
    const { page } = session;
    await runCommand(page, 'FastRouter: Set API Key');
    await (await quickInput(page, 'Set API Key')).fill(KEY);
    await page.keyboard.press('Enter');
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });
    await runCommand(page, 'FastRouter: Open Chat');
    const chat = await findWebviewFrame(page, '#messages', 60_000);
    // The chat compiles its grammars in idle time after load; a user's first answer comes later than that.
    await chat.locator('body[data-warm="true"]').waitFor({ state: 'attached', timeout: 60_000 }).catch(() => {});
    let cdp: CDPSession;
    let ownProcess = true;
    try {
      cdp = await page.context().newCDPSession(chat);
    } catch {
      // Not an out-of-process iframe: it shares the workbench's renderer.
      cdp = await page.context().newCDPSession(page);
      ownProcess = false;
    }
    await cdp.send('Performance.enable');
    return { name, extensionPath, session, chat, cdp, ownProcess };
  } catch (error) {
    await session.close();
    throw error;
  }
}

/**
 * Installed in a frame before a round (page script, so a string): a rAF loop (frame times), long animation frames, and
 * when `marker` is first shown (checked after the frame's style, layout and paint: a message posted from rAF).
 */
const INSTRUMENT = `(marker) => {
  window.__bench?.stop();
  const state = { frames: [], markerAt: 0, loaf: [], messages: 0, stop: () => {} };
  let stopped = false;
  const channel = new MessageChannel();
  // Cheap enough for every frame: no query over the (long) answer, only walks along the last turn's last block.
  const shown = () => {
    const turns = document.querySelector('.log-turns');
    let turn = turns?.lastElementChild;
    while (turn && turn.getAttribute('data-role') !== 'assistant') turn = turn.previousElementSibling;
    const answer = turn?.querySelector(':scope > .answer');
    const last = answer?.lastElementChild;
    if (!last || marker === null) return false;
    const tail = last.lastElementChild;
    return (tail?.textContent ?? '').includes(marker) || (tail?.previousElementSibling?.textContent ?? '').includes(marker);
  };
  addEventListener('message', () => { if (!stopped) state.messages++; });
  channel.port1.onmessage = () => { if (!state.markerAt && shown()) state.markerAt = performance.timeOrigin + performance.now(); };
  const loop = (ts) => {
    if (stopped) return;
    state.frames.push(performance.timeOrigin + ts);
    if (marker !== null && !state.markerAt) channel.port2.postMessage(0);
    requestAnimationFrame(loop);
  };
  requestAnimationFrame(loop);
  let observer;
  try {
    observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        const scripts = (entry.scripts ?? []).map((s) => ({
          url: (s.sourceURL || '').split('/').slice(-2).join('/'), fn: s.sourceFunctionName || '', invoker: s.invoker || '', type: s.invokerType || '',
          duration: s.duration, forced: s.forcedStyleAndLayoutDuration,
        }));
        const forced = scripts.reduce((n, s) => n + s.forced, 0);
        const start = performance.timeOrigin + entry.startTime;
        state.loaf.push({
          start, duration: entry.duration, forced, blocking: entry.blockingDuration ?? 0,
          // Where the frame's time went after its scripts: style and layout, then paint (until its end).
          renderStart: entry.renderStart ? performance.timeOrigin + entry.renderStart - start : 0,
          styleStart: entry.styleAndLayoutStart ? performance.timeOrigin + entry.styleAndLayoutStart - start : 0,
          scripts,
        });
      }
    });
    observer.observe({ type: 'long-animation-frame', buffered: false });
  } catch {}
  state.stop = () => { stopped = true; observer?.disconnect(); channel.port1.close(); };
  window.__bench = state;
}`;

interface LoafScript { url: string; fn: string; invoker: string; type: string; duration: number; forced: number }
/** A long animation frame as the observer reported it (times in epoch ms; renderStart/styleStart from its start, 0 if none). */
interface LongFrame { start: number; duration: number; forced: number; blocking: number; renderStart: number; styleStart: number; scripts: LoafScript[] }
interface Collected { frames: number[]; markerAt: number; messages: number; loaf: LongFrame[]; sync: { epoch: number } }

/** Stops the instrumentation and returns what it saw; `console.timeStamp` marks the moment in a trace, to align its clock. */
const COLLECT = `(() => { const s = window.__bench; s.stop(); const epoch = performance.timeOrigin + performance.now(); console.timeStamp('fastrouter-bench-sync'); return { frames: s.frames, markerAt: s.markerAt, messages: s.messages, loaf: s.loaf, sync: { epoch } }; })()`;

/** One long frame gap, described: when in the stream, and what the main thread did in it. */
export interface GapNote {
  frame: 'webview' | 'workbench';
  /** From the simulator's first byte (request received), ms. */
  at: number;
  phase: string;
  gapMs: number;
  /** The long animation frames (either frame's observer) inside the gap: duration, scripts (source, invoker, ms), forced layout. */
  loaf: string;
  /** From the trace (FASTROUTER_BENCH_TRACE=1): the main thread's tasks in the gap, their time by event, GC. */
  trace: string;
  gcMs: number;
}

function gaps(frames: number[], from: number, to: number): number[] {
  const inside = frames.filter((t) => t >= from && t <= to);
  const out: number[] = [];
  for (let i = 1; i < inside.length; i++) out.push(inside[i]! - inside[i - 1]!);
  return out;
}

/** The intervals between frames inside [from, to] as [start, end] pairs. */
function gapSpans(frames: number[], from: number, to: number): Array<[number, number]> {
  const inside = frames.filter((t) => t >= from && t <= to);
  const out: Array<[number, number]> = [];
  for (let i = 1; i < inside.length; i++) out.push([inside[i - 1]!, inside[i]!]);
  return out;
}

/** The longest main-thread task in [from, to] (epoch ms) by CPU time, and the longest by wall time; zeros without a trace. */
function longestTask(trace: TraceEvent[] | undefined, inChat: Collected, from: number, to: number): { longestTaskCpuMs: number; longestTaskMs: number } {
  const offset = trace ? traceOffset(trace, inChat) : undefined;
  if (!trace || offset === undefined) return { longestTaskCpuMs: 0, longestTaskMs: 0 };
  const tasks = mainThreadEvents(trace).filter((e) => isTask(e) && e.ts / 1000 + offset >= from && e.ts / 1000 + offset <= to);
  return {
    longestTaskCpuMs: Math.max(0, ...tasks.map((e) => (e.tdur ?? 0) / 1000)),
    longestTaskMs: Math.max(0, ...tasks.map((e) => e.dur! / 1000)),
  };
}

/** Trace µs → epoch ms: the offset, from the console.timeStamp the collection made. */
function traceOffset(trace: TraceEvent[], inChat: Collected): number | undefined {
  const sync = trace.filter((e) => e.name === 'TimeStamp' && e.args?.data?.message === 'fastrouter-bench-sync').sort((a, b) => a.ts - b.ts)[0];
  return sync ? inChat.sync.epoch - sync.ts / 1000 : undefined;
}

const isGc = (name: string) => /GC|Scavenge|MarkCompact|Sweep/i.test(name);

/** A function call named by its script's file and function (an event without a script by its name). */
function eventLabel(e: TraceEvent): string {
  const data = e.args?.data;
  if ((e.name === 'FunctionCall' || e.name === 'EvaluateScript') && data?.url) return `${data.url.split('/').pop()!.split('?')[0]}:${data.functionName || '(anon)'}`;
  if (e.name === 'EventDispatch' && data?.type) return `Event:${data.type}`;
  if (e.name === 'TimerFire' || e.name === 'FireAnimationFrame') return e.name;
  return e.name;
}

function describeLoaf(tag: string, l: LongFrame): string {
  const script = l.scripts.reduce((n, x) => n + x.duration, 0);
  const top = [...l.scripts].sort((a, b) => b.duration - a.duration).slice(0, 3)
    .map((x) => `${x.invoker || x.type}${x.url ? ` @${x.url}${x.fn ? `:${x.fn}` : ''}` : ''} ${x.duration.toFixed(0)}${x.forced > 1 ? ` (forced ${x.forced.toFixed(0)})` : ''}`);
  const render = l.renderStart > 0 ? `, render ${(l.duration - l.renderStart).toFixed(0)}` : '';
  return `${tag} LoAF ${l.duration.toFixed(0)} ms (scripts ${script.toFixed(0)}${render}${l.forced > 1 ? `, forced layout ${l.forced.toFixed(0)}` : ''})${top.length ? `: ${top.join('; ')}` : ''}`;
}

/** The frame gaps over NOTE_GAP_MS in either frame during [from, to], each with what the observers and the trace saw in it. */
function describeGaps(input: { inChat: Collected; inWorkbench: Collected; from: number; to: number; lastByte: number; trace: TraceEvent[] | undefined }): GapNote[] {
  const { inChat, inWorkbench, from, to, lastByte, trace } = input;
  const main = trace ? mainThreadEvents(trace) : [];
  const offset = trace ? traceOffset(trace, inChat) : undefined;
  const stream = lastByte - from;
  const notes: GapNote[] = [];
  for (const [frame, collected] of [['webview', inChat], ['workbench', inWorkbench]] as const) {
    for (const [a, b] of gapSpans(collected.frames, from, to)) {
      if (b - a <= NOTE_GAP_MS) continue;
      const at = a - from;
      const phase = a >= lastByte ? `end (+${(a - lastByte).toFixed(0)} after last byte)` : at < 0.1 * stream ? 'start' : `mid (${((100 * at) / stream).toFixed(0)}%)`;
      const overlaps = (l: LongFrame) => l.start < b && l.start + l.duration > a;
      const loaf = [...inChat.loaf.filter(overlaps).map((l) => describeLoaf('webview', l)), ...inWorkbench.loaf.filter(overlaps).map((l) => describeLoaf('workbench', l))].join(' | ');
      let traceText = '';
      let gcMs = 0;
      if (offset !== undefined) {
        const lo = (a - offset) * 1000;
        const hi = (b - offset) * 1000;
        const inside = main.filter((e) => e.ts < hi && e.ts + e.dur! > lo);
        const tasks = inside.filter((e) => isTask(e) && e.dur! > 8000).sort((x, y) => y.dur! - x.dur!).slice(0, 3);
        traceText = tasks.map((task) => {
          const within = main.filter((e) => e.ts >= task.ts && e.ts + e.dur! <= task.ts + task.dur!);
          const self = [...selfTimes(within, eventLabel).entries()].filter(([n]) => !TASK_NAMES.has(n)).sort((x, y) => y[1] - x[1]).slice(0, 5);
          const cpu = task.tdur === undefined ? '' : ` (cpu ${(task.tdur / 1000).toFixed(0)})`;
          return `task ${(task.dur! / 1000).toFixed(0)}${cpu} ms at +${(task.ts / 1000 + offset - from).toFixed(0)}: ${self.map(([n, us]) => `${n} ${(us / 1000).toFixed(0)}`).join(', ')}`;
        }).join(' | ');
        for (const [name, us] of selfTimes(inside)) if (isGc(name)) gcMs += us / 1000;
      }
      notes.push({ frame, at, phase, gapMs: b - a, loaf: loaf || '(no long animation frame reported)', trace: traceText, gcMs });
    }
  }
  return notes.sort((x, y) => y.gapMs - x.gapMs);
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function metrics(cdp: CDPSession): Promise<Record<string, number>> {
  const { metrics: list } = await cdp.send('Performance.getMetrics');
  return Object.fromEntries(list.map((m) => [m.name, m.value]));
}

/**
 * FASTROUTER_BENCH_PROFILE=DIR: a CPU profile and a timeline trace of the renderer for each round, saved in DIR, with
 * the main thread's time by event (layout, paint, style…) and the JS functions with the most self time printed.
 */
async function startProfile(cdp: CDPSession): Promise<{ stop(name: string): Promise<TraceEvent[]> }> {
  const dir = process.env.FASTROUTER_BENCH_PROFILE!;
  fs.mkdirSync(dir, { recursive: true });
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 500 });
  await cdp.send('Profiler.start');
  const trace = await startTrace(cdp);
  return {
    async stop(name) {
      const { profile } = await cdp.send('Profiler.stop');
      const events = await trace.stop();
      fs.writeFileSync(path.join(dir, `${name}.cpuprofile`), JSON.stringify(profile));
      fs.writeFileSync(path.join(dir, `${name}.trace.json`), JSON.stringify(events));
      console.log(`  profile ${name}:\n${summarizeProfile(profile, events)}`);
      return events;
    },
  };
}

/** Categories of the timeline trace: tasks, scripts, style, layout, paint, and V8's GC events. */
const TRACE_CATEGORIES = ['devtools.timeline', 'toplevel', 'v8', 'v8.gc', 'blink.user_timing', '__metadata'];

/** A timeline trace of the browser (FASTROUTER_BENCH_TRACE=1, or with the profile): what each long gap was. */
async function startTrace(cdp: CDPSession): Promise<{ stop(): Promise<TraceEvent[]> }> {
  await cdp.send('Tracing.start', { traceConfig: { includedCategories: TRACE_CATEGORIES }, transferMode: 'ReturnAsStream' });
  return {
    async stop() {
      const done = new Promise<string>((resolve) => cdp.once('Tracing.tracingComplete', (e) => resolve(e.stream!)));
      await cdp.send('Tracing.end');
      const handle = await done;
      let text = '';
      for (;;) {
        const chunk = await cdp.send('IO.read', { handle, size: 1 << 20 });
        text += chunk.base64Encoded ? Buffer.from(chunk.data, 'base64').toString('utf8') : chunk.data;
        if (chunk.eof) break;
      }
      await cdp.send('IO.close', { handle });
      const parsed = JSON.parse(text) as { traceEvents: TraceEvent[] } | TraceEvent[];
      return Array.isArray(parsed) ? parsed : parsed.traceEvents;
    },
  };
}

interface TraceEvent {
  name: string; ph: string; ts: number; dur?: number; pid: number; tid: number; cat?: string;
  /** Thread (CPU) time, µs: less than dur when the thread was preempted (a busy machine). */
  tdur?: number;
  args?: { name?: string; data?: { url?: string; functionName?: string; type?: string; message?: string; lineNumber?: number } };
}
interface CpuProfile { nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }>; samples?: number[]; timeDeltas?: number[] }

/** A top-level task of a thread (its name differs between Chromium versions). */
const TASK_NAMES = new Set(['RunTask', 'ThreadControllerImpl::RunTask']);
const isTask = (e: TraceEvent) => TASK_NAMES.has(e.name);

/** The busiest renderer main thread (the workbench's, which the webview shares, or the webview's own): its complete events, in order. */
function mainThreadEvents(events: TraceEvent[]): TraceEvent[] {
  const mains = events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  const busy = (m: TraceEvent) => events.filter((e) => e.pid === m.pid && e.tid === m.tid && e.ph === 'X' && isTask(e)).reduce((n, e) => n + (e.dur ?? 0), 0);
  const main = mains.sort((a, b) => busy(b) - busy(a))[0];
  if (!main) return [];
  return events.filter((e) => e.pid === main.pid && e.tid === main.tid && e.ph === 'X' && e.dur !== undefined).sort((a, b) => a.ts - b.ts || b.dur! - a.dur!);
}

/**
 * Self time per event name (an event's duration less that of the events nested directly in it), of `list` (one
 * thread's complete events in order); `label` can name an event more precisely (a function call by its script).
 */
function selfTimes(list: TraceEvent[], label: (e: TraceEvent) => string = (e) => e.name): Map<string, number> {
  const byName = new Map<string, number>();
  const stack: Array<{ e: TraceEvent; child: number }> = [];
  const close = (until: number) => {
    while (stack.length > 0 && stack.at(-1)!.e.ts + stack.at(-1)!.e.dur! <= until) {
      const top = stack.pop()!;
      const key = label(top.e);
      byName.set(key, (byName.get(key) ?? 0) + top.e.dur! - top.child);
      if (stack.length > 0) stack.at(-1)!.child += top.e.dur!;
    }
  };
  for (const e of list) {
    close(e.ts);
    stack.push({ e, child: 0 });
  }
  close(Number.POSITIVE_INFINITY);
  return byName;
}

function summarizeProfile(profile: CpuProfile, events: TraceEvent[]): string {
  const byName = selfTimes(mainThreadEvents(events));
  const events10 = [...byName.entries()].sort((a, b) => b[1] - a[1]).slice(0, 14).map(([n, us]) => `${n} ${(us / 1000).toFixed(0)}`).join(', ');
  const self = new Map<number, number>();
  (profile.samples ?? []).forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas?.[i] ?? 0)));
  const byFunction = new Map<string, number>();
  for (const node of profile.nodes) {
    const us = self.get(node.id) ?? 0;
    if (us === 0) continue;
    const f = node.callFrame;
    const key = `${f.functionName || '(anonymous)'} ${f.url.split('/').slice(-2).join('/')}:${f.lineNumber}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
  }
  const functions = [...byFunction.entries()].sort((a, b) => b[1] - a[1]).slice(0, 25).map(([n, us]) => `      ${(us / 1000).toFixed(0).padStart(6)} ms  ${n}`).join('\n');
  return `    main thread self time by event (ms): ${events10}\n    JS self time by function:\n${functions}`;
}

async function send(frame: Frame, text: string): Promise<void> {
  const composer = frame.locator('textarea#composer-input');
  await composer.click();
  await composer.fill(text);
  await composer.press('Enter');
}

async function runRound(variant: Variant, round: number, deltaCount: number): Promise<WorkbenchRound> {
  const { page, sim } = variant.session;
  const chat = variant.chat;
  // Each round in a new chat, so every round streams into the same document.
  await runCommand(page, 'FastRouter: New Chat');
  await waitFor('an empty chat', async () => (await chat.locator('.turn').count()) === 0, 30_000);
  const { deltas, marker } = answerDeltas(round, deltaCount);
  sim.enqueue({ text: deltas, deltaDelayMs: DELTA_DELAY_MS, cost: 0.05 });
  await chat.evaluate(`(${INSTRUMENT})(${JSON.stringify(marker)})`);
  await page.mainFrame().evaluate(`(${INSTRUMENT})(null)`);
  const profiling = process.env.FASTROUTER_BENCH_PROFILE ? await startProfile(variant.cdp) : undefined;
  const tracing = !profiling && process.env.FASTROUTER_BENCH_TRACE ? await startTrace(variant.cdp) : undefined;
  const before = await metrics(variant.cdp);
  const requestsBefore = sim.requests.length;
  await send(chat, `Explain the parser in detail (round ${round}).`);
  await waitFor('the simulator to finish the answer', async () => sim.requests[requestsBefore]?.completedAt, 120_000, 100);
  await waitFor('the answer to be shown', async () => chat.evaluate('window.__bench.markerAt > 0') as Promise<boolean>, 120_000, 100);
  await chat.locator('.turn[data-role="assistant"][data-status="done"]').waitFor({ state: 'attached', timeout: 60_000 });
  const after = await metrics(variant.cdp);
  const inChat = await chat.evaluate(COLLECT) as Collected;
  const inWorkbench = await page.mainFrame().evaluate(COLLECT) as Collected;
  let trace: TraceEvent[] | undefined;
  if (profiling) trace = await profiling.stop(`${variant.name}-${round}`);
  if (tracing) {
    trace = await tracing.stop();
    const dir = process.env.FASTROUTER_BENCH_TRACE!;
    if (dir !== '1') {
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, `${variant.name}-${round}.trace.json`), JSON.stringify(trace));
    }
  }
  const request = sim.requests[requestsBefore]!;
  const from = request.receivedAt;
  const to = inChat.markerAt;
  const chatGaps = gaps(inChat.frames, from, to);
  // Chromium reports long animation frames to the local root (the workbench's frame), with the webview's scripts in them.
  const long = (inChat.loaf.length > 0 ? inChat.loaf : inWorkbench.loaf).filter((l) => l.start >= from && l.start <= to);
  const d = (name: string) => (after[name] ?? 0) - (before[name] ?? 0);
  return {
    variant: variant.name,
    streamMs: request.completedAt! - request.receivedAt,
    endLagMs: inChat.markerAt - request.completedAt!,
    maxGapMs: Math.max(0, ...chatGaps),
    p95GapMs: percentile(chatGaps, 95),
    gapsOver100: chatGaps.filter((g) => g > 100).length,
    frames: chatGaps.length + 1,
    workbenchMaxGapMs: Math.max(0, ...gaps(inWorkbench.frames, from, to)),
    longFrames: long.length,
    longFramesMs: long.reduce((n, l) => n + l.duration, 0),
    forcedLayoutMs: long.reduce((n, l) => n + l.forced, 0),
    taskMs: d('TaskDuration') * 1000,
    threadCpuMs: d('ThreadTime') * 1000,
    processCpuMs: d('ProcessTime') * 1000,
    ...longestTask(trace, inChat, from, to),
    scriptMs: d('ScriptDuration') * 1000,
    layoutMs: d('LayoutDuration') * 1000,
    recalcStyleMs: d('RecalcStyleDuration') * 1000,
    layoutCount: d('LayoutCount'),
    recalcStyleCount: d('RecalcStyleCount'),
    messages: inChat.messages,
    ownProcess: variant.ownProcess,
    notes: describeGaps({ inChat, inWorkbench, from, to, lastByte: request.completedAt!, trace }),
  };
}

export async function benchWorkbench(options: { rounds?: number; deltas?: number; base?: string } = {}): Promise<WorkbenchBenchResult> {
  const rounds = options.rounds ?? 3;
  const deltaCount = options.deltas ?? DELTAS;
  const base = options.base ?? process.env.FASTROUTER_BENCH_BASE ?? 'main';
  if (!fs.existsSync(path.join(REPO_ROOT, 'dist', 'extension.js'))) throw new Error('build first: npm run build');
  // `--base none`: the candidate alone (to look at its frames quickly; no ratios).
  const baseDir = base === 'none' ? undefined : buildBaseline(base);
  const variants: Variant[] = [];
  const results: WorkbenchRound[] = [];
  const loadBefore = os.loadavg();
  try {
    if (baseDir) variants.push(await startVariant('baseline', baseDir));
    variants.push(await startVariant('candidate', REPO_ROOT));
    for (let round = 0; round < rounds; round++) {
      // ABAB, then BABA, so neither always goes first.
      const order = round % 2 === 0 ? variants : [...variants].reverse();
      for (const variant of order) {
        const result = await runRound(variant, round, deltaCount);
        results.push(result);
        console.log(`  ${variant.name.padEnd(9)} round ${round + 1}: end lag ${result.endLagMs.toFixed(0)} ms, max gap ${result.maxGapMs.toFixed(0)} ms, `
          + `stream ${result.streamMs.toFixed(0)} ms, load ${os.loadavg()[0]!.toFixed(2)}`);
      }
    }
  } finally {
    for (const variant of variants) await variant.session.close();
    if (baseDir) removeBaseline(baseDir);
  }
  return { answerChars: ANSWER_CHARS, deltas: deltaCount, base, rounds: results, loadBefore, loadAfter: os.loadavg() };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function formatWorkbenchBench(result: WorkbenchBenchResult): string {
  const fields: Array<[keyof WorkbenchRound, string]> = [
    ['endLagMs', 'end lag (last byte → last text shown), ms'],
    ['maxGapMs', 'longest frame gap in the webview, ms'],
    ['p95GapMs', 'p95 frame gap, ms'],
    ['gapsOver100', 'frame gaps over 100 ms'],
    ['workbenchMaxGapMs', 'longest frame gap in the workbench, ms'],
    ['longFrames', 'long animation frames (>50 ms)'],
    ['longFramesMs', 'their total, ms'],
    ['forcedLayoutMs', 'forced style+layout in them, ms'],
    ['taskMs', 'renderer main-thread task time, ms'],
    ['threadCpuMs', 'renderer main-thread CPU time, ms'],
    ['processCpuMs', 'renderer process CPU time, ms'],
    ['longestTaskMs', 'longest main-thread task (trace), ms'],
    ['longestTaskCpuMs', '  its CPU time (the longest by CPU), ms'],
    ['scriptMs', '  script, ms'],
    ['layoutMs', '  layout, ms'],
    ['recalcStyleMs', '  recalc style, ms'],
    ['layoutCount', '  layouts'],
    ['recalcStyleCount', '  style recalcs'],
    ['messages', 'messages the webview received'],
    ['streamMs', 'stream duration (first → last byte), ms'],
  ];
  const by = (name: string) => result.rounds.filter((r) => r.variant === name);
  const base = by('baseline');
  const cand = by('candidate');
  const lines = [
    `workbench: ${result.answerChars} chars in ${result.deltas} deltas, in code-server; baseline ${result.base} vs this build, `
      + `${cand.length} rounds each interleaved; medians; load ${result.loadBefore[0]!.toFixed(2)} → ${result.loadAfter[0]!.toFixed(2)}`
      + `${cand[0]?.ownProcess === false ? ' (the webview shares the workbench renderer: its metrics include the workbench)' : ''}`,
    `  ${'figure'.padEnd(48)} ${'baseline'.padStart(9)} ${'candidate'.padStart(9)} ${'cand/base'.padStart(9)}`,
  ];
  // Leave out rows Chromium did not fill.
  const anyLong = result.rounds.some((r) => r.longFrames > 0);
  for (const [key, label] of fields) {
    if (!anyLong && (key === 'longFrames' || key === 'longFramesMs' || key === 'forcedLayoutMs')) continue;
    if (!result.rounds.some((r) => r.longestTaskMs > 0) && (key === 'longestTaskMs' || key === 'longestTaskCpuMs')) continue;
    const b = median(base.map((r) => r[key] as number));
    const c = median(cand.map((r) => r[key] as number));
    lines.push(`  ${label.padEnd(48)} ${b.toFixed(0).padStart(9)} ${c.toFixed(0).padStart(9)} ${(b === 0 ? '-' : (c / b).toFixed(2)).padStart(9)}`);
  }
  lines.push(`  frame gaps over ${NOTE_GAP_MS} ms, worst first (at: from the first byte; LoAF: long animation frames in the gap; task: the trace, FASTROUTER_BENCH_TRACE=1):`);
  for (const name of ['baseline', 'candidate']) {
    const notes = by(name).flatMap((r, i) => r.notes.map((n) => ({ ...n, round: i + 1 }))).sort((x, y) => y.gapMs - x.gapMs).slice(0, 8);
    if (notes.length === 0) lines.push(`    ${name}: none`);
    for (const n of notes) {
      lines.push(`    ${name} r${n.round} ${n.frame.padEnd(9)} ${n.gapMs.toFixed(0).padStart(4)} ms at +${n.at.toFixed(0)} ms, ${n.phase}${n.gcMs > 0.5 ? `, GC ${n.gcMs.toFixed(0)} ms` : ''}`);
      lines.push(`      ${n.loaf}`);
      if (n.trace) lines.push(`      ${n.trace}`);
    }
  }
  return lines.join('\n');
}
