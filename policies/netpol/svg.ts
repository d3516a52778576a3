/**
 * The connectivity picture: one column per namespace, one box per workload, an arrow for each allowed flow between
 * two different workloads, labelled with its ports. Plain SVG with no script or external reference, so any browser
 * (or an image viewer) shows it as is.
 */
import { MatrixFlow } from "./matrix";

const BOX = { width: 200, height: 34, gap: 26 };
const COLUMN = { width: 240, gap: 150, header: 40, padding: 20 };
const MARGIN = { top: 70, left: 40, right: 110, bottom: 30 };
const ARC_DEPTH = 28;

interface Placed {
    id: string;
    x: number;
    y: number;
    column: number;
}

export function renderSvg(endpoints: string[], flows: MatrixFlow[], title: string): string {
    const namespaces = [...new Set(endpoints.map(namespaceOf))].sort();
    const placed = new Map<string, Placed>();
    namespaces.forEach((ns, column) => {
        endpoints.filter((e) => namespaceOf(e) === ns).sort().forEach((id, row) => {
            const x = MARGIN.left + column * (COLUMN.width + COLUMN.gap) + COLUMN.padding;
            const y = MARGIN.top + COLUMN.header + row * (BOX.height + BOX.gap);
            placed.set(id, { id, x, y, column });
        });
    });
    const rows = Math.max(1, ...namespaces.map((ns) => endpoints.filter((e) => namespaceOf(e) === ns).length));
    const columnHeight = COLUMN.header + rows * (BOX.height + BOX.gap) + COLUMN.padding;
    const width = MARGIN.left + MARGIN.right + namespaces.length * COLUMN.width + Math.max(0, namespaces.length - 1) * COLUMN.gap;
    // Arcs that skip columns dip below the boxes, deeper the more columns they cross: leave room for the deepest.
    const arcRoom = ARC_DEPTH * Math.max(0, namespaces.length - 2);
    const height = MARGIN.top + columnHeight + arcRoom + MARGIN.bottom;

    const edges = groupPorts(flows.filter((f) => f.allowed && f.from !== f.to));
    const parts = [
        `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="13">`,
        `<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#2f6fbd"/></marker></defs>`,
        `<rect width="100%" height="100%" fill="#ffffff"/>`,
        `<text x="${MARGIN.left}" y="32" font-size="18" font-weight="bold" fill="#222">${escape(title)}</text>`,
        `<text x="${MARGIN.left}" y="52" fill="#555">${escape(`${edges.length} allowed flow${edges.length === 1 ? "" : "s"} between ${endpoints.length} workloads; each arrow points from the side that connects to the side that listens`)}</text>`,
        ...namespaces.map((ns, column) => namespaceBox(ns, column, columnHeight)),
        ...edges.map((edge) => arrow(placed.get(edge.from)!, placed.get(edge.to)!, edge.ports, MARGIN.top + columnHeight)),
        ...[...placed.values()].map(workloadBox),
        `</svg>`,
    ];
    return parts.join("\n") + "\n";
}

function namespaceOf(id: string): string {
    return id.split("/")[0];
}

function namespaceBox(ns: string, column: number, height: number): string {
    const x = MARGIN.left + column * (COLUMN.width + COLUMN.gap);
    return [
        `<rect x="${x}" y="${MARGIN.top}" width="${COLUMN.width}" height="${height}" rx="10" fill="#f3f6fa" stroke="#9fb3c8"/>`,
        `<text x="${x + COLUMN.width / 2}" y="${MARGIN.top + 25}" text-anchor="middle" font-weight="bold" fill="#334e68">namespace ${escape(ns)}</text>`,
    ].join("\n");
}

function workloadBox(p: Placed): string {
    const name = p.id.slice(p.id.indexOf("/") + 1);
    return [
        `<rect x="${p.x}" y="${p.y}" width="${BOX.width}" height="${BOX.height}" rx="6" fill="#ffffff" stroke="#486581"/>`,
        `<text x="${p.x + BOX.width / 2}" y="${p.y + BOX.height / 2 + 4}" text-anchor="middle" fill="#102a43">${escape(name)}</text>`,
    ].join("\n");
}

/**
 * Between neighbouring columns, a straight arrow; across a column, an arc that dips below the boxes in between; within
 * a column, a curve bulging to the right. Labels sit a third of the way from the source, so the labels of a pair of
 * opposite arrows do not cover each other.
 */
function arrow(from: Placed, to: Placed, ports: string, bottom: number): string {
    const fromY = from.y + BOX.height / 2;
    const toY = to.y + BOX.height / 2;
    let path: string;
    let label: { x: number; y: number };
    if (from.column === to.column) {
        const x = from.x + BOX.width;
        const bulge = x + 40 + Math.abs(toY - fromY) / 4;
        path = `M${x},${fromY - 6} C${bulge},${fromY - 6} ${bulge},${toY + 6} ${x},${toY + 6}`;
        label = { x: x + 30 + Math.abs(toY - fromY) / 8, y: (fromY + toY) / 2 };
    } else {
        const rightwards = to.column > from.column;
        const x1 = rightwards ? from.x + BOX.width : from.x;
        const x2 = rightwards ? to.x : to.x + BOX.width;
        // The two arrows of a pair (one each way) are drawn apart so they do not overlap.
        const offset = rightwards ? -7 : 7;
        const [y1, y2] = [fromY + offset, toY + offset];
        const across = Math.abs(to.column - from.column) > 1;
        const controlY = across ? bottom + ARC_DEPTH * 2 * (Math.abs(to.column - from.column) - 1) : (y1 + y2) / 2;
        path = across ? `M${x1},${y1} Q${(x1 + x2) / 2},${controlY} ${x2},${y2}` : `M${x1},${y1} L${x2},${y2}`;
        label = pointOnQuadratic({ x: x1, y: y1 }, { x: (x1 + x2) / 2, y: controlY }, { x: x2, y: y2 }, 1 / 3);
    }
    const labelWidth = ports.length * 7 + 10;
    return [
        `<path d="${path}" fill="none" stroke="#2f6fbd" stroke-width="1.6" marker-end="url(#arrow)"/>`,
        `<rect x="${label.x - labelWidth / 2}" y="${label.y - 9}" width="${labelWidth}" height="16" rx="3" fill="#ffffff" fill-opacity="0.9"/>`,
        `<text x="${label.x}" y="${label.y + 3}" text-anchor="middle" font-size="11" fill="#2f6fbd">${escape(ports)}</text>`,
    ].join("\n");
}

function pointOnQuadratic(p0: { x: number; y: number }, c: { x: number; y: number }, p1: { x: number; y: number }, t: number): { x: number; y: number } {
    const u = 1 - t;
    return { x: u * u * p0.x + 2 * u * t * c.x + t * t * p1.x, y: u * u * p0.y + 2 * u * t * c.y + t * t * p1.y };
}

/** One edge per (from, to), with its allowed ports as "TCP 80, 443". */
function groupPorts(flows: MatrixFlow[]): { from: string; to: string; ports: string }[] {
    const edges = new Map<string, { from: string; to: string; ports: string[] }>();
    for (const f of flows) {
        const key = `${f.from}\u0000${f.to}`;
        const edge = edges.get(key) ?? { from: f.from, to: f.to, ports: [] };
        edge.ports.push(`${f.protocol} ${f.port}`);
        edges.set(key, edge);
    }
    return [...edges.values()].map((e) => ({ from: e.from, to: e.to, ports: e.ports.join(", ") }));
}

function escape(text: string): string {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}
