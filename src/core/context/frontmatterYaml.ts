// The YAML that rule files' frontmatter uses, read without a YAML library (js-yaml was 46 KB of the 500 KB host
// bundle): block mappings and sequences (nested by indentation), `[a, "b"]` lists, plain, 'single' and "double"
// quoted scalars, `|` and `>` block text, comments. Plain scalars resolve as YAML 1.2's core schema does (true/false,
// null/~, numbers, else text). Whatever it does not read (anchors, aliases, tags, `{…}` mappings, a quote left open,
// a duplicate key, tabs as indentation) is an error with its line, never a guess: the caller reports it and the rule
// is left out until it is fixed.

/** Why the frontmatter could not be read; `line` is 0-based in the frontmatter text. */
export class FrontmatterYamlError extends Error {
  constructor(readonly reason: string, readonly line: number) {
    super(reason);
    this.name = 'FrontmatterYamlError';
  }
}

interface Line {
  /** 0-based line number in the text. */
  no: number;
  indent: number;
  /** The line without its indentation. */
  text: string;
}

/** Deeper than any frontmatter needs; bounds the recursion. */
const MAX_DEPTH = 32;

/** Parses frontmatter text: an object for `key: value` lines, an array or a scalar for other documents, null when empty. */
export function parseFrontmatterYaml(source: string): unknown {
  const lines: Line[] = source.split(/\r?\n/).map((raw, no) => {
    const indent = /^ */.exec(raw)![0].length;
    return { no, indent, text: raw.slice(indent).replace(/[ \t]+$/, '') };
  });
  const reader = new Reader(lines);
  const first = reader.peek();
  if (!first) return null;
  const value = reader.node(first.indent, 0);
  const extra = reader.peek();
  if (extra) throw new FrontmatterYamlError('bad indentation of a mapping entry', extra.no);
  return value;
}

