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

export function createEventStreamDecoder(onMessage: (message: EventSourceMessage) => void): EventStreamDecoder {
  const decoder = new TextDecoder('utf-8');
  const parser = createParser({ onEvent: onMessage });
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
