/**
 * The accuracy-length Pareto front (LASER Fig. 1 and 5): a point is on the front when no other point is
 * at least as short and at least as accurate, and strictly better in one of the two.
 */

/** x: mean length (lower is better); y: accuracy (higher is better). */
export interface ParetoPoint {
  x: number;
  y: number;
}

/**
 * Indices of the non-dominated points, ordered by x ascending (the order the front is drawn in).
 * Identical points are all on the front or all off it; points with a non-finite coordinate never are.
 */
export function paretoFront(points: readonly ParetoPoint[]): number[] {
  const order = points
    .map((_, i) => i)
    .filter((i) => Number.isFinite(points[i].x) && Number.isFinite(points[i].y))
    .sort((i, j) => points[i].x - points[j].x || points[j].y - points[i].y || i - j);
  const front: number[] = [];
  let best: ParetoPoint | undefined;
  for (const i of order) {
    const p = points[i];
    // Sorted by x, then y descending: p is dominated unless it beats every earlier y or duplicates the best.
    if (!best || p.y > best.y) {
      front.push(i);
      best = p;
    } else if (p.y === best.y && p.x === best.x) front.push(i);
  }
  return front;
}
