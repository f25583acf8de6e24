// The tool loop of the chat controller, end to end without VS Code: the real Messages client streaming from the local
// simulator (which checks the API's tool_use / tool_result pairing), the real store, and a small hand-written
// workspace standing in for the host's tools (the host's real tools are tested in VS Code: test/e2e/suite/tools.test.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ContentBlockParam, type MessageParam } from '../../src/api';
import { NO_TOOLS_RESULT } from '../../src/core/conversation/conversationRequest';
import { ConversationController } from '../../src/core/conversation/conversationController';
import { TOOL_DECLINED } from '../../src/core/conversation/toolLoop';
import { defaultToolPolicy, type ToolPolicy } from '../../src/core/conversation/toolLoop';
import { ConversationStore } from '../../src/core/conversation/conversationStore';
import { buildUserContent } from '../../src/core/request/prompt';
import type { ParsedToolCall } from '../../src/core/tools/definitions';
import { countOccurrences, lineChanges, numberedLines } from '../../src/core/tools/text';
import type { ChatTools, PreparedToolCall, ToolLimits } from '../../src/core/tools/types';
import type { AnswerBlock, AssistantTurn } from '../../src/common/chatTypes';
import { controllerFixture, lastAnswer, until } from '../support/controllerFixture';
import { simulatorRunner } from '../support/simulatorRunner';

const { sim, newController, track } = controllerFixture('chat-tools-');

/** A tiny in-memory workspace behind the tools: enough to see the loop run, ask, apply and refuse. */
class FakeWorkspaceTools implements ChatTools {
  on = true;
  limitsValue: ToolLimits = { autoApproveReadOnly: true, maxRounds: 25, maxCreditsPerQuestion: 0 };
  readonly files = new Map<string, string>([['src/a.ts', 'export const a = 1;\nexport const b = 2;\n'], ['.env', 'KEY=secret\n'], ['.env.local', 'LOCAL=secret\n']]);
  readonly ran: string[] = [];
  readonly released: string[] = [];

  enabled(): boolean {
    return this.on;
  }

  limits(): ToolLimits {
    return this.limitsValue;
  }

  async prepare(call: ParsedToolCall): Promise<PreparedToolCall | { error: string }> {
    switch (call.name) {
      case 'read_file': {
        const { path } = call.input;
        const text = this.files.get(path);
        if (text === undefined) return { error: `The file "${path}" does not exist.` };
        return {
          summary: `Read ${path}`,
          secret: path.startsWith('.env'),
          grantKey: `read_file\u0000${path}`,
          run: async () => {
            this.ran.push(`read ${path}`);
            const read = numberedLines(text, call.input.start_line, call.input.end_line);
            return { content: read.text, summary: `Read ${path}:${read.first}–${read.last}` };
          },
        };
      }
      case 'edit_file': {
        const { path, old_text: oldText, new_text: newText } = call.input;
        const text = this.files.get(path);
        if (text === undefined) return { error: `The file "${path}" does not exist.` };
        const { count } = countOccurrences(text, oldText);
        if (count !== 1) return { error: `old_text occurs ${count} times in ${path}; it must occur exactly once.` };
        return {
          summary: `Edit ${path}`,
          change: { path, ...lineChanges(oldText, newText) },
          run: async () => {
            this.ran.push(`edit ${path}`);
            this.files.set(path, text.replace(oldText, newText));
            return { content: `Edited ${path}.`, summary: `Edited ${path}` };
          },
        };
      }
      case 'search_text':
        throw new Error('the disk is on fire');
      default:
        return { error: `${call.name} is not in this fake` };
    }
  }

  release(id: string): void {
    this.released.push(id);
  }
}

async function setup(options: { dir?: string; tools?: FakeWorkspaceTools; toolPolicy?: ToolPolicy; sources?: (string | undefined)[] } = {}) {
  const tools = options.tools ?? new FakeWorkspaceTools();
  const built = await newController({
    ...(options.dir ? { dir: options.dir } : {}),
    ...(options.sources ? { runner: recordingSources(simulatorRunner(sim.url), options.sources) } : {}),
    tools,
    ...(options.toolPolicy ? { toolPolicy: options.toolPolicy } : {}),
    saveDelayMs: 10,
  });
  return { ...built, tools };
}

/** The runner, noting the cost source each request is booked with. */
function recordingSources(runner: ReturnType<typeof simulatorRunner>, sources: (string | undefined)[]): ReturnType<typeof simulatorRunner> {
  return { run: (input, ...rest) => (sources.push(input.source), runner.run(input, ...rest)) };
}

