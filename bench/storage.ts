// What durability costs a save (issue 16 §4), and what a save while an answer streams costs the extension host (§7).
// 1. A save's wall time with fsync (data before the rename, the folder after) against the same store without, for a
//    small chat and the 4,000-turn one, interleaved rounds, medians (the real ConversationStore on this disk).
// 2. What a save while an answer streams costs the extension host on the 4,000-turn chat: the event loop's busy time
//    (performance.eventLoopUtilization, so the store's own reads, parses and writes count, not only the call) per
//    save, the whole chat rewritten (what every save did before the journal, and what a save that names no changed
//    exchange still does) against the streaming exchange appended to the journal, interleaved, medians.
// Numbers only; no pass/fail.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { ConversationData, Exchange } from '../src/core/conversation/conversation';
import { ConversationStore } from '../src/core/conversation/conversationStore';
import type { BenchRunOptions } from './run';

export interface StorageBenchResult {
  rounds: number;
  sizes: Array<{ name: string; bytes: number; durableMs: number; plainMs: number }>;
  streaming: { bytes: number; wholeMs: number; appendMs: number; appendBytes: number; wholeWallMs: number; appendWallMs: number };
}

/** A chat of `exchanges` questions with answers of prose, code and one tool call (as the long-chat render bench). */
export function benchChat(id: string, exchanges: number): ConversationData {
  const list: Exchange[] = [];
  for (let i = 0; i < exchanges; i++) {
    const text = `The function \`parse${i}\` reads the input line by line. ${'It emits a token at each delimiter and keeps the longest match. '.repeat(8)}\n\n\`\`\`typescript\nexport function parse${i}(input: string): Token[] {\n  return input.split('\\n').filter((l) => l.trim() !== '').map((text) => ({ kind: 'line', text }));\n}\n\`\`\`\n`;
    list.push({
      user: { id: `u${i}`, role: 'user', text: `Question ${i}: why does parse${i} skip blank lines? ${'More context. '.repeat(10)}`, context: [], images: [] },
      answer: {
        id: `a${i}`,
        status: 'done',
        messages: [
          { content: [{ type: 'text', text }, { type: 'tool_use', id: `tu${i}`, name: 'read_file', input: { path: `src/parse${i}.ts` } }], complete: true, stopReason: 'tool_use', toolResults: [{ toolUseId: `tu${i}`, content: 'export const line = 1;\n'.repeat(40), state: 'done', summary: `Read src/parse${i}.ts:1–40` }] },
          { content: [{ type: 'text', text: `So blank lines are skipped first. ${'The rest follows from the rules table. '.repeat(6)}` }], complete: true, stopReason: 'end_turn' },
        ],
      },
      askedAt: 1_700_000_000_000 + i * 60_000,
      updatedAt: 1_700_000_000_000 + i * 60_000 + 5_000,
    } as unknown as Exchange);
  }
  return { version: 1, id, title: 'Bench chat', createdAt: 1_700_000_000_000, updatedAt: 1_700_000_000_000 + exchanges * 60_000, exchanges: list };
}

