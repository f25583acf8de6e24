// The pure reducer: what each event does to the message, that nothing is mutated, that usage is
// overwritten (cost = last value seen), and that out-of-order events are refused.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  MalformedStreamError,
  accumulateEvent,
  isMessageComplete,
  type ContentBlock,
  type Message,
  type MessageDeltaUsage,
  type StreamEvent,
  type Usage,
} from '../../src/api';

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

const start = (usage: Usage = { input_tokens: 10, output_tokens: 1 }): StreamEvent => ({
  type: 'message_start',
  message: { id: 'msg_1', type: 'message', role: 'assistant', model: 'm', content: [], stop_reason: null, stop_sequence: null, usage },
});
const blockStart = (index: number, content_block: ContentBlock): StreamEvent => ({ type: 'content_block_start', index, content_block });
const text = (index: number, t: string): StreamEvent => ({ type: 'content_block_delta', index, delta: { type: 'text_delta', text: t } });
const thinking = (index: number, t: string): StreamEvent => ({ type: 'content_block_delta', index, delta: { type: 'thinking_delta', thinking: t } });
const signature = (index: number, s: string): StreamEvent => ({ type: 'content_block_delta', index, delta: { type: 'signature_delta', signature: s } });
const json = (index: number, partial_json: string): StreamEvent => ({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json } });
const stop = (index: number): StreamEvent => ({ type: 'content_block_stop', index });
const delta = (usage: MessageDeltaUsage, stop_reason = 'end_turn'): StreamEvent => ({ type: 'message_delta', delta: { stop_reason, stop_sequence: null }, usage });
const messageStop: StreamEvent = { type: 'message_stop' };
const TEXT: ContentBlock = { type: 'text', text: '' };
const THINKING: ContentBlock = { type: 'thinking', thinking: '', signature: '' };

/** Runs events through the reducer, freezing every input and every intermediate message first. */
function run(events: StreamEvent[], initial?: Message): Message {
  let message = initial;
  for (const e of events) message = accumulateEvent(message === undefined ? undefined : deepFreeze(message), deepFreeze(e));
  assert.ok(message !== undefined);
  return message;
}