type ToolBlock = Extract<AnswerBlock, { kind: 'tool_use' }>;
const toolBlocks = (turn: AssistantTurn): ToolBlock[] => turn.blocks.filter((b): b is ToolBlock => b.kind === 'tool_use');
const text = (turn: AssistantTurn): string => turn.blocks.filter((b) => b.kind === 'text').map((b) => b.text).join('');
const requestBody = (i: number) => sim.requests[i].body as { messages: MessageParam[]; tools?: { name: string }[]; tool_choice?: unknown };
const blocksOf = (message: MessageParam): ContentBlockParam[] => (typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : message.content);

test('a read then an answer: the tools go with every request, the result follows the call, all in one chat turn', async () => {
  const { controller, posted } = await setup();
  sim.enqueue({ text: 'Let me look.', toolUse: { id: 'toolu_r1', name: 'read_file', input: { path: 'src/a.ts', start_line: 1, end_line: 1 } } }, { text: 'It exports a.' });
  await controller.ask({ text: 'What does a.ts export?' });

  assert.equal(sim.requests.length, 2);
  for (const i of [0, 1]) {
    assert.deepEqual(requestBody(i).tools?.map((t) => t.name), ['read_file', 'list_directory', 'find_files', 'search_text', 'get_diagnostics', 'edit_file', 'create_file', 'run_command']);
  }
  const second = requestBody(1).messages;
  assert.deepEqual(second.map((m) => m.role), ['user', 'assistant', 'user']);
  assert.deepEqual(blocksOf(second[1]).map((b) => b.type), ['text', 'tool_use']);
  assert.deepEqual(blocksOf(second[2]), [{ type: 'tool_result', tool_use_id: 'toolu_r1', content: '1\texport const a = 1;' }]);

  const turns = controller.turns();
  assert.equal(turns.length, 2, 'one question, one answer turn');
  const answer = lastAnswer(controller);
  assert.equal(answer.status, 'done');
  assert.equal(text(answer), 'Let me look.It exports a.');
  const [row] = toolBlocks(answer);
  assert.equal(row.state, 'done');
  assert.equal(row.summary, 'Read src/a.ts:1–1');
  assert.equal(row.result, '1\texport const a = 1;');
  // The row was shown running, then done, through block messages (no full re-render).
  const states = posted.flatMap((m) => (m.type === 'block' && m.value.kind === 'tool_use' ? [m.value.state] : []));
  assert.deepEqual(states, [undefined, 'pending', 'running', 'done']);
  assert.equal(posted.filter((m) => m.type === 'turnEnded').length, 1);
});

test('parallel calls run in order and all their results go back in ONE user message, in the calls\' order', async () => {
  const { controller, tools } = await setup();
  tools.files.set('b.md', '# B\n');
  sim.enqueue(
    { toolUses: [{ id: 'toolu_1', name: 'read_file', input: { path: 'b.md' } }, { id: 'toolu_2', name: 'read_file', input: { path: 'src/a.ts' } }, { id: 'toolu_3', name: 'read_file', input: { path: 'missing.ts' } }] },
    { text: 'Done.' },
  );
  await controller.ask({ text: 'Read them' });
  assert.deepEqual(tools.ran, ['read b.md', 'read src/a.ts']);
  const results = blocksOf(requestBody(1).messages[2]);
  assert.deepEqual(results.map((b) => (b.type === 'tool_result' ? [b.tool_use_id, b.is_error ?? false] : b.type)), [['toolu_1', false], ['toolu_2', false], ['toolu_3', true]]);
  assert.match(String((results[2] as { content: string }).content), /does not exist/);
  assert.deepEqual(tools.released, ['toolu_1', 'toolu_2', 'toolu_3']);
});