const KEY = /^(?:"((?:[^"\\]|\\.)*)"|'((?:[^']|'')*)'|([^\s#'"[\]{},&*!|>%@`?:-][^#]*?|-[^\s#][^#]*?))[ \t]*:(?:[ \t]+(.*))?$/;

class Reader {
  private i = 0;
  constructor(private readonly lines: Line[]) {}

  /** The next line that holds something (not blank, not a comment), without consuming it. */
  peek(): Line | undefined {
    while (this.i < this.lines.length) {
      const line = this.lines[this.i];
      if (line.text !== '' && !line.text.startsWith('#')) {
        // `text` starts after the spaces: a tab there is indentation, which YAML forbids.
        if (line.text.startsWith('\t')) throw new FrontmatterYamlError('tabs cannot be used for indentation', line.no);
        return line;
      }
      this.i++;
    }
    return undefined;
  }

  /** A mapping, a sequence or a scalar document starting at the next line, whose indentation is `indent`. */
  node(indent: number, depth: number): unknown {
    if (depth > MAX_DEPTH) throw new FrontmatterYamlError('nested too deeply', this.peek()?.no ?? 0);
    const line = this.peek()!;
    if (isSequenceItem(line.text)) return this.sequence(indent, depth);
    if (KEY.test(line.text)) return this.mapping(indent, depth);
    // A document that is only a scalar (or a flow list): read it as one value.
    this.i++;
    return this.scalarWithContinuation(line, line.text, indent - 1);
  }

  private mapping(indent: number, depth: number): Record<string, unknown> {
    const entries = new Map<string, unknown>();
    for (let line = this.peek(); line && line.indent === indent; line = this.peek()) {
      const match = KEY.exec(line.text);
      if (!match) throw new FrontmatterYamlError(isSequenceItem(line.text) ? 'a list item where a "key: value" line was expected' : 'a line that is not "key: value"', line.no);
      const key = match[1] !== undefined ? unescapeDouble(match[1], line.no) : match[2] !== undefined ? match[2].replace(/''/g, "'") : match[3].trim();
      if (entries.has(key)) throw new FrontmatterYamlError(`duplicated mapping key "${key}"`, line.no);
      this.i++;
      const rest = match[4] ?? '';
      // Cursor writes `globs: *.ts` (or `*.ts, *.tsx`) unquoted and accepts it, where YAML reads an alias: for globs, the text.
      entries.set(key, key === 'globs' && rest.startsWith('*') ? rest.replace(/[ \t]+#.*$/, '').trim() : this.valueAfter(line, rest, indent, depth, true));
    }
    return Object.fromEntries(entries);
  }

  private sequence(indent: number, depth: number): unknown[] {
    const items: unknown[] = [];
    for (let line = this.peek(); line && line.indent === indent && isSequenceItem(line.text); line = this.peek()) {
      const rest = line.text.slice(1).replace(/^[ ]+/, '');
      if (rest.startsWith('\t')) throw new FrontmatterYamlError('tabs cannot be used for indentation', line.no);
      const restIndent = indent + (line.text.length - rest.length);
      if (rest !== '' && !rest.startsWith('#') && (isSequenceItem(rest) || KEY.test(rest))) {
        // `- key: value` (or `- - x`): the item is a block node that starts on this line, at the column of `rest`.
        this.lines[this.i] = { no: line.no, indent: restIndent, text: rest };
        items.push(this.node(restIndent, depth + 1));
      } else {
        this.i++;
        items.push(this.valueAfter(line, rest, indent, depth, false));
      }
    }
    return items;
  }

  /** The value after `key:` or `- ` on `line` (`rest`), which may continue on the lines below. */
  private valueAfter(line: Line, rest: string, indent: number, depth: number, inMapping: boolean): unknown {
    if (rest === '' || rest.startsWith('#')) {
      const next = this.peek();
      if (next && next.indent > indent) return this.node(next.indent, depth + 1);
      // YAML lets a mapping's list sit at the key's own indentation.
      if (inMapping && next && next.indent === indent && isSequenceItem(next.text)) return this.sequence(indent, depth + 1);
      return null;
    }
    if (/^[|>]/.test(rest)) return this.blockScalar(line, rest, indent);
    return this.scalarWithContinuation(line, rest, indent);
  }

  /** A flow or quoted or plain scalar starting in `text`; a plain one may continue on more-indented lines. */
  private scalarWithContinuation(line: Line, text: string, indent: number): unknown {
    if (text.startsWith('[')) {
      let flow = text;
      // A list may span lines until its `]`.
      while (!flowClosed(flow)) {
        const next = this.lines[this.i];
        if (!next || (next.text !== '' && next.indent <= indent)) throw new FrontmatterYamlError('a "[" list that is not closed', line.no);
        flow += ' ' + next.text;
        this.i++;
      }
      return parseFlowSequence(flow, line.no);
    }
    if (text.startsWith('"') || text.startsWith("'")) {
      const { value, end } = parseQuoted(text, 0, line.no);
      const after = text.slice(end);
      if (after !== '' && !/^[ \t]+(?:#.*)?$/.test(after)) {
        throw new FrontmatterYamlError('text after a quoted value', line.no);
      }
      return value;
    }
    checkPlainStart(text, line.no);
    let plain = stripComment(text);
    if (/:(?:[ \t]|$)/.test(plain)) throw new FrontmatterYamlError('a ": " inside a value (quote the value)', line.no);
    // Continuation lines of a plain scalar: more indented than its key, folded with spaces.
    if (!/[ \t]#/.test(text)) {
      for (let next = this.peek(); next && next.indent > indent && !KEY.test(next.text) && !isSequenceItem(next.text); next = this.peek()) {
        if (/:(?:[ \t]|$)/.test(stripComment(next.text))) throw new FrontmatterYamlError('a ": " inside a value (quote the value)', next.no);
        plain += ' ' + stripComment(next.text);
        this.i++;
        if (/[ \t]#/.test(next.text)) break;
      }
    }
    return resolvePlain(plain);
  }

  /** `|` (lines kept) or `>` (lines folded) text, with `-`/`+` chomping; its lines are indented below the key. */
  private blockScalar(line: Line, header: string, indent: number): string {
    const m = /^([|>])([-+]?)([1-9]?)([-+]?)[ \t]*(?:#.*)?$/.exec(header);
    if (!m || (m[2] && m[4])) throw new FrontmatterYamlError('a "|" or ">" block header that is not understood', line.no);
    const chomp = m[2] || m[4];
    const body: string[] = [];
    let contentIndent = m[3] ? indent + Number(m[3]) : -1;
    for (; this.i < this.lines.length; this.i++) {
      const next = this.lines[this.i];
      if (next.text === '') { body.push(''); continue; }
      if (contentIndent < 0) contentIndent = next.indent;
      if (next.indent < contentIndent || contentIndent <= indent) break;
      body.push(' '.repeat(next.indent - contentIndent) + next.text);
    }
    let trailing = 0;
    while (body.length > 0 && body[body.length - 1] === '') { body.pop(); trailing++; }
    let text = m[1] === '|' ? body.join('\n') : foldLines(body);
    if (body.length === 0) return chomp === '+' ? '\n'.repeat(trailing) : '';
    if (chomp === '+') text += '\n'.repeat(trailing + 1);
    else if (chomp !== '-') text += '\n';
    return text;
  }
}

function isSequenceItem(text: string): boolean {
  return text === '-' || /^-[ \t]/.test(text);
}

function foldLines(lines: string[]): string {
  let out = '';
  for (let k = 0; k < lines.length; k++) {
    const line = lines[k];
    if (k === 0) { out = line; continue; }
    const prev = lines[k - 1];
    if (line === '') out += '\n';
    else if (prev === '' || line.startsWith(' ') || prev.startsWith(' ')) out += (prev === '' ? '' : '\n') + line;
    else out += ' ' + line;
  }
  return out;
}

/** Plain scalars may not start with YAML's indicators: anchors, aliases, tags, flow mappings, reserved characters. */
function checkPlainStart(text: string, lineNo: number): void {
  const first = text[0];
  if (first === '&' || first === '*') throw new FrontmatterYamlError(`anchors and aliases ("${first}") are not supported (quote the value)`, lineNo);
  if (first === '!') throw new FrontmatterYamlError('tags ("!") are not supported (quote the value)', lineNo);
  if (first === '{') throw new FrontmatterYamlError('"{…}" mappings are not supported', lineNo);
  if ('%@`]},'.includes(first) || (first === '?' && /^\?(?:[ \t]|$)/.test(text))) {
    throw new FrontmatterYamlError(`a value cannot start with "${first}" (quote the value)`, lineNo);
  }
}

