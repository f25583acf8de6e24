// The tools the chat offers the model (names and inputs are a contract, issue 9): one zod schema per tool checks what
// the model sends; the JSON Schema sent as `tools` is written out in toolJsonSchemas.ts (with the descriptions), and
// test/unit/tools-jsonSchemas.test.ts derives it from these schemas, so the two cannot drift apart.
import * as z from 'zod/mini';
import type { Tool } from '../../api';
import { TOOL_JSON_SCHEMAS } from './toolJsonSchemas';

const path = z.string().check(z.trim(), z.minLength(1, 'must not be empty'), z.maxLength(4096));
const line = z.number().check(z.int('must be a whole number'), z.gte(1, 'lines start at 1'));

export const toolInputSchemas = {
  read_file: z.object({
    path,
    start_line: z.optional(line),
    end_line: z.optional(line),
  }).check(z.refine((v) => v.start_line === undefined || v.end_line === undefined || v.end_line >= v.start_line, {
    message: 'end_line must not be before start_line', path: ['end_line'],
  })),
  list_directory: z.object({
    path: z.string().check(z.trim(), z.maxLength(4096)),
  }),
  find_files: z.object({
    glob: z.string().check(z.trim(), z.minLength(1, 'must not be empty'), z.maxLength(1000)),
  }),
  search_text: z.object({
    query: z.string().check(z.minLength(1, 'must not be empty'), z.maxLength(1000)),
    is_regexp: z.optional(z.boolean()),
    include: z.optional(z.string().check(z.trim(), z.maxLength(1000))),
  }),
  get_diagnostics: z.object({
    path: z.optional(path),
  }),
  edit_file: z.object({
    path,
    old_text: z.string().check(z.minLength(1, 'must not be empty: to add text, include a line next to where it goes')),
    new_text: z.string(),
  }),
  create_file: z.object({
    path,
    content: z.string(),
  }),
  run_command: z.object({
    command: z.string().check(z.trim(), z.minLength(1, 'must not be empty'), z.maxLength(10_000)),
    cwd: z.optional(z.string().check(z.trim(), z.maxLength(4096))),
    timeout_seconds: z.optional(z.number().check(z.int('must be a whole number'), z.gte(1), z.lte(3600))),
  }),
} as const;

export type ToolName = keyof typeof toolInputSchemas;
export type ToolInput<N extends ToolName> = z.infer<(typeof toolInputSchemas)[N]>;
export const TOOL_NAMES = Object.keys(toolInputSchemas) as ToolName[];

/** Tools that only look: they may run without asking (fastrouter.tools.autoApproveReadOnly). */
export const READ_ONLY_TOOLS: ReadonlySet<ToolName> = new Set(['read_file', 'list_directory', 'find_files', 'search_text', 'get_diagnostics']);

const descriptions: Record<ToolName, string> = {
  read_file:
    'Read a text file of the workspace, with line numbers. Reads the editor\'s unsaved changes when the file is open. ' +
    'Use it before explaining or editing code you have not seen. Large files are cut: the result says which lines to ask for next.',
  list_directory: 'List the entries of a workspace folder; folders end in "/". Use it to learn the layout of a project.',
  find_files: 'Find files whose workspace-relative path matches a glob. Use it to locate a file when you know part of its name.',
  search_text:
    'Search the text of the workspace\'s files. Returns matches as path:line with a line of context before and after. ' +
    'Use it to find where a symbol is defined or used.',
  get_diagnostics: 'Get the errors and warnings the editor reports (compiler, linter), for one file or the whole workspace.',
  edit_file:
    'Propose an edit to an existing file: replace old_text, which must occur exactly once, by new_text. ' +
    'The user reviews the change and applies or rejects it. Read the file first so old_text matches exactly.',
  create_file: 'Propose a new file with the given content. Fails if the file exists (use edit_file to change it). The user reviews it first.',
  run_command:
    'Run a shell command in the workspace (tests, builds, linters, git status…) and get its exit code and output (stdout and ' +
    'stderr interleaved; long output keeps the first and last 8 KB). The user approves each command unless their rules allow it. ' +
    'stdin is closed: never run commands that wait for input, editors, pagers or servers that do not exit; pass flags that ' +
    'make tools non-interactive. Prefer read_file/search_text to look at files.',
};

let cached: Tool[] | undefined;

/**
 * The `tools` of a chat request, in a fixed order (a stable prefix keeps the prompt cache warm); `omitted` tools are
 * not offered (run_command where no process can run).
 */
export function toolDefinitions(omitted: readonly ToolName[] = []): Tool[] {
  cached ??= TOOL_NAMES.map((name) => ({ name, description: descriptions[name], input_schema: TOOL_JSON_SCHEMAS[name] }));
  return omitted.length === 0 ? cached : cached.filter((tool) => !omitted.includes(tool.name as ToolName));
}

export function isToolName(name: string): name is ToolName {
  return Object.prototype.hasOwnProperty.call(toolInputSchemas, name);
}

export type ParsedToolCall = { [N in ToolName]: { name: N; input: ToolInput<N> } }[ToolName];

/** Checks a tool call from the model; the error says what to fix, in words the model can act on. */
export function parseToolCall(name: string, input: unknown): { ok: true; call: ParsedToolCall } | { ok: false; error: string } {
  if (!isToolName(name)) return { ok: false, error: `Unknown tool "${name}". Available tools: ${TOOL_NAMES.join(', ')}.` };
  if (typeof input === 'object' && input !== null && '_unparsed' in input) {
    return { ok: false, error: `The input of ${name} was not valid JSON.` };
  }
  const result = toolInputSchemas[name].safeParse(input ?? {});
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.length ? issue.path.join('.') : 'input'}: ${issue.message}`);
    return { ok: false, error: `Invalid input for ${name}: ${problems.join('; ')}.` };
  }
  return { ok: true, call: { name, input: result.data } as ParsedToolCall };
}

/** The row's text while a call waits or runs ("Reading src/a.ts:1–40"); the host gives the final one. */
export function describeCall(call: ParsedToolCall): string {
  switch (call.name) {
    case 'read_file': {
      const { start_line: start, end_line: end } = call.input;
      const range = start !== undefined || end !== undefined ? `:${start ?? 1}${end !== undefined ? `–${end}` : '–'}` : '';
      return `Reading ${call.input.path}${range}`;
    }
    case 'list_directory':
      return `Listing ${call.input.path || '.'}/`.replace(/\/\/$/, '/');
    case 'find_files':
      return `Finding ${call.input.glob}`;
    case 'search_text':
      return `Searching '${call.input.query}'${call.input.include ? ` in ${call.input.include}` : ''}`;
    case 'get_diagnostics':
      return call.input.path ? `Getting problems of ${call.input.path}` : 'Getting problems';
    case 'edit_file':
      return `Edit ${call.input.path}`;
    case 'create_file':
      return `Create ${call.input.path}`;
    case 'run_command': {
      const line = call.input.command.split('\n')[0];
      return `Run ${line.length > 80 ? `${line.slice(0, 80)}…` : line}${line !== call.input.command && line.length <= 80 ? ' …' : ''}`;
    }
  }
}
