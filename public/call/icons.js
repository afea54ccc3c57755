// @ts-check
// The call's symbols, drawn as inline SVG in the text colour (no font or image needed, the
// same on every system). Decorative: the buttons and badges they sit in carry the words.

const SVG = 'http://www.w3.org/2000/svg';

/** @type {Record<string, string[]>} each icon's shapes, as SVG elements' markup-free specs */
const SHAPES = {
  mic: ['rect x=9 y=3 width=6 height=11 rx=3', 'path d=M6,11a6,6,0,0,0,12,0', 'path d=M12,17v4'],
  'mic-off': [
    'rect x=9 y=3 width=6 height=11 rx=3',
    'path d=M6,11a6,6,0,0,0,12,0',
    'path d=M12,17v4',
    'path d=M4,4l16,16',
  ],
  camera: ['rect x=3 y=7 width=12 height=10 rx=2', 'path d=M15,10l6,-3v10l-6,-3z'],
  'camera-off': [
    'rect x=3 y=7 width=12 height=10 rx=2',
    'path d=M15,10l6,-3v10l-6,-3z',
    'path d=M3,3l18,18',
  ],
  screen: ['rect x=3 y=4 width=18 height=12 rx=1.5', 'path d=M8,20h8', 'path d=M12,16v4'],
  hand: [
    'path d=M8,13V6a1.5,1.5,0,0,1,3,0v5V4.5a1.5,1.5,0,0,1,3,0V11V6a1.5,1.5,0,0,1,3,0v8a6,6,0,0,1,-6,6h-0.5a6,6,0,0,1,-5,-2.7L3.5,14a1.5,1.5,0,0,1,2.4,-1.8L8,14.5',
  ],
  people: [
    'circle cx=9 cy=8 r=3.5',
    'path d=M2.5,20a6.5,6.5,0,0,1,13,0',
    'circle cx=17 cy=9 r=2.5',
    'path d=M16,14.2a5,5,0,0,1,6,4.8',
  ],
  chat: ['path d=M4,5h16v11H9l-5,4z'],
  fullscreen: ['path d=M4,9V4h5M20,9V4h-5M4,15v5h5M20,15v5h-5'],
  leave: ['path d=M3,14c5,-5,13,-5,18,0l-2.5,2.5-3,-1.5v-2.5a9,9,0,0,0,-7,0V15l-3,1.5z'],
};

/**
 * An icon by name, 1.25em square, hidden from assistive technology.
 * @param {string} name a key of SHAPES
 * @returns {SVGSVGElement}
 */
export function icon(name) {
  const svg = document.createElementNS(SVG, 'svg');
  for (const [key, value] of Object.entries({
    viewBox: '0 0 24 24',
    width: '1.25em',
    height: '1.25em',
    fill: 'none',
    stroke: 'currentColor',
    'stroke-width': '2',
    'stroke-linecap': 'round',
    'stroke-linejoin': 'round',
    'aria-hidden': 'true',
    focusable: 'false',
    class: 'icon',
  }))
    svg.setAttribute(key, value);
  svg.dataset.icon = name;
  for (const spec of SHAPES[name] ?? []) {
    const [tag, ...attributes] = spec.split(' ');
    const shape = document.createElementNS(SVG, tag);
    for (const attribute of attributes) {
      const at = attribute.indexOf('=');
      shape.setAttribute(attribute.slice(0, at), attribute.slice(at + 1).replaceAll(',', ' '));
    }
    svg.append(shape);
  }
  return svg;
}