/** A plain scalar ends before ` #`. */
function stripComment(text: string): string {
  const at = text.search(/[ \t]#/);
  return (at < 0 ? text : text.slice(0, at)).trim();
}

/** YAML 1.2 core schema. */
function resolvePlain(text: string): unknown {
  if (text === '' || text === '~' || /^(?:null|Null|NULL)$/.test(text)) return null;
  if (/^(?:true|True|TRUE)$/.test(text)) return true;
  if (/^(?:false|False|FALSE)$/.test(text)) return false;
  if (/^[-+]?[0-9]+$/.test(text)) return Number(text);
  if (/^0o[0-7]+$/.test(text)) return parseInt(text.slice(2), 8);
  if (/^0x[0-9a-fA-F]+$/.test(text)) return parseInt(text.slice(2), 16);
  if (/^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/.test(text)) return Number(text);
  if (/^[-+]?\.(?:inf|Inf|INF)$/.test(text)) return text.startsWith('-') ? -Infinity : Infinity;
  if (/^\.(?:nan|NaN|NAN)$/.test(text)) return NaN;
  return text;
}

const ESCAPES: Record<string, string> = { '0': '\0', a: '\x07', b: '\b', t: '\t', '\t': '\t', n: '\n', v: '\v', f: '\f', r: '\r', e: '\x1b', ' ': ' ', '"': '"', '/': '/', '\\': '\\', N: '\x85', _: '\xa0', L: '\u2028', P: '\u2029' };

function unescapeDouble(body: string, lineNo: number): string {
  return body.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)/g, (_, e: string) => {
    if (e.length > 1) {
      const code = parseInt(e.slice(1), 16);
      if (code > 0x10ffff) throw new FrontmatterYamlError('an escape beyond Unicode', lineNo);
      return String.fromCodePoint(code);
    }
    const out = ESCAPES[e];
    if (out === undefined) throw new FrontmatterYamlError(`unknown escape "\\${e}"`, lineNo);
    return out;
  });
}

/** A quoted scalar at `start` in `text` (one line): its value and the index after the closing quote. */
function parseQuoted(text: string, start: number, lineNo: number): { value: string; end: number } {
  const quote = text[start];
  const pattern = quote === '"' ? /"((?:[^"\\]|\\.)*)"/y : /'((?:[^']|'')*)'/y;
  pattern.lastIndex = start;
  const m = pattern.exec(text);
  if (!m) throw new FrontmatterYamlError('a quoted value that is not closed on its line', lineNo);
  return { value: quote === '"' ? unescapeDouble(m[1], lineNo) : m[1].replace(/''/g, "'"), end: start + m[0].length };
}

/** Whether a `[` list's text has its closing `]` (quotes respected). */
function flowClosed(text: string): boolean {
  let inQuote = '';
  for (let k = 0; k < text.length; k++) {
    const c = text[k];
    if (inQuote) {
      if (c === '\\' && inQuote === '"') k++;
      else if (c === inQuote) inQuote = '';
    } else if (c === '"' || c === "'") inQuote = c;
    else if (c === ']') return true;
  }
  return false;
}

/** `[a, "b", 'c']` with scalar items only (a nested list or mapping is an error). */
function parseFlowSequence(text: string, lineNo: number): unknown[] {
  const items: unknown[] = [];
  let k = 1;
  const skipSpace = () => { while (text[k] === ' ' || text[k] === '\t') k++; };
  skipSpace();
  if (text[k] === ']') k++;
  else {
    for (;;) {
      skipSpace();
      if (text[k] === '"' || text[k] === "'") {
        const { value, end } = parseQuoted(text, k, lineNo);
        items.push(value);
        k = end;
      } else {
        const m = /[^,\]]*/y;
        m.lastIndex = k;
        const raw = m.exec(text)![0].trim();
        if (raw === '') throw new FrontmatterYamlError('an empty item in a "[" list', lineNo);
        if (/^[[{]/.test(raw)) throw new FrontmatterYamlError('nested "[…]" or "{…}" in a list are not supported', lineNo);
        checkPlainStart(raw, lineNo);
        if (/:(?:[ \t]|$)/.test(raw) || raw.includes('#')) throw new FrontmatterYamlError('a list item that is not understood (quote it)', lineNo);
        items.push(resolvePlain(raw));
        k = m.lastIndex;
      }
      skipSpace();
      if (text[k] === ',') { k++; skipSpace(); if (text[k] === ']') { k++; break; } continue; }
      if (text[k] === ']') { k++; break; }
      throw new FrontmatterYamlError('a "[" list that is not understood', lineNo);
    }
  }
  const after = text.slice(k);
  if (after !== '' && !/^[ \t]+(?:#.*)?$/.test(after)) throw new FrontmatterYamlError('text after a "[" list', lineNo);
  return items;
}
