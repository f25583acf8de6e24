// Syntax highlighting with highlight.js core and a curated set of languages (the full bundle is ~1 MB).
import hljs from 'highlight.js/lib/core';
import bash from 'highlight.js/lib/languages/bash';
import c from 'highlight.js/lib/languages/c';
import cpp from 'highlight.js/lib/languages/cpp';
import csharp from 'highlight.js/lib/languages/csharp';
import css from 'highlight.js/lib/languages/css';
import diff from 'highlight.js/lib/languages/diff';
import go from 'highlight.js/lib/languages/go';
import java from 'highlight.js/lib/languages/java';
import javascript from 'highlight.js/lib/languages/javascript';
import json from 'highlight.js/lib/languages/json';
import markdown from 'highlight.js/lib/languages/markdown';
import python from 'highlight.js/lib/languages/python';
import rust from 'highlight.js/lib/languages/rust';
import shell from 'highlight.js/lib/languages/shell';
import sql from 'highlight.js/lib/languages/sql';
import typescript from 'highlight.js/lib/languages/typescript';
import xml from 'highlight.js/lib/languages/xml';
import yaml from 'highlight.js/lib/languages/yaml';

const languages = { bash, c, cpp, csharp, css, diff, go, java, javascript, json, markdown, python, rust, shell, sql, typescript, xml, yaml };
for (const [name, language] of Object.entries(languages)) hljs.registerLanguage(name, language);

/** Past this size highlighting costs more than it helps while streaming; the code is shown plain. */
const MAX_HIGHLIGHT_CHARS = 200_000;

/** Returns highlighted HTML (hljs escapes the code; only `<span class>` markup is added), or undefined if the language is unknown. */
export function highlightCode(code: string, language: string): string | undefined {
  if (!language || code.length > MAX_HIGHLIGHT_CHARS || !hljs.getLanguage(language)) return undefined;
  try {
    return hljs.highlight(code, { language, ignoreIllegals: true }).value;
  } catch {
    return undefined;
  }
}

/**
 * Compiles each grammar in idle time, one per idle callback, so the first code block of an answer does not pay
 * for it mid-stream (the TypeScript grammar alone takes ~25 ms to compile). Calls `done` when all are ready.
 */
export function warmUpHighlighter(done: () => void): void {
  const names = Object.keys(languages);
  const idle = (fn: () => void) => (typeof requestIdleCallback === 'function' ? requestIdleCallback(fn, { timeout: 2000 }) : setTimeout(fn, 50));
  const next = () => {
    const name = names.shift();
    if (!name) return done();
    highlightCode('x', name);
    idle(next);
  };
  idle(next);
}