describe('building the message', () => {
  test('text deltas append; stop reason and usage come from message_delta', () => {
    const message = run([start(), blockStart(0, TEXT), text(0, 'Hel'), text(0, 'lo'), stop(0), delta({ output_tokens: 7 }), messageStop]);
    assert.deepEqual(message, {
      id: 'msg_1', type: 'message', role: 'assistant', model: 'm',
      content: [{ type: 'text', text: 'Hello' }],
      stop_reason: 'end_turn', stop_sequence: null,
      usage: { input_tokens: 10, output_tokens: 7 },
    });
    assert.equal(isMessageComplete(message), true);
  });

  test('thinking appends, a signature replaces the previous one, redacted_thinking is kept as sent', () => {
    const message = run([
      start(),
      blockStart(0, THINKING), thinking(0, 'Let me '), thinking(0, 'think.'), signature(0, 'sig-1'), signature(0, 'sig-2'), stop(0),
      blockStart(1, { type: 'redacted_thinking', data: 'opaque==' }), stop(1),
      blockStart(2, TEXT), text(2, 'Answer'), stop(2),
      delta({ output_tokens: 30 }), messageStop,
    ]);
    assert.deepEqual(message.content, [
      { type: 'thinking', thinking: 'Let me think.', signature: 'sig-2' },
      { type: 'redacted_thinking', data: 'opaque==' },
      { type: 'text', text: 'Answer' },
    ]);
  });

  test('tool_use input is buffered and parsed only at content_block_stop', () => {
    const events = [start(), blockStart(0, { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: {} }), json(0, ''), json(0, '{"location": "San'), json(0, ' Francisco", "n": [1, 2]}')];
    const open = run(events);
    assert.deepEqual(open.content, [{ type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: {} }], 'input stays {} while streaming');
    const closed = run([stop(0)], open);
    assert.deepEqual(closed.content, [{ type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { location: 'San Francisco', n: [1, 2] } }]);
  });

  test('a tool_use block without input deltas keeps the input it started with', () => {
    const message = run([start(), blockStart(0, { type: 'tool_use', id: 't', name: 'noop', input: {} }), stop(0)]);
    assert.deepEqual(message.content, [{ type: 'tool_use', id: 't', name: 'noop', input: {} }]);
  });

  test('tool input that is not valid JSON fails at content_block_stop', () => {
    const open = run([start(), blockStart(0, { type: 'tool_use', id: 't', name: 'x', input: {} }), json(0, '{"a": ')]);
    assert.throws(() => accumulateEvent(open, stop(0)), MalformedStreamError);
  });

  test('citations are pushed onto their text block', () => {
    const c1 = { type: 'char_location', cited_text: 'one', start_char_index: 0 };
    const c2 = { type: 'page_location', cited_text: 'two', start_page_number: 2 };
    const message = run([
      start(), blockStart(0, TEXT),
      { type: 'content_block_delta', index: 0, delta: { type: 'citations_delta', citation: c1 } },
      text(0, 'cited'),
      { type: 'content_block_delta', index: 0, delta: { type: 'citations_delta', citation: c2 } },
      stop(0),
    ]);
    assert.deepEqual(message.content, [{ type: 'text', text: 'cited', citations: [c1, c2] }]);
  });

  test('server tool blocks are kept verbatim and in order; server_tool_use input is parsed like tool_use', () => {
    const result = { type: 'web_search_tool_result', tool_use_id: 'srvtoolu_1', content: [{ type: 'web_search_result', url: 'https://a.example', title: 'A', encrypted_content: 'E1', page_age: null }] } as ContentBlock;
    const message = run([
      start(),
      blockStart(0, { type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: {} } as ContentBlock), json(0, '{"query":'), json(0, '"zig 0.14"}'), stop(0),
      blockStart(1, result), stop(1),
      blockStart(2, TEXT), text(2, 'Found it.'), stop(2),
      delta({ output_tokens: 9 }), messageStop,
    ]);
    assert.deepEqual(message.content, [
      { type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: { query: 'zig 0.14' } },
      result,
      { type: 'text', text: 'Found it.' },
    ]);
  });

  test('an unmodelled block whose input JSON is broken fails at content_block_stop, naming its type', () => {
    const open = run([start(), blockStart(0, { type: 'server_tool_use', id: 's', name: 'web_search', input: {} } as ContentBlock), json(0, '{"q": ')]);
    assert.throws(() => accumulateEvent(open, stop(0)), /server_tool_use block 0 is not valid JSON/);
  });

  test('a message_delta without usage keeps the usage seen so far', () => {
    const noUsage: StreamEvent = { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null } };
    const message = run([start({ input_tokens: 10, output_tokens: 1, cost: 0.5 }), blockStart(0, TEXT), text(0, 'a'), stop(0), noUsage, messageStop]);
    assert.deepEqual(message.usage, { input_tokens: 10, output_tokens: 1, cost: 0.5 });
    assert.equal(message.stop_reason, 'end_turn');
  });

  test('block indexes may skip numbers', () => {
    const message = run([start(), blockStart(0, TEXT), text(0, 'a'), stop(0), blockStart(3, TEXT), text(3, 'b'), stop(3)]);
    assert.deepEqual(message.content, [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }]);
  });

  test('earlier messages stay as they were (each step returns a new message)', () => {
    const first = run([start(), blockStart(0, TEXT), text(0, 'one')]);
    const second = run([text(0, ' two')], first);
    assert.equal((first.content[0] as { text: string }).text, 'one');
    assert.equal((second.content[0] as { text: string }).text, 'one two');
    assert.notEqual(first, second);
  });

  test('a ping changes nothing', () => {
    const before = run([start(), blockStart(0, TEXT), text(0, 'x')]);
    assert.equal(accumulateEvent(before, { type: 'ping' }), before);
  });

  test('the message serialises without reducer state', () => {
    const message = run([start(), blockStart(0, TEXT), text(0, 'x'), stop(0), delta({ output_tokens: 2 }), messageStop]);
    assert.deepEqual(JSON.parse(JSON.stringify(message)), message);
    assert.deepEqual(Object.keys(message), ['id', 'type', 'role', 'model', 'content', 'stop_reason', 'stop_sequence', 'usage']);
  });
});

