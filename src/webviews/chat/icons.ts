// Small line icons for the compact header, built as SVG nodes (no icon font to load, nothing parsed from strings).
const SVG_NS = 'http://www.w3.org/2000/svg';

/** 16×16 stroke paths, drawn for this extension. */
const PATHS = {
  plus: 'M8 3v10M3 8h10',
  history: 'M2.5 8a5.5 5.5 0 1 0 1.6-3.9M2.5 2.5v2.6h2.6M8 5v3.2l2 1.3',
  export: 'M8 2.5v7M5 6.5l3 3 3-3M3 10.5v2.5h10v-2.5',
  chevron: 'M4.5 6.5l3.5 3.5 3.5-3.5',
  arrowDown: 'M8 3v10M4 9l4 4 4-4',
} as const;

export type IconName = keyof typeof PATHS;

export function icon(name: IconName): SVGSVGElement {
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('viewBox', '0 0 16 16');
  svg.setAttribute('width', '16');
  svg.setAttribute('height', '16');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  svg.classList.add('icon');
  const path = document.createElementNS(SVG_NS, 'path');
  path.setAttribute('d', PATHS[name]);
  svg.append(path);
  return svg;
}
