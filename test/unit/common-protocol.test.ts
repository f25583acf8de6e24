// protocol.ts is written with zod/mini (the webview bundles stay small): what it accepts, strips, fills in and refuses
// is what the classic API did, and the host's log still says why a message was dropped in words.
import '../../src/zodConfig';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AnswerMetaSchema, ChatSnapshotSchema, TurnFileChangeSchema, TurnSchema } from '../../src/common/chatTypes';
import { IMAGE_LIMITS } from '../../src/common/imageType';
import { HostToWebviewSchema, WebviewToHostSchema } from '../../src/common/protocol';
import * as z from 'zod/mini';

const image = { id: 'i1', name: 'a.png', mediaType: 'image/png', data: 'AAAA' } as const;

describe('protocol schemas (zod/mini)', () => {
  it('strips unknown keys and fills in defaults', () => {
    const parsed = WebviewToHostSchema.parse({ type: 'send', text: 'hi', extra: 1 });
    assert.deepEqual(parsed, { type: 'send', text: 'hi', images: [] });
    const user = TurnSchema.parse({ id: 'u', role: 'user', text: 'q', injected: '<b>' });
    assert.deepEqual(user, { id: 'u', role: 'user', text: 'q', context: [], images: [] });
  });

  it('refuses wrong types, lengths, numbers and unknown message types', () => {
    assert.equal(WebviewToHostSchema.safeParse({ type: 'send', text: 5 }).success, false);
    assert.equal(WebviewToHostSchema.safeParse({ type: 'send', text: 'x'.repeat(1_000_001) }).success, false);
    assert.equal(WebviewToHostSchema.safeParse({ type: 'send', text: 'x', images: Array(21).fill(image) }).success, false);
    assert.equal(WebviewToHostSchema.safeParse({ type: 'openFileChange', turnId: 't', index: 1.5 }).success, false, 'an integer');
    assert.equal(WebviewToHostSchema.safeParse({ type: 'openFileChange', turnId: 't', index: -1 }).success, false, 'not negative');
    assert.equal(WebviewToHostSchema.safeParse({ type: 'openFileChange', turnId: 't', index: 100_001 }).success, false, 'at most 100,000');
    assert.equal(WebviewToHostSchema.safeParse({ type: 'openFileChange', turnId: 't', index: 100_000 }).success, true);
    assert.equal(WebviewToHostSchema.safeParse({ type: 'editCompaction', id: 'c', summary: '' }).success, false, 'min length');
    assert.equal(WebviewToHostSchema.safeParse({ type: 'noticeAction', action: 'retry', setting: 'other.setting' }).success, false, 'the setting id pattern');
    assert.equal(WebviewToHostSchema.safeParse({ type: 'noticeAction', action: 'retry', setting: 'fastrouter.baseUrl' }).success, true);
    assert.equal(WebviewToHostSchema.safeParse({ type: 'runScript' }).success, false);
  });

  it('takes nullable and optional fields as the classic schemas did', () => {
    assert.equal(HostToWebviewSchema.safeParse({ type: 'retrying', turnId: 't', retry: null }).success, true);
    assert.equal(HostToWebviewSchema.safeParse({ type: 'retrying', turnId: 't' }).success, false, 'nullable is not optional');
    assert.equal(HostToWebviewSchema.safeParse({ type: 'model', model: 'm' }).success, true);
    const big = { ...image, data: 'A'.repeat(Math.ceil(IMAGE_LIMITS.maxSourceBytes / 3) * 4) };
    assert.equal(HostToWebviewSchema.safeParse({ type: 'attachImages', images: [big] }).success, true, 'attachImages extends the data limit');
    assert.equal(ChatSnapshotSchema.safeParse({ conversationId: 'c', turns: [], conversations: [], model: 'm', busy: false }).success, true);
  });

  it("gives the host's log an English reason for a dropped message", () => {
    const result = WebviewToHostSchema.safeParse({ type: 'send', text: 5 });
    assert.ok(!result.success);
    assert.equal(result.error.issues[0]?.message, 'Invalid input: expected string, received number');
  });

  it('serves the conversation store, which wraps the saved types with zod/mini (z.optional, z.extend)', () => {
    const meta = { model: 'm', inputTokens: 1, outputTokens: 2, cost: { kind: 'unknown' }, durationMs: 3, stopReason: null };
    assert.deepEqual(z.optional(AnswerMetaSchema).parse({ ...meta, extra: true }), meta);
    assert.equal(AnswerMetaSchema.safeParse({ ...meta, inputTokens: -1 }).success, false);
    assert.equal(z.extend(TurnFileChangeSchema, { fsPath: AnswerMetaSchema.shape.model }).safeParse({ path: 'a', added: 1, removed: 0 }).success, false, 'the extension is required');
  });
});
