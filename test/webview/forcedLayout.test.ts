// A long streamed answer must not make the webview's own script force a layout (issue 20 §7): every frame the browser
// lays the log out once, and anything our callbacks read after writing a style (a scroll height after the follower's
// floor, say) makes it lay out the whole growing document again inside the callback. In the workbench that cost up to
// 129 ms a frame at the end of a 100,000-character answer. Measured as work, not time: a Chromium timeline trace of
// the stream, in which a forced layout is a Layout (or style recalc) event nested inside a call of our script.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { useHarness, emptySnapshot, type ChatPage } from './harness';
import { LONG_ANSWER, chunks, turnAdded } from './fixtures';

interface TraceEvent { name: string; ph: string; ts: number; dur?: number; pid: number; tid: number; args?: { data?: { url?: string; functionName?: string } } }

/** Streams `parts` from inside the page, one delta message every `intervalMs` (as the host posts them), and waits two frames after the last. */
async function stream(chat: ChatPage, turnId: string, parts: string[], intervalMs: number): Promise<void> {
  await chat.page.evaluate(`(async () => {
    const parts = ${JSON.stringify(parts)};
    const wait = (ms) => new Promise((r) => setTimeout(r, ms));
    for (const text of parts) {
      window.postMessage({ type: 'delta', turnId: ${JSON.stringify(turnId)}, chunks: [{ block: 0, kind: 'text', text }] }, '*');
      await wait(${intervalMs});
    }
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  })()`);
}

/** The page's timeline trace while `run` runs. */
async function traced(chat: ChatPage, run: () => Promise<void>): Promise<TraceEvent[]> {
  const cdp = await chat.page.context().newCDPSession(chat.page);
  const events: TraceEvent[] = [];
  cdp.on('Tracing.dataCollected', (e) => { events.push(...(e.value as unknown as TraceEvent[])); });
  const done = new Promise<void>((resolve) => cdp.once('Tracing.tracingComplete', () => resolve()));
  await cdp.send('Tracing.start', { traceConfig: { includedCategories: ['devtools.timeline', 'v8', '__metadata'] }, transferMode: 'ReportEvents' });
  try {
    await run();
  } finally {
    await cdp.send('Tracing.end');
    await done;
    await cdp.detach();
  }
  return events;
}

/** A JS call of the page's bundle (a frame callback, a ResizeObserver callback, a message handler…). */
function isOurCall(e: TraceEvent): boolean {
  return (e.name === 'FunctionCall' || e.name === 'v8.callFunction') && (e.args?.data?.url ?? '').endsWith('/media/webview.js');
}

/** Layouts and style recalcs that ran inside a call of our script, with the function that made them. */
function forcedInOurScript(events: TraceEvent[]): string[] {
  const complete = events.filter((e) => e.ph === 'X' && e.dur !== undefined);
  const calls = complete.filter(isOurCall);
  const forced: string[] = [];
  for (const e of complete) {
    if (e.name !== 'Layout' && e.name !== 'UpdateLayoutTree') continue;
    const call = calls.find((c) => c.pid === e.pid && c.tid === e.tid && c.ts <= e.ts && e.ts + e.dur! <= c.ts + c.dur!);
    if (call) forced.push(`${e.name} in ${call.args?.data?.functionName || '(anonymous)'}`);
  }
  return forced;
}

describe('chat webview: no forced layout while an answer streams', () => {
  const harness = useHarness({ scrollbars: true });

  test('following a long answer (several screens, code, tables) forces no layout from our script in any frame', async () => {
    const chat = await harness.open(emptySnapshot(), undefined, { width: 360, height: 500 });
    await chat.send(turnAdded('t1', 'Explain the request handling.'));
    const parts = chunks(LONG_ANSWER + LONG_ANSWER, 5, 40);
    const events = await traced(chat, () => stream(chat, 't1', parts, 8));
    // The trace did see our script run and the page lay out (the check can fail).
    assert.ok(events.filter(isOurCall).length > 50, `our script ran in the trace (${events.filter(isOurCall).length} calls)`);
    assert.ok(events.filter((e) => e.name === 'Layout').length > 20, 'the page was laid out while it streamed');
    assert.ok(await chat.page.locator('#messages').evaluate((m) => m.scrollHeight > 3 * m.clientHeight), 'the answer is several screens long');
    assert.ok(await chat.page.locator('#messages').evaluate((m) => m.scrollHeight - m.scrollTop - m.clientHeight <= 1), 'it followed the answer');
    const forced = forcedInOurScript(events);
    assert.equal(forced.length, 0, `forced layouts in our script: ${forced.length} (${[...new Set(forced)].join(', ')})`);
    assert.deepEqual(chat.pageErrors, []);
    await chat.close();
  });
});