test('bad input, an unknown tool and a tool that throws become is_error results; the turn goes on', async () => {
  const { controller } = await setup();
  sim.enqueue(
    { toolUses: [{ id: 'toolu_bad', name: 'read_file', input: { start_line: 0 } }, { id: 'toolu_unk', name: 'rm_rf', input: {} }, { id: 'toolu_thr', name: 'search_text', input: { query: 'x' } }] },
    { text: 'Sorry.' },
  );
  await controller.ask({ text: 'Go' });
  const results = blocksOf(requestBody(1).messages[2]) as { tool_use_id: string; content: string; is_error?: boolean }[];
  assert.ok(results.every((r) => r.is_error === true));
  assert.match(results[0].content, /^Invalid input for read_file: path: .*; start_line: lines start at 1\.$/);
  assert.match(results[1].content, /Unknown tool "rm_rf"\. Available tools: read_file, list_directory/);
  assert.equal(results[2].content, 'search_text failed: the disk is on fire');
  const answer = lastAnswer(controller);
  assert.equal(answer.status, 'done');
  assert.deepEqual(toolBlocks(answer).map((b) => b.state), ['error', 'error', 'error']);
});

test('an edit waits for Apply on its card, then runs; the row says applied', async () => {
  const { controller, tools, posted } = await setup();
  sim.enqueue({ toolUse: { id: 'toolu_e', name: 'edit_file', input: { path: 'src/a.ts', old_text: 'const a = 1;', new_text: 'const a = 10;\n// ten' } } }, { text: 'Changed.' });
  const asked = controller.ask({ text: 'Make a ten' });
  await until(() => controller.pendingApprovals.includes('toolu_e'), 'the approval card');
  const card = toolBlocks(lastAnswer(controller))[0];
  assert.equal(card.state, 'approval');
  assert.deepEqual(card.change, { path: 'src/a.ts', added: 2, removed: 1 });
  assert.deepEqual(tools.ran, [], 'nothing runs before Apply');
  assert.equal(sim.requests.length, 1);
  controller.decideTool(lastAnswer(controller).id, 'toolu_e', 'apply');
  await asked;
  assert.equal(tools.files.get('src/a.ts'), 'export const a = 10;\n// ten\nexport const b = 2;\n');
  assert.deepEqual(blocksOf(requestBody(1).messages[2]), [{ type: 'tool_result', tool_use_id: 'toolu_e', content: 'Edited src/a.ts.' }]);
  assert.equal(toolBlocks(lastAnswer(controller))[0].state, 'applied');
  assert.ok(posted.some((m) => m.type === 'block' && m.value.kind === 'tool_use' && m.value.state === 'approval'));
});

test('Reject leaves the file alone and sends an is_error result saying the user declined', async () => {
  const { controller, tools } = await setup();
  const before = tools.files.get('src/a.ts');
  sim.enqueue({ toolUse: { id: 'toolu_e', name: 'edit_file', input: { path: 'src/a.ts', old_text: 'const b = 2;', new_text: 'const b = 3;' } } }, { text: 'OK, left it.' });
  const asked = controller.ask({ text: 'Change b' });
  await until(() => controller.pendingApprovals.length === 1, 'the approval card');
  controller.decideTool(lastAnswer(controller).id, 'toolu_e', 'reject');
  await asked;
  assert.equal(tools.files.get('src/a.ts'), before);
  assert.deepEqual(blocksOf(requestBody(1).messages[2]), [{ type: 'tool_result', tool_use_id: 'toolu_e', content: TOOL_DECLINED.change, is_error: true }]);
  assert.equal(toolBlocks(lastAnswer(controller))[0].state, 'rejected');
});

test('a file that looks secret asks even for a read; a read-only tool asks when autoApproveReadOnly is off', async () => {
  const { controller, tools } = await setup();
  sim.enqueue({ toolUse: { id: 'toolu_s', name: 'read_file', input: { path: '.env' } } }, { text: 'Fine.' });
  const asked = controller.ask({ text: 'Read .env' });
  await until(() => controller.pendingApprovals.includes('toolu_s'), 'the card for .env');
  assert.match(toolBlocks(lastAnswer(controller))[0].reason ?? '', /secrets/);
  controller.decideTool(lastAnswer(controller).id, 'toolu_s', 'reject');
  await asked;
  assert.deepEqual(tools.ran, []);
  assert.equal((blocksOf(requestBody(1).messages[2])[0] as { content: string }).content, TOOL_DECLINED.read);

  tools.limitsValue = { ...tools.limitsValue, autoApproveReadOnly: false };
  sim.enqueue({ toolUse: { id: 'toolu_p', name: 'read_file', input: { path: 'src/a.ts' } } }, { text: 'Read.' });
  const second = controller.ask({ text: 'Read a.ts' });
  await until(() => controller.pendingApprovals.includes('toolu_p'), 'the card for a plain read');
  controller.decideTool(lastAnswer(controller).id, 'toolu_p', 'apply');
  await second;
  assert.deepEqual(tools.ran, ['read src/a.ts']);
  assert.equal(toolBlocks(lastAnswer(controller))[0].state, 'done');
});

