// Lines added and removed between two texts, as a diff editor counts them: the shortest edit script (Myers' O(ND)
// greedy algorithm, counts only), so two small edits far apart count as two small edits, not everything between them.
// Above MAX_EDITS differing lines the count falls back to the trimmed middle (replaced wholesale), which bounds the time.

const MAX_EDITS = 4000;

function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split(/\r\n|\r|\n/);
  // A final line end does not start another line.
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

export function lineDelta(before: string, after: string): { added: number; removed: number } {
  const a = splitLines(before);
  const b = splitLines(after);
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let endA = a.length;
  let endB = b.length;
  while (endA > head && endB > head && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const n = endA - head;
  const m = endB - head;
  if (n === 0 || m === 0) return { added: m, removed: n };
  const max = Math.min(n + m, MAX_EDITS);
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  for (let d = 0; d <= max; d++) {
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[offset + k - 1] < v[offset + k + 1]) ? v[offset + k + 1] : v[offset + k - 1] + 1;
      let y = x - k;
      while (x < n && y < m && a[head + x] === b[head + y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) {
        // d = removed + added, and m − n = added − removed.
        return { added: (d + m - n) / 2, removed: (d - m + n) / 2 };
      }
    }
  }
  return { added: m, removed: n };
}
