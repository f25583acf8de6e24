// The one exclude glob a file query carries (VS Code's findFiles takes a single pattern): files.exclude,
// search.exclude and the folder's .gitignore files joined into `{a,a/**,b,b/**,…}`, so ignored folders such as
// node_modules are pruned by the search itself and never use up its result budget (issue 14 §1).
import { gitignoreGlobs } from './text';

/** `a{b,c}d` → `abd`, `acd` (nested groups too): findFiles' exclude is one brace group, which cannot nest. */
export function expandBraces(glob: string): string[] {
  const open = glob.indexOf('{');
  if (open === -1) return [glob];
  let depth = 0;
  const parts: string[] = [];
  let start = open + 1;
  for (let i = open; i < glob.length; i++) {
    const c = glob[i];
    if (c === '{') depth++;
    else if (c === '}') {
      depth--;
      if (depth === 0) {
        parts.push(glob.slice(start, i));
        const head = glob.slice(0, open);
        const tails = expandBraces(glob.slice(i + 1));
        return parts.flatMap((part) => expandBraces(part).flatMap((p) => tails.map((tail) => `${head}${p}${tail}`)));
      }
    } else if (c === ',' && depth === 1) {
      parts.push(glob.slice(start, i));
      start = i + 1;
    }
  }
  // An unclosed brace is literal text.
  return [glob];
}

/** .gitignore lines of the file in `folder` (workspace-relative, "" for the root) as globs of workspace-relative paths. */
export function scopedGitignoreGlobs(folder: string, text: string): string[] {
  const globs = gitignoreGlobs(text);
  if (!folder) return globs;
  return globs.map((glob) => `${folder}/${glob}`);
}

/**
 * One glob excluding every pattern and everything below what it matches (a pattern names a file or a folder), or
 * undefined when there is nothing to exclude.
 */
export function excludeGlob(patterns: readonly string[]): string | undefined {
  const seen = new Set<string>();
  for (const raw of patterns) {
    for (const expanded of expandBraces(raw.replace(/^\.\//, '').replace(/\/+$/, ''))) {
      if (!expanded || expanded.includes(',')) continue;
      seen.add(expanded);
      if (!expanded.endsWith('/**')) seen.add(`${expanded}/**`);
    }
  }
  return seen.size === 0 ? undefined : `{${[...seen].join(',')}}`;
}

/**
 * A glob of what the Add File… picker's query finds for typed text, as Ctrl+P would: the letters in order, any case,
 * the last part in the file name and earlier parts (typed with `/`) in folder names on the way.
 */
export function fuzzyFileGlob(typed: string): string | undefined {
  const parts = typed.trim().replace(/\\/g, '/').split('/').map((part) => part.replace(/\s+/g, '')).filter(Boolean);
  if (parts.length === 0) return undefined;
  const letter = (c: string): string => {
    if (c.toLowerCase() !== c.toUpperCase()) return `[${c.toLowerCase()}${c.toUpperCase()}]`;
    return c;
  };
  // Glob specials typed by the user are left out (a fuzzy match does not need every character).
  const fuzzy = (part: string): string => `*${[...part.replace(/[*?[\]{}!,\\]/g, '')].map(letter).join('*')}*`;
  return `**/${parts.map(fuzzy).join('/**/')}`;
}
