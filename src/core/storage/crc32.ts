// CRC-32 (IEEE 802.3, as zlib and PNG use it) of a string's UTF-8 bytes: the checksum of each conversation journal
// record, so a record cut short or damaged on disk is told from a whole one. Table-driven; a few KB take microseconds.

const TABLE = (() => {
  const table = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c;
  }
  return table;
})();

export function crc32(text: string): number {
  const bytes = Buffer.from(text, 'utf8');
  let crc = -1;
  for (let i = 0; i < bytes.length; i++) crc = TABLE[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ -1) >>> 0;
}
