/**
 * The shapes of the picture's arrows: where each one runs between two workload boxes, and where along it a label
 * may go.
 */
import { Point, Rect, spotsAlong } from "./labelPlacement";

export const BOX = { width: 200, height: 34, gap: 26 };
/** How far an arc that skips columns dips below the boxes, per column skipped. */
const ARC_DEPTH = 28;

/** A workload's box, and the column (namespace) it is in. */
export interface Box extends Rect {
    id: string;
    column: number;
}

export interface ArrowGeometry {
    path: string;
    /** Where its label may go, best first. */
    spots: Point[];
    /** A box around the curve, for the panel's extent. */
    bounds: Rect;
    length: number;
}

/**
 * A loop on the box for a workload to itself; within a column, a curve bulging to the right; between neighbouring
 * columns, a straight arrow; across a column, an arc that dips below the boxes. The two arrows of a pair (one each way)
 * are drawn apart so they do not overlap.
 */
export function arrowGeometry(from: Box, to: Box, bottom: number): ArrowGeometry {
    const fromY = from.y + BOX.height / 2;
    const toY = to.y + BOX.height / 2;
    if (from.id === to.id) {
        const [p0, c1, c2, p1] = [{ x: from.x + BOX.width - 28, y: from.y }, { x: from.x + BOX.width - 28, y: from.y - 24 }, { x: from.x + BOX.width + 28, y: from.y - 24 }, { x: from.x + BOX.width, y: from.y + 8 }];
        return curve(`M${p0.x},${p0.y} C${c1.x},${c1.y} ${c2.x},${c2.y} ${p1.x},${p1.y}`, (t) => cubic(p0, c1, c2, p1, t), 40);
    }
    if (from.column === to.column) {
        const x = from.x + BOX.width;
        const bulge = x + 40 + Math.abs(toY - fromY) / 4;
        const [p0, c1, c2, p1] = [{ x, y: fromY - 6 }, { x: bulge, y: fromY - 6 }, { x: bulge, y: toY + 6 }, { x, y: toY + 6 }];
        return curve(`M${p0.x},${p0.y} C${c1.x},${c1.y} ${c2.x},${c2.y} ${p1.x},${p1.y}`, (t) => cubic(p0, c1, c2, p1, t), Math.abs(toY - fromY) + 80);
    }
    const rightwards = to.column > from.column;
    const offset = rightwards ? -7 : 7;
    const p0 = { x: rightwards ? from.x + BOX.width : from.x, y: fromY + offset };
    const p1 = { x: rightwards ? to.x : to.x + BOX.width, y: toY + offset };
    const span = Math.abs(to.column - from.column);
    if (span === 1) return curve(`M${p0.x},${p0.y} L${p1.x},${p1.y}`, (t) => ({ x: p0.x + (p1.x - p0.x) * t, y: p0.y + (p1.y - p0.y) * t }), Math.hypot(p1.x - p0.x, p1.y - p0.y));
    const c = { x: (p0.x + p1.x) / 2, y: bottom + ARC_DEPTH * 2 * (span - 1) + (rightwards ? 0 : ARC_DEPTH) };
    return curve(`M${p0.x},${p0.y} Q${c.x},${c.y} ${p1.x},${p1.y}`, (t) => quadratic(p0, c, p1, t), Math.abs(p1.x - p0.x) + 2 * (c.y - p0.y));
}

function curve(path: string, at: (t: number) => Point, length: number): ArrowGeometry {
    const samples = Array.from({ length: 21 }, (_, i) => at(i / 20));
    const xs = samples.map((p) => p.x);
    const ys = samples.map((p) => p.y);
    const bounds = { x: Math.min(...xs), y: Math.min(...ys), width: Math.max(...xs) - Math.min(...xs), height: Math.max(...ys) - Math.min(...ys) + 8 };
    return { path, spots: spotsAlong(at), bounds, length };
}

function quadratic(p0: Point, c: Point, p1: Point, t: number): Point {
    const u = 1 - t;
    return { x: u * u * p0.x + 2 * u * t * c.x + t * t * p1.x, y: u * u * p0.y + 2 * u * t * c.y + t * t * p1.y };
}

function cubic(p0: Point, c1: Point, c2: Point, p1: Point, t: number): Point {
    const u = 1 - t;
    const [a, b, c, d] = [u * u * u, 3 * u * u * t, 3 * u * t * t, t * t * t];
    return { x: a * p0.x + b * c1.x + c * c2.x + d * p1.x, y: a * p0.y + b * c1.y + c * c2.y + d * p1.y };
}