test('Allow for this chat: the same secret file is read unasked later in this chat only; another file, a new chat and edits ask', async () => {
  const { controller, tools } = await setup();
  sim.enqueue({ toolUse: { id: 'toolu_g1', name: 'read_file', input: { path: '.env' } } }, { text: 'Read it.' });
  const first = controller.ask({ text: 'Read .env' });
  await until(() => controller.pendingApprovals.includes('toolu_g1'), 'the card for .env');
  controller.decideTool(lastAnswer(controller).id, 'toolu_g1', 'allowForChat');
  await first;
  assert.deepEqual(tools.ran, ['read .env']);

  // The same file again (another range): no card. Another secret file: a card (denied: the model hears it was declined).
  sim.enqueue({ toolUse: { id: 'toolu_g2', name: 'read_file', input: { path: '.env', start_line: 1, end_line: 1 } } }, { toolUse: { id: 'toolu_g3', name: 'read_file', input: { path: '.env.local' } } }, { text: 'Done.' });
  const second = controller.ask({ text: 'Again, and .env.local' });
  await until(() => controller.pendingApprovals.includes('toolu_g3'), 'the card for .env.local');
  assert.deepEqual(tools.ran, ['read .env', 'read .env']);
  controller.decideTool(lastAnswer(controller).id, 'toolu_g3', 'reject');
  await second;
  assert.deepEqual(tools.ran, ['read .env', 'read .env']);
  const declined = sim.requests.at(-1)!.body as { messages: MessageParam[] };
  assert.deepEqual(blocksOf(declined.messages.at(-1)!), [{ type: 'tool_result', tool_use_id: 'toolu_g3', content: TOOL_DECLINED.read, is_error: true }]);

  // A new chat asks again for the file allowed in the first one.
  await controller.newChat();
  sim.enqueue({ toolUse: { id: 'toolu_g4', name: 'read_file', input: { path: '.env' } } }, { text: 'Read.' });
  const third = controller.ask({ text: 'Read .env here' });
  await until(() => controller.pendingApprovals.includes('toolu_g4'), 'the card for .env in a new chat');
  controller.decideTool(lastAnswer(controller).id, 'toolu_g4', 'apply');
  await third;

  // "Allow for this chat" on an edit (not offered there) applies it once and is not remembered.
  sim.enqueue({ toolUse: { id: 'toolu_g5', name: 'edit_file', input: { path: 'src/a.ts', old_text: 'const b = 2;', new_text: 'const b = 3;' } } }, { toolUse: { id: 'toolu_g6', name: 'edit_file', input: { path: 'src/a.ts', old_text: 'const b = 3;', new_text: 'const b = 4;' } } }, { text: 'Edited.' });
  const fourth = controller.ask({ text: 'Edit twice' });
  await until(() => controller.pendingApprovals.includes('toolu_g5'), 'the first edit card');
  controller.decideTool(lastAnswer(controller).id, 'toolu_g5', 'allowForChat');
  await until(() => controller.pendingApprovals.includes('toolu_g6'), 'the second edit card: edits are never remembered');
  controller.decideTool(lastAnswer(controller).id, 'toolu_g6', 'reject');
  await fourth;
  assert.match(tools.files.get('src/a.ts') ?? '', /const b = 3;/);
});

test('Stop while a card waits: the call is declined as stopped, and the next question is a valid request', async () => {
  const { controller, tools } = await setup();
  sim.enqueue({ toolUses: [
    { id: 'toolu_e', name: 'edit_file', input: { path: 'src/a.ts', old_text: 'const b = 2;', new_text: 'const b = 3;' } },
    { id: 'toolu_after', name: 'read_file', input: { path: 'src/a.ts' } },
  ] });
  const asked = controller.ask({ text: 'Change b' });
  await until(() => controller.pendingApprovals.length === 1, 'the approval card');
  controller.stop();
  await asked;
  const answer = lastAnswer(controller);
  assert.equal(answer.status, 'stopped');
  assert.deepEqual(toolBlocks(answer).map((b) => b.state), ['rejected', 'error']);
  assert.deepEqual(tools.ran, [], 'neither call ran');
  assert.equal(sim.requests.length, 1);

  sim.enqueue({ text: 'Sure.' });
  await controller.ask({ text: 'Never mind' });
  assert.equal(sim.requests[1].status, 200, 'the simulator accepted the repaired history');
  const messages = requestBody(1).messages;
  assert.deepEqual(messages.map((m) => m.role), ['user', 'assistant', 'user']);
  const results = blocksOf(messages[2]);
  assert.deepEqual(results.slice(0, 2).map((b) => (b as { tool_use_id: string }).tool_use_id), ['toolu_e', 'toolu_after']);
  assert.equal((results[0] as { content: string }).content, TOOL_DECLINED.stopped);
  assert.deepEqual(results[2], { type: 'text', text: 'Never mind' });
});

