/**
 * The connectivity picture. One panel per group of workloads (per demo in `plan`; per group of namespaces that talk to
 * each other, at most three, in `matrix`), panels stacked top to bottom. In a panel, one column per namespace, one box
 * per workload, and an arrow for each allowed flow, labelled with its ports; a loop on a box for a workload's pods
 * talking to each other. Labels are placed so that no two overlap (labelPlacement.ts); a label with no free spot near
 * its arrow, and flows between panels, are listed in rows under the panel instead.
 *
 * Plain SVG with no script or external reference, so any browser (or an image viewer) shows it as is.
 */
import { placeLabels, Rect } from "./labelPlacement";
import { MatrixFlow } from "./matrix";
import { arrowGeometry, Box, BOX } from "./svgGeometry";

const COLUMN = { width: 240, gap: 150, header: 40, padding: 20 };
const MARGIN = { top: 70, left: 40, right: 40, bottom: 20 };
const PANEL = { title: 30, gap: 30 };
const LABEL = { height: 16, charWidth: 7, padding: 10 };
const LINE = 18;
/** About the width of one character of a bold 13-pixel heading. */
const HEADING_CHAR_WIDTH = 8;
/** Namespaces per panel when the caller gives no panels: more columns make arcs that cross the whole picture. */
const MAX_COLUMNS = 3;

export interface Panel {
    title?: string;
    /** `namespace/name` of each workload in the panel. */
    endpoints: string[];
}

export interface SvgOptions {
    /** Groups of workloads to draw apart (e.g. one per demo); by default, groups of namespaces that talk. */
    panels?: Panel[];
}

interface Edge {
    from: string;
    to: string;
    ports: string;
}

export function renderSvg(endpoints: string[], flows: MatrixFlow[], title: string, options: SvgOptions = {}): string {
    const edges = groupPorts(flows.filter((f) => f.allowed));
    const panels = options.panels ?? panelsByNamespace(endpoints, edges);
    const panelOf = new Map(panels.flatMap((p, i) => p.endpoints.map((e) => [e, i] as const)));
    const parts: string[] = [];
    let y = MARGIN.top;
    let width = 0;
    panels.forEach((panel, i) => {
        const inside = edges.filter((e) => panelOf.get(e.from) === i && panelOf.get(e.to) === i);
        const across = edges.filter((e) => panelOf.get(e.from) === i && panelOf.get(e.to) !== i);
        const drawn = drawPanel(panel, panels.length > 1, inside, across, y);
        parts.push(...drawn.parts);
        y = drawn.bottom + PANEL.gap;
        width = Math.max(width, Math.ceil(drawn.right + MARGIN.right));
    });
    const height = Math.ceil(y - PANEL.gap + MARGIN.bottom);
    const flowsDrawn = edges.filter((e) => e.from !== e.to).length;
    const summary = `${flowsDrawn} allowed flow${flowsDrawn === 1 ? "" : "s"} between ${endpoints.length} workloads; each arrow points from the side that connects to the side that listens; a loop: a workload's pods reach each other`;
    return [
        `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="13">`,
        `<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#2f6fbd"/></marker></defs>`,
        `<rect width="100%" height="100%" fill="#ffffff"/>`,
        `<text x="${MARGIN.left}" y="32" font-size="18" font-weight="bold" fill="#222">${escape(title)}</text>`,
        `<text x="${MARGIN.left}" y="52" fill="#555">${escape(summary)}</text>`,
        ...parts,
        `</svg>`,
    ].join("\n") + "\n";
}

