// A compact CSS grammar for highlight.js (also used for SCSS and Less): it tells tokens apart by their shape, not by
// lists of every property, element and pseudo-class, so it costs a few hundred bytes of the bundle where highlight.js's
// own CSS grammar cost ~4.3 KB deflated. Scope names are highlight.js's, so the chat's theme colours apply.
// No mode stays open over a rule block (a `{ … }` is plain text): rules and declarations are told apart by what follows
// a name on its line, so every line of ordinary CSS ends at the top level and a streamed block settles line by line,
// and nesting needs nothing more.
import type { HLJSApi, Language, Mode } from 'highlight.js';

export default function css(hljs: HLJSApi): Language {
  const strings = [hljs.APOS_STRING_MODE, hljs.QUOTE_STRING_MODE];
  const comments = [hljs.C_BLOCK_COMMENT_MODE, hljs.C_LINE_COMMENT_MODE];
  const number: Mode = { scope: 'number', match: /(?<![\w-])[+-]?(?:\d*\.)?\d+(?:%|[a-z]+)?/ };
  /** What a value or an at-rule's prelude holds; both end at a `;` or before a brace. */
  const value = (...first: Mode[]): Mode => ({
    end: /;|(?=[{}])/,
    keywords: 'and or not only',
    contains: [
      ...first,
      { scope: 'string', match: /(?<=url\()[^"')]+/ }, // url's unquoted argument (before comments: url(//host/a.png))
      ...comments,
      ...strings,
      { scope: 'built_in', match: /(?<![\w-])[\w-]+(?=\()/ }, // var(), calc(), rgb(), url() …
      { scope: 'variable', match: /--[\w-]+|[$@][\w-]+/ }, // a custom property, a Sass or Less variable
      { scope: 'number', match: /#[\da-f]{3,8}\b/ },
      number,
      { scope: 'meta', match: /!\s*[a-z]+/ }, // !important (Sass: !default)
    ],
  });
  return {
    name: 'CSS',
    aliases: ['scss', 'less'],
    case_insensitive: true,
    contains: [
      ...comments,
      // A property (`--custom`, Sass `$x`, Less `@x`) and its value, unless what follows the ':' on the line shows a
      // selector with a pseudo-class: a '{' outside quotes (`a:hover {`, not `content: "{"`), or a ',' ending the line
      // (`a:hover,`; a value has a space after its ':' when it goes on over lines). Every pattern starts only where a
      // word starts and looks ahead at most 1,000 characters, so a long run of `-` or a 200 KB minified line stays linear.
      { begin: [/(?<![\w-])(?:--[\w-]+|[$@]?-?[a-z_][\w-]*)/, /\s*:(?!(?:[^;{}\n"']|"[^"\n]*"|'[^'\n]*'){0,1000}\{|\S(?:[^;{}\n"']|"[^"\n]*"|'[^'\n]*'){0,1000},\s*$)/], beginScope: { 1: 'attribute' }, ...value() },
      // @media, @import, @keyframes …: its prelude up to the ';' or the '{' (`(max-width: 600px)` names a feature).
      { begin: /@[\w-]+/, beginScope: 'keyword', ...value({ scope: 'attribute', match: /(?<![\w-])[\w-]+(?=\s*:)/ }) },
      { scope: 'selector-id', match: /#[\w-]+/ },
      { scope: 'selector-class', match: /\.-?[a-z_][\w-]*/ },
      { scope: 'selector-attr', begin: /\[/, end: /\]/, contains: strings },
      { scope: 'selector-pseudo', match: /::?[\w-]+/ },
      number, // 50% in @keyframes, 2n+1 in :nth-child()
      { scope: 'selector-tag', match: /[a-z_][\w-]*/ },
    ],
  };
}