test('a loop cut by a window reload is repaired: the next question sends a result for every saved tool_use', async () => {
  const { controller, dir } = await setup();
  sim.enqueue({ toolUse: { id: 'toolu_e', name: 'edit_file', input: { path: 'src/a.ts', old_text: 'const b = 2;', new_text: 'const b = 3;' } } });
  void controller.ask({ text: 'Change b' });
  await until(() => controller.pendingApprovals.length === 1, 'the approval card');
  // Saved while the card waits, as a reload would find it: the call has no result yet.
  const id = controller.conversation.id;
  await until(async () => JSON.stringify((await new ConversationStore(dir).load(id)) ?? {}).includes('toolu_e'), 'the streaming save');
  const reloaded = new ConversationController({
    runner: simulatorRunner(sim.url),
    store: new ConversationStore(dir),
    userContent: buildUserContent,
    post: () => {},
    model: () => 'sim-model',
    prefillAllowed: () => true,
    log: () => {},
    tools: new FakeWorkspaceTools(),
    saveDelayMs: 10,
    // Later than the stale limit: the first window is gone.
    now: () => Date.now() + 60_000,
  });
  track(reloaded);
  await reloaded.ready;
  assert.equal(lastAnswer(reloaded).status, 'interrupted');
  sim.enqueue({ text: 'Hello again.' });
  await reloaded.ask({ text: 'Where were we?' });
  assert.equal(sim.requests[1].status, 200);
  const results = blocksOf(requestBody(1).messages[2]);
  assert.deepEqual(results[0], { type: 'tool_result', tool_use_id: 'toolu_e', content: NO_TOOLS_RESULT, is_error: true });
});

test('maxRounds pauses the loop with a notice; Continue sends the saved results and goes on in the same turn', async () => {
  const tools = new FakeWorkspaceTools();
  tools.limitsValue = { ...tools.limitsValue, maxRounds: 2 };
  const { controller, posted } = await setup({ tools });
  const read = (id: string) => ({ toolUse: { id, name: 'read_file', input: { path: 'src/a.ts' } } });
  sim.enqueue(read('toolu_1'), read('toolu_2'), { text: 'Finally.' });
  await controller.ask({ text: 'Dig' });
  assert.equal(sim.requests.length, 2, 'no third request before Continue');
  const paused = lastAnswer(controller);
  assert.equal(paused.status, 'done');
  assert.match(paused.paused ?? '', /Paused after 2 rounds of tool use \(fastrouter\.tools\.maxRounds is 2\)/);
  assert.ok(posted.some((m) => m.type === 'turnEnded' && m.paused === paused.paused));

  await controller.continue(paused.id);
  assert.equal(sim.requests.length, 3);
  const messages = requestBody(2).messages;
  assert.deepEqual(messages.map((m) => m.role), ['user', 'assistant', 'user', 'assistant', 'user']);
  assert.equal((blocksOf(messages[4])[0] as { tool_use_id: string }).tool_use_id, 'toolu_2');
  const answer = lastAnswer(controller);
  assert.equal(answer.paused, undefined);
  assert.equal(text(answer), 'Finally.');
  assert.equal(toolBlocks(answer).length, 2);
  assert.equal(controller.turns().length, 2);
});

