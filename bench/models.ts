// The model list and prompt caching, where they touch the hot paths: reading the cached list at activation (globalState →
// catalog; the only model-list work activate() does), parsing a FastRouter-sized list (once a day, off activation), and
// adding cache breakpoints to a long conversation (once per request). Medians of repeated runs; numbers only.
import '../src/zodConfig';
import { parseModelList } from '../src/api/models';
import type { MessageParam } from '../src/api';
import { cachedModelList, catalogFrom, readCachedModelList } from '../src/core/models/modelList';
import { withPromptCaching } from '../src/core/request/promptCaching';
import { defaultSettings, requestParams } from '../src/core/request/settings';
import { DEFAULT_MODEL_LIST } from '../test/support/simulator';
import type { BenchRunOptions } from './run';

const URL = 'https://api.fastrouter.ai/api/v1/models';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function time(rounds: number, fn: () => unknown): number {
  for (let i = 0; i < Math.min(20, rounds); i++) fn(); // warm-up
  const samples: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const started = performance.now();
    fn();
    samples.push(performance.now() - started);
  }
  return median(samples);
}

/**
 * A list the size of FastRouter's: hundreds of models of many vendors, `claude` of them Claude (ids `anthropic/…`),
 * built from the simulator's entries.
 */
function bigList(entries: number, claude: number): unknown {
  const [sonnet, , gpt] = DEFAULT_MODEL_LIST.data;
  const data = Array.from({ length: entries }, (_, i) =>
    i < claude
      ? { ...sonnet, id: `anthropic/claude-model-${i}`, description: 'A model. '.repeat(40) }
      : { ...gpt, id: `vendor${i % 30}/model-${i}`, description: 'A model. '.repeat(40) },
  );
  return { data };
}

function conversation(turns: number): MessageParam[] {
  const messages: MessageParam[] = [];
  for (let i = 0; i < turns; i++) {
    messages.push({ role: 'user', content: `Question ${i}: what does this do?\n\`\`\`ts\n${'const x = 1;\n'.repeat(40)}\`\`\`` });
    messages.push({ role: 'assistant', content: [{ type: 'text', text: `Answer ${i}. `.repeat(80) }] });
  }
  messages.push({ role: 'user', content: 'And now?' });
  return messages;
}

export async function benchModels(options: BenchRunOptions = {}): Promise<void> {
  const rounds = options.rounds ?? 200;
  const list = bigList(400, 20);
  const parsed = parseModelList(list);
  const stored = JSON.parse(JSON.stringify(cachedModelList(URL, Date.now(), parsed.models)));
  const parseMs = time(Math.max(20, Math.floor(rounds / 4)), () => parseModelList(list));
  const activationMs = time(rounds, () => catalogFrom(readCachedModelList(stored), URL));
  const settings = defaultSettings();
  const rows: string[] = [];
  for (const turns of [1, 50, 200]) {
    const params = requestParams(settings, { messages: conversation(turns) });
    const ms = time(rounds, () => withPromptCaching(params));
    rows.push(`  ${String(turns).padStart(3)} turns (${params.messages.length} messages): ${(ms * 1000).toFixed(1)} µs per request`);
  }
  console.log('Model list and prompt caching (medians)');
  console.log(`  activation: cached list → catalog (${stored.models.length} Claude models): ${(activationMs * 1000).toFixed(1)} µs`);
  console.log(`  parse a ${parsed.models.length}-model list (daily, off activation): ${parseMs.toFixed(2)} ms`);
  console.log('  cache breakpoints (withPromptCaching):');
  for (const row of rows) console.log(row);
}
