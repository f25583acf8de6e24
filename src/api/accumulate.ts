// Builds the Message from stream events: a pure reducer (inputs never mutated) that rejects events
// arriving out of order instead of guessing, because a confused stream must not become a wrong answer.
import { MalformedStreamError } from './errors';
import type { ContentBlock, Message, OpaqueBlock, StreamEvent, Usage } from './types';

/** Where the reducer is between events. Kept off the Message's enumerable fields (not sent back, not compared). */
interface Cursor {
  /** Wire index of the block between its start and stop; -1 when none is open. */
  readonly open: number;
  /** Wire index of the last block started; indexes only grow. */
  readonly last: number;
  /** Input JSON received so far for the open tool_use (or opaque) block; parsed at content_block_stop. */
  readonly json: string;
  /** message_stop was seen. */
  readonly stopped: boolean;
}

const CURSOR = Symbol('fastrouter.accumulate.cursor');

function cursorOf(message: Message): Cursor {
  const cursor = (message as { [CURSOR]?: Cursor })[CURSOR];
  // A message built elsewhere (e.g. restored from JSON) counts as complete blocks, still open for events.
  return cursor ?? { open: -1, last: message.content.length - 1, json: '', stopped: false };
}

function withCursor(message: Message, cursor: Cursor): Message {
  Object.defineProperty(message, CURSOR, { value: cursor, enumerable: false });
  return message;
}

function outOfOrder(message: string): never {
  throw new MalformedStreamError(`Out-of-order stream event: ${message}`);
}

/** A new message with other content; fields written out because object spread is several times slower on this path. */
function withContent(m: Message, content: ContentBlock[]): Message {
  return {
    id: m.id,
    type: m.type,
    role: m.role,
    model: m.model,
    content,
    stop_reason: m.stop_reason,
    stop_sequence: m.stop_sequence,
    usage: m.usage,
  };
}

function replaceLast(content: ContentBlock[], block: ContentBlock): ContentBlock[] {
  const next = content.slice();
  next[next.length - 1] = block;
  return next;
}

/**
 * Applies one stream event to the message accumulated so far and returns the new message.
 * Throws MalformedStreamError on an event that cannot come at this point: anything before
 * message_start, message_start twice, a delta for a block that is not open, a delta whose type
 * does not fit its block, a block starting while another is open, anything after message_stop.
 */