test('the tool policy is the seam: a pause rule added to it pauses the loop, an approval rule makes a read ask', async () => {
  const seen: number[] = [];
  const toolPolicy: ToolPolicy = {
    // A rule a later feature (loop detection, checkpoints) would add: here, pause after the first round.
    pauseRules: [...defaultToolPolicy.pauseRules, ({ rounds }) => (seen.push(rounds), rounds >= 1 ? 'Paused by the test rule.' : undefined)],
    approval: (call, prepared, limits) => (call.name === 'read_file' ? { ask: true, reason: 'The test asks.' } : defaultToolPolicy.approval(call, prepared, limits)),
  };
  const { controller } = await setup({ toolPolicy });
  const read = (id: string) => ({ toolUse: { id, name: 'read_file', input: { path: 'src/a.ts' } } });
  sim.enqueue(read('toolu_1'), read('toolu_2'), { text: 'Never sent.' });
  const asked = controller.ask({ text: 'Dig' });
  await until(() => controller.pendingApprovals.length === 1, 'the card the test rule asks for');
  const card = toolBlocks(lastAnswer(controller))[0];
  assert.equal(card.state, 'approval');
  assert.equal(card.reason, 'The test asks.');
  controller.decideTool(lastAnswer(controller).id, 'toolu_1', 'apply');
  await asked;
  assert.equal(sim.requests.length, 1, 'the rule paused the loop before the next request');
  assert.deepEqual(seen, [1]);
  assert.equal(lastAnswer(controller).paused, 'Paused by the test rule.');
});

test('maxCreditsPerQuestion pauses once the billed cost of the question reaches it', async () => {
  const tools = new FakeWorkspaceTools();
  tools.limitsValue = { ...tools.limitsValue, maxCreditsPerQuestion: 0.8 };
  const { controller } = await setup({ tools });
  const read = (id: string) => ({ toolUse: { id, name: 'read_file', input: { path: 'src/a.ts' } }, cost: 0.5 });
  sim.enqueue(read('toolu_1'), read('toolu_2'), read('toolu_3'));
  await controller.ask({ text: 'Dig' });
  assert.equal(sim.requests.length, 2);
  assert.match(lastAnswer(controller).paused ?? '', /this question has cost 1 credits \(fastrouter\.tools\.maxCreditsPerQuestion is 0\.8\)/);
  const meta = lastAnswer(controller).meta;
  assert.deepEqual(meta?.cost, { kind: 'billed', credits: 1 });
});

test('pause_turn continues by itself: the paused message goes back as the last assistant message', async () => {
  const { controller } = await setup();
  sim.enqueue({ text: 'Half of it', stopReason: 'pause_turn' }, { text: ' and the rest.' });
  await controller.ask({ text: 'Long job' });
  assert.equal(sim.requests.length, 2);
  const messages = requestBody(1).messages;
  assert.deepEqual(messages.map((m) => m.role), ['user', 'assistant']);
  assert.deepEqual(blocksOf(messages[1]), [{ type: 'text', text: 'Half of it' }]);
  assert.equal(text(lastAnswer(controller)), 'Half of it and the rest.');
  assert.equal(lastAnswer(controller).status, 'done');
});

test('pause_turn continuations count toward maxRounds: 30 pause_turn answers in a row stop after 3 requests', async () => {
  const tools = new FakeWorkspaceTools();
  tools.limitsValue = { ...tools.limitsValue, maxRounds: 3 };
  const { controller } = await setup({ tools });
  sim.enqueue(...Array.from({ length: 30 }, (_, i) => ({ text: `part ${i} `, stopReason: 'pause_turn' })));
  await controller.ask({ text: 'Long job' });
  assert.equal(sim.requests.length, 3);
  assert.match(lastAnswer(controller).paused ?? '', /Paused after 3 rounds .*maxRounds is 3/);
  // Continue goes on from the paused message.
  await controller.continue(lastAnswer(controller).id);
  assert.equal(sim.requests.length, 6);
});

test('pause_turn continuations count toward maxCreditsPerQuestion', async () => {
  const tools = new FakeWorkspaceTools();
  tools.limitsValue = { ...tools.limitsValue, maxCreditsPerQuestion: 0.05 };
  const { controller } = await setup({ tools });
  sim.enqueue(...Array.from({ length: 30 }, (_, i) => ({ text: `part ${i} `, stopReason: 'pause_turn', cost: 0.02 })));
  await controller.ask({ text: 'Long job' });
  assert.equal(sim.requests.length, 3, '0.02 + 0.02 + 0.02 reaches 0.05');
  assert.match(lastAnswer(controller).paused ?? '', /this question has cost 0\.06 credits/);
  assert.deepEqual(lastAnswer(controller).meta?.cost, { kind: 'billed', credits: 0.06 });
});

