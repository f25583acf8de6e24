// Server-sent-events encoding and byte-level cutting for the local simulator.

/** One SSE event exactly as Anthropic frames it: `event:` line, one `data:` line of JSON, blank line. */
export function encodeSseEvent(name: string, data: unknown): string {
  return `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
}

/**
 * Cuts `bytes`, which start at absolute stream offset `offset`, into pieces so that the whole stream is split at every
 * multiple of `chunkSize` and at every absolute offset in `splitAt`. Pieces are never empty.
 */
export function cutBytes(bytes: Buffer, offset: number, chunkSize: number | undefined, splitAt: readonly number[]): Buffer[] {
  const end = offset + bytes.length;
  const cuts = new Set<number>();
  if (chunkSize !== undefined && chunkSize > 0) {
    for (let at = Math.ceil((offset + 1) / chunkSize) * chunkSize; at < end; at += chunkSize) cuts.add(at);
  }
  for (const at of splitAt) if (at > offset && at < end) cuts.add(at);
  if (cuts.size === 0) return [bytes];
  const sorted = [...cuts].sort((a, b) => a - b);
  const pieces: Buffer[] = [];
  let from = offset;
  for (const at of sorted) {
    pieces.push(bytes.subarray(from - offset, at - offset));
    from = at;
  }
  pieces.push(bytes.subarray(from - offset));
  return pieces;
}

/** Splits text into small word-sized deltas (each word keeps its trailing whitespace), deterministically. */
export function splitIntoDeltas(text: string, maxLength = 12): string[] {
  const words = text.match(/\s*\S+\s*/g) ?? (text.length > 0 ? [text] : []);
  const deltas: string[] = [];
  for (const word of words) {
    // Slice by code points so a delta never ends inside a surrogate pair.
    const chars = Array.from(word);
    for (let i = 0; i < chars.length; i += maxLength) deltas.push(chars.slice(i, i + maxLength).join(''));
  }
  return deltas;
}

export interface ParsedSseEvent { event: string; data: unknown }

/** Parses a complete SSE text of the simulator's framing (`event:`/`data:` lines, blank line between events). For tests. */
export function parseSseText(text: string): ParsedSseEvent[] {
  const events: ParsedSseEvent[] = [];
  for (const frame of text.split(/\r?\n\r?\n/)) {
    if (frame.trim() === '') continue;
    let event = 'message';
    const data: string[] = [];
    for (const line of frame.split(/\r?\n/)) {
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
    }
    events.push({ event, data: JSON.parse(data.join('\n')) });
  }
  return events;
}
