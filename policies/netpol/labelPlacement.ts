/**
 * Placing labels so that no two overlap: each label tries its candidate spots in order (nearest its arrow first) and
 * takes the first that touches no label placed before it and no obstacle (a workload box, a heading). A label with no
 * free spot goes to the caller's overflow list, which is drawn in its own rows, so that "no two labels intersect"
 * holds for every picture, not just most.
 */

export interface Rect {
    x: number;
    y: number;
    width: number;
    height: number;
}

export interface Point {
    x: number;
    y: number;
}

/** True when the two rectangles share any area (touching edges do not count). */
export function intersects(a: Rect, b: Rect): boolean {
    return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

/** A rectangle of `width` x `height` centred on `p`. */
export function centredAt(p: Point, width: number, height: number): Rect {
    return { x: p.x - width / 2, y: p.y - height / 2, width, height };
}

export interface LabelRequest {
    width: number;
    height: number;
    /** Centres to try, best first. */
    candidates: Point[];
}

/**
 * The rectangle each label takes, in request order; undefined for a label that fits nowhere. Requests are served in
 * the order given, so the caller puts first the labels whose arrows have the least room (short ones).
 */
export function placeLabels(requests: LabelRequest[], obstacles: Rect[], bounds?: Rect): (Rect | undefined)[] {
    const placed: Rect[] = [];
    return requests.map((request) => {
        for (const c of request.candidates) {
            const rect = centredAt(c, request.width, request.height);
            if (bounds && !inside(rect, bounds)) continue;
            if (placed.some((r) => intersects(r, rect)) || obstacles.some((o) => intersects(o, rect))) continue;
            placed.push(rect);
            return rect;
        }
        return undefined;
    });
}

function inside(r: Rect, bounds: Rect): boolean {
    return r.x >= bounds.x && r.y >= bounds.y && r.x + r.width <= bounds.x + bounds.width && r.y + r.height <= bounds.y + bounds.height;
}

/**
 * Spots along a curve for a label: points at fractions of its length, middle-ish first, each also a little above and
 * below, so that labels of arrows that cross can step aside.
 */
export function spotsAlong(at: (t: number) => Point, offsets: number[] = [0, -16, 16, -32, 32]): Point[] {
    const fractions = [0.33, 0.5, 0.4, 0.25, 0.6, 0.2, 0.7, 0.15, 0.8];
    return offsets.flatMap((dy) => fractions.map((t) => ({ x: at(t).x, y: at(t).y + dy })));
}
