// Issue 16 §6, clear words for a strange endpoint: a 200 "event stream" that is an HTML page (a proxy or captive
// portal) is reported as what it is and not retried; an event over the 32 MB cap is said in the chat's words.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { EventTooLargeError, HtmlInsteadOfStreamError, MessagesClient, StreamEventReader } from '../../src/api';
import { toTurnError } from '../../src/core/request/errors';
import { startSimulator, type Simulator } from '../support/simulator';
import { REQUEST, instantSleep } from './api-helpers';

let sim: Simulator;
before(async () => {
  sim = await startSimulator();
});
after(() => sim.close());

const PORTAL = '\n<!DOCTYPE html>\n<html><head><title>Hotel WiFi — Sign in</title></head><body><form>…</form></body></html>\n';

test('a 200 answer labelled text/event-stream whose body is an HTML page is said as such and sent once, not retried', async () => {
  sim.reset();
  // Three copies queued: a retry would take the next one (and the request count would show it).
  for (let i = 0; i < 3; i++) sim.enqueue({ status: 200, rawBody: PORTAL, contentType: 'text/event-stream' });
  const { sleep, waits } = instantSleep();
  const client = new MessagesClient({ apiKey: 'test-key', baseUrl: sim.url, sleep, random: () => 0 });
  const stream = client.stream(REQUEST);
  const error = await stream.finalMessage().then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof HtmlInsteadOfStreamError, `got ${String(error)}`);
  assert.equal(error.pageTitle, 'Hotel WiFi — Sign in');
  assert.equal(stream.attempts, 1);
  assert.equal(waits.length, 0);
  assert.equal(sim.requests.length, 1);
  const turn = toTurnError(error);
  assert.equal(turn.code, 'html_page');
  assert.match(turn.message, /the endpoint answered with an HTML page \("Hotel WiFi — Sign in"\), not an event stream — a proxy or captive portal\?/i);
  assert.doesNotMatch(turn.message, /network is down/);
});

test('a real event stream that starts with blank lines or a comment is still read', async () => {
  sim.reset();
  sim.enqueue({ text: 'fine', chunkSize: 1 });
  const client = new MessagesClient({ apiKey: 'test-key', baseUrl: sim.url, sleep: instantSleep().sleep });
  const message = await client.stream(REQUEST).finalMessage();
  assert.equal(message.content[0]?.type, 'text');
});

test('an event over the size cap is said in the chat, naming the cap, with the part before it kept', () => {
  const reader = new StreamEventReader({ maxEventChars: 1024 * 1024 });
  const big = `event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"${'y'.repeat(1024 * 1024 + 10)}"}}\n\n`;
  let error: unknown;
  try {
    reader.push(new TextEncoder().encode(big));
  } catch (caught) {
    error = caught;
  }
  assert.ok(error instanceof EventTooLargeError);
  const turn = toTurnError(error);
  assert.equal(turn.code, 'event_too_large');
  assert.match(turn.message, /an event larger than 1 MB; the answer was stopped there\. What came before it is kept\./);
});
