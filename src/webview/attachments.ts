// Images the user attaches in the webview (paste, drop): checked by content and size before they are kept.
import type { ImageAttachment, ImageMediaType } from '../protocol';

export const MAX_IMAGE_BYTES = 5 * 1024 * 1024;
export const MAX_IMAGES = 20;

/** The media type from the file's first bytes; the name and the browser's guess are not trusted. */
export function sniffImageType(bytes: Uint8Array): ImageMediaType | undefined {
  const starts = (...sig: number[]) => sig.every((b, i) => bytes[i] === b);
  if (starts(0xff, 0xd8, 0xff)) return 'image/jpeg';
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'image/png';
  if (starts(0x47, 0x49, 0x46, 0x38)) return 'image/gif';
  if (starts(0x52, 0x49, 0x46, 0x46) && bytes[8] === 0x57 && bytes[9] === 0x45 && bytes[10] === 0x42 && bytes[11] === 0x50) return 'image/webp';
  return undefined;
}

function formatMb(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  const step = 0x8000;
  for (let i = 0; i < bytes.length; i += step) binary += String.fromCharCode(...bytes.subarray(i, i + step));
  return btoa(binary);
}

export type ReadResult = { ok: true; image: ImageAttachment } | { ok: false; error: string };

export async function readImageFile(file: File): Promise<ReadResult> {
  const name = file.name || 'pasted image';
  if (file.size > MAX_IMAGE_BYTES) {
    return { ok: false, error: `“${name}” is ${formatMb(file.size)}; images must be 5 MB or smaller.` };
  }
  const bytes = new Uint8Array(await file.arrayBuffer());
  const mediaType = sniffImageType(bytes);
  if (!mediaType) {
    return { ok: false, error: `“${name}” is not a supported image. Attach JPEG, PNG, GIF or WebP files.` };
  }
  const id = typeof crypto.randomUUID === 'function' ? crypto.randomUUID() : `img-${Date.now()}-${Math.random().toString(36).slice(2)}`;
  return { ok: true, image: { id, name: name.slice(0, 500), mediaType, data: toBase64(bytes) } };
}
