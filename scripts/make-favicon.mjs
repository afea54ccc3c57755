// Writes the reference client's icons from one drawing: public/favicon.svg, and
// public/favicon.ico (16, 32 and 48 px, 32-bit BMP images with alpha, which every browser and
// OS reads). A rounded blue square with a white video camera.
//   node scripts/make-favicon.mjs
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const PUBLIC_DIR = join(import.meta.dirname, '..', 'public');
const SIZES = [16, 32, 48];
const BLUE = [0x25, 0x63, 0xeb];
const WHITE = [0xff, 0xff, 0xff];

// The drawing, on a 32 x 32 grid.
const BACKGROUND = { x: 0, y: 0, width: 32, height: 32, radius: 7 };
const CAMERA_BODY = { x: 5, y: 10, width: 15, height: 12, radius: 2.5 };
/** The lens hood, a convex quadrilateral listed clockwise. */
const CAMERA_LENS = [
  [21.5, 14.5],
  [27, 11],
  [27, 21],
  [21.5, 17.5],
];

const SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">
  <rect width="${BACKGROUND.width}" height="${BACKGROUND.height}" rx="${BACKGROUND.radius}" fill="#2563eb"/>
  <rect x="${CAMERA_BODY.x}" y="${CAMERA_BODY.y}" width="${CAMERA_BODY.width}" height="${CAMERA_BODY.height}" rx="${CAMERA_BODY.radius}" fill="#fff"/>
  <path d="M${CAMERA_LENS.map(([x, y]) => `${x} ${y}`).join(' L')} Z" fill="#fff"/>
</svg>
`;

/** Whether a point of the grid is inside a rounded rectangle. */
function inRoundedRect(px, py, { x, y, width, height, radius }) {
  if (px < x || py < y || px > x + width || py > y + height) return false;
  const dx = Math.max(x + radius - px, 0, px - (x + width - radius));
  const dy = Math.max(y + radius - py, 0, py - (y + height - radius));
  return dx * dx + dy * dy <= radius * radius;
}

/** Whether a point is inside a convex polygon listed clockwise (y down). */
function inConvexPolygon(px, py, points) {
  return points.every(([x1, y1], index) => {
    const [x2, y2] = points[(index + 1) % points.length];
    return (x2 - x1) * (py - y1) - (y2 - y1) * (px - x1) >= 0;
  });
}

/**
 * The icon at `size` px as straight (not premultiplied) RGBA rows, top first; each pixel
 * averages 8 x 8 samples for smooth edges.
 */
function rasterize(size) {
  const samples = 8;
  const rgba = Buffer.alloc(size * size * 4);
  for (let row = 0; row < size; row += 1) {
    for (let column = 0; column < size; column += 1) {
      let background = 0;
      let camera = 0;
      for (let sy = 0; sy < samples; sy += 1) {
        for (let sx = 0; sx < samples; sx += 1) {
          const x = ((column + (sx + 0.5) / samples) * 32) / size;
          const y = ((row + (sy + 0.5) / samples) * 32) / size;
          if (!inRoundedRect(x, y, BACKGROUND)) continue;
          background += 1;
          if (inRoundedRect(x, y, CAMERA_BODY) || inConvexPolygon(x, y, CAMERA_LENS)) camera += 1;
        }
      }
      const offset = (row * size + column) * 4;
      const whiteShare = background ? camera / background : 0;
      for (let channel = 0; channel < 3; channel += 1) {
        rgba[offset + channel] = Math.round(
          BLUE[channel] * (1 - whiteShare) + WHITE[channel] * whiteShare,
        );
      }
      rgba[offset + 3] = Math.round((background / (samples * samples)) * 255);
    }
  }
  return rgba;
}

/** One ICO image: BITMAPINFOHEADER, BGRA rows bottom first, then the 1-bit AND mask. */
function bmpImage(size, rgba) {
  const header = Buffer.alloc(40);
  const maskRowBytes = Math.ceil(size / 32) * 4;
  const pixels = Buffer.alloc(size * size * 4);
  const mask = Buffer.alloc(maskRowBytes * size);
  for (let row = 0; row < size; row += 1) {
    const bottomUp = size - 1 - row;
    for (let column = 0; column < size; column += 1) {
      const from = (row * size + column) * 4;
      const to = (bottomUp * size + column) * 4;
      pixels[to] = rgba[from + 2];
      pixels[to + 1] = rgba[from + 1];
      pixels[to + 2] = rgba[from];
      pixels[to + 3] = rgba[from + 3];
      // Fully transparent pixels are masked out for readers that ignore alpha.
      if (rgba[from + 3] === 0)
        mask[bottomUp * maskRowBytes + (column >> 3)] |= 0x80 >> (column % 8);
    }
  }
  header.writeUInt32LE(40, 0); // biSize
  header.writeInt32LE(size, 4); // biWidth
  header.writeInt32LE(size * 2, 8); // biHeight: the colour image and the mask
  header.writeUInt16LE(1, 12); // biPlanes
  header.writeUInt16LE(32, 14); // biBitCount
  header.writeUInt32LE(0, 16); // biCompression: BI_RGB
  header.writeUInt32LE(pixels.length + mask.length, 20); // biSizeImage
  return Buffer.concat([header, pixels, mask]);
}

function ico(sizes) {
  const images = sizes.map((size) => bmpImage(size, rasterize(size)));
  const directory = Buffer.alloc(6 + 16 * images.length);
  directory.writeUInt16LE(0, 0); // reserved
  directory.writeUInt16LE(1, 2); // type: icon
  directory.writeUInt16LE(images.length, 4);
  let offset = directory.length;
  images.forEach((image, index) => {
    const entry = 6 + 16 * index;
    directory.writeUInt8(sizes[index] % 256, entry); // width (0 means 256)
    directory.writeUInt8(sizes[index] % 256, entry + 1); // height
    directory.writeUInt8(0, entry + 2); // colours in the palette: none
    directory.writeUInt8(0, entry + 3); // reserved
    directory.writeUInt16LE(1, entry + 4); // planes
    directory.writeUInt16LE(32, entry + 6); // bits per pixel
    directory.writeUInt32LE(image.length, entry + 8);
    directory.writeUInt32LE(offset, entry + 12);
    offset += image.length;
  });
  return Buffer.concat([directory, ...images]);
}

writeFileSync(join(PUBLIC_DIR, 'favicon.svg'), SVG);
writeFileSync(join(PUBLIC_DIR, 'favicon.ico'), ico(SIZES));
console.log(`wrote public/favicon.svg and public/favicon.ico (${SIZES.join(', ')} px)`);