/** Draws one panel from `top` down; returns its elements and its extent. */
function drawPanel(panel: Panel, titled: boolean, edges: Edge[], across: Edge[], top: number): { parts: string[]; bottom: number; right: number } {
    const columnsTop = top + (titled ? PANEL.title : 0);
    const namespaces = [...new Set(panel.endpoints.map(namespaceOf))].sort();
    const boxes = new Map<string, Box>();
    namespaces.forEach((ns, column) => {
        panel.endpoints.filter((e) => namespaceOf(e) === ns).sort().forEach((id, row) => {
            const x = MARGIN.left + column * (COLUMN.width + COLUMN.gap) + COLUMN.padding;
            boxes.set(id, { id, column, x, y: columnsTop + COLUMN.header + row * (BOX.height + BOX.gap), width: BOX.width, height: BOX.height });
        });
    });
    const rows = Math.max(1, ...namespaces.map((ns) => panel.endpoints.filter((e) => namespaceOf(e) === ns).length));
    const columnBottom = columnsTop + COLUMN.header + rows * (BOX.height + BOX.gap) + COLUMN.padding;
    const arrows = edges.map((edge) => arrowGeometry(boxes.get(edge.from)!, boxes.get(edge.to)!, columnBottom));
    // A heading is in the way of labels only where its text is: labels may sit beside it.
    const headings = namespaces.map((ns, c) => {
        const width = `namespace ${ns}`.length * HEADING_CHAR_WIDTH + 10;
        return { x: MARGIN.left + c * (COLUMN.width + COLUMN.gap) + (COLUMN.width - width) / 2, y: columnsTop + 8, width, height: 24 };
    });
    const titleRect = titled ? [{ x: MARGIN.left, y: top, width: COLUMN.width * 2, height: PANEL.title }] : [];
    // Short arrows have the least room for their label: they choose first.
    const order = arrows.map((_, i) => i).sort((a, b) => arrows[a].length - arrows[b].length);
    const requests = order.map((i) => {
        const width = labelWidth(edges[i].ports);
        const box = boxes.get(edges[i].from)!;
        // A loop's label goes beside it, right of the box, before anywhere along the loop itself.
        const beside = edges[i].from === edges[i].to ? [-4, -20, 12].map((dy) => ({ x: box.x + BOX.width + 32 + width / 2, y: box.y + dy })) : [];
        return { width, height: LABEL.height, candidates: [...beside, ...arrows[i].spots] };
    });
    const placedInOrder = placeLabels(requests, [...boxes.values(), ...headings, ...titleRect]);
    const labels: (Rect | undefined)[] = [];
    order.forEach((arrowIndex, k) => (labels[arrowIndex] = placedInOrder[k]));

    const extent = [...boxes.values(), ...headings, ...labels.filter((l): l is Rect => l !== undefined), ...arrows.map((a) => a.bounds)];
    const right = Math.max(MARGIN.left + namespaces.length * COLUMN.width + (namespaces.length - 1) * COLUMN.gap, ...extent.map((r) => r.x + r.width));
    let bottom = Math.max(columnBottom, ...extent.map((r) => r.y + r.height)) + 10;
    const listed = [
        ...edges.filter((_, i) => !labels[i]).map((e) => `${e.from} -> ${e.to}: ${e.ports}`),
        ...acrossLines(across),
    ];
    const listParts = listed.map((text, i) => `<text x="${MARGIN.left}" y="${bottom + LINE * (i + 1)}" font-size="11" fill="#2f6fbd">${escape(text)}</text>`);
    if (listed.length > 0) bottom += LINE * listed.length + 6;
    return {
        parts: [
            ...(titled && panel.title ? [`<text x="${MARGIN.left}" y="${top + 20}" font-size="15" font-weight="bold" fill="#222">${escape(panel.title)}</text>`] : []),
            ...namespaces.map((ns, c) => namespaceBox(ns, c, columnsTop, columnBottom - columnsTop)),
            ...arrows.map((a) => `<path d="${a.path}" fill="none" stroke="#2f6fbd" stroke-width="1.6" marker-end="url(#arrow)"/>`),
            ...[...boxes.values()].map(workloadBox),
            ...labels.flatMap((rect, i) => (rect ? [labelBox(rect, edges[i].ports)] : [])),
            ...listParts,
        ],
        bottom,
        right,
    };
}

