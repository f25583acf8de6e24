// Token estimates shared by the extension host (src/core/request/tokenEstimate.ts, which builds whole-request estimates on
// them) and the chat webview (the composer's draft estimate, as the user types, without asking the host). Stands
// alone like protocol.ts: no imports, no vscode, no DOM, no Node.

/** Anthropic scales an image down until its long edge is at most this many pixels. */
export const MAX_IMAGE_EDGE = 1568;
/** …and until it costs at most about this many tokens (~1.15 megapixels). */
export const MAX_IMAGE_TOKENS = 1600;
/** Pixels per token in Anthropic's image rule. */
export const PIXELS_PER_TOKEN = 750;

// Character classes for the segmentation (ASCII by table, the rest by range).
const LOWER = 1;
const UPPER = 2;
const DIGIT = 3;
const SPACE = 4;
const NEWLINE = 5;
const PUNCT = 6;
const CLASS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  CLASS[c] =
    c >= 97 && c <= 122 ? LOWER
      : c >= 65 && c <= 90 ? UPPER
        : c >= 48 && c <= 57 ? DIGIT
          : c === 10 || c === 13 ? NEWLINE
            : c === 32 || c === 9 ? SPACE
              : PUNCT;
}

/** Ideographs, kana and Hangul: about one token each. */
function isWideScript(c: number): boolean {
  return (c >= 0x2e80 && c <= 0x9fff) || (c >= 0xac00 && c <= 0xd7af) || (c >= 0xf900 && c <= 0xfaff) || (c >= 0xff00 && c <= 0xffef);
}

/**
 * Tokens in `text`, estimated in one pass: a word costs one token per 7 letters, split at camelCase humps; digits
 * go in threes; a single space joins the next word; other whitespace costs one token per 8 characters; punctuation
 * costs one token per 1.5 characters (common pairs like `);` merge); wide scripts one per character; other
 * non-ASCII letters one per two; characters outside the BMP (emoji) two each.
 */
export function estimateTextTokens(text: string): number {
  let tokens = 0;
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c < 128) {
      const kind = CLASS[c]!;
      const start = i;
      if (kind === LOWER || kind === UPPER) {
        // One word part: an optional capital, then lowercase letters (or a run of capitals).
        i++;
        if (kind === UPPER && i < n && CLASS[text.charCodeAt(i)] === UPPER) {
          while (i < n && CLASS[text.charCodeAt(i)] === UPPER && !(i + 1 < n && CLASS[text.charCodeAt(i + 1)] === LOWER)) i++;
        } else {
          while (i < n && CLASS[text.charCodeAt(i)] === LOWER) i++;
        }
        tokens += Math.ceil((i - start) / 7);
      } else if (kind === DIGIT) {
        while (i < n && CLASS[text.charCodeAt(i)] === DIGIT) i++;
        tokens += Math.ceil((i - start) / 3);
      } else if (kind === SPACE || kind === NEWLINE) {
        let newlines = 0;
        while (i < n) {
          const k = CLASS[text.charCodeAt(i)];
          if (k === NEWLINE) newlines++;
          else if (k !== SPACE) break;
          i++;
        }
        const length = i - start;
        // A lone space before a word is part of that word's token.
        if (length === 1 && newlines === 0 && i < n && text.charCodeAt(i) < 128 && CLASS[text.charCodeAt(i)]! <= DIGIT) continue;
        tokens += Math.max(Math.ceil(newlines / 2), Math.ceil(length / 8), 1);
      } else {
        while (i < n && text.charCodeAt(i) < 128 && CLASS[text.charCodeAt(i)] === PUNCT) i++;
        tokens += Math.ceil((i - start) / 1.5);
      }
      continue;
    }
    if (c >= 0xd800 && c <= 0xdbff) {
      tokens += 2;
      i += 2;
      continue;
    }
    if (isWideScript(c)) {
      tokens++;
      i++;
      continue;
    }
    const start = i;
    while (i < n) {
      const d = text.charCodeAt(i);
      if (d < 128 || isWideScript(d) || (d >= 0xd800 && d <= 0xdbff)) break;
      i++;
    }
    tokens += Math.ceil((i - start) / 2);
  }
  return tokens;
}

/** Tokens of one image: Anthropic's (w × h) / 750 after scaling the long edge to 1568 px, at most ~1600. */
export function estimateImageTokens(size: { width: number; height: number } | undefined): number {
  if (!size || !(size.width > 0) || !(size.height > 0)) return MAX_IMAGE_TOKENS;
  const scale = Math.min(1, MAX_IMAGE_EDGE / Math.max(size.width, size.height));
  const tokens = Math.ceil((size.width * scale * (size.height * scale)) / PIXELS_PER_TOKEN);
  return Math.max(1, Math.min(MAX_IMAGE_TOKENS, tokens));
}


/** Requests shorter than this are not cached by the API (1,024 tokens for Sonnet and Opus; more for Haiku). */
export const MIN_CACHEABLE_TOKENS = 1024;

/**
 * The cost preview's figures for the next request: the host's base (its RequestEstimate) plus the draft and its images.
 * With prompt caching (`cache`), the part the last request cached is priced as a cache read and the rest as a cache
 * write (the rolling breakpoint on the new question writes it), as the API bills them.
 */
export function previewWithDraft(
  base: {
    baseTokens: number;
    calibration: number;
    inputCreditsPerToken?: number;
    cache?: { readTokens: number; readCreditsPerToken: number; writeCreditsPerToken: number };
  },
  draftText: string,
  imageTokens = 0,
): { tokens: number; credits?: number } {
  const draft = draftText.trim() === '' ? 0 : Math.ceil(estimateTextTokens(draftText) * base.calibration);
  const tokens = base.baseTokens + draft + imageTokens;
  if (base.inputCreditsPerToken === undefined) return { tokens };
  const cache = base.cache;
  if (!cache || tokens < MIN_CACHEABLE_TOKENS) return { tokens, credits: tokens * base.inputCreditsPerToken };
  const read = Math.min(cache.readTokens, tokens);
  return { tokens, credits: read * cache.readCreditsPerToken + (tokens - read) * cache.writeCreditsPerToken };
}

/** Token counts as people read them: 840, 9.1k, 12.4k, 148k, 1.25M. */
export function formatTokenCount(n: number): string {
  if (n < 1000) return String(n);
  if (n < 100_000) return `${(n / 1000).toFixed(1).replace(/\.0$/, '')}k`;
  if (n < 1_000_000) return `${Math.round(n / 1000)}k`;
  return `${(n / 1_000_000).toFixed(2).replace(/\.?0+$/, '')}M`;
}
