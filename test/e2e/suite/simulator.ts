// What the in-host suites share: the extension id, and the local simulator's control surface over HTTP
// (the simulator runs in the test runner's process; these suites run inside the extension host).
import * as assert from 'node:assert/strict';

export const EXTENSION_ID = 'fastrouter-chat.fastrouter-chat';
export const SIM = process.env.FASTROUTER_SIM_URL ?? '';

/** GET `pathname` without a body, POST it as JSON with one; asserts a 200 and returns the parsed answer. */
export async function simCall(pathname: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${SIM}${pathname}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  assert.equal(response.status, 200, `${pathname} answered`);
  const text = await response.text();
  return text ? JSON.parse(text) : undefined;
}

/** Queues scenarios: each next /messages request consumes one. */
export const enqueue = (...scenarios: unknown[]): Promise<unknown> => simCall('/__sim/enqueue', scenarios);
/** The requests the simulator recorded, oldest first. */
export const simRequests = async <T>(): Promise<T[]> => (await simCall('/__sim/requests')) as T[];
/** Clears the queue and the recorded requests. */
export const resetSim = (): Promise<unknown> => simCall('/__sim/reset', {});

/** Polls `probe` until it gives a truthy value, or fails naming `what`. */
export async function until<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 30_000, everyMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
