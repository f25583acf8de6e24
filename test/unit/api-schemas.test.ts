// The hand-written fast path for the hot delta events must accept, reject and output exactly what
// the zod schemas do; checked over a grid of valid and hostile shapes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ContentBlockDeltaSchema,
  ContentBlockStopSchema,
  InvalidEvent,
  KNOWN_DELTA_TYPES,
  validateContentBlockDelta,
  validateContentBlockStop,
} from '../../src/api/schemas';

const INDEXES: unknown[] = [0, 1, 7, -0, -1, 1.5, 2 ** 53 - 1, 2 ** 53, Number.NaN, Infinity, '1', null, undefined, true];
const DELTAS: unknown[] = [
  { type: 'text_delta', text: 'x' },
  { type: 'text_delta', text: '' },
  { type: 'text_delta', text: 5 },
  { type: 'text_delta', text: null },
  { type: 'text_delta' },
  { type: 'text_delta', text: 'x', extra: 1 },
  { type: 'thinking_delta', thinking: 'why' },
  { type: 'thinking_delta', text: 'wrong field' },
  { type: 'signature_delta', signature: 'sig' },
  { type: 'signature_delta', signature: 1 },
  { type: 'input_json_delta', partial_json: '{"a":' },
  { type: 'input_json_delta', partial_json: {} },
  { type: 'citations_delta', citation: { type: 'char_location', cited_text: 'c', start_char_index: 0 } },
  { type: 'citations_delta', citation: { cited_text: 'no type' } },
  { type: 'citations_delta' },
  { type: 'future_delta', anything: [1, 2] },
  { type: 5 },
  {},
  null,
  [],
  'text_delta',
  undefined,
];
const TYPES: unknown[] = ['content_block_delta', 'content_block_stop', undefined];
const EXTRAS: Record<string, unknown>[] = [{}, { extra: 'ignored' }];

function viaZod(value: unknown): { ok: true; value: unknown } | { ok: false } {
  const result = ContentBlockDeltaSchema.safeParse(value);
  if (!result.success) return { ok: false };
  return { ok: true, value: KNOWN_DELTA_TYPES.has(result.data.delta.type) ? result.data : undefined };
}

function viaFastPath<T>(validate: (v: unknown) => T, value: unknown): { ok: true; value: T } | { ok: false } {
  try {
    return { ok: true, value: validate(value) };
  } catch (error) {
    assert.ok(error instanceof InvalidEvent, `only InvalidEvent may be thrown, got ${String(error)}`);
    return { ok: false };
  }
}

test('content_block_delta: fast path and zod agree on every shape of a grid', () => {
  let accepted = 0;
  let rejected = 0;
  for (const type of TYPES) {
    for (const index of INDEXES) {
      for (const delta of DELTAS) {
        for (const extra of EXTRAS) {
          const value = { type, index, delta, ...extra };
          const label = JSON.stringify(value) + ` (index ${String(index)})`;
          const expected = viaZod(value);
          const actual = viaFastPath(validateContentBlockDelta, value);
          assert.deepEqual(actual, expected, label);
          if (expected.ok) accepted++;
          else rejected++;
        }
      }
    }
  }
  // The grid really exercises both outcomes.
  assert.ok(accepted > 50 && rejected > 500, `${accepted} accepted, ${rejected} rejected`);
});

test('content_block_delta: non-objects are rejected', () => {
  for (const value of [null, undefined, 'content_block_delta', 42, []]) {
    assert.throws(() => validateContentBlockDelta(value), InvalidEvent);
  }
});

test('content_block_stop: fast path and zod agree', () => {
  for (const type of TYPES) {
    for (const index of INDEXES) {
      for (const extra of EXTRAS) {
        const value = { type, index, ...extra };
        const zod = ContentBlockStopSchema.safeParse(value);
        const expected = zod.success ? { ok: true, value: zod.data } : { ok: false };
        assert.deepEqual(viaFastPath(validateContentBlockStop, value), expected, JSON.stringify(value));
      }
    }
  }
});

test('the fast path output is a fresh object without unknown keys', () => {
  const input = { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'hi', extra: 1 }, more: 2 };
  const output = validateContentBlockDelta(input);
  assert.deepEqual(output, { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'hi' } });
  assert.notEqual(output, input);
});