test('requests that carry tool results are booked as tool rounds (the cost view\'s "tool round"); the question as chat', async () => {
  const sources: (string | undefined)[] = [];
  const { controller } = await setup({ sources });
  sim.enqueue({ toolUse: { id: 'toolu_1', name: 'read_file', input: { path: 'src/a.ts' } } }, { toolUse: { id: 'toolu_2', name: 'read_file', input: { path: 'src/a.ts' } } }, { text: 'Done.' });
  await controller.ask({ text: 'Dig' });
  assert.deepEqual(sources, [undefined, 'tool', 'tool']);
});

test('Retry after an error mid-loop resends the failed request with the finished rounds: no round repeated or paid twice', async () => {
  const { controller, tools } = await setup();
  sim.enqueue({ toolUse: { id: 'toolu_1', name: 'read_file', input: { path: 'src/a.ts' } }, cost: 0.5 }, { status: 529, errorType: 'overloaded_error' }, { text: 'Done after the retry.', cost: 0.25 });
  await controller.ask({ text: 'Dig' });
  const failed = lastAnswer(controller);
  assert.equal(failed.status, 'error');
  assert.equal(tools.ran.length, 1);
  await controller.retry(failed.id);
  assert.equal(sim.requests.length, 3);
  const resent = requestBody(2).messages;
  assert.deepEqual(resent.map((m) => m.role), ['user', 'assistant', 'user'], 'the request that failed, with round 1');
  assert.equal((blocksOf(resent[2])[0] as { tool_use_id: string }).tool_use_id, 'toolu_1');
  assert.deepEqual(requestBody(2), requestBody(1), 'exactly the request that failed');
  const answer = lastAnswer(controller);
  assert.equal(answer.status, 'done');
  assert.equal(tools.ran.length, 1, 'the finished round is not run again');
  assert.equal(toolBlocks(answer).length, 1, 'the answer keeps its round once');
  assert.equal(text(answer), 'Done after the retry.');
  assert.deepEqual(answer.meta?.cost, { kind: 'billed', credits: 0.75 }, 'round 1 paid once');
});

test('thinking blocks go back unchanged (with their signatures) within the loop', async () => {
  const { controller } = await setup();
  sim.enqueue({ thinking: 'I should read a.ts first.', toolUse: { id: 'toolu_t', name: 'read_file', input: { path: 'src/a.ts' } } }, { text: 'Read it.' });
  await controller.ask({ text: 'Think, then read' });
  const assistant = blocksOf(requestBody(1).messages[1]);
  assert.equal(assistant[0].type, 'thinking');
  const thinking = assistant[0] as { thinking: string; signature: string };
  assert.equal(thinking.thinking, 'I should read a.ts first.');
  assert.ok(thinking.signature.length > 10);
});

test('tools off: nothing is offered; tool calls in the history go with the definitions and tool_choice none', async () => {
  const tools = new FakeWorkspaceTools();
  const { controller } = await setup({ tools });
  tools.on = false;
  sim.enqueue({ text: 'Plain.' });
  await controller.ask({ text: 'Hi' });
  assert.equal(requestBody(0).tools, undefined);

  tools.on = true;
  tools.limitsValue = { ...tools.limitsValue, maxRounds: 1 };
  sim.enqueue({ toolUse: { id: 'toolu_x', name: 'read_file', input: { path: 'src/a.ts' } } });
  await controller.ask({ text: 'Read' });
  tools.on = false;
  sim.enqueue({ text: 'No tools now.' });
  await controller.ask({ text: 'And now?' });
  const body = requestBody(2);
  assert.deepEqual(body.tool_choice, { type: 'none' });
  assert.equal(body.tools?.length, 8);
  // The paused round's saved result (not a "not run" repair) answers the call.
  const results = blocksOf(body.messages[4]);
  assert.equal((results[0] as { content: string }).content, '1\texport const a = 1;\n2\texport const b = 2;');
});

test('the conversation keeps calls, results and decisions across a reload', async () => {
  const { controller, dir } = await setup();
  sim.enqueue({ toolUse: { id: 'toolu_e', name: 'edit_file', input: { path: 'src/a.ts', old_text: 'const b = 2;', new_text: 'const b = 3;' } } }, { text: 'Done.' });
  const asked = controller.ask({ text: 'Change b' });
  await until(() => controller.pendingApprovals.length === 1, 'the card');
  controller.decideTool(lastAnswer(controller).id, 'toolu_e', 'apply');
  await asked;
  await controller.idle();
  const again = await setup({ dir });
  const [row] = toolBlocks(lastAnswer(again.controller));
  assert.equal(row.state, 'applied');
  assert.equal(row.summary, 'Edited src/a.ts');
  assert.deepEqual(row.change, { path: 'src/a.ts', added: 1, removed: 1 });
  assert.match(again.controller.exportMarkdown(), /Edited src\/a\.ts.*applied/i);
  assert.equal(again.controller.exportMarkdown().match(/\+1 −1/g)?.length, 1, 'the export writes the change count once');
});

