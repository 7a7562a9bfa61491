/** The demo's input pictures: a cartoon face drawn in code and encoded as PNG (no image library). */
import { encodePng, type Rgb } from '../../shared/png.ts';

/** A smiling face on a coloured background; `hue` 0–1 varies skin and background between pictures. */
export function demoFace(size = 192, hue = 0): Buffer {
  const background: Rgb = [Math.round(90 + 120 * hue), 150, Math.round(220 - 100 * hue)];
  const skin: Rgb = [240, Math.round(200 - 40 * hue), Math.round(160 - 50 * hue)];
  const dark: Rgb = [40, 30, 30];
  const c = size / 2;
  const r = size * 0.38;
  return encodePng(size, size, (x, y) => {
    const dx = x - c;
    const dy = y - c;
    const inside = (cx: number, cy: number, rr: number) => (x - cx) ** 2 + (y - cy) ** 2 <= rr * rr;
    if (dx * dx + dy * dy > r * r) return background;
    if (inside(c - r * 0.38, c - r * 0.25, r * 0.12) || inside(c + r * 0.38, c - r * 0.25, r * 0.12)) return dark;
    const smile = Math.hypot(dx, dy + r * 0.1);
    if (dy > r * 0.15 && smile > r * 0.5 && smile < r * 0.6) return dark;
    return skin;
  });
}
