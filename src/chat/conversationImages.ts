// Image attachments are checked by their bytes, not by their name or declared type: the API
// rejects a mismatch, and the webview's claim about a file is untrusted input.
import type { ImageAttachment, ImageMediaType } from '../protocol';

export const MAX_IMAGE_BYTES = 5 * 1024 * 1024;
export const IMAGE_EXTENSIONS = ['jpg', 'jpeg', 'png', 'gif', 'webp'];

/** The image type the first bytes announce, or undefined when they match none we accept. */
export function sniffImageType(bytes: Uint8Array): ImageMediaType | undefined {
  const starts = (sig: number[], at = 0) => sig.every((b, i) => bytes[at + i] === b);
  if (starts([0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (starts([0x47, 0x49, 0x46, 0x38]) && (bytes[4] === 0x37 || bytes[4] === 0x39) && bytes[5] === 0x61) return 'image/gif';
  if (starts([0x52, 0x49, 0x46, 0x46]) && starts([0x57, 0x45, 0x42, 0x50], 8)) return 'image/webp';
  return undefined;
}

export type ImageCheck = { ok: true; attachment: ImageAttachment } | { ok: false; reason: string };

function megabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** The reason a file of `size` bytes is refused, or undefined when it is small enough. */
export function imageSizeProblem(name: string, size: number): string | undefined {
  return size > MAX_IMAGE_BYTES ? `${name} is ${megabytes(size)}; images can be at most 5 MB.` : undefined;
}

/** Builds an attachment from a file's bytes (file picker, Ask About Image). */
export function imageFromBytes(id: string, name: string, bytes: Uint8Array): ImageCheck {
  const tooLarge = imageSizeProblem(name, bytes.length);
  if (tooLarge) return { ok: false, reason: tooLarge };
  const mediaType = sniffImageType(bytes);
  if (!mediaType) return { ok: false, reason: `${name} is not a JPEG, PNG, GIF or WebP image.` };
  return { ok: true, attachment: { id, name, mediaType, data: Buffer.from(bytes).toString('base64') } };
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Checks an attachment that came from the webview (paste, drag and drop): real base64, right type, ≤ 5 MB. */
export function checkAttachment(image: ImageAttachment): ImageCheck {
  if (image.data.length % 4 !== 0 || !BASE64.test(image.data)) return { ok: false, reason: `${image.name || 'The image'} is not valid image data.` };
  const padding = image.data.endsWith('==') ? 2 : image.data.endsWith('=') ? 1 : 0;
  const size = (image.data.length / 4) * 3 - padding;
  if (size > MAX_IMAGE_BYTES) return { ok: false, reason: `${image.name || 'The image'} is ${megabytes(size)}; images can be at most 5 MB.` };
  const head = Buffer.from(image.data.slice(0, 24), 'base64');
  const actual = sniffImageType(head);
  if (!actual) return { ok: false, reason: `${image.name || 'The image'} is not a JPEG, PNG, GIF or WebP image.` };
  if (actual !== image.mediaType) return { ok: false, reason: `${image.name || 'The image'} says it is ${image.mediaType} but is ${actual}.` };
  return { ok: true, attachment: image };
}
