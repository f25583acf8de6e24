// Whether bytes are a text file, and their text: the one rule every reader uses (Add File to Chat, read_file,
// edit_file, search_text). UTF-8 and UTF-16 with a byte order mark are text; a NUL or many control characters are not.
// Decoding follows the BOM, else the user's files.encoding; a decode that would lose characters is reported, never hidden.

/** Bytes looked at to decide whether a file is text. */
export const BINARY_SNIFF_BYTES = 8192;

type Bom = 'utf-8' | 'utf-16le' | 'utf-16be';

function bomOf(bytes: Uint8Array): Bom | undefined {
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return 'utf-8';
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  return undefined;
}

/** A NUL byte, or many control characters, in the first bytes: not a text file. UTF-8 and UTF-16 text with a BOM pass. */
export function looksBinary(bytes: Uint8Array): boolean {
  const head = bytes.subarray(0, BINARY_SNIFF_BYTES);
  const bom = bomOf(head);
  if (bom === 'utf-16le' || bom === 'utf-16be') return false;
  // Native search first: most files are decided here (a JS loop per byte is most of a large search's time).
  if (head.indexOf(0) !== -1) return true;
  let control = 0;
  for (const byte of head) {
    // Control characters other than tab, line feed, form feed, carriage return and escape.
    if (byte < 32 && byte !== 9 && byte !== 10 && byte !== 12 && byte !== 13 && byte !== 27) control++;
  }
  return head.length > 0 && control / head.length > 0.1;
}

/** VS Code's encoding ids (files.encoding) as the WHATWG labels TextDecoder knows; unknown ids give undefined. */
export function decoderLabel(encoding: string | undefined): string | undefined {
  if (!encoding) return undefined;
  const id = encoding.toLowerCase();
  const known: Record<string, string> = {
    utf8: 'utf-8', utf8bom: 'utf-8', utf16le: 'utf-16le', utf16be: 'utf-16be', shiftjis: 'shift_jis', eucjp: 'euc-jp',
    euckr: 'euc-kr', koi8r: 'koi8-r', koi8u: 'koi8-u', big5hkscs: 'big5', gb2312: 'gbk', cp866: 'ibm866', macroman: 'macintosh',
  };
  const label = known[id] ?? id.replace(/^iso8859(\d+)$/, 'iso-8859-$1').replace(/^windows(\d+)$/, 'windows-$1');
  try {
    return new TextDecoder(label).encoding;
  } catch {
    return undefined;
  }
}

/** Whether `text` has replacement characters the bytes did not hold (UTF-8's EF BF BD): the decode lost characters. */
export function lostInDecode(text: string, bytes: Uint8Array): boolean {
  if (!text.includes('\uFFFD')) return false;
  for (let at = bytes.indexOf(0xef); at !== -1 && at + 2 < bytes.length; at = bytes.indexOf(0xef, at + 1)) {
    if (bytes[at + 1] === 0xbf && bytes[at + 2] === 0xbd) return false;
  }
  return true;
}

/**
 * The text of a file's bytes: by its BOM, else by `encoding` (a files.encoding id; UTF-8 when unknown). `lossy` when
 * characters could not be decoded (they became U+FFFD).
 */
export function decodeText(bytes: Uint8Array, encoding?: string): { text: string; lossy: boolean } {
  const bom = bomOf(bytes);
  const label = bom ?? decoderLabel(encoding) ?? 'utf-8';
  const text = new TextDecoder(label).decode(bytes);
  return { text, lossy: lostInDecode(text, bytes) };
}

/** Whether a text mixes line endings (\n with \r\n or \r): VS Code's editor keeps one per file. */
export function hasMixedLineEnds(text: string): boolean {
  const crlf = text.includes('\r\n');
  const lf = /(^|[^\r])\n/.test(text);
  const cr = /\r(?!\n)/.test(text);
  return Number(crlf) + Number(lf) + Number(cr) > 1;
}

/**
 * Where `needle` occurs in `haystack`, each line end of the needle matching any line end of the file (\n, \r\n, \r),
 * so an edit of a file with mixed or CRLF endings finds the model's \n text. Stops counting past `limit`.
 */
export function findLineTolerant(haystack: string, needle: string, limit = 1000): { count: number; index: number; length: number } {
  const lines = needle.split(/\r\n|\r|\n/);
  const pattern = new RegExp(lines.map((line) => line.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('(?:\\r\\n|\\r|\\n)'), 'g');
  let count = 0;
  let index = -1;
  let length = 0;
  if (needle === '') return { count: 0, index: -1, length: 0 };
  for (let m = pattern.exec(haystack); m && count <= limit; m = pattern.exec(haystack)) {
    if (count === 0) {
      index = m.index;
      length = m[0].length;
    }
    count++;
    if (m[0].length === 0) pattern.lastIndex++;
  }
  return { count, index, length };
}