export function accumulateEvent(message: Message | undefined, event: StreamEvent): Message {
  if (event.type === 'message_start') {
    if (message !== undefined) outOfOrder('message_start after the message had started');
    const start = event.message;
    return withCursor(
      { ...start, content: start.content.slice(), usage: { ...start.usage } },
      { open: -1, last: start.content.length - 1, json: '', stopped: false },
    );
  }
  if (message === undefined) outOfOrder(`${event.type} before message_start`);
  if (event.type === 'ping') return message;

  const cursor = cursorOf(message);
  if (cursor.stopped) outOfOrder(`${event.type} after message_stop`);

  switch (event.type) {
    case 'content_block_start': {
      if (cursor.open !== -1) outOfOrder(`block ${event.index} started while block ${cursor.open} is open`);
      if (event.index <= cursor.last) outOfOrder(`block ${event.index} started after block ${cursor.last}`);
      const block: ContentBlock = { ...event.content_block };
      if (block.type === 'text' && block.citations) block.citations = block.citations.slice();
      return withCursor(
        withContent(message, [...message.content, block]),
        { open: event.index, last: event.index, json: '', stopped: false },
      );
    }

    case 'content_block_delta': {
      if (event.index !== cursor.open) {
        outOfOrder(
          cursor.open === -1
            ? `delta for block ${event.index} while no block is open`
            : `delta for block ${event.index} while block ${cursor.open} is open`,
        );
      }
      const block = message.content[message.content.length - 1]!;
      const delta = event.delta;
      if (isOpaque(block)) {
        // A block we do not model takes its input JSON like tool_use; other deltas leave it as sent (as the SDK does).
        if (delta.type !== 'input_json_delta') return message;
        return withCursor(withContent(message, message.content), { ...cursor, json: cursor.json + delta.partial_json });
      }
      let next: ContentBlock;
      switch (delta.type) {
        case 'text_delta':
          if (block.type !== 'text') return mismatch(delta.type, block);
          next =
            block.citations === undefined
              ? { type: 'text', text: block.text + delta.text }
              : { type: 'text', text: block.text + delta.text, citations: block.citations };
          break;
        case 'citations_delta':
          if (block.type !== 'text') return mismatch(delta.type, block);
          next = { ...block, citations: [...(block.citations ?? []), delta.citation] };
          break;
        case 'thinking_delta':
          if (block.type !== 'thinking') return mismatch(delta.type, block);
          next = { type: 'thinking', thinking: block.thinking + delta.thinking, signature: block.signature };
          break;
        case 'signature_delta':
          if (block.type !== 'thinking') return mismatch(delta.type, block);
          next = { type: 'thinking', thinking: block.thinking, signature: delta.signature };
          break;
        case 'input_json_delta':
          if (block.type !== 'tool_use') return mismatch(delta.type, block);
          // The block itself changes only at content_block_stop, when the JSON is whole.
          return withCursor(withContent(message, message.content), { ...cursor, json: cursor.json + delta.partial_json });
        default:
          return assertNever(delta);
      }
      return withCursor(withContent(message, replaceLast(message.content, next)), cursor);
    }

    case 'content_block_stop': {
      if (event.index !== cursor.open) {
        outOfOrder(
          cursor.open === -1
            ? `content_block_stop for block ${event.index} while no block is open`
            : `content_block_stop for block ${event.index} while block ${cursor.open} is open`,
        );
      }
      let content = message.content;
      const block = content[content.length - 1]!;
      if ((block.type === 'tool_use' || isOpaque(block)) && cursor.json !== '') {
        let input: unknown;
        try {
          input = JSON.parse(cursor.json);
        } catch {
          throw new MalformedStreamError(`The input of ${block.type} block ${event.index} is not valid JSON`);
        }
        content = replaceLast(content, { ...block, input });
      }
      return withCursor(withContent(message, content), { open: -1, last: cursor.last, json: '', stopped: false });
    }

    case 'message_delta': {
      if (cursor.open !== -1) outOfOrder(`message_delta while block ${cursor.open} is open`);
      const usage: Usage & Record<string, unknown> = { ...message.usage };
      // Counts are cumulative for the message: a value present here replaces the earlier one. No usage at all
      // (some upstreams leave it out) keeps what was seen so far.
      if (event.usage) {
        for (const [key, value] of Object.entries(event.usage)) {
          if (value !== null && value !== undefined) usage[key] = value;
        }
      }
      return withCursor(
        {
          ...message,
          stop_reason: event.delta.stop_reason,
          stop_sequence: event.delta.stop_sequence ?? null,
          usage,
        },
        cursor,
      );
    }

    case 'message_stop': {
      if (cursor.open !== -1) outOfOrder(`message_stop while block ${cursor.open} is open`);
      return withCursor(withContent(message, message.content), { ...cursor, stopped: true });
    }

    default:
      return assertNever(event);
  }
}

const MODELLED_BLOCK_TYPES: ReadonlySet<string> = new Set(['text', 'thinking', 'redacted_thinking', 'tool_use']);

/** A block of a type this client does not model (server tools, types added later): it is kept verbatim. */
export function isOpaque(block: ContentBlock): block is OpaqueBlock {
  return !MODELLED_BLOCK_TYPES.has(block.type);
}

function mismatch(deltaType: string, block: ContentBlock): never {
  return outOfOrder(`${deltaType} for a ${block.type} block`);
}

function assertNever(value: never): never {
  throw new MalformedStreamError(`Unexpected stream event ${JSON.stringify((value as { type?: unknown }).type)}`);
}

/** True once message_stop has been applied. */
export function isMessageComplete(message: Message | undefined): boolean {
  return message !== undefined && cursorOf(message).stopped;
}