/** The chat with its last answer streaming: a fresh live copy of that exchange, as each streaming save makes. */
function streamingCopy(data: ConversationData, round: number): ConversationData {
  const last = data.exchanges.at(-1)!;
  const live = { ...last, answer: { ...last.answer, status: 'streaming' as const, messages: [{ content: [{ type: 'text', text: 'Streaming… '.repeat(50 + round) }], complete: false }] }, updatedAt: Date.now() + round } as unknown as Exchange;
  return { ...data, exchanges: [...data.exchanges.slice(0, -1), live] };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

export async function benchStorage(options: BenchRunOptions = {}): Promise<StorageBenchResult> {
  const rounds = options.rounds ?? 9;
  const root = mkdtempSync(path.join(tmpdir(), 'fr-bench-storage-'));
  try {
    const sizes: StorageBenchResult['sizes'] = [];
    for (const [name, exchanges] of [['small chat (10 exchanges)', 10], ['4,000-turn chat', 2000]] as const) {
      const data = benchChat('bench', exchanges);
      const durable = new ConversationStore(path.join(root, `durable-${exchanges}`), () => {}, {}, { durable: true });
      const plain = new ConversationStore(path.join(root, `plain-${exchanges}`), () => {}, {}, { durable: false });
      await durable.save(data);
      await plain.save(data);
      const d: number[] = [];
      const p: number[] = [];
      for (let i = 0; i < rounds; i++) {
        for (const [store, out] of [[durable, d], [plain, p]] as const) {
          const copy = streamingCopy(data, i);
          const started = performance.now();
          await store.save(copy);
          out.push(performance.now() - started);
        }
      }
      sizes.push({ name, bytes: JSON.stringify(data).length, durableMs: median(d), plainMs: median(p) });
    }
    // The host's busy time per streaming save: the whole chat rewritten vs. the streaming exchange appended.
    const data = benchChat('stream', 2000);
    const wholeStore = new ConversationStore(path.join(root, 'whole'), () => {}, {}, { durable: true });
    const journalStore = new ConversationStore(path.join(root, 'journal'), () => {}, {}, { durable: true });
    await wholeStore.save(data);
    await journalStore.save(data);
    const busy = { whole: [] as number[], append: [] as number[] };
    const wall = { whole: [] as number[], append: [] as number[] };
    let appendBytes = 0;
    const changed = [data.exchanges.at(-1)!.answer.id];
    for (let i = 0; i < rounds * 2; i++) {
      for (const kind of ['whole', 'append'] as const) {
        const copy = streamingCopy(data, i);
        const elu = performance.eventLoopUtilization();
        const started = performance.now();
        const result = kind === 'whole' ? await wholeStore.save(copy) : await journalStore.save(copy, { changed });
        wall[kind].push(performance.now() - started);
        busy[kind].push(performance.eventLoopUtilization(elu).active);
        if (kind === 'append') {
          if (!result.appended) throw new Error('the streaming save was not appended');
          appendBytes = result.size;
        }
      }
    }
    return {
      rounds,
      sizes,
      streaming: { bytes: JSON.stringify(data).length, wholeMs: median(busy.whole), appendMs: median(busy.append), appendBytes, wholeWallMs: median(wall.whole), appendWallMs: median(wall.append) },
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

export function formatStorageBench(r: StorageBenchResult): string {
  return [
    `Storage: a save's wall time with and without fsync (data before the rename, folder after), median of ${r.rounds} interleaved rounds`,
    ...r.sizes.map((s) => `  ${s.name.padEnd(26)} ${(s.bytes / 1e6).toFixed(2).padStart(5)} MB | fsync ${s.durableMs.toFixed(1).padStart(6)} ms | no fsync ${s.plainMs.toFixed(1).padStart(6)} ms | +${(s.durableMs - s.plainMs).toFixed(1)} ms`),
    `Save while an answer streams, ${(r.streaming.bytes / 1e6).toFixed(1)} MB chat (4,000 turns), median of ${r.rounds * 2} interleaved rounds: host busy | wall`,
    `  whole chat rewritten (before)   ${r.streaming.wholeMs.toFixed(2).padStart(7)} ms | ${r.streaming.wholeWallMs.toFixed(1).padStart(6)} ms`,
    `  exchange appended (journal)     ${r.streaming.appendMs.toFixed(2).padStart(7)} ms | ${r.streaming.appendWallMs.toFixed(1).padStart(6)} ms  (${(r.streaming.appendBytes / 1000).toFixed(1)} KB written; ${(r.streaming.wholeMs / r.streaming.appendMs).toFixed(0)}× less host time)`,
  ].join('\n');
}

if (require.main === module) {
  benchStorage().then((r) => console.log(formatStorageBench(r)), (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
