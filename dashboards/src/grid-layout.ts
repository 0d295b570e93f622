/** Position of a panel on a 48-column grid (Kibana's; Grafana's 24 columns take half). */
export interface GridPosition {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

/** Columns of the grid panels are laid out on. */
export const GRID_COLUMNS = 48;

/**
 * Places panels left to right in reading order, starting a new row when the next one does not
 * fit; a row is as tall as its tallest panel.
 */
export function layOut(sizes: readonly { readonly width: number; readonly height: number }[]): GridPosition[] {
  const positions: GridPosition[] = [];
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  for (const { width, height } of sizes) {
    if (width < 1 || width > GRID_COLUMNS) throw new Error(`grid layout: width ${width} is outside 1..${GRID_COLUMNS}`);
    if (x + width > GRID_COLUMNS) {
      y += rowHeight;
      x = 0;
      rowHeight = 0;
    }
    positions.push({ x, y, w: width, h: height });
    x += width;
    rowHeight = Math.max(rowHeight, height);
  }
  return positions;
}