describe('usage and cost', () => {
  const base = (startUsage: Usage, ...deltas: MessageDeltaUsage[]): Usage => {
    const events: StreamEvent[] = [start(startUsage), blockStart(0, TEXT), text(0, 'x'), stop(0), ...deltas.map((u) => delta(u)), messageStop];
    return run(events).usage;
  };

  test('counts are overwritten by later values, never added', () => {
    const usage = base(
      { input_tokens: 100, output_tokens: 1, cache_read_input_tokens: 40, cache_creation_input_tokens: 0 },
      { output_tokens: 20 },
      { output_tokens: 35, input_tokens: 120 },
    );
    assert.deepEqual(usage, { input_tokens: 120, output_tokens: 35, cache_read_input_tokens: 40, cache_creation_input_tokens: 0 });
  });

  test('cost only in message_start', () => {
    assert.equal(base({ input_tokens: 1, output_tokens: 1, cost: 0.25 }, { output_tokens: 9 }).cost, 0.25);
  });

  test('cost only in message_delta', () => {
    assert.equal(base({ input_tokens: 1, output_tokens: 1 }, { output_tokens: 9, cost: 0.75 }).cost, 0.75);
  });

  test('cost in both: the last value seen wins (not the sum)', () => {
    assert.equal(base({ input_tokens: 1, output_tokens: 1, cost: 0.1 }, { output_tokens: 9, cost: 0.6 }).cost, 0.6);
    assert.equal(base({ input_tokens: 1, output_tokens: 1, cost: 0.1 }, { output_tokens: 5, cost: 0.3 }, { output_tokens: 9, cost: 0.6 }).cost, 0.6);
  });

  test('a later cost: null does not erase the cost already seen', () => {
    assert.equal(base({ input_tokens: 1, output_tokens: 1, cost: 0.1 }, { output_tokens: 9, cost: null }).cost, 0.1);
  });

  test('no cost anywhere: cost is absent', () => {
    const usage = base({ input_tokens: 1, output_tokens: 1 }, { output_tokens: 9 });
    assert.equal(usage.cost, undefined);
    assert.equal('cost' in usage, false);
  });

  test('usage fields this client does not know are kept', () => {
    const usage = base({ input_tokens: 1, output_tokens: 1 }, { output_tokens: 9, server_tool_use: { web_search_requests: 2 } } as MessageDeltaUsage);
    assert.deepEqual((usage as unknown as Record<string, unknown>).server_tool_use, { web_search_requests: 2 });
  });
});

describe('out-of-order events are refused', () => {
  const cases: Array<[string, StreamEvent[]]> = [
    ['a delta before message_start', [text(0, 'x')]],
    ['message_stop before message_start', [messageStop]],
    ['a ping before message_start (nothing to return)', [{ type: 'ping' }]],
    ['message_start twice', [start(), start()]],
    ['a delta before its block started', [start(), text(0, 'x')]],
    ['a delta for another index than the open block', [start(), blockStart(0, TEXT), text(1, 'x')]],
    ['a delta after its block stopped', [start(), blockStart(0, TEXT), stop(0), text(0, 'x')]],
    ['text_delta on a thinking block', [start(), blockStart(0, THINKING), text(0, 'x')]],
    ['thinking_delta on a text block', [start(), blockStart(0, TEXT), thinking(0, 'x')]],
    ['signature_delta on a text block', [start(), blockStart(0, TEXT), signature(0, 's')]],
    ['input_json_delta on a text block', [start(), blockStart(0, TEXT), json(0, '{}')]],
    ['citations_delta on a tool_use block', [start(), blockStart(0, { type: 'tool_use', id: 't', name: 'n', input: {} }), { type: 'content_block_delta', index: 0, delta: { type: 'citations_delta', citation: { type: 'char_location' } } }]],
    ['a block starting while another is open', [start(), blockStart(0, TEXT), blockStart(1, TEXT)]],
    ['a block index that does not grow', [start(), blockStart(1, TEXT), stop(1), blockStart(1, TEXT)]],
    ['a block index going back', [start(), blockStart(1, TEXT), stop(1), blockStart(0, TEXT)]],
    ['content_block_stop for a block that is not open', [start(), blockStart(0, TEXT), stop(1)]],
    ['content_block_stop twice', [start(), blockStart(0, TEXT), stop(0), stop(0)]],
    ['message_delta while a block is open', [start(), blockStart(0, TEXT), delta({ output_tokens: 1 })]],
    ['message_stop while a block is open', [start(), blockStart(0, TEXT), messageStop]],
    ['an event after message_stop', [start(), messageStop, blockStart(0, TEXT)]],
    ['a second message_stop', [start(), messageStop, messageStop]],
  ];
  for (const [name, events] of cases) {
    test(name, () => {
      const ok = events.slice(0, -1);
      const last = events[events.length - 1]!;
      const before = ok.length > 0 ? run(ok) : undefined;
      assert.throws(() => accumulateEvent(before, last), (error: unknown) => {
        assert.ok(error instanceof MalformedStreamError, String(error));
        assert.match(error.message, /Out-of-order|before message_start/);
        return true;
      });
    });
  }
});
