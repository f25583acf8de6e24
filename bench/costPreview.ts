// The cost preview's price in time: the host's base (requestEstimate) after each answer, for a small chat and one with
// a ~184 KB file attached (issue 8's "Send All" case), against the baseline of estimating the next request once as the
// language model provider does (buildRequest + estimateRequestTokens; the base adds the calibration samples); and the
// webview's per-frame work while typing (previewWithDraft on a short and a 100 KB pasted draft). Medians of interleaved
// rounds. Numbers only; no pass/fail.
import { type Exchange } from '../src/core/conversation/conversation';
import { buildRequest } from '../src/core/conversation/conversationRequest';
import { requestEstimate } from '../src/core/cost/costPreview';
import { buildUserContent } from '../src/core/request/prompt';
import { estimateRequestTokens } from '../src/core/request/tokenEstimate';
import { previewWithDraft } from '../src/common/tokenCount';
import type { BenchRunOptions } from './run';

const SYSTEM = 'You are an expert software engineer helping a developer inside their code editor. Answer precisely.';
const FILE = Array.from({ length: 2300 }, (_, i) => `export function handler${i}(req: Request): Response { return respond(req, ${i}); }`).join('\n');

function conversation(exchanges: number, attachFile: boolean): Exchange[] {
  return Array.from({ length: exchanges }, (_, i) => ({
    user: {
      id: `u${i}`, role: 'user' as const, text: `Question ${i}: why does handler${i} allocate on every call?`, images: [],
      context: attachFile && i === 0 ? [{ id: 'f', kind: 'file' as const, languageId: 'typescript', path: 'src/handlers.ts', text: FILE }] : [],
    },
    answer: {
      id: `a${i}`, status: 'done' as const,
      messages: [{ content: [{ type: 'text' as const, text: `Because it builds a new closure each time. `.repeat(40), citations: null }], complete: true }],
      meta: { model: 'm', inputTokens: 1000 * (i + 1), outputTokens: 400, cost: { kind: 'unknown' as const }, durationMs: 1, stopReason: 'end_turn' },
    },
  }));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function time(fn: () => unknown): number {
  const started = performance.now();
  fn();
  return performance.now() - started;
}

export async function benchCostPreview(options: BenchRunOptions = {}): Promise<void> {
  const rounds = options.rounds ?? 15;
  const cases = [
    { name: 'chat of 10 exchanges', exchanges: conversation(10, false) },
    { name: `chat of 20 exchanges with a ${(FILE.length / 1024).toFixed(0)} KB file`, exchanges: conversation(20, true) },
  ];
  console.log(`cost preview (${rounds} interleaved rounds, medians; file ${(FILE.length / 1024).toFixed(0)} KB)`);
  for (const { name, exchanges } of cases) {
    const base: number[] = [];
    const baseline: number[] = [];
    let tokens = 0;
    for (let r = 0; r < rounds; r++) {
      base.push(time(() => (tokens = requestEstimate(exchanges, buildUserContent, { system: SYSTEM, inputCreditsPerToken: 3e-6 }).baseTokens)));
      baseline.push(time(() => {
        const next = buildRequest([...exchanges, { ...exchanges[0], user: { ...exchanges[0].user, context: [], text: '' } }], exchanges.length, 'answer', buildUserContent);
        estimateRequestTokens({ messages: next.messages, system: SYSTEM });
      }));
    }
    const b = median(base);
    const l = median(baseline);
    console.log(`  ${name}: base after an answer ${b.toFixed(2)} ms (≈ ${tokens} tokens) | one request estimate ${l.toFixed(2)} ms | ratio ${(b / l).toFixed(2)}×`);
  }
  const estimate = { baseTokens: 48_000, calibration: 1.1, inputCreditsPerToken: 3e-6 };
  for (const [name, draft] of [['short draft (200 chars)', 'How do I make this faster? '.repeat(8)], ['pasted draft (100 KB)', FILE.slice(0, 100_000)]] as const) {
    const samples: number[] = [];
    for (let r = 0; r < rounds * 10; r++) samples.push(time(() => previewWithDraft(estimate, draft)));
    console.log(`  webview, per frame while typing, ${name}: ${(median(samples) * 1000).toFixed(1)} µs`);
  }
}
