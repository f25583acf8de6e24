// The one check of what an image file is, by its first bytes (its name and the browser's guess are not trusted): the
// webview runs it on a paste or drop, the host on a file it reads and on what the webview sends. GIF is GIF87a or
// GIF89a only, the two versions there are: "GIF8" followed by anything else is not an image the API accepts.
import type { ImageMediaType } from './chatTypes';

export function sniffImageType(bytes: Uint8Array): ImageMediaType | undefined {
  const starts = (sig: readonly number[], at = 0) => sig.every((b, i) => bytes[at + i] === b);
  if (starts([0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (starts([0x47, 0x49, 0x46, 0x38]) && (bytes[4] === 0x37 || bytes[4] === 0x39) && bytes[5] === 0x61) return 'image/gif';
  if (starts([0x52, 0x49, 0x46, 0x46]) && starts([0x57, 0x45, 0x42, 0x50], 8)) return 'image/webp';
  return undefined;
}
