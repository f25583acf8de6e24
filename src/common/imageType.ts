// Images, on both sides: the Messages API's limits, and the one check of what an image file is, by its first bytes (its
// name and the browser's guess are not trusted): the webview runs it on a paste or drop, the host on a file it reads
// and on what the webview sends. GIF is GIF87a or GIF89a only, the two versions there are: "GIF8" followed by anything
// else is not an image the API accepts. No zod here: the webviews import it.
import type { ImageMediaType } from './chatTypes';

/**
 * The Messages API's image limits, checked in every path (button, paste, drop, Ask About Image, the host, each request)
 * before anything is sent. Bigger pictures are resized in the chat (canvas) to fit.
 */
export const IMAGE_LIMITS = {
  /** One image's base64 data: the API's "5 MB"… */
  maxBase64Chars: 5_242_880,
  /** …which is this many bytes of file, shown to users as 3.75 MB. */
  maxBytes: 3_932_160,
  /** Longest side, in pixels. */
  maxSide: 8000,
  /** Images in one request (every image the conversation still sends). */
  maxPerRequest: 100,
  /** Largest file taken in to be resized; anything bigger is refused outright. */
  maxSourceBytes: 30 * 1024 * 1024,
} as const;

/** Base64 characters of an image file of `maxSourceBytes`. */
export const MAX_SOURCE_BASE64 = Math.ceil(IMAGE_LIMITS.maxSourceBytes / 3) * 4;

/** The image type by the file's first bytes, or undefined when it is none the API accepts. */
export function sniffImageType(bytes: Uint8Array): ImageMediaType | undefined {
  const starts = (sig: readonly number[], at = 0) => sig.every((b, i) => bytes[at + i] === b);
  if (starts([0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (starts([0x47, 0x49, 0x46, 0x38]) && (bytes[4] === 0x37 || bytes[4] === 0x39) && bytes[5] === 0x61) return 'image/gif';
  if (starts([0x52, 0x49, 0x46, 0x46]) && starts([0x57, 0x45, 0x42, 0x50], 8)) return 'image/webp';
  return undefined;
}
