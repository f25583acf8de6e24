// Bytes → SSE messages. A streaming TextDecoder keeps a UTF-8 character split across network
// chunks intact; eventsource-parser handles framing (LF, CRLF, CR, comments, multi-line data).
import { createParser, type EventSourceMessage } from 'eventsource-parser';

export type { EventSourceMessage };

export interface EventStreamDecoder {
  /** Feeds one network chunk; `onMessage` runs synchronously for every message it completes. */
  push(chunk: Uint8Array): void;
  /** The body ended: flushes a trailing partial character and a final lone CR line ending. */
  end(): void;
}

export interface EventStreamDecoderOptions {
  /** Most characters one event may hold while it is incomplete (its lines so far). */
  maxBufferChars?: number;
  /** Called (and expected to throw) when an event grows past `maxBufferChars`. */
  onOverflow?: () => void;
}

export function createEventStreamDecoder(
  onMessage: (message: EventSourceMessage) => void,
  options: EventStreamDecoderOptions = {},
): EventStreamDecoder {
  const decoder = new TextDecoder('utf-8');
  const onOverflow = options.onOverflow;
  const parser = createParser({
    onEvent: onMessage,
    maxBufferSize: options.maxBufferChars,
    onError: (error) => {
      if (error.type === 'max-buffer-size-exceeded') onOverflow?.();
    },
  });
  // A chunk ending in CR may be half of a CRLF, so the parser waits; at the end of the body it was a line end.
  let endsWithCr = false;

  function feed(text: string): void {
    if (text === '') return; // an empty first feed would make the parser skip its BOM check
    endsWithCr = text.charCodeAt(text.length - 1) === 13;
    parser.feed(text);
  }

  return {
    push(chunk) {
      feed(decoder.decode(chunk, { stream: true }));
    },
    end() {
      feed(decoder.decode());
      if (endsWithCr) parser.feed('\n');
    },
  };
}
