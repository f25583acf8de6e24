// Benchmark: our MessagesClient against @anthropic-ai/sdk's messages.stream(), both reading the same 20,000-delta SSE
// stream from the local simulator, interleaved in one process. Prints numbers only; there is no pass/fail.
import Anthropic from '@anthropic-ai/sdk';
import { MessagesClient, type MessageCreateParams } from '../src/api';
import { longAnswerDeltas, startSimulator, type Simulator } from '../test/support/simulator';

export interface ClientBenchOptions {
  deltas?: number;
  warmups?: number;
  rounds?: number;
  log?: (line: string) => void;
}

export interface ClientBenchResult {
  deltas: number;
  events: number;
  streamBytes: number;
  oursMs: number[];
  sdkMs: number[];
  oursMedianMs: number;
  sdkMedianMs: number;
  oursEventsPerSecond: number;
  sdkEventsPerSecond: number;
  /** Median time of ours divided by median time of the SDK: below 1.0 means ours is faster. */
  ratio: number;
}

const KEY = 'bench-key';
const request: MessageCreateParams = {
  model: 'anthropic/claude-sonnet-4-20250514',
  max_tokens: 64_000,
  messages: [{ role: 'user', content: 'Write a very long answer.' }],
};

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Records the stream once, so every run (ours and the SDK's) gets byte-identical input with no generation cost. */
async function recordStream(sim: Simulator, deltas: number): Promise<string> {
  sim.enqueue({ text: longAnswerDeltas(deltas), costIn: 'both' });
  const res = await fetch(`${sim.url}/v1/messages`, {
    method: 'POST',
    headers: { 'x-api-key': KEY, 'content-type': 'application/json' },
    body: JSON.stringify({ ...request, stream: true }),
  });
  if (res.status !== 200) throw new Error(`recording the benchmark stream failed: HTTP ${res.status}`);
  return res.text();
}

async function runOurs(client: MessagesClient): Promise<{ ms: number; events: number; text: number }> {
  const started = performance.now();
  const stream = client.stream(request);
  let events = 0;
  // The SDK's iterator skips pings; count the same events for both.
  for await (const event of stream) if (event.type !== 'ping') events++;
  const message = await stream.finalMessage();
  const ms = performance.now() - started;
  const text = message.content.reduce((n, block) => n + (block.type === 'text' ? block.text.length : 0), 0);
  return { ms, events, text };
}

async function runSdk(client: Anthropic): Promise<{ ms: number; events: number; text: number }> {
  const started = performance.now();
  const stream = client.messages.stream(request as Anthropic.MessageStreamParams);
  let events = 0;
  for await (const _event of stream) events++;
  const message = await stream.finalMessage();
  const ms = performance.now() - started;
  const text = message.content.reduce((n, block) => n + (block.type === 'text' ? block.text.length : 0), 0);
  return { ms, events, text };
}

export async function benchClient(options: ClientBenchOptions = {}): Promise<ClientBenchResult> {
  const deltas = options.deltas ?? 20_000;
  const warmups = options.warmups ?? 3;
  const rounds = options.rounds ?? 7;
  const log = options.log ?? ((line: string) => console.log(line));
  const sim = await startSimulator({ apiKeys: [KEY] });
  try {
    const transcript = await recordStream(sim, deltas);
    const expectedText = longAnswerDeltas(deltas).join('').length;
    const ours = new MessagesClient({ apiKey: KEY, baseUrl: sim.url, maxRetries: 0 });
    const sdk = new Anthropic({ apiKey: KEY, baseURL: sim.url, maxRetries: 0 });
    const serve = () => sim.enqueue({ rawBody: transcript });
    const check = (who: string, run: { events: number; text: number }) => {
      // A benchmark of a client that dropped data would be meaningless.
      if (run.text !== expectedText) throw new Error(`${who} produced ${run.text} characters of text, expected ${expectedText}`);
    };

    log(`client benchmark: ${deltas.toLocaleString('en-US')} text deltas, ${(Buffer.byteLength(transcript) / 1024 / 1024).toFixed(2)} MB of SSE, ` +
      `${warmups} warm-up + ${rounds} interleaved rounds (Node ${process.version})`);
    for (let i = 0; i < warmups; i++) {
      serve(); check('ours', await runOurs(ours));
      serve(); check('sdk', await runSdk(sdk));
    }
    const oursMs: number[] = [];
    const sdkMs: number[] = [];
    let events = 0;
    for (let round = 0; round < rounds; round++) {
      // Alternate who goes first so neither always runs on a freshly collected heap.
      const order = round % 2 === 0 ? ['ours', 'sdk'] as const : ['sdk', 'ours'] as const;
      const times: Record<string, number> = {};
      for (const who of order) {
        serve();
        const run = who === 'ours' ? await runOurs(ours) : await runSdk(sdk);
        check(who, run);
        times[who] = run.ms;
        if (events !== 0 && run.events !== events) throw new Error(`${who} saw ${run.events} events, expected ${events}`);
        events = run.events;
      }
      oursMs.push(times.ours);
      sdkMs.push(times.sdk);
      log(`  round ${round + 1}: ours ${times.ours.toFixed(1)} ms · sdk ${times.sdk.toFixed(1)} ms`);
    }
    const oursMedianMs = median(oursMs);
    const sdkMedianMs = median(sdkMs);
    const result: ClientBenchResult = {
      deltas, events, streamBytes: Buffer.byteLength(transcript), oursMs, sdkMs, oursMedianMs, sdkMedianMs,
      oursEventsPerSecond: events / (oursMedianMs / 1000),
      sdkEventsPerSecond: events / (sdkMedianMs / 1000),
      ratio: oursMedianMs / sdkMedianMs,
    };
    const rate = (n: number) => `${Math.round(n).toLocaleString('en-US')} events/s`;
    log(`  ours (MessagesClient, every event validated): median ${oursMedianMs.toFixed(1)} ms  ${rate(result.oursEventsPerSecond)}`);
    log(`  @anthropic-ai/sdk messages.stream():          median ${sdkMedianMs.toFixed(1)} ms  ${rate(result.sdkEventsPerSecond)}`);
    log(`  time ratio ours/sdk: ${result.ratio.toFixed(3)} (${result.ratio <= 1 ? 'ours is as fast or faster' : 'ours is slower'})`);
    return result;
  } finally {
    await sim.close();
  }
}
