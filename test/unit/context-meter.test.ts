// The context meter against the simulator: a scripted session with tool rounds, where before each question the meter's
// figure (plus the question as the webview adds it) is compared with the simulator's own count of that request's input.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { anchoredRunner, contextUsage, type ContextAnchor } from '../../src/core/context/contextMeter';
import { ConversationController } from '../../src/core/conversation/conversationController';
import { ConversationStore } from '../../src/core/conversation/conversationStore';
import { buildUserContent } from '../../src/core/request/prompt';
import { toolDefinitions, type ParsedToolCall } from '../../src/core/tools/definitions';
import type { ChatTools, PreparedToolCall, ToolLimits } from '../../src/core/tools/types';
import { estimateTextTokens } from '../../src/common/tokenCount';
import { startSimulator, type Simulator } from '../support/simulator';
import { simulatorRunner } from '../support/simulatorRunner';

let sim: Simulator;
let dir: string;
before(async () => {
  sim = await startSimulator({ defaultDelayMs: 0 });
  dir = await mkdtemp(join(tmpdir(), 'context-meter-'));
});
after(async () => {
  await sim.close();
  await rm(dir, { recursive: true, force: true });
});

/** read_file over generated files: big results, as a real session's tool rounds have. */
class GeneratedFiles implements ChatTools {
  enabled(): boolean {
    return true;
  }
  limits(): ToolLimits {
    return { autoApproveReadOnly: true, maxRounds: 25, maxCreditsPerQuestion: 0 };
  }
  async prepare(call: ParsedToolCall): Promise<PreparedToolCall | { error: string }> {
    if (call.name !== 'read_file') return { error: 'only read_file here' };
    const path = call.input.path;
    const text = Array.from({ length: 60 }, (_, i) => `${i + 1}: export function ${path.replace(/\W/g, '_')}_${i}(value: number): number { return value * ${i}; } // line ${i}`).join('\n');
    return { summary: `Read ${path}`, run: async () => ({ content: text, summary: `Read ${path}` }) };
  }
}

const SYSTEM = 'You are an expert software engineer helping a developer inside their code editor. Answer precisely.';

test('the meter is within ±2% of the simulator\'s count of the next request, through 60 turns with tool rounds', async () => {
  const anchors = new Map<string, ContextAnchor>();
  const counted: number[] = [];
  const simulator = simulatorRunner(sim.url);
  // The simulator's count of each request's input, as the endpoint reports it.
  const inner: typeof simulator = {
    run: async (input, signal, onEvent, options) => {
      const outcome = await simulator.run(input, signal, onEvent, options);
      counted.push(outcome.meta?.inputTokens ?? 0);
      return outcome;
    },
  };
  const runner = anchoredRunner(inner, (id, anchor) => anchors.set(id, anchor), () => controller.conversation.id);
  const controller: ConversationController = new ConversationController({
    runner: { run: (input, signal, onEvent, options) => runner.run({ ...input, system: SYSTEM }, signal, onEvent, options) },
    store: new ConversationStore(dir),
    userContent: buildUserContent,
    post: () => {},
    model: () => 'sim-model',
    prefillAllowed: () => true,
    log: () => {},
    tools: new GeneratedFiles(),
    saveDelayMs: 10,
    previewSettings: () => ({ system: SYSTEM, tools: toolDefinitions(), contextLength: 200_000, anchor: anchors.get(controller.conversation.id) }),
  });
  await controller.ready;
  const errors: number[] = [];
  for (let turn = 0; turn < 60; turn++) {
    const question = `Question ${turn}: what does the function in src/file${turn}.ts do, and ${'why is it written this way? '.repeat(turn % 5)}`;
    if (turn % 3 === 0) sim.enqueue({ toolUse: { name: 'read_file', input: { path: `src/file${turn}.ts` } } }, { text: `It multiplies. ${'Details follow. '.repeat(20 + (turn % 7) * 10)}` });
    else sim.enqueue({ text: `Answer ${turn}. ${'Here is more explanation with code_like_identifiers and numbers 12345. '.repeat(5 + (turn % 11) * 4)}` });
    const base = controller.estimate()!.context!;
    const predicted = base.tokens + Math.ceil(estimateTextTokens(question) * base.calibration);
    const before = counted.length;
    await controller.ask({ text: question });
    const actual = counted[before];
    assert.ok(actual > 0, 'the simulator counted the request');
    if (turn > 0) errors.push((predicted - actual) / actual);
  }
  controller.dispose();
  const worst = Math.max(...errors.map(Math.abs));
  console.log(`context meter vs simulator: worst error ${(worst * 100).toFixed(2)}% over ${errors.length} turns; last request ${counted.at(-1)} tokens`);
  assert.ok(worst <= 0.02, `within ±2% (worst ${(worst * 100).toFixed(2)}%)`);
});

test('the breakdown names system, tools, conversation, attachments and tool results; without an anchor it is an estimate', () => {
  const usage = contextUsage([
    {
      user: { id: 'u1', role: 'user', text: 'What is this?', context: [{ id: 'c', kind: 'file', languageId: 'ts', path: 'a.ts', text: 'export const a = 1;\n'.repeat(50) }], images: [] },
      answer: { id: 'a1', status: 'done', messages: [
        { complete: true, stopReason: 'tool_use', content: [{ type: 'tool_use', id: 't1', name: 'read_file', input: { path: 'b.ts' } }], toolResults: [{ toolUseId: 't1', content: 'x = 1\n'.repeat(200), state: 'done' }] },
        { complete: true, content: [{ type: 'text', text: 'It defines a.' }] },
      ] },
    },
  ], buildUserContent, { system: SYSTEM, tools: toolDefinitions(), contextLength: 1000 });
  assert.equal(usage.exact, false);
  assert.equal(usage.calibration, 1);
  const b = usage.breakdown;
  assert.ok(b.system > 10 && b.tools > 300 && b.attachments > 100 && b.toolResults > 100 && b.conversation > 5, JSON.stringify(b));
  assert.ok(Math.abs(b.system + b.tools + b.conversation + b.attachments + b.toolResults - usage.tokens) <= 5, 'the parts add up');
  const anchored = contextUsage([], buildUserContent, { system: SYSTEM, contextLength: 1000, anchor: { inputTokens: 150, estimated: 100 } });
  assert.equal(anchored.exact, true);
  assert.equal(anchored.calibration, 1.5);
});