/** Flows to other panels, one line per source and ports: `client/client -> a/x, b/y: TCP 80 (another panel)`. */
function acrossLines(across: Edge[]): string[] {
    const bySource = new Map<string, string[]>();
    for (const e of across) {
        const key = `${e.from}\u0000${e.ports}`;
        bySource.set(key, [...(bySource.get(key) ?? []), e.to]);
    }
    return [...bySource.entries()].map(([key, tos]) => {
        const [from, ports] = key.split("\u0000");
        return `${from} -> ${tos.join(", ")}: ${ports} (in another panel)`;
    });
}

/**
 * Namespaces grouped into panels: namespaces joined by allowed flows go together (so few arrows leave a panel),
 * at most `MAX_COLUMNS` to a panel, in name order.
 */
export function panelsByNamespace(endpoints: string[], edges: { from: string; to: string }[]): Panel[] {
    const namespaces = [...new Set(endpoints.map(namespaceOf))].sort();
    const group = new Map(namespaces.map((ns) => [ns, ns]));
    const find = (ns: string): string => (group.get(ns) === ns ? ns : find(group.get(ns)!));
    for (const e of edges) {
        const [a, b] = [find(namespaceOf(e.from)), find(namespaceOf(e.to))];
        if (a !== b) group.set(a < b ? b : a, a < b ? a : b);
    }
    const components = new Map<string, string[]>();
    for (const ns of namespaces) components.set(find(ns), [...(components.get(find(ns)) ?? []), ns]);
    const chunks = [...components.values()].flatMap((c) => Array.from({ length: Math.ceil(c.length / MAX_COLUMNS) }, (_, i) => c.slice(i * MAX_COLUMNS, (i + 1) * MAX_COLUMNS)));
    return chunks.map((nss) => ({ title: `namespaces ${nss.join(", ")}`, endpoints: endpoints.filter((e) => nss.includes(namespaceOf(e))) }));
}

function namespaceOf(id: string): string {
    return id.split("/")[0];
}

function namespaceBox(ns: string, column: number, top: number, height: number): string {
    const x = MARGIN.left + column * (COLUMN.width + COLUMN.gap);
    return [
        `<rect x="${x}" y="${top}" width="${COLUMN.width}" height="${height}" rx="10" fill="#f3f6fa" stroke="#9fb3c8"/>`,
        `<text x="${x + COLUMN.width / 2}" y="${top + 25}" text-anchor="middle" font-weight="bold" fill="#334e68">namespace ${escape(ns)}</text>`,
    ].join("\n");
}

function workloadBox(b: Box): string {
    const name = b.id.slice(b.id.indexOf("/") + 1);
    return [
        `<rect class="workload" x="${b.x}" y="${b.y}" width="${BOX.width}" height="${BOX.height}" rx="6" fill="#ffffff" stroke="#486581"/>`,
        `<text x="${b.x + BOX.width / 2}" y="${b.y + BOX.height / 2 + 4}" text-anchor="middle" fill="#102a43">${escape(name)}</text>`,
    ].join("\n");
}

function labelWidth(ports: string): number {
    return ports.length * LABEL.charWidth + LABEL.padding;
}

function labelBox(r: Rect, ports: string): string {
    const centre = { x: r.x + r.width / 2, y: r.y + r.height / 2 };
    return [
        `<rect class="label" x="${round(r.x)}" y="${round(r.y)}" width="${round(r.width)}" height="${round(r.height)}" rx="3" fill="#ffffff" fill-opacity="0.9"/>`,
        `<text x="${round(centre.x)}" y="${round(centre.y + 4)}" text-anchor="middle" font-size="11" fill="#2f6fbd">${escape(ports)}</text>`,
    ].join("\n");
}

function round(n: number): number {
    return Math.round(n * 10) / 10;
}

/** One edge per (from, to), with its allowed ports as "TCP 80, 443". */
function groupPorts(flows: MatrixFlow[]): Edge[] {
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
