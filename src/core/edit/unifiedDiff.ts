// A short unified diff of two texts (what the user changed in a proposed edit, for the tool_result), line based, with
// a few lines of context and a cap on its length so it never floods the model's context. Pure; no vscode.

export interface UnifiedDiffOptions {
  context?: number;
  /** Most diff lines shown (hunk headers and context included); the rest is summarized in a line. */
  maxLines?: number;
  /** Above this many differing lines on either side, only the counts are given (the LCS is quadratic). */
  maxCompare?: number;
}

/** '' when the texts are equal. */
export function unifiedDiff(before: string, after: string, options: UnifiedDiffOptions = {}): string {
  if (before === after) return '';
  const context = options.context ?? 3;
  const maxLines = options.maxLines ?? 80;
  const a = before.split(/\r\n|\r|\n/);
  const b = after.split(/\r\n|\r|\n/);
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const midA = a.slice(start, endA);
  const midB = b.slice(start, endB);
  if (midA.length > (options.maxCompare ?? 2000) || midB.length > (options.maxCompare ?? 2000)) {
    return `@@ -${start + 1},${midA.length} +${start + 1},${midB.length} @@\n(${midA.length} lines replaced by ${midB.length}; too long to show)`;
  }
  // LCS table of the differing middle, then the edit script.
  const n = midA.length;
  const m = midB.length;
  const table = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) table[i][j] = midA[i] === midB[j] ? table[i + 1][j + 1] + 1 : Math.max(table[i + 1][j], table[i][j + 1]);
  type Line = { kind: ' ' | '-' | '+'; text: string; a: number; b: number };
  const script: Line[] = [];
  for (let k = Math.max(0, start - context); k < start; k++) script.push({ kind: ' ', text: a[k], a: k, b: k });
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && midA[i] === midB[j]) {
      script.push({ kind: ' ', text: midA[i], a: start + i, b: start + j });
      i++;
      j++;
    } else if (i < n && (j === m || table[i + 1][j] >= table[i][j + 1])) {
      // Removed lines before added ones, as diff shows them.
      script.push({ kind: '-', text: midA[i], a: start + i, b: start + j });
      i++;
    } else {
      script.push({ kind: '+', text: midB[j], a: start + i, b: start + j });
      j++;
    }
  }
  for (let k = 0; k < context && endA + k < a.length; k++) script.push({ kind: ' ', text: a[endA + k], a: endA + k, b: endB + k });
  // Hunks: changed lines with up to `context` unchanged lines around them.
  const out: string[] = [];
  let index = 0;
  while (index < script.length) {
    while (index < script.length && script[index].kind === ' ') index++;
    if (index >= script.length) break;
    let first = index;
    let unchanged = 0;
    while (first > 0 && script[first - 1].kind === ' ' && unchanged < context) {
      first--;
      unchanged++;
    }
    let last = index;
    let gap = 0;
    for (let k = index; k < script.length; k++) {
      if (script[k].kind === ' ') {
        gap++;
        if (gap > context * 2) break;
      } else {
        gap = 0;
        last = k;
      }
    }
    const end = Math.min(script.length, last + 1 + context);
    const lines = script.slice(first, end);
    const countA = lines.filter((l) => l.kind !== '+').length;
    const countB = lines.filter((l) => l.kind !== '-').length;
    out.push(`@@ -${lines[0].a + 1},${countA} +${lines[0].b + 1},${countB} @@`);
    for (const line of lines) out.push(`${line.kind}${line.text}`);
    index = end;
  }
  if (out.length > maxLines) return [...out.slice(0, maxLines), `… (${out.length - maxLines} more diff lines)`].join('\n');
  return out.join('\n');
}