test('several edits in one round wait together: decided in any order, run in the model\'s order (Apply All / Reject All)', async () => {
  const { controller, tools } = await setup();
  tools.files.set('src/b.ts', 'export const c = 3;\n');
  sim.enqueue(
    {
      toolUses: [
        { id: 'toolu_1', name: 'edit_file', input: { path: 'src/a.ts', old_text: 'const a = 1;', new_text: 'const a = 10;' } },
        { id: 'toolu_2', name: 'edit_file', input: { path: 'src/b.ts', old_text: 'const c = 3;', new_text: 'const c = 30;' } },
        // Only there once the first edit is applied: prepared again in its turn.
        { id: 'toolu_3', name: 'edit_file', input: { path: 'src/a.ts', old_text: 'const a = 10;', new_text: 'const a = 100;' } },
      ],
    },
    { text: 'Done.' },
  );
  const asked = controller.ask({ text: 'Change them' });
  await until(() => controller.pendingApprovals.length === 2, 'two cards waiting at once');
  assert.deepEqual(toolBlocks(lastAnswer(controller)).map((b) => b.state), ['approval', 'approval', 'pending']);
  // The second card first: nothing runs until the first is decided.
  controller.decideTool(lastAnswer(controller).id, 'toolu_2', 'reject');
  assert.deepEqual(tools.ran, []);
  controller.decideTool(lastAnswer(controller).id, 'toolu_1', 'apply');
  await until(() => controller.pendingApprovals.includes('toolu_3'), 'the third card, prepared after the first edit');
  controller.decideTool(lastAnswer(controller).id, 'toolu_3', 'apply');
  await asked;
  assert.equal(tools.files.get('src/a.ts'), 'export const a = 100;\nexport const b = 2;\n');
  assert.equal(tools.files.get('src/b.ts'), 'export const c = 3;\n', 'rejected');
  assert.deepEqual(toolBlocks(lastAnswer(controller)).map((b) => b.state), ['applied', 'rejected', 'applied']);
  assert.deepEqual(blocksOf(requestBody(1).messages[2]).map((b) => (b as { tool_use_id: string }).tool_use_id), ['toolu_1', 'toolu_2', 'toolu_3'], 'results in the calls\' order');
});

test('loop detection: the same call (same tool, same input) a third time in one question pauses with a notice; Continue goes on', async () => {
  const { controller, posted } = await setup();
  const read = (id: string, input: Record<string, unknown>) => ({ toolUse: { id, name: 'read_file', input } });
  sim.enqueue(
    read('toolu_1', { path: 'src/a.ts', startLine: 1 }),
    read('toolu_2', { path: 'src/b.ts' }),
    // The same input with its keys in another order is the same call.
    read('toolu_3', { startLine: 1, path: 'src/a.ts' }),
    read('toolu_4', { path: 'src/a.ts', startLine: 1 }),
    { text: 'Done at last.' },
  );
  await controller.ask({ text: 'Dig' });
  assert.equal(sim.requests.length, 4, 'no request after the third identical call');
  const paused = lastAnswer(controller);
  assert.match(paused.paused ?? '', /^Claude asked for the same thing three times \(Reading src\/a\.ts.*\): paused so it does not go round in circles\. Continue goes on\.$/);
  assert.ok(posted.some((m) => m.type === 'turnEnded' && m.paused === paused.paused));
  await controller.continue(paused.id);
  assert.equal(sim.requests.length, 5, 'Continue sends the results and goes on');
  assert.equal(lastAnswer(controller).paused, undefined);
  assert.equal(text(lastAnswer(controller)), 'Done at last.');
});

test('loop detection counts only identical calls: the same tool with other inputs goes on', async () => {
  const { controller } = await setup();
  sim.enqueue(
    ...[1, 2, 3, 4].map((n) => ({ toolUse: { id: `toolu_${n}`, name: 'read_file', input: { path: `src/f${n}.ts` } } })),
    { text: 'Read them all.' },
  );
  await controller.ask({ text: 'Read four files' });
  assert.equal(sim.requests.length, 5);
  assert.equal(lastAnswer(controller).paused, undefined);
});
